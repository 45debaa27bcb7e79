/**
 * The audio oracle's pure parts: the tone detector on synthetic frames, and how a reading is judged.
 * The integration tests (test/integration/phone.test.ts, wrtcEngine.test.ts) show it on real calls.
 */
import { describe, expect, it } from 'vitest';
import { framedToneAmplitudes, framedTones, toneAmplitude, windowedToneAmplitude } from '../support/goertzel.js';
import { FRAME, noise, random, RATE, SENT, syntheticReading } from '../support/syntheticAudio.js';
import {
  ABSENT_BELOW,
  describeHearing,
  HEARD_AT,
  isDead,
  noToneHeard,
  onlyToneHeard,
  PARTY_TONES,
  readingOf,
  toneHeard,
  TONES,
  type CallHearing,
} from '../support/audioOracle.js';

/** `ms` of the sum of sines (Hz → amplitude), each with its own starting phase. */
function tones(ms: number, parts: Readonly<Record<number, number>>, phaseSeed = 1): Float32Array {
  const next = random(phaseSeed);
  const n = (RATE * ms) / 1000;
  const out = new Float32Array(n);
  for (const [hz, amplitude] of Object.entries(parts)) {
    const phase = next() * 2 * Math.PI;
    for (let i = 0; i < n; i++) out[i] = (out[i] ?? 0) + amplitude * Math.sin((2 * Math.PI * Number(hz) * i) / RATE + phase);
  }
  return out;
}

/** White noise as loud as a party's tone (RMS 0.177, uniform). */
function noiseAsLoudAsATone(ms: number, seed: number): Float32Array {
  return noise(ms, SENT / Math.SQRT2, seed);
}

/** What Bob's call with the customer reads from `samples` (400 ms of them in every case here). */
function reading(samples: Float32Array, packets = 20): CallHearing {
  return syntheticReading("bob's call with customer", samples, packets);
}

const otherTones = (hz: number): number[] => PARTY_TONES.filter((other) => other !== hz);

describe('the tone detector', () => {
  it.each(PARTY_TONES.map((hz) => [hz]))('reports %i Hz alone as that tone and none of the others', (hz) => {
    for (const seed of [1, 2, 3]) {
      const h = reading(tones(400, { [hz]: SENT }, seed));
      expect(h.tones.get(hz)).toBeCloseTo(SENT, 2);
      for (const other of otherTones(hz)) expect(h.tones.get(other), `${other} Hz while ${hz} Hz plays`).toBeLessThan(ABSENT_BELOW);
      expect(onlyToneHeard(h, hz)).toBe(true);
      for (const other of otherTones(hz)) expect(toneHeard(h, other)).toBe(false);
    }
  });

  it('reports 440 Hz as 440, not as its neighbours 330 and 550 nor as 660', () => {
    const h = reading(tones(400, { [TONES.alice]: SENT }));
    expect(onlyToneHeard(h, TONES.alice)).toBe(true);
    expect(onlyToneHeard(h, TONES.customer)).toBe(false);
    expect(onlyToneHeard(h, TONES.bob)).toBe(false);
    expect(onlyToneHeard(h, TONES.carol)).toBe(false);
  });

  it('finds both of two mixed tones, and then neither is heard "only"', () => {
    const h = reading(tones(400, { [TONES.alice]: SENT, [TONES.bob]: SENT }));
    expect(toneHeard(h, TONES.alice)).toBe(true);
    expect(toneHeard(h, TONES.bob)).toBe(true);
    expect(onlyToneHeard(h, TONES.alice)).toBe(false);
    expect(onlyToneHeard(h, TONES.bob)).toBe(false);
    expect(noToneHeard(h)).toBe(false);
    for (const other of otherTones(TONES.alice).filter((hz) => hz !== TONES.bob)) expect(h.tones.get(other)).toBeLessThan(ABSENT_BELOW);
  });

  it('finds two neighbouring tones 110 Hz apart (customer and alice) at once', () => {
    const h = reading(tones(400, { [TONES.customer]: SENT, [TONES.alice]: SENT }));
    expect(toneHeard(h, TONES.customer)).toBe(true);
    expect(toneHeard(h, TONES.alice)).toBe(true);
    expect(h.tones.get(TONES.carol)).toBeLessThan(ABSENT_BELOW);
  });

  it('hears white noise as loud as a tone as no party tone, and not as silence', () => {
    for (const seed of [7, 8, 9]) {
      const h = reading(noiseAsLoudAsATone(400, seed));
      expect(h.level).toBeGreaterThan(0.15);
      for (const hz of PARTY_TONES) expect(h.tones.get(hz), `${hz} Hz in noise`).toBeLessThan(ABSENT_BELOW);
      expect(noToneHeard(h)).toBe(false);
    }
  });

  it('finds a tone in noise as loud as itself', () => {
    const mixed = tones(400, { [TONES.bob]: SENT });
    const hiss = noiseAsLoudAsATone(400, 11);
    for (let i = 0; i < mixed.length; i++) mixed[i] = (mixed[i] ?? 0) + (hiss[i] ?? 0);
    expect(onlyToneHeard(reading(mixed), TONES.bob)).toBe(true);
  });

  it('hears digital silence as no tone', () => {
    const h = reading(new Float32Array(RATE * 0.4));
    expect(noToneHeard(h)).toBe(true);
    expect(h.level).toBe(0);
  });

  it('leaves a faint tone undecided: neither heard nor absent, so a wait keeps polling through a fade', () => {
    const h = reading(tones(400, { [TONES.alice]: (HEARD_AT + ABSENT_BELOW) / 2 }));
    expect(toneHeard(h, TONES.alice)).toBe(false);
    expect(noToneHeard(h)).toBe(false);
  });

  it('needs the Hann window: a plain 20 ms block leaks a tone into its neighbour 110 Hz away', () => {
    const block = tones(20, { [TONES.alice]: SENT });
    expect(toneAmplitude(block, RATE, TONES.customer) / SENT).toBeGreaterThan(0.05);
    expect(windowedToneAmplitude(block, RATE, TONES.customer) / SENT).toBeLessThan(0.025);
    expect(windowedToneAmplitude(block, RATE, TONES.alice)).toBeCloseTo(SENT, 2);
  });

  it('averages only whole frames, and reads nothing from less than one', () => {
    expect(framedToneAmplitudes(tones(10, { 440: SENT }), RATE, [440], FRAME).get(440)).toBe(0);
    expect(framedToneAmplitudes(tones(30, { 440: SENT }), RATE, [440], FRAME).get(440)).toBeCloseTo(SENT, 2);
    expect(() => framedToneAmplitudes(new Float32Array(10), RATE, [440], 0)).toThrow(RangeError);
  });
});

