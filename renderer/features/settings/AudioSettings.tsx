/** Settings: which microphone, speaker and ringer the media engine uses. */
import { useCallback, useEffect, useRef, useState } from 'react';
import { useAppDispatch, useAppSelector } from '../../app/store.js';
import { settingsToggled } from '../desk/workspaceSlice.js';
import { applyAudioDevices, listAudioDevices, type AudioDeviceChoice, type AudioDeviceLists } from './audioDevices.js';
import { devicesChosen, saveDeviceChoice } from './settingsSlice.js';

function DeviceSelect({ label, devices, value, onChange }: { readonly label: string; readonly devices: readonly MediaDeviceInfo[]; readonly value: string | null; readonly onChange: (id: string | null) => void }) {
  const known = value === null || devices.some((d) => d.deviceId === value);
  return (
    <label className="field">
      <span className="field__label">{label}</span>
      <select value={value ?? ''} onChange={(e) => onChange(e.target.value || null)}>
        <option value="">System default</option>
        {devices
          .filter((d) => d.deviceId && d.deviceId !== 'default')
          .map((d, i) => (
            <option key={d.deviceId} value={d.deviceId}>
              {d.label || `${label} ${i + 1}`}
            </option>
          ))}
        {!known && <option value={value ?? ''}>Saved device (not connected)</option>}
      </select>
    </label>
  );
}

export function AudioSettings() {
  const open = useAppSelector((s) => s.workspace.settingsOpen);
  const saved = useAppSelector((s) => s.settings.devices);
  const dispatch = useAppDispatch();
  const dialog = useRef<HTMLDialogElement>(null);
  const [lists, setLists] = useState<AudioDeviceLists | null>(null);
  const [choice, setChoice] = useState<AudioDeviceChoice>(saved);
  const [error, setError] = useState<string | null>(null);

  const refresh = useCallback(async () => {
    try {
      setLists(await listAudioDevices());
      setError(null);
    } catch (e) {
      setError(e instanceof Error ? e.message : 'The audio devices could not be listed.');
    }
  }, []);

  useEffect(() => {
    const d = dialog.current;
    if (!d) return;
    if (open && !d.open) {
      setChoice(saved);
      d.showModal();
      void refresh();
    } else if (!open && d.open) d.close();
  }, [open, saved, refresh]);

  useEffect(() => {
    if (!open || !navigator.mediaDevices) return;
    const onChange = (): void => void refresh();
    navigator.mediaDevices.addEventListener('devicechange', onChange);
    return () => navigator.mediaDevices.removeEventListener('devicechange', onChange);
  }, [open, refresh]);

  const unnamed = lists !== null && lists.microphones.length > 0 && lists.microphones.every((d) => !d.label);
  const askForNames = async (): Promise<void> => {
    try {
      const stream = await navigator.mediaDevices.getUserMedia({ audio: true });
      for (const track of stream.getTracks()) track.stop();
      await refresh();
    } catch {
      setError('Microphone access was refused, so device names stay hidden.');
    }
  };

  const save = async (): Promise<void> => {
    try {
      await applyAudioDevices(choice);
    } catch (e) {
      setError(`That device cannot be used: ${e instanceof Error ? e.message : String(e)}`);
      return;
    }
    dispatch(devicesChosen(choice));
    saveDeviceChoice(choice);
    dispatch(settingsToggled(false));
  };

  return (
    <dialog ref={dialog} className="settings" aria-labelledby="settings-title" onClose={() => dispatch(settingsToggled(false))}>
      <form
        method="dialog"
        onSubmit={(e) => {
          e.preventDefault();
          void save();
        }}
      >
        <h2 id="settings-title" className="card-title">
          Audio devices
        </h2>
        {lists === null ? (
          <p className="muted">Looking for devices…</p>
        ) : (
          <>
            <DeviceSelect label="Microphone" devices={lists.microphones} value={choice.microphoneId} onChange={(microphoneId) => setChoice({ ...choice, microphoneId })} />
            {lists.canChooseOutput ? (
              <>
                <DeviceSelect label="Speaker" devices={lists.speakers} value={choice.speakerId} onChange={(speakerId) => setChoice({ ...choice, speakerId })} />
                <DeviceSelect label="Ringer" devices={lists.speakers} value={choice.ringerId} onChange={(ringerId) => setChoice({ ...choice, ringerId })} />
              </>
            ) : (
              <p className="muted">This system plays calls and the ring tone on its default output.</p>
            )}
            {unnamed && (
              <button type="button" className="button button--small" onClick={() => void askForNames()}>
                Show device names
              </button>
            )}
          </>
        )}
        {error && (
          <p className="message message--error" role="alert">
            {error}
          </p>
        )}
        <div className="button-row">
          <button type="submit" className="button button--primary">
            Save
          </button>
          <button type="button" className="button" onClick={() => dispatch(settingsToggled(false))}>
            Cancel
          </button>
        </div>
      </form>
    </dialog>
  );
}
