/**
 * Continuity of a call's received audio in a media host page, judged on 20 ms frames: a recorder
 * taps the session's remote stream (the engine's `<audio data-baton-audio="call" data-session=ID>`)
 * and, per 20 ms frame, measures the amplitude of the far end's party tone (Hann-windowed Goertzel,
 * as test/support/goertzel.ts). A gap is a run of frames under the "heard" threshold; the longest
 * one is what a listener would have noticed.
 *
 *   const rec = await startContinuity(host, sessionId, TONES.bob);
 *   … the thing that must not interrupt the audio …
 *   const report = await stopContinuity(host, rec);   // { frames, longestGapMs, heardFrames }
 */
import type { Page } from '@playwright/test';

export const FRAME_MS = 20;
/** The Node oracle's "heard" level (audioOracle.ts): at or above it a frame carries the tone. */
export const HEARD_AMPLITUDE = 0.05;

export interface ContinuityReport {
  readonly frames: number;
  readonly heardFrames: number;
  /** The longest run of frames without the tone, in ms (0: never interrupted). */
  readonly longestGapMs: number;
}

interface StartArgs {
  readonly name: string;
  readonly sessionId: string;
  readonly hz: number;
  readonly frameMs: number;
}

/** Runs in the page (serialised: it references nothing outside its body). */
function startRecorder(args: StartArgs): boolean {
  const audio = document.querySelector<HTMLAudioElement>(`audio[data-baton-audio="call"][data-session="${args.sessionId}"]`);
  const stream = audio?.srcObject;
  if (!(stream instanceof MediaStream) || stream.getAudioTracks().length === 0) return false;
  const context = new AudioContext();
  const source = context.createMediaStreamSource(stream);
  const processor = context.createScriptProcessor(2048, 1, 1);
  const perFrame = Math.round((context.sampleRate * args.frameMs) / 1000);
  const amplitudes: number[] = [];
  let pending: number[] = [];
  const k = (2 * Math.PI * args.hz) / context.sampleRate;
  const measure = (frame: number[]): number => {
    // Hann-windowed Goertzel; the window's mean is 1/2, so 4/N turns the magnitude into an amplitude.
    let s1 = 0;
    let s2 = 0;
    const coefficient = 2 * Math.cos(k);
    for (let i = 0; i < frame.length; i++) {
      const w = 0.5 - 0.5 * Math.cos((2 * Math.PI * i) / (frame.length - 1));
      const s0 = (frame[i] ?? 0) * w + coefficient * s1 - s2;
      s2 = s1;
      s1 = s0;
    }
    const power = s1 * s1 + s2 * s2 - coefficient * s1 * s2;
    return (4 * Math.sqrt(Math.max(0, power))) / frame.length;
  };
  processor.onaudioprocess = (event) => {
    pending = pending.concat(Array.from(event.inputBuffer.getChannelData(0)));
    while (pending.length >= perFrame) {
      amplitudes.push(measure(pending.slice(0, perFrame)));
      pending = pending.slice(perFrame);
    }
  };
  source.connect(processor);
  // A ScriptProcessor runs only while connected to the destination; it writes silence there.
  processor.connect(context.destination);
  Object.defineProperty(window, args.name, { value: { amplitudes, stop: () => void context.close() }, configurable: true });
  return true;
}

function stopRecorder(name: string): number[] {
  const recorder = (window as unknown as Record<string, { amplitudes: number[]; stop: () => void } | undefined>)[name];
  if (!recorder) return [];
  recorder.stop();
  return recorder.amplitudes;
}

export interface Recording {
  readonly name: string;
}

let counter = 0;

/** Starts recording what session `sessionId` of the media host `page` receives of tone `hz`. */
export async function startContinuity(page: Page, sessionId: string, hz: number): Promise<Recording> {
  const name = `__batonContinuity${++counter}`;
  const started = await page.evaluate(startRecorder, { name, sessionId, hz, frameMs: FRAME_MS });
  if (!started) throw new Error(`the media host has no call audio for session ${sessionId}`);
  return { name };
}

export async function stopContinuity(page: Page, recording: Recording): Promise<ContinuityReport> {
  return judgeFrames(await page.evaluate(stopRecorder, recording.name));
}

/** The longest run of frames under HEARD_AMPLITUDE, leading frames included (the recorder starts on a live call). */
export function judgeFrames(amplitudes: readonly number[]): ContinuityReport {
  let run = 0;
  let longest = 0;
  let heard = 0;
  for (const amplitude of amplitudes) {
    if (amplitude >= HEARD_AMPLITUDE) {
      heard++;
      run = 0;
    } else {
      run++;
      longest = Math.max(longest, run);
    }
  }
  return { frames: amplitudes.length, heardFrames: heard, longestGapMs: longest * FRAME_MS };
}
