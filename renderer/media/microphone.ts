/**
 * The microphone: one getUserMedia capture for the chosen device, shared by every call. Each call
 * gets its own clone of the track, so mute and hold (`track.enabled`) stay per call. Choosing another
 * device captures it and hands every live call a fresh clone (RTCRtpSender.replaceTrack: no
 * renegotiation); the old capture is stopped.
 */
import { loggedAndDropped } from './loggedAndDropped.js';

export interface MicrophoneOptions {
  /** Echo cancellation, noise suppression and gain control (default true: agents wear headsets in open rooms). */
  readonly processing?: boolean;
}

type CaptureListener = (track: MediaStreamTrack) => void;

export class Microphone {
  private deviceId = '';
  private capture: Promise<MediaStream> | null = null;
  private readonly listeners = new Set<CaptureListener>();

  constructor(
    private readonly devices: MediaDevices,
    private readonly options: MicrophoneOptions = {},
  ) {}

  get device(): string {
    return this.deviceId;
  }

  /** A new track for one call, cloned from the live capture (started on first use). */
  async track(): Promise<MediaStreamTrack> {
    const stream = await this.stream();
    const source = stream.getAudioTracks()[0];
    if (!source) throw new Error('The microphone delivered no audio track.');
    return source.clone();
  }

  /** Calls `listener` with a fresh clone each time the capture changes device. */
  onChange(listener: CaptureListener): () => void {
    this.listeners.add(listener);
    return () => void this.listeners.delete(listener);
  }

  /** Switches device ('' = the system default). Live calls move to it; a failure keeps the old one. */
  async choose(deviceId: string): Promise<void> {
    if (deviceId === this.deviceId) return;
    if (this.capture === null) {
      this.deviceId = deviceId;
      return;
    }
    const next = this.open(deviceId);
    const stream = await next;
    const previous = this.capture;
    this.capture = next;
    this.deviceId = deviceId;
    const source = stream.getAudioTracks()[0];
    if (source) for (const listener of [...this.listeners]) listener(source.clone());
    // A previous capture that failed holds no device: nothing to stop.
    void previous.then(stopAll, loggedAndDropped('the previous microphone capture'));
  }

  /** Stops the capture (the browser's recording indicator goes off); the next call captures again. */
  release(): void {
    const capture = this.capture;
    this.capture = null;
    void capture?.then(stopAll, loggedAndDropped('the released microphone capture'));
  }

  private stream(): Promise<MediaStream> {
    if (this.capture === null) {
      // A call must not fail because the chosen headset was unplugged: fall back to the default.
      const capture = this.open(this.deviceId).catch((error: unknown) => {
        if (this.deviceId) return this.open('');
        throw error;
      });
      this.capture = capture;
      // A failed capture is not cached: the next call asks again (the user may have plugged a headset in).
      capture.catch(() => {
        if (this.capture === capture) this.capture = null;
      });
    }
    return this.capture;
  }

  private async open(deviceId: string): Promise<MediaStream> {
    const processing = this.options.processing ?? true;
    const audio: MediaTrackConstraints = {
      echoCancellation: processing,
      noiseSuppression: processing,
      autoGainControl: processing,
      ...(deviceId ? { deviceId: { exact: deviceId } } : {}),
    };
    try {
      return await this.devices.getUserMedia({ audio, video: false });
    } catch (error) {
      throw new Error(`The microphone is not available: ${describe(error)}`, { cause: error });
    }
  }
}

function stopAll(stream: MediaStream): void {
  for (const track of stream.getTracks()) track.stop();
}

function describe(error: unknown): string {
  if (error instanceof DOMException) return `${error.name}${error.message ? ` (${error.message})` : ''}`;
  return error instanceof Error ? error.message : String(error);
}
