/**
 * Which device a setting names among those present. Main keeps the audio devices
 * (DeskState.settings.devices: the agent's choice, or IT's by machine policy); a device is found by
 * its deviceId, else by its label (policy names devices as the OS shows them), else it is not here.
 */
import type { AgentSettingsView, AudioDeviceSetting } from '../../shared/desk.js';

export interface DeviceInfo {
  readonly deviceId: string;
  readonly label: string;
  readonly kind: string;
}

/** The deviceIds a set of settings names here; null = the system default (or not present). */
export interface ResolvedDevices {
  readonly microphoneId: string | null;
  readonly speakerId: string | null;
  /** Where the ring tone plays (often the speakers rather than the headset). */
  readonly ringerId: string | null;
}

/** The deviceId a setting names among `devices` of its kind; null = the system default, or not present. */
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

export function choiceFromSettings(devices: AgentSettingsView['devices'], available: readonly DeviceInfo[]): ResolvedDevices {
  return {
    microphoneId: resolveDevice(devices.microphone, available, 'audioinput'),
    speakerId: resolveDevice(devices.speaker, available, 'audiooutput'),
    ringerId: resolveDevice(devices.ringer, available, 'audiooutput'),
  };
}
