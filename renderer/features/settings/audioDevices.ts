/**
 * The audio devices as the Settings dialog shows them. The choice is main's to keep
 * (DeskState.settings.devices) and the media host's to use: main has the media host check a new
 * choice before it saves it (shared/ipc.ts MediaRequest `checkDevices`), so the dialog learns from
 * `settings.set` whether a device can be used.
 */
import type { ResolvedDevices } from '../../media/deviceChoice.js';

/** The media host finds main's devices this way; the dialog shows them the same way. */
export { choiceFromSettings, type DeviceInfo } from '../../media/deviceChoice.js';

/** `deviceId` from enumerateDevices per role; null = the system default. */
export type AudioDeviceChoice = ResolvedDevices;

export interface AudioDeviceLists {
  readonly microphones: readonly MediaDeviceInfo[];
  readonly speakers: readonly MediaDeviceInfo[];
  /** False when the browser cannot route audio output (no setSinkId): speaker choice is hidden. */
  readonly canChooseOutput: boolean;
}

export async function listAudioDevices(): Promise<AudioDeviceLists> {
  const devices = navigator.mediaDevices ? await navigator.mediaDevices.enumerateDevices() : [];
  const canChooseOutput = typeof HTMLMediaElement !== 'undefined' && 'setSinkId' in HTMLMediaElement.prototype;
  return {
    microphones: devices.filter((d) => d.kind === 'audioinput'),
    speakers: devices.filter((d) => d.kind === 'audiooutput'),
    canChooseOutput,
  };
}
