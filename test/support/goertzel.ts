/**
 * How much of one frequency a block of audio holds (the Goertzel algorithm): the building block of
 * the audio oracle, which tells *who* a party hears by the tone each party sends.
 *
 * Levels are amplitudes on the samples' own scale (a full-scale sine at `hz` reads ≈ 1.0 for
 * float samples in [-1, 1]), so a threshold means the same whatever the block length.
 */

/** Amplitude of the `hz` component of `samples` (mono), sampled at `sampleRate`. */
export function toneAmplitude(samples: ArrayLike<number>, sampleRate: number, hz: number): number {
  const n = samples.length;
  if (n === 0) return 0;
  const w = (2 * Math.PI * hz) / sampleRate;
  const coeff = 2 * Math.cos(w);
  let s1 = 0;
  let s2 = 0;
  for (let i = 0; i < n; i += 1) {
    const s0 = (samples[i] ?? 0) + coeff * s1 - s2;
    s2 = s1;
    s1 = s0;
  }
  const power = s1 * s1 + s2 * s2 - coeff * s1 * s2;
  return (2 * Math.sqrt(Math.max(power, 0))) / n;
}

/** Amplitude at each of `frequencies`, keyed by Hz. */
export function toneAmplitudes(samples: ArrayLike<number>, sampleRate: number, frequencies: readonly number[]): Map<number, number> {
  return new Map(frequencies.map((hz) => [hz, toneAmplitude(samples, sampleRate, hz)]));
}

/** Int16 PCM (as a WAV or wrtc's RTCAudioSink gives it) to floats in [-1, 1]. */
export function int16ToFloat(pcm: Int16Array): Float32Array {
  const out = new Float32Array(pcm.length);
  for (let i = 0; i < pcm.length; i += 1) out[i] = (pcm[i] ?? 0) / 32768;
  return out;
}

const hannCache = new Map<number, Float64Array>();

/** The (symmetric) Hann window of length `n`, cached: every frame of a measurement has the same length. */
function hann(n: number): Float64Array {
  let window = hannCache.get(n);
  if (!window) {
    window = new Float64Array(n);
    for (let i = 0; i < n; i += 1) window[i] = n === 1 ? 1 : 0.5 - 0.5 * Math.cos((2 * Math.PI * i) / (n - 1));
    hannCache.set(n, window);
  }
  return window;
}

/**
 * Like toneAmplitude, with the block shaped by a Hann window first. A plain block leaks about 10 %
 * of a tone's amplitude into a detector 110 Hz away over 20 ms; Hann brings that under 2.5 %, which
 * is what lets neighbouring party tones (test/support/partyTones.ts) be told apart in short frames.
 * Scaled by the window's gain, so a full-scale sine still reads ≈ 1.0.
 */
export function windowedToneAmplitude(samples: ArrayLike<number>, sampleRate: number, hz: number): number {
  const n = samples.length;
  if (n === 0) return 0;
  const window = hann(n);
  const w = (2 * Math.PI * hz) / sampleRate;
  const coeff = 2 * Math.cos(w);
  let s1 = 0;
  let s2 = 0;
  let gain = 0;
  for (let i = 0; i < n; i += 1) {
    const weight = window[i] ?? 0;
    gain += weight;
    const s0 = (samples[i] ?? 0) * weight + coeff * s1 - s2;
    s2 = s1;
    s1 = s0;
  }
  const power = s1 * s1 + s2 * s2 - coeff * s1 * s2;
  return gain === 0 ? 0 : (2 * Math.sqrt(Math.max(power, 0))) / gain;
}

/** Each tone's amplitude frame by frame, and its mean over the frames. */
export interface FramedTones {
  /** Mean amplitude of each tone over the frames (0 with no whole frame). */
  readonly means: Map<number, number>;
  /** Amplitude of each tone in each frame, oldest first: whether a tone was there throughout or in bursts. */
  readonly frames: Map<number, number[]>;
}

/**
 * Each of `frequencies` in `samples` cut into frames of `frameSamples` (a short frame follows a tone
 * that starts or stops): per frame, and the mean over all of them. A trailing partial frame is left
 * out.
 */
export function framedTones(
  samples: ArrayLike<number>,
  sampleRate: number,
  frequencies: readonly number[],
  frameSamples: number,
): FramedTones {
  if (!(Number.isInteger(frameSamples) && frameSamples > 0)) throw new RangeError(`frameSamples out of range: ${frameSamples}`);
  const count = Math.floor(samples.length / frameSamples);
  const frames = new Map<number, number[]>(frequencies.map((hz) => [hz, []]));
  const frame = new Float64Array(frameSamples);
  for (let f = 0; f < count; f += 1) {
    for (let i = 0; i < frameSamples; i += 1) frame[i] = samples[f * frameSamples + i] ?? 0;
    for (const hz of frequencies) frames.get(hz)?.push(windowedToneAmplitude(frame, sampleRate, hz));
  }
  const means = new Map<number, number>();
  for (const [hz, amplitudes] of frames) means.set(hz, count === 0 ? 0 : amplitudes.reduce((a, b) => a + b, 0) / count);
  return { means, frames };
}

/**
 * Mean amplitude of each of `frequencies` over `samples` cut into frames of `frameSamples` (a short
 * frame follows a tone that starts or stops; the mean over many says how steadily it was there).
 * A trailing partial frame is left out. No whole frame: every tone reads 0.
 */
export function framedToneAmplitudes(
  samples: ArrayLike<number>,
  sampleRate: number,
  frequencies: readonly number[],
  frameSamples: number,
): Map<number, number> {
  return framedTones(samples, sampleRate, frequencies, frameSamples).means;
}
