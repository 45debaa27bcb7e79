/**
 * What the audio oracle decides about synthetic audio, as a listener would: a party's steady tone is
 * heard; a tone that breaks up is not "hearing" anyone (and says it is choppy); silence is packets
 * with quiet audio, so an unknown tone, noise or speech-like sound is not silence; no packets is dead
 * media and never silence. The same judgements serve the Node oracle and the page oracle
 * (test/e2e/harness/pageOracle.ts reads through readingOf too); the plain-RTP phones' recordings
 * (test/lab/recording.ts) hold a tone to the same steadiness.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { describeHeard, heardInRecording, steadyIn } from '../lab/recording.js';
import { noise, RATE, SENT, syntheticReading } from '../support/syntheticAudio.js';
import {
  describeHearing,
  isDead,
  MIN_HEARD_MS,
  noToneHeard,
  onlyToneHeard,
  PARTY_TONES,
  SILENT_BELOW,
  STEADY_SHARE,
  toneHeard,
  TONES,
  type CallHearing,
} from '../support/audioOracle.js';

/** `ms` of a sine at `hz`, on only where `on(ms since start)` says (a gate that cuts it in bursts). */
function tone(ms: number, hz: number, amplitude = SENT, on: (atMs: number) => boolean = () => true): Float32Array {
  const n = (RATE * ms) / 1000;
  const out = new Float32Array(n);
  for (let i = 0; i < n; i += 1) out[i] = on((i * 1000) / RATE) ? amplitude * Math.sin((2 * Math.PI * hz * i) / RATE + 0.3) : 0;
  return out;
}

/** Speech-like sound: a 180 Hz buzz with harmonics under a syllable-rate envelope (none at a party tone's frequency alone). */
function buzz(ms: number): Float32Array {
  const n = (RATE * ms) / 1000;
  const out = new Float32Array(n);
  for (let i = 0; i < n; i += 1) {
    const t = i / RATE;
    const envelope = 0.5 + 0.5 * Math.sin(2 * Math.PI * 4 * t);
    let v = 0;
    for (let k = 1; k <= 8; k += 1) v += Math.sin(2 * Math.PI * 180 * k * t + k) / k;
    out[i] = 0.1 * envelope * v;
  }
  return out;
}

/** What Alice's call with the customer reads from `samples`. */
function reading(samples: Float32Array, packets = 20): CallHearing {
  return syntheticReading("alice's call with customer", samples, packets);
}

describe('hearing a party', () => {
  it('a steady tone over the window is heard, and heard alone', () => {
    const h = reading(tone(400, TONES.customer));
    expect(toneHeard(h, TONES.customer)).toBe(true);
    expect(onlyToneHeard(h, TONES.customer)).toBe(true);
    expect(noToneHeard(h)).toBe(false);
  });

  it('a tone present only 100 ms of 400 is choppy: not heard, and the message says so', () => {
    // Loud enough that its mean (≈ 0.06) passes the old mean-only rule.
    const h = reading(tone(400, TONES.customer, SENT, (at) => at < 100));
    expect(h.tones.get(TONES.customer)).toBeGreaterThan(0.05);
    expect(toneHeard(h, TONES.customer)).toBe(false);
    expect(onlyToneHeard(h, TONES.customer)).toBe(false);
    expect(noToneHeard(h)).toBe(false);
    expect(describeHearing(h)).toMatch(
      /^alice's call with customer hears 330 Hz \(0\.\d\d, choppy: in [4-6] of 20 frames\); 20 packets in 400 ms$/,
    );
  });

  it('a tone broken into bursts (40 ms on, 40 ms off) is not heard, though its mean is high', () => {
    const h = reading(tone(400, TONES.alice, 0.5, (at) => Math.floor(at / 40) % 2 === 0));
    expect(h.tones.get(TONES.alice)).toBeGreaterThan(0.1);
    expect(toneHeard(h, TONES.alice)).toBe(false);
    expect(describeHearing(h)).toContain('choppy');
  });

  it(`a tone in ${STEADY_SHARE * 100} % of the frames (it started 60 ms into the window) is heard`, () => {
    const h = reading(tone(400, TONES.bob, SENT, (at) => at >= 60));
    expect(toneHeard(h, TONES.bob)).toBe(true);
  });

  it(`a steady tone over less than ${MIN_HEARD_MS} ms of audio (a session just opened) is not heard yet`, () => {
    const h = reading(tone(200, TONES.bob));
    expect(toneHeard(h, TONES.bob)).toBe(false);
    expect(describeHearing(h)).toContain('only 200 ms of audio');
  });
});

