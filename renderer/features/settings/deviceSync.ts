/**
 * The UI's part in the audio devices, which main keeps (DeskState.settings.devices) and the media
 * host applies (renderer/mediaHost): what the Settings dialog sends for a device picked in it, and
 * the move of a choice an older Baton kept in this browser profile to main.
 */
import type { AgentSettingsView, AudioDeviceRole, AudioDeviceSetting } from '../../../shared/desk.js';
import type { BatonApi } from '../../../shared/ipc.js';
import type { AppStore } from '../../app/store.js';
import type { DeviceInfo } from './audioDevices.js';

/** What the settings dialog sends for a device picked in it. */
export function settingFor(id: string | null, available: readonly DeviceInfo[]): AudioDeviceSetting {
  if (id === null) return { id: null, label: null };
  const label = available.find((d) => d.deviceId === id)?.label;
  return { id, label: label ? label : null };
}

const LEGACY_KEY = 'baton.audioDevices';

/**
 * Once main's settings are known: a choice an older Baton kept in this profile goes to main (which
 * has the media host check it first), and leaves the profile. Returns a function that stops waiting.
 */
export function migrateLegacyDeviceChoice(store: AppStore, baton: BatonApi): () => void {
  let done = false;
  const check = (): void => {
    const settings = store.getState().desk.desk?.settings;
    if (done || !settings) return;
    done = true;
    unsubscribe();
    migrateLegacyChoice(settings, baton);
  };
  const unsubscribe = store.subscribe(check);
  check();
  return unsubscribe;
}

/** A choice an older Baton kept in this browser profile moves to main once, then leaves the profile. */
function migrateLegacyChoice(settings: AgentSettingsView, baton: BatonApi): void {
  let raw: string | null;
  try {
    raw = window.localStorage.getItem(LEGACY_KEY);
    window.localStorage.removeItem(LEGACY_KEY);
  } catch {
    // Storage unavailable (a sandboxed or private page): there is no old choice to carry over.
    return;
  }
  if (!raw) return;
  try {
    const parsed = JSON.parse(raw) as Record<string, unknown>;
    const roles: Array<[AudioDeviceRole, unknown]> = [
      ['microphone', parsed.microphoneId],
      ['speaker', parsed.speakerId],
      ['ringer', parsed.ringerId],
    ];
    const devices: Partial<Record<AudioDeviceRole, AudioDeviceSetting>> = {};
    for (const [role, id] of roles) {
      const unset = settings.devices[role].id === null && settings.devices[role].label === null;
      if (typeof id === 'string' && id.length > 0 && id.length <= 512 && unset && !settings.devicesFixed.includes(role))
        devices[role] = { id, label: null };
    }
    // A device main's check refuses is dropped with the old profile: the devices stay as main has them.
    if (Object.keys(devices).length > 0)
      void baton.invoke('settings.set', { devices }).then(
        (outcome) => {
          if (!outcome.ok) console.warn('[baton] an audio device chosen in an older Baton was not kept', outcome.error.message);
        },
        (error: unknown) => console.warn('[baton] an audio device chosen in an older Baton could not be sent to Baton', error),
      );
  } catch (error) {
    // An unreadable old choice is simply dropped: the devices stay as main has them.
    console.warn('[baton] an unreadable audio-device choice from an older Baton was dropped', error);
  }
}
