/**
 * Audio files for the lab's plain-RTP phones: a tone WAV made by sox (their "microphone") and what
 * they recorded of a call (what they "heard"), measured per party tone with the Goertzel detector.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { framedTones, int16ToFloat } from '../support/goertzel.js';

/** Same level as the Node engine's synthetic microphone: a quarter of full scale. */
const TONE_AMPLITUDE = 0.25;
/** 20 ms frames, as the audio oracle measures the Node engine's calls. */
const FRAME_MS = 20;

/**
 * Writes a mono 16-bit WAV holding a sine at `hz` for `seconds`, at `sampleRate` (a phone's file
 * source sends it as is, so it must match what the phone expects: 8 kHz for linphone's G.711-friendly
 * player, the configured `ausrc_srate` for baresip).
 */
export function writeToneWav(path: string, hz: number, seconds: number, sampleRate: number): void {
  const result = spawnSync(
    'sox',
    [
      '-n',
      '-r',
      String(sampleRate),
      '-c',
      '1',
      '-b',
      '16',
      path,
      'synth',
      String(seconds),
      'sine',
      String(hz),
      'vol',
      String(TONE_AMPLITUDE),
    ],
    {
      encoding: 'utf8',
      timeout: 10_000,
    },
  );
  if (result.status !== 0) {
    throw new Error(
      `sox could not make ${path} (${result.error?.message ?? `exit ${result.status}`}): ${result.stderr ?? ''}. Install it: apt-get install sox`,
    );
  }
}

export interface Pcm {
  /** undefined: the file is still being written and its header is not there yet. */
  readonly sampleRate: number | undefined;
  /** Mono samples in [-1, 1] (the first channel of a multi-channel file). */
  readonly samples: Float32Array;
}

/** A canonical WAV header's size: what linphone leaves as zeros until it closes the recording. */
const PLACEHOLDER_HEADER_BYTES = 44;

/**
 * Reads a 16-bit PCM WAV that may still be being written. Recorders fill in the RIFF and data sizes
 * only when they close the file, so the data chunk is taken to run to the end of what is there;
 * linphone even writes its whole header only then (44 zero bytes meanwhile, then mono 16-bit samples
 * at the codec's rate), and after some re-INVITEs (or now and then at a call's start) its file starts
 * straight with samples, no header at all: both come back as `sampleRate: undefined`.
 */
export function readWav(path: string): Pcm {
  const bytes = readFileSync(path);
  if (bytes.length >= PLACEHOLDER_HEADER_BYTES && bytes.subarray(0, PLACEHOLDER_HEADER_BYTES).every((byte) => byte === 0)) {
    const frames = Math.floor((bytes.length - PLACEHOLDER_HEADER_BYTES) / 2);
    const mono = new Int16Array(frames);
    for (let i = 0; i < frames; i += 1) mono[i] = bytes.readInt16LE(PLACEHOLDER_HEADER_BYTES + i * 2);
    return { sampleRate: undefined, samples: int16ToFloat(mono) };
  }
  if (bytes.length < 12 || bytes.toString('latin1', 0, 4) !== 'RIFF' || bytes.toString('latin1', 8, 12) !== 'WAVE') {
    const mono = new Int16Array(Math.floor(bytes.length / 2));
    for (let i = 0; i < mono.length; i += 1) mono[i] = bytes.readInt16LE(i * 2);
    return { sampleRate: undefined, samples: int16ToFloat(mono) };
  }
  let offset = 12;
  let format: { channels: number; sampleRate: number; bits: number; tag: number } | undefined;
  while (offset + 8 <= bytes.length) {
    const id = bytes.toString('latin1', offset, offset + 4);
    const size = bytes.readUInt32LE(offset + 4);
    const body = offset + 8;
    if (id === 'fmt ') {
      format = {
        tag: bytes.readUInt16LE(body),
        channels: bytes.readUInt16LE(body + 2),
        sampleRate: bytes.readUInt32LE(body + 4),
        bits: bytes.readUInt16LE(body + 14),
      };
    } else if (id === 'data') {
      if (format === undefined) throw new Error(`${path}: data before fmt`);
      // 1 = PCM, 0xFFFE = WAVE_FORMAT_EXTENSIBLE (sndfile writes it for some layouts; still PCM here).
      if ((format.tag !== 1 && format.tag !== 0xfffe) || format.bits !== 16)
        throw new Error(`${path}: not 16-bit PCM (format ${format.tag}, ${format.bits} bits)`);
      const frameBytes = 2 * format.channels;
      const end = size === 0 || body + size > bytes.length ? bytes.length : body + size;
      const frames = Math.floor((end - body) / frameBytes);
      const mono = new Int16Array(frames);
      for (let i = 0; i < frames; i += 1) mono[i] = bytes.readInt16LE(body + i * frameBytes);
      return { sampleRate: format.sampleRate, samples: int16ToFloat(mono) };
    }
    offset = body + size + (size % 2);
  }
  return { sampleRate: format?.sampleRate, samples: new Float32Array(0) };
}

