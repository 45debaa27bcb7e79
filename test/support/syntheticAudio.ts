/**
 * Synthetic audio for the audio oracle's unit tests: samples at the engines' rate and level, and the
 * reading the oracle would take from them with packets flowing, so a judgement is tested on audio
 * whose content the test chose.
 */
import { framedTones } from './goertzel.js';
import { PARTY_TONES, readingOf, type CallHearing } from './audioOracle.js';

export const RATE = 48_000;
/** The detector's frame: 20 ms. */
export const FRAME = 960;
/** What our engines send, and what arrives after Opus: a quarter of full scale. */
export const SENT = 0.25;

/** A deterministic PRNG (mulberry32), so a noise case is the same every run. */
export function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/** `ms` of uniform white noise at `rms`. */
export function noise(ms: number, rms: number, seed: number): Float32Array {
  const next = random(seed);
  const half = rms * Math.sqrt(3);
  return Float32Array.from({ length: (RATE * ms) / 1000 }, () => (next() * 2 - 1) * half);
}

/** What the oracle, listening as `label`, reads from `samples` with `packets` RTP packets over them. */
export function syntheticReading(label: string, samples: Float32Array, packets = 20): CallHearing {
  let sumOfSquares = 0;
  for (const s of samples) sumOfSquares += s * s;
  const framed = framedTones(samples, RATE, PARTY_TONES, FRAME);
  return readingOf(label, {
    open: true,
    packets,
    spanMs: (samples.length / RATE) * 1000,
    tones: framed.means,
    frameTones: framed.frames,
    level: samples.length === 0 ? 0 : Math.sqrt(sumOfSquares / samples.length),
  });
}
