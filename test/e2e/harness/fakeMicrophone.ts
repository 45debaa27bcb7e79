/**
 * The page's microphone. Chromium's default fake device beeps briefly once a second, which leaves
 * most of any 200 ms window silent: a listener could not tell "on hold" from "between beeps". With
 * `--use-file-for-fake-audio-capture` Chromium loops a WAV instead. A steady sine will not do either:
 * the microphone's noise suppression (on, as in production) treats it as noise and fades it out
 * within seconds. So this one "speaks": syllables of 200 ms at changing pitches, 50 ms apart — every
 * 200 ms window holds at least 150 ms of sound.
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
    const envelope = t < edge ? 0.5 - 0.5 * Math.cos((Math.PI * t) / edge) : t > voiced - edge ? 0.5 - 0.5 * Math.cos((Math.PI * (voiced - t)) / edge) : 1;
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
