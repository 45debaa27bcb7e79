/**
 * Microphones for Chromium pages.
 *
 * E2E agent pages get their party's tone (`installPartyMicrophone`, injected per page by
 * test/e2e/fixtures.ts), so tests say who hears whom.
 *
 * Pages with no injected microphone (the benches in test/bench, the demo opened by hand) hear
 * Chromium's fake device. Its default beeps briefly once a second, which leaves most of any 200 ms
 * window silent; with `--use-file-for-fake-audio-capture` (CHROMIUM_ARGS) it loops a WAV instead. A
 * steady sine from the device will not do: noise suppression (on, as in production) treats it as
 * noise and fades it out within seconds. So the WAV "speaks": syllables of 200 ms at changing
 * pitches, 50 ms apart — every 200 ms window holds at least 150 ms of sound.
 */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

const SAMPLE_RATE = 48_000;
const AMPLITUDE = 0.3;
const SYLLABLE_S = 0.25;
const VOICED_S = 0.2;
const EDGE_S = 0.02;
/** Pitch of each syllable relative to the base frequency. */
const MELODY = [1, 0.8, 1.25, 0.9, 1.1, 0.75, 1.2, 0.95];

/** 16-bit mono PCM, two seconds (one melody), starting and ending in silence so the loop has no click. */
export function writeSpeechLikeWav(path: string, hz: number): void {
  if (existsSync(path)) return;
  const perSyllable = Math.round(SYLLABLE_S * SAMPLE_RATE);
  const voiced = Math.round(VOICED_S * SAMPLE_RATE);
  const edge = Math.round(EDGE_S * SAMPLE_RATE);
  const samples = perSyllable * MELODY.length;
  const data = Buffer.alloc(samples * 2);
  for (let i = 0; i < samples; i++) {
    const syllable = Math.floor(i / perSyllable);
    const t = i - syllable * perSyllable;
    if (t >= voiced) continue;
    const envelope =
      t < edge ? 0.5 - 0.5 * Math.cos((Math.PI * t) / edge) : t > voiced - edge ? 0.5 - 0.5 * Math.cos((Math.PI * (voiced - t)) / edge) : 1;
    const pitch = hz * (MELODY[syllable] ?? 1);
    data.writeInt16LE(Math.round(AMPLITUDE * envelope * 32767 * Math.sin((2 * Math.PI * pitch * t) / SAMPLE_RATE)), i * 2);
  }
  const header = Buffer.alloc(44);
  header.write('RIFF', 0, 'ascii');
  header.writeUInt32LE(36 + data.length, 4);
  header.write('WAVE', 8, 'ascii');
  header.write('fmt ', 12, 'ascii');
  header.writeUInt32LE(16, 16); // fmt chunk size
  header.writeUInt16LE(1, 20); // PCM
  header.writeUInt16LE(1, 22); // mono
  header.writeUInt32LE(SAMPLE_RATE, 24);
  header.writeUInt32LE(SAMPLE_RATE * 2, 28); // byte rate
  header.writeUInt16LE(2, 32); // block align
  header.writeUInt16LE(16, 34); // bits per sample
  header.write('data', 36, 'ascii');
  header.writeUInt32LE(data.length, 40);
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, Buffer.concat([header, data]));
}

/** What the harness tells a page's microphone: its party's tone (test/support/partyTones.ts). */
export interface PartyMicrophoneArgs {
  /** The tone the page's agent sends, in Hz. */
  readonly hz: number;
  /** Full scale 1.0; the Node engines send 0.25, so both kinds of party read alike after Opus. */
  readonly amplitude: number;
  /** Global under which the page records each getUserMedia request (for tests that check the product asked). */
  readonly recordName: string;
}

/** One getUserMedia request of the page, as the product made it. */
export interface MicrophoneRequest {
  readonly constraints: MediaStreamConstraints | undefined;
  /** The device the request captured (so device choices stay real), '' when it had no audio. */
  readonly deviceId: string;
}

/**
 * An E2E page's own microphone: a sine at its agent's party tone, so a listener can tell *whom* it
 * hears (test/e2e/harness/pageOracle.ts). Runs before the page's scripts (Playwright addInitScript),
 * so it must reference nothing outside its body.
 *
 * getUserMedia still asks Chromium's fake device with the product's own constraints and device ids
 * first (renderer/media/microphone.ts runs unchanged: an unplugged device still fails, a granted
 * capture still unlocks host candidates), then hands back a WebAudio oscillator's track in place of
 * the device's. The device capture lives as long as that track and stops with it. Noise suppression
 * and gain control belong to a device's capture pipeline: they never touch a WebAudio track, so the
 * tone stays steady for the whole call.
 */
export function installPartyMicrophone(args: PartyMicrophoneArgs): void {
  const devices = navigator.mediaDevices as MediaDevices | undefined;
  if (!devices) return;
  const capture = devices.getUserMedia.bind(devices);
  const requests: MicrophoneRequest[] = [];
  Object.defineProperty(window, args.recordName, { value: requests });
  let voice: { context: AudioContext; output: GainNode } | null = null;
  const speaking = (): { context: AudioContext; output: GainNode } => {
    if (voice === null || voice.context.state === 'closed') {
      const context = new AudioContext();
      const output = new GainNode(context, { gain: args.amplitude });
      const oscillator = new OscillatorNode(context, { type: 'sine', frequency: args.hz });
      oscillator.connect(output);
      oscillator.start();
      voice = { context, output };
    }
    // A context that cannot resume stays silent: the far end's ear then reports no tone, so the
    // test fails on what was heard; the reason goes to the page's console.
    void voice.context.resume().catch((error: unknown) => console.warn('fake microphone: AudioContext.resume failed', error));
    return voice;
  };
  const getUserMedia = async (constraints?: MediaStreamConstraints): Promise<MediaStream> => {
    const captured = await capture(constraints);
    const device = captured.getAudioTracks();
    requests.push({ constraints, deviceId: device[0]?.getSettings().deviceId ?? '' });
    if (device.length === 0) return captured;
    const { context, output } = speaking();
    const destination = new MediaStreamAudioDestinationNode(context, { channelCount: 1 });
    output.connect(destination);
    const track = destination.stream.getAudioTracks()[0];
    if (!track) return captured;
    const stopTone = track.stop.bind(track);
    Object.defineProperty(track, 'stop', {
      value: (): void => {
        stopTone();
        for (const t of device) t.stop();
        output.disconnect(destination);
      },
    });
    return new MediaStream([track, ...captured.getVideoTracks()]);
  };
  Object.defineProperty(devices, 'getUserMedia', { value: getUserMedia, configurable: true, writable: true });
}
