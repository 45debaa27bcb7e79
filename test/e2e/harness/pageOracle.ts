/**
 * The audio oracle for calls whose media runs in a Chromium page (the product's renderer engine):
 * which party tones a page's call hears, with the same readings, thresholds and judgements as the
 * Node oracle (test/support/audioOracle.ts), so a check reads "alice's page hears the customer and
 * not bob" wherever the call's media runs.
 *
 * A reading of one call:
 * - its media session is found through the call's SDH in main (the session the call really uses:
 *   after a reload, the one on the new page's engine);
 * - RTP packets: inbound packetsReceived from the page engine's getStats (`AgentEndpoint.mediaStats`,
 *   as main asks it), taken before and after the window;
 * - audio: the engine plays each session's remote stream in `<audio data-baton-audio="call"
 *   data-session=ID>`; the page taps that stream with an AnalyserNode of its own, waits out the window
 *   and hands back its last `windowMs` of samples, which Node cuts into the Node engine's 20 ms
 *   Hann-windowed Goertzel frames (test/support/goertzel.ts).
 * Each reading therefore takes about one window (400 ms by default).
 *
 * Heard, silence and dead media mean what they mean in audioOracle.ts: a tone at 0.05 or more in at
 * least 80 % of the 20 ms frames over 300 ms or more; packets flowing with quiet audio (RMS under
 * 0.01) and every party tone under 0.02; no packet at all (or no session). The page microphones
 * send their party's tone (fakeMicrophone.ts `installPartyMicrophone`).
 *
 *   const ear = pageEar(page, alice);
 *   await ear.untilHearsOnly(callId, TONES.customer);   // alice's page hears the customer, nobody else
 *   await ear.untilHearsNoTone(callId);                 // packets, no one's voice
 *   await ear.untilMediaDead(heldCallId);               // alice holds: nothing arrives
 * The until* waits fail with what the call heard instead (describeHearing).
 */
import type { Page } from '@playwright/test';
import type { Desk } from '../../../electron/core/desk.js';
import type { Call } from '../../../electron/core/sip/call.js';
import type { DeskState } from '../../../shared/desk.js';
import type { MediaStats } from '../../../shared/media.js';
import {
  isDead,
  labelOf,
  noToneHeard,
  onlyToneHeard,
  readingOf,
  toneHeard,
  untilReading,
  WINDOW_MS,
  type CallHearing,
  type OracleOptions,
} from '../../support/audioOracle.js';
import { framedTones } from '../../support/goertzel.js';
import { closedHearing } from '../../lab/wrtcEngine.js';
import { PARTY_TONES } from '../../support/partyTones.js';
import type { AgentEndpoint } from './agentEndpoint.js';

export { describeHearing, isDead, noToneHeard, onlyToneHeard, toneHeard, type CallHearing } from '../../support/audioOracle.js';

const mediaHostPages = new WeakMap<AgentEndpoint, Page>();

/**
 * The agent's media host page: its engine plays the calls, so the oracle listens there whichever
 * page a test hands it (the UI page has no media). The newest one opened wins.
 */
export function useMediaHostPage(agent: AgentEndpoint, page: Page): void {
  mediaHostPages.set(agent, page);
}

/** Where `agent`'s call audio plays: its media host page, else (no media host opened) `page` itself. */
export function mediaPageOf(agent: AgentEndpoint, page: Page): Page {
  const host = mediaHostPages.get(agent);
  return host && !host.isClosed() ? host : page;
}

/** The Node oracle's detector frame. */
const FRAME_MS = 20;
/** The page analyser holds 32768 samples (its largest FFT): 680 ms at 48 kHz, so windows stop at 600 ms. */
const MAX_WINDOW_MS = 600;

/** What the page hands back for one session: its last window of received audio. */
interface PageAudio {
  readonly sampleRate: number;
  /** Float32 samples, little-endian, base64: a tenth of the cost of a JSON array of numbers. */
  readonly samples: string;
}

interface CaptureArgs {
  readonly sessionId: string;
  readonly windowMs: number;
  readonly maxWindowMs: number;
}

/**
 * Runs in the page (serialised: it references nothing outside its body). Taps the session's remote
 * stream once per track (a re-INVITE onto another transceiver swaps the track), waits `windowMs` so
 * the tap holds nothing older than the window's start, and returns the window.
 */
