/**
 * The ring tone: generated with WebAudio (no file to ship), played through its own <audio> element so
 * it can ring on a different output (the PC speakers) than the call (the headset): setSinkId.
 *
 * Cadence: 440 + 480 Hz, 2 s on, 4 s off (the North American ring), at a modest level.
 */
import { loggedAndDropped } from './loggedAndDropped.js';

const CADENCE_ON_S = 2;
const CADENCE_PERIOD_S = 6;
const LEVEL = 0.15;
/** How far ahead ring bursts are scheduled; the loop tops the schedule up every period. */
const SCHEDULE_AHEAD_PERIODS = 2;

export class Ringer {
  private readonly element: HTMLAudioElement;
  private readonly gain: GainNode;
  private readonly destination: MediaStreamAudioDestinationNode;
  private readonly oscillators: OscillatorNode[];
  private timer: ReturnType<typeof setInterval> | null = null;
  private scheduledUntil = 0;
  private sinkId = '';

  constructor(
    private readonly context: AudioContext,
    doc: Document,
  ) {
    this.destination = context.createMediaStreamDestination();
    this.gain = context.createGain();
    this.gain.gain.value = 0;
    this.gain.connect(this.destination);
    this.oscillators = [440, 480].map((hz) => {
      const oscillator = context.createOscillator();
      oscillator.frequency.value = hz;
      oscillator.connect(this.gain);
      oscillator.start();
      return oscillator;
    });
    this.element = doc.createElement('audio');
    this.element.dataset.batonAudio = 'ringer';
    this.element.hidden = true;
    this.element.srcObject = this.destination.stream;
    doc.body.append(this.element);
  }

  get ringing(): boolean {
    return this.timer !== null;
  }

  /** The output device for the ring ('' = the system default). Rejects when the device is unknown. */
  async setSinkId(sinkId: string): Promise<void> {
    this.sinkId = sinkId;
    await setSink(this.element, sinkId);
  }

  get sink(): string {
    return this.sinkId;
  }

  start(): void {
    if (this.timer !== null) return;
    // Safe: a ring tone that cannot play leaves the incoming-call card (and its announcement) to say it rings.
    void this.context.resume().catch(loggedAndDropped('resuming the ring tone’s AudioContext'));
    void this.element.play().catch(loggedAndDropped('playing the ring tone'));
    this.scheduledUntil = this.context.currentTime;
    this.schedule();
    this.timer = setInterval(() => this.schedule(), CADENCE_PERIOD_S * 1000);
  }

  stop(): void {
    if (this.timer === null) return;
    clearInterval(this.timer);
    this.timer = null;
    const now = this.context.currentTime;
    this.gain.gain.cancelScheduledValues(now);
    this.gain.gain.setValueAtTime(0, now);
    this.element.pause();
  }

  dispose(): void {
    this.stop();
    for (const oscillator of this.oscillators) {
      oscillator.stop();
      oscillator.disconnect();
    }
    this.gain.disconnect();
    this.element.srcObject = null;
    this.element.remove();
  }

  private schedule(): void {
    const gain = this.gain.gain;
    const horizon = this.context.currentTime + SCHEDULE_AHEAD_PERIODS * CADENCE_PERIOD_S;
    let at = Math.max(this.scheduledUntil, this.context.currentTime);
    while (at < horizon) {
      // Short ramps: a hard gate clicks.
      gain.setValueAtTime(0, at);
      gain.linearRampToValueAtTime(LEVEL, at + 0.02);
      gain.setValueAtTime(LEVEL, at + CADENCE_ON_S - 0.02);
      gain.linearRampToValueAtTime(0, at + CADENCE_ON_S);
      at += CADENCE_PERIOD_S;
    }
    this.scheduledUntil = at;
  }
}

/** setSinkId where the browser has it (Chromium, Electron); elsewhere only the default output exists. */
export async function setSink(element: HTMLMediaElement, sinkId: string): Promise<boolean> {
  if (typeof element.setSinkId !== 'function') return false;
  if (element.sinkId === sinkId) return true;
  await element.setSinkId(sinkId);
  return true;
}
