/**
 * Settings: which microphone, speaker and ringer the media engine uses — kept in main (the agent's
 * choice, or IT's by machine policy, shown but locked) — and "Export diagnostics" for IT. Main has
 * the media host check a new device before saving it: one it cannot use is refused in a sentence
 * ("That device cannot be used: …"), and the saved choice stays as it was.
 */
import { useCallback, useEffect, useRef, useState } from 'react';
import type { AudioDeviceRole } from '../../../shared/desk.js';
import { useSend } from '../../app/commands.js';
import { useAppDispatch, useAppSelector } from '../../app/store.js';
import { settingsToggled } from '../desk/workspaceSlice.js';
import { choiceFromSettings, listAudioDevices, type AudioDeviceChoice, type AudioDeviceLists } from './audioDevices.js';
import { settingFor } from './deviceSync.js';
import { devicesChosen } from './settingsSlice.js';

const NO_CHOICE: AudioDeviceChoice = { microphoneId: null, speakerId: null, ringerId: null };

function DeviceSelect({
  label,
  devices,
  value,
  fixed,
  onChange,
}: {
  readonly label: string;
  readonly devices: readonly MediaDeviceInfo[];
  readonly value: string | null;
  readonly fixed: boolean;
  readonly onChange: (id: string | null) => void;
}) {
  const known = value === null || devices.some((d) => d.deviceId === value);
  return (
    <label className="field">
      <span className="field__label">{label}</span>
      {fixed && <span className="field__hint">Set by IT for this computer</span>}
      <select value={value ?? ''} disabled={fixed} onChange={(e) => onChange(e.target.value || null)}>
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
  const settings = useAppSelector((s) => s.desk.desk?.settings);
  const dispatch = useAppDispatch();
  const send = useSend();
  const dialog = useRef<HTMLDialogElement>(null);
  const [lists, setLists] = useState<AudioDeviceLists | null>(null);
  const [choice, setChoice] = useState<AudioDeviceChoice>(NO_CHOICE);
  const [error, setError] = useState<string | null>(null);
  const [exported, setExported] = useState<string | null>(null);
  const fixed = (role: AudioDeviceRole): boolean => settings?.devicesFixed.includes(role) ?? false;

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
      setExported(null);
      d.showModal();
      void refresh();
    } else if (!open && d.open) d.close();
  }, [open, refresh]);

  // What main keeps, shown as the devices present now (by id, else by the name IT gave).
  useEffect(() => {
    // eslint-disable-next-line react-hooks/set-state-in-effect -- the form starts over from main's settings each time it opens or the device lists arrive; the agent edits it from there
    if (open && lists && settings) setChoice(choiceFromSettings(settings.devices, [...lists.microphones, ...lists.speakers]));
  }, [open, lists, settings]);

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
      // Said to the agent: the one way this fails that matters is a refused permission.
      setError('Microphone access was refused, so device names stay hidden.');
    }
  };

  const save = async (): Promise<void> => {
    setError(null);
    const available = lists ? [...lists.microphones, ...lists.speakers] : [];
    const wanted: Array<[AudioDeviceRole, string | null]> = [
      ['microphone', choice.microphoneId],
      ['speaker', choice.speakerId],
      ['ringer', choice.ringerId],
    ];
    const devices = Object.fromEntries(wanted.filter(([role]) => !fixed(role)).map(([role, id]) => [role, settingFor(id, available)]));
    // Main refuses a device the media host cannot use ("That device cannot be used: …") and keeps the saved one.
    const outcome = await send('settings.set', { devices }, { quiet: true });
    if (!outcome.ok) {
      setError(outcome.error.message);
      return;
    }
    dispatch(devicesChosen(choice));
    dispatch(settingsToggled(false));
  };

  const exportDiagnostics = async (): Promise<void> => {
    const outcome = await send('diagnostics.export', {}, { quiet: true });
    if (!outcome.ok) setError(outcome.error.message);
    else if (outcome.value.path) setExported(outcome.value.path);
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
            <DeviceSelect
              label="Microphone"
              devices={lists.microphones}
              value={choice.microphoneId}
              fixed={fixed('microphone')}
              onChange={(microphoneId) => setChoice({ ...choice, microphoneId })}
            />
            {lists.canChooseOutput ? (
              <>
                <DeviceSelect
                  label="Speaker"
                  devices={lists.speakers}
                  value={choice.speakerId}
                  fixed={fixed('speaker')}
                  onChange={(speakerId) => setChoice({ ...choice, speakerId })}
                />
                <DeviceSelect
                  label="Ringer"
                  devices={lists.speakers}
                  value={choice.ringerId}
                  fixed={fixed('ringer')}
                  onChange={(ringerId) => setChoice({ ...choice, ringerId })}
                />
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
        <h3 className="card-title">For IT</h3>
        <button type="button" className="button button--small" onClick={() => void exportDiagnostics()}>
          Export diagnostics…
        </button>
        {exported && (
          <p className="message" role="status">
            Saved to {exported}
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