async function capturePageAudio(args: CaptureArgs): Promise<PageAudio> {
  interface Tap {
    readonly trackId: string;
    readonly source: MediaStreamAudioSourceNode;
    readonly analyser: AnalyserNode;
  }
  interface Taps {
    readonly context: AudioContext;
    readonly bySession: Map<string, Tap>;
  }
  const key = '__batonPageOracle';
  const holder = window as unknown as Record<string, Taps | undefined>;
  let taps = holder[key];
  if (!taps) {
    taps = { context: new AudioContext(), bySession: new Map() };
    Object.defineProperty(window, key, { value: taps });
  }
  const { context, bySession } = taps;
  let resumeFailure = '';
  if (context.state !== 'running') await context.resume().catch((error: unknown) => void (resumeFailure = ` (resume: ${String(error)})`));
  if (context.state !== 'running')
    throw new Error(`the page's AudioContext is ${context.state}${resumeFailure}, so nothing can be measured`);
  // Taps of sessions whose element is gone (the call closed) are let go.
  for (const [id, tap] of bySession) {
    if (!document.querySelector(`audio[data-baton-audio="call"][data-session="${CSS.escape(id)}"]`)) {
      tap.source.disconnect();
      bySession.delete(id);
    }
  }
  const element = document.querySelector<HTMLAudioElement>(`audio[data-baton-audio="call"][data-session="${CSS.escape(args.sessionId)}"]`);
  if (!element) throw new Error(`no <audio data-session="${args.sessionId}"> in the page: the engine plays no such session`);
  const stream = element.srcObject instanceof MediaStream ? element.srcObject : null;
  const track = stream?.getAudioTracks()[0];
  if (!track) throw new Error(`the <audio> of session ${args.sessionId} has no remote track`);
  let tap = bySession.get(args.sessionId);
  if (!tap || tap.trackId !== track.id) {
    tap?.source.disconnect();
    const source = context.createMediaStreamSource(new MediaStream([track]));
    const analyser = new AnalyserNode(context, { fftSize: 32768 });
    // An AnalyserNode is pulled even with nothing downstream: no output needed.
    source.connect(analyser);
    tap = { trackId: track.id, source, analyser };
    bySession.set(args.sessionId, tap);
  }
  await new Promise((resolve) => setTimeout(resolve, args.windowMs));
  const all = new Float32Array(tap.analyser.fftSize);
  tap.analyser.getFloatTimeDomainData(all);
  const wanted = Math.min(all.length, Math.round((context.sampleRate * Math.min(args.windowMs, args.maxWindowMs)) / 1000));
  const recent = all.slice(all.length - wanted);
  const bytes = new Uint8Array(recent.buffer);
  let binary = '';
  for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return { sampleRate: context.sampleRate, samples: btoa(binary) };
}

/** Inbound packets of a page session so far; undefined when the engine no longer has it. */
async function packetsOf(agent: AgentEndpoint, sessionId: string): Promise<number | undefined> {
  let stats: MediaStats;
  try {
    stats = await agent.mediaStats(sessionId);
  } catch {
    // The engine refuses an unknown session: that is what undefined reports (see above).
    return undefined;
  }
  return stats.packetsReceived;
}

/**
 * What the page session `sessionId` of `agent` hears over the next window; `label` names it in
 * messages. A session main closed (or the page engine no longer knows) reads as closed media.
 */
export async function pageSessionHearing(
  page: Page,
  agent: AgentEndpoint,
  sessionId: string,
  label: string,
  options: OracleOptions = {},
  extraTones: readonly number[] = [],
): Promise<CallHearing> {
  const windowMs = options.windowMs ?? WINDOW_MS;
  if (!(windowMs >= FRAME_MS && windowMs <= MAX_WINDOW_MS))
    throw new RangeError(`windowMs out of range (${FRAME_MS}–${MAX_WINDOW_MS} in a page): ${windowMs}`);
  const frequencies = [...new Set([...(options.partyTones ?? PARTY_TONES), ...extraTones])].sort((a, b) => a - b);
  if (!agent.openMediaSessions().includes(sessionId)) return readingOf(label, closedHearing(frequencies), options);
  const before = await packetsOf(agent, sessionId);
  const startedAt = performance.now();
  const audio = await mediaPageOf(agent, page).evaluate(capturePageAudio, { sessionId, windowMs, maxWindowMs: MAX_WINDOW_MS });
  const after = await packetsOf(agent, sessionId);
  const spanMs = performance.now() - startedAt;
  if (before === undefined || after === undefined) return readingOf(label, closedHearing(frequencies), options);
  const bytes = Buffer.from(audio.samples, 'base64');
  const samples = new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
  let sumOfSquares = 0;
  for (const sample of samples) sumOfSquares += sample * sample;
  const framed = framedTones(samples, audio.sampleRate, frequencies, Math.round((audio.sampleRate * FRAME_MS) / 1000));
  return readingOf(
    label,
    {
      open: true,
      packets: after - before,
      spanMs,
      tones: framed.means,
      frameTones: framed.frames,
      level: samples.length === 0 ? 0 : Math.sqrt(sumOfSquares / samples.length),
    },
    options,
  );
}

