/**
 * Whether the devices a settings change names can be used here, where the calls' media runs: each
 * must be present (found by id, else by name) and must open — the microphone captured once and let
 * go, an output chosen on a silent element. Main asks this before it saves a choice (media request
 * `checkDevices`), so a device the engine cannot use is refused in Settings and the saved choice
 * stays. What fails comes back in words for the agent.
 */
import type { AudioDeviceRole, AudioDeviceSetting } from '../../shared/desk.js';
import { resolveDevice, type DeviceInfo } from './deviceChoice.js';

export interface DeviceProbe {
  list(): Promise<readonly DeviceInfo[]>;
  /** Opens the microphone with this deviceId and lets it go; rejects when it cannot. */
  microphone(deviceId: string): Promise<void>;
  /** Routes a silent element to this output; rejects when it cannot. Null: outputs cannot be chosen here. */
  readonly output: ((deviceId: string) => Promise<void>) | null;
}

const ROLES: ReadonlyArray<readonly [AudioDeviceRole, string, 'audioinput' | 'audiooutput']> = [
  ['microphone', 'microphone', 'audioinput'],
  ['speaker', 'speaker', 'audiooutput'],
  ['ringer', 'ringer output', 'audiooutput'],
];

/** Resolves when every named device can be used; rejects with the first that cannot, in words. */
export async function checkDevices(
  devices: Readonly<Partial<Record<AudioDeviceRole, AudioDeviceSetting>>>,
  probe: DeviceProbe,
): Promise<void> {
  const wanted = ROLES.filter(([role]) => {
    const setting = devices[role];
    return setting !== undefined && (setting.id !== null || setting.label !== null);
  });
  if (wanted.length === 0) return;
  const available = await probe.list();
  for (const [role, noun, kind] of wanted) {
    const setting = devices[role];
    if (!setting) continue;
    const name = setting.label ? `the ${noun} “${setting.label}”` : `the chosen ${noun}`;
    const deviceId = resolveDevice(setting, available, kind);
    if (deviceId === null) throw new Error(`${name} is not connected.`);
    try {
      if (kind === 'audioinput') await probe.microphone(deviceId);
      else if (probe.output) await probe.output(deviceId);
      else throw new Error('this system plays all audio on its default output');
    } catch (error) {
      throw new Error(`${name} did not open (${describe(error)}).`, { cause: error });
    }
  }
}

/** The probe of a page: its mediaDevices and a detached audio element of its document. */
export function pageDeviceProbe(mediaDevices: MediaDevices, doc: Document): DeviceProbe {
  const canRoute = typeof HTMLMediaElement !== 'undefined' && 'setSinkId' in HTMLMediaElement.prototype;
  return {
    list: () => mediaDevices.enumerateDevices(),
    async microphone(deviceId) {
      const stream = await mediaDevices.getUserMedia({ audio: { deviceId: { exact: deviceId } }, video: false });
      for (const track of stream.getTracks()) track.stop();
    },
    output: canRoute
      ? async (deviceId) => {
          const element = doc.createElement('audio');
          await element.setSinkId(deviceId);
        }
      : null,
  };
}

function describe(error: unknown): string {
  if (typeof DOMException !== 'undefined' && error instanceof DOMException)
    return error.message ? `${error.name}: ${error.message}` : error.name;
  return error instanceof Error ? error.message : String(error);
}