describe('judging a reading', () => {
  it('never calls dead media silence, nor hears a tone without packets', () => {
    const dead = reading(new Float32Array(RATE * 0.4), 0);
    expect(isDead(dead)).toBe(true);
    expect(dead.packetsFlowing).toBe(false);
    expect(noToneHeard(dead)).toBe(false);
    // The sink may still play out the last tone for a moment after packets stop.
    const fading = reading(tones(400, { [TONES.alice]: SENT }), 0);
    expect(toneHeard(fading, TONES.alice)).toBe(false);
    expect(isDead(fading)).toBe(true);
  });

  it('counts a trickle of packets as neither flowing nor dead', () => {
    const trickle = reading(new Float32Array(RATE * 0.4), 2);
    expect(trickle.packetsFlowing).toBe(false);
    expect(isDead(trickle)).toBe(false);
    expect(noToneHeard(trickle)).toBe(false);
  });

  it('reads a closed session as dead', () => {
    const closed = readingOf("alice's call with bob", {
      open: false,
      packets: 0,
      spanMs: 0,
      tones: new Map([[440, 0]]),
      level: 0,
      frameTones: new Map([[440, []]]),
    });
    expect(closed.media).toBe('closed');
    expect(isDead(closed)).toBe(true);
    expect(describeHearing(closed)).toMatch(/^alice's call with bob has no media any more .*dead media$/);
  });

  it('describes who is heard, loudest first, with the packets behind it', () => {
    const h = reading(tones(400, { [TONES.bob]: 0.02, [TONES.alice]: 0.31 }));
    expect(describeHearing(h)).toBe("bob's call with customer hears 440 Hz (0.31) and 660 Hz (0.02); 20 packets in 400 ms");
    expect(describeHearing(reading(new Float32Array(RATE * 0.4), 0))).toBe(
      "bob's call with customer hears no tone (level 0.000); no packets in 400 ms: dead media",
    );
  });

  it('takes thresholds and the party list from options', () => {
    const faint = tones(400, { [TONES.alice]: 0.03 });
    const framed = framedTones(faint, RATE, PARTY_TONES, FRAME);
    const h = readingOf(
      'x',
      { open: true, packets: 20, spanMs: 400, tones: framed.means, frameTones: framed.frames, level: 0.02 },
      { heardAt: 0.02, absentBelow: 0.01 },
    );
    expect(onlyToneHeard(h, TONES.alice)).toBe(true);
  });
});

describe('the party tones', () => {
  it("are at least 110 Hz apart, and none sits on another's 2nd or 3rd harmonic but the documented 330/660 pair", () => {
    for (const a of PARTY_TONES) {
      for (const b of PARTY_TONES) {
        if (a === b) continue;
        expect(Math.abs(a - b), `${a} and ${b}`).toBeGreaterThanOrEqual(110);
        for (const k of [2, 3]) {
          if (a === TONES.customer && b === TONES.bob && k === 2) continue;
          expect(Math.abs(k * a - b), `${k} × ${a} near ${b}`).toBeGreaterThanOrEqual(100);
        }
      }
    }
    expect(PARTY_TONES).toHaveLength(6);
    expect(new Set(Object.values(TONES)).size).toBe(PARTY_TONES.length);
  });
});
