/**
 * The one place where the chosen audio devices leave the view for the media engine.
 *
 * The engine (renderer/media) registers itself as the sink; until it does, the last choice is kept
 * and handed over on registration, so the order of start-up does not matter.
 */
export interface AudioDeviceChoice {
  /** `deviceId` from enumerateDevices; null = the system default. */
  readonly microphoneId: string | null;
  readonly speakerId: string | null;
  /** Where the ring tone plays (often the speakers rather than the headset). */
  readonly ringerId: string | null;
}

export interface AudioDeviceSink {
  setDevices(choice: AudioDeviceChoice): void | Promise<void>;
}

let sink: AudioDeviceSink | null = null;
let last: AudioDeviceChoice | null = null;

/** The media engine calls this once it runs; returns a function that unregisters it. */
export function registerAudioDeviceSink(next: AudioDeviceSink): () => void {
  sink = next;
  // The engine keeps the devices it has (the system's defaults); the agent can pick again in Settings.
  if (last)
    void Promise.resolve(next.setDevices(last)).catch((error: unknown) =>
      console.warn('[baton] the chosen audio devices could not be applied', error),
    );
  return () => {
    if (sink === next) sink = null;
  };
}

/** Hands the choice to the engine; rejects when the engine refuses a device (it keeps the old one). */
export async function applyAudioDevices(choice: AudioDeviceChoice): Promise<void> {
  last = choice;
  if (sink) await sink.setDevices(choice);
}

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