describe('silence', () => {
  it('digital silence with packets flowing is silence', () => {
    const h = reading(new Float32Array(RATE * 0.4));
    expect(noToneHeard(h)).toBe(true);
    expect(isDead(h)).toBe(false);
    expect(describeHearing(h)).toBe("alice's call with customer hears no tone (level 0.000); 20 packets in 400 ms");
  });

  it('comfort noise (−60 dBFS) is silence', () => {
    const h = reading(noise(400, 0.001, 3));
    expect(noToneHeard(h)).toBe(true);
  });

  it('a tone no party sends is not silence, and the message gives its level', () => {
    const h = reading(tone(400, 1000));
    for (const hz of PARTY_TONES) expect(toneHeard(h, hz)).toBe(false);
    expect(noToneHeard(h)).toBe(false);
    expect(describeHearing(h)).toMatch(/hears no party tone but sound at level 0\.177 \(noise, speech or another tone: not silence\)/);
  });

  it('noise is not silence', () => {
    const h = reading(noise(400, 0.05, 5));
    expect(h.level).toBeGreaterThan(SILENT_BELOW);
    expect(noToneHeard(h)).toBe(false);
  });

  it('speech-like sound is not silence', () => {
    const h = reading(buzz(400));
    expect(noToneHeard(h)).toBe(false);
  });

  it('a choppy tone is not silence either', () => {
    expect(noToneHeard(reading(tone(400, TONES.customer, SENT, (at) => at < 100)))).toBe(false);
  });
});

describe('dead media', () => {
  it('no packets is dead media: neither silence nor hearing, whatever the sink still plays', () => {
    for (const samples of [new Float32Array(RATE * 0.4), tone(400, TONES.customer)]) {
      const h = reading(samples, 0);
      expect(isDead(h)).toBe(true);
      expect(noToneHeard(h)).toBe(false);
      expect(toneHeard(h, TONES.customer)).toBe(false);
      expect(describeHearing(h)).toMatch(/no packets in 400 ms: dead media$/);
    }
  });
});

/** A 16-bit mono WAV of `samples` at 8 kHz, as a plain-RTP phone records a PCMU call. */
function wav(samples: Float32Array, rate: number): string {
  const data = Buffer.alloc(samples.length * 2);
  samples.forEach((v, i) => data.writeInt16LE(Math.max(-32768, Math.min(32767, Math.round(v * 32767))), i * 2));
  const header = Buffer.alloc(44);
  header.write('RIFF', 0, 'latin1');
  header.writeUInt32LE(36 + data.length, 4);
  header.write('WAVEfmt ', 8, 'latin1');
  header.writeUInt32LE(16, 16);
  header.writeUInt16LE(1, 20);
  header.writeUInt16LE(1, 22);
  header.writeUInt32LE(rate, 24);
  header.writeUInt32LE(rate * 2, 28);
  header.writeUInt16LE(2, 32);
  header.writeUInt16LE(16, 34);
  header.write('data', 36, 'latin1');
  header.writeUInt32LE(data.length, 40);
  const path = join(mkdtempSync(join(tmpdir(), 'baton-oracle-')), 'call.wav');
  writeFileSync(path, Buffer.concat([header, data]));
  return path;
}

describe('a plain-RTP phone’s recording', () => {
  const rate = 8000;
  const sine = (seconds: number, hz: number, on: (atMs: number) => boolean): Float32Array =>
    Float32Array.from({ length: seconds * rate }, (_, i) => (on((i * 1000) / rate) ? SENT * Math.sin((2 * Math.PI * hz * i) / rate) : 0));

  it('a steady tone is heard steadily', () => {
    const heard = heardInRecording(
      wav(
        sine(1, TONES.alice, () => true),
        rate,
      ),
      [TONES.alice],
      1,
    );
    expect(steadyIn(heard, TONES.alice, 0.05)).toBe(true);
  });

  it('a tone in 250 ms of each second is choppy: its mean passes 0.05, yet it is not heard steadily', () => {
    const heard = heardInRecording(
      wav(
        sine(1, TONES.alice, (at) => at % 1000 < 250),
        rate,
      ),
      [TONES.alice],
      1,
    );
    expect(heard.tones.get(TONES.alice)).toBeGreaterThan(0.05);
    expect(steadyIn(heard, TONES.alice, 0.05)).toBe(false);
    expect(describeHeard(heard)).toMatch(/^440 Hz 0\.\d\d \(choppy: in 1[1-3] of 50 frames\) over 1\.0 s at 8000 Hz$/);
  });
});
