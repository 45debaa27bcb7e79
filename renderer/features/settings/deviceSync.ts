/**
 * Main keeps the audio devices (DeskState.settings.devices: the agent's choice, or IT's by machine
 * policy); this applies them to the media engine. A device is found by its deviceId, else by its
 * label (policy names devices as the OS shows them), else the system default is used — and again
 * whenever devices come and go, so a headset plugged in later is picked up.
 */
import type { AgentSettingsView, AudioDeviceRole, AudioDeviceSetting } from '../../../shared/desk.js';
import type { BatonApi } from '../../../shared/ipc.js';
import type { AppStore } from '../../app/store.js';
import { applyAudioDevices, type AudioDeviceChoice } from './audioDevices.js';

export interface DeviceInfo {
  readonly deviceId: string;
  readonly label: string;
  readonly kind: string;
}

/** The deviceId a setting names among `devices` of its kind; null = the system default. */
export function resolveDevice(
  setting: AudioDeviceSetting,
  devices: readonly DeviceInfo[],
  kind: 'audioinput' | 'audiooutput',
): string | null {
  const ofKind = devices.filter((d) => d.kind === kind && d.deviceId !== '' && d.deviceId !== 'default');
  if (setting.id !== null && ofKind.some((d) => d.deviceId === setting.id)) return setting.id;
  if (setting.label !== null) {
    const wanted = setting.label.toLowerCase();
    const match = ofKind.find((d) => d.label.toLowerCase() === wanted) ?? ofKind.find((d) => d.label.toLowerCase().includes(wanted));
    if (match) return match.deviceId;
  }
  return null;
}

export function choiceFromSettings(devices: AgentSettingsView['devices'], available: readonly DeviceInfo[]): AudioDeviceChoice {
  return {
    microphoneId: resolveDevice(devices.microphone, available, 'audioinput'),
    speakerId: resolveDevice(devices.speaker, available, 'audiooutput'),
    ringerId: resolveDevice(devices.ringer, available, 'audiooutput'),
  };
}

/** What the settings dialog sends for a device picked in it. */
export function settingFor(id: string | null, available: readonly DeviceInfo[]): AudioDeviceSetting {
  if (id === null) return { id: null, label: null };
  const label = available.find((d) => d.deviceId === id)?.label;
  return { id, label: label ? label : null };
}

const LEGACY_KEY = 'baton.audioDevices';

/** Applies main's devices now and on every change; returns a function that stops it. */
export function syncAudioDevices(store: AppStore, baton: BatonApi): () => void {
  let applied: AgentSettingsView['devices'] | undefined;
  let migrated = false;
  const apply = async (devices: AgentSettingsView['devices']): Promise<void> => {
    const available = navigator.mediaDevices ? await navigator.mediaDevices.enumerateDevices() : [];
    // The engine keeps the devices it has (the system's defaults); the next change or devicechange tries again.
    await applyAudioDevices(choiceFromSettings(devices, available)).catch((error: unknown) =>
      console.warn('[baton] the audio devices could not be applied', error),
    );
  };
  const check = (): void => {
    const settings = store.getState().desk.desk?.settings;
    if (!settings || settings.devices === applied) return;
    applied = settings.devices;
    if (!migrated) {
      migrated = true;
      migrateLegacyChoice(settings, baton);
    }
    void apply(settings.devices);
  };
  const unsubscribe = store.subscribe(check);
  const onDeviceChange = (): void => {
    if (applied) void apply(applied);
  };
  navigator.mediaDevices?.addEventListener('devicechange', onDeviceChange);
  check();
  return () => {
    unsubscribe();
    navigator.mediaDevices?.removeEventListener('devicechange', onDeviceChange);
  };
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
    if (Object.keys(devices).length > 0) void baton.invoke('settings.set', { devices });
  } catch (error) {
    // An unreadable old choice is simply dropped: the devices stay as main has them.
    console.warn('[baton] an unreadable audio-device choice from an older Baton was dropped', error);
  }
}