/** A page agent's calls, heard by call id. */
export interface PageEar {
  /** What the call `callId` hears over the next window. */
  hearing(callId: string, options?: OracleOptions, extraTones?: readonly number[]): Promise<CallHearing>;
  /** Waits until the call hears `hz` and no other party tone. */
  untilHearsOnly(callId: string, hz: number, timeoutMs?: number, options?: OracleOptions): Promise<CallHearing>;
  /** Waits until the call hears `hz` (others allowed). */
  untilHearsTone(callId: string, hz: number, timeoutMs?: number, options?: OracleOptions): Promise<CallHearing>;
  /** Waits until the call hears silence: packets flowing, quiet audio, no party tone. */
  untilHearsNoTone(callId: string, timeoutMs?: number, options?: OracleOptions): Promise<CallHearing>;
  /** Waits until the call receives no RTP at all. */
  untilMediaDead(callId: string, timeoutMs?: number, options?: OracleOptions): Promise<CallHearing>;
  /** Waits until the agent has an established call with SIP user `remoteUser`; resolves with its id. */
  callWith(remoteUser: string, timeoutMs?: number): Promise<string>;
}

/** The oracle for `agent`'s calls, whose media runs in `page` (the page now attached to that agent). */
export function pageEar(page: Page, agent: AgentEndpoint): PageEar {
  const labelFor = (callId: string): string => {
    const call = agent.desk.callById(callId);
    return `${call ? labelOf(call) : `${agent.userId}'s call ${callId}`} (page)`;
  };
  const hearing = async (callId: string, options: OracleOptions = {}, extraTones: readonly number[] = []): Promise<CallHearing> => {
    const label = labelFor(callId);
    const frequencies = [...new Set([...(options.partyTones ?? PARTY_TONES), ...extraTones])];
    const sdh = agent.desk.callById(callId)?.sdh();
    if (!sdh) return readingOf(label, closedHearing(frequencies), options);
    let sessionId: string;
    try {
      sessionId = (await sdh.session()).id;
    } catch {
      return readingOf(label, closedHearing(frequencies), options); // the call ended: its SDH hands out no media
    }
    return pageSessionHearing(page, agent, sessionId, label, options, extraTones);
  };
  const until = (
    what: string,
    callId: string,
    judge: (h: CallHearing) => boolean,
    timeoutMs: number | undefined,
    options?: OracleOptions,
    extraTones: readonly number[] = [],
  ) => untilReading(`${labelFor(callId)} ${what}`, () => hearing(callId, options, extraTones), judge, timeoutMs);
  return {
    hearing,
    untilHearsOnly: (callId, hz, timeoutMs, options) =>
      until(`to hear only ${hz} Hz`, callId, (h) => onlyToneHeard(h, hz), timeoutMs, options, [hz]),
    untilHearsTone: (callId, hz, timeoutMs, options) =>
      until(`to hear ${hz} Hz`, callId, (h) => toneHeard(h, hz), timeoutMs, options, [hz]),
    untilHearsNoTone: (callId, timeoutMs, options) =>
      until('to hear silence (packets, quiet audio)', callId, noToneHeard, timeoutMs, options),
    untilMediaDead: (callId, timeoutMs, options) => until('to receive no media', callId, isDead, timeoutMs, options),
    callWith: async (remoteUser, timeoutMs) => (await callWith(agent, remoteUser, timeoutMs)).id,
  };
}

/** A desk as the E2E fixtures hold one: a page's AgentEndpoint or a Node TestDesk. */
export interface DeskHolder {
  readonly desk: Desk;
  until(what: string, predicate: (state: DeskState) => boolean, timeoutMs?: number): Promise<DeskState>;
}

/**
 * Waits until `holder` has an established call with SIP user `remoteUser` and returns main's Call:
 * for a page agent, its id goes to pageEar; for a Node desk, the Call goes to the Node oracle.
 */
export async function callWith(holder: DeskHolder, remoteUser: string, timeoutMs = 8000): Promise<Call> {
  const isWith = (uri: string): boolean => uri.replace(/^sips?:/, '').split('@')[0] === remoteUser;
  const state = await holder.until(
    `an established call with ${remoteUser}`,
    (s) => s.calls.some((c) => c.state === 'established' && isWith(c.remote.uri)),
    timeoutMs,
  );
  const id = state.calls.find((c) => c.state === 'established' && isWith(c.remote.uri))?.id ?? '';
  const call = holder.desk.callById(id);
  if (!call) throw new Error(`the call ${id} with ${remoteUser} ended as it was found`);
  return call;
}