export interface Heard {
  /** Mean amplitude (full scale 1.0) at each asked tone over the measured stretch, keyed by Hz. */
  readonly tones: ReadonlyMap<number, number>;
  /** Seconds of audio measured (less than asked for when the recording is shorter). */
  readonly seconds: number;
  readonly sampleRate: number;
  /** True when the file did not say its rate yet and it was inferred (see heardInRecording). */
  readonly rateInferred: boolean;
  /** Amplitude at each asked tone in each 20 ms frame, oldest first (absent: nothing was measured). */
  readonly frameTones?: ReadonlyMap<number, readonly number[]>;
}

/** Share of the frames a tone must be in to count as heard, as the audio oracle has it (test/support/audioOracle.ts). */
const STEADY_SHARE = 0.8;

/** How many frames carry `hz` at `heardAt` or more, out of how many. */
function framesWith(heard: Heard, hz: number, heardAt: number): { readonly with: number; readonly of: number } {
  const frames = heard.frameTones?.get(hz) ?? [];
  return { with: frames.filter((amplitude) => amplitude >= heardAt).length, of: frames.length };
}

/** `hz` is in at least 80 % of the frames at `heardAt` or more: heard throughout, not in bursts (a choppy stream is not a party heard). */
export function steadyIn(heard: Heard, hz: number, heardAt: number): boolean {
  const frames = framesWith(heard, hz, heardAt);
  return frames.of > 0 && frames.with >= STEADY_SHARE * frames.of;
}

/** Rates a phone's recorder may write: the clock of G.711 (and GSM, G.729), wideband speex, Opus. */
const CANDIDATE_RATES = [8000, 16000, 48000];

/**
 * What the last `seconds` of a recording hold at each of `tones`. For a recording whose header is not
 * written yet, the rate is the candidate at which the asked tones read strongest: read at a wrong
 * rate, a party tone lands at a frequency no party sends (440 Hz at 48 kHz read as 8 kHz is 73 Hz),
 * so a tone is never heard by mistake; silence reads silent at every rate.
 */
export function heardInRecording(path: string, tones: readonly number[], seconds: number): Heard {
  const { sampleRate, samples } = readWav(path);
  if (sampleRate !== undefined) return measure(samples, sampleRate, tones, seconds, false);
  const readings = CANDIDATE_RATES.map((rate) => measure(samples, rate, tones, seconds, true));
  const strength = (heard: Heard): number => [...heard.tones.values()].reduce((sum, amplitude) => sum + amplitude, 0);
  return readings.reduce((best, reading) => (strength(reading) > strength(best) ? reading : best));
}

function measure(samples: Float32Array, sampleRate: number, tones: readonly number[], seconds: number, rateInferred: boolean): Heard {
  const take = Math.min(samples.length, Math.round(seconds * sampleRate));
  const tail = samples.subarray(samples.length - take);
  const frame = Math.round((sampleRate * FRAME_MS) / 1000);
  const framed = framedTones(tail, sampleRate, tones, frame);
  return { tones: framed.means, frameTones: framed.frames, seconds: take / sampleRate, sampleRate, rateInferred };
}

/** "330 Hz 0.24, 440 Hz 0.00 over 1.0 s" ("330 Hz 0.06 (choppy: in 12 of 50 frames)" for a tone that breaks up), for failure messages. */
export function describeHeard(heard: Heard): string {
  const parts = [...heard.tones].map(([hz, amplitude]) => {
    const frames = framesWith(heard, hz, 0.05);
    const choppy = frames.with > 0 && frames.with < STEADY_SHARE * frames.of ? ` (choppy: in ${frames.with} of ${frames.of} frames)` : '';
    return `${hz} Hz ${amplitude.toFixed(2)}${choppy}`;
  });
  return `${parts.join(', ')} over ${heard.seconds.toFixed(1)} s at ${heard.sampleRate} Hz${heard.rateInferred ? ' (inferred)' : ''}`;
}
