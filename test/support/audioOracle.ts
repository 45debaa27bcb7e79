/**
 * The audio oracle: which party a call hears, by the tone each party sends.
 *
 * Every party's engine sends its own sine (test/support/partyTones.ts); the Node engine
 * (test/lab/wrtcEngine.ts) keeps the last second of what each session received and counts its RTP
 * packets. The oracle reads that for a Call — through the call's SDH, so it finds the session the
 * call really uses (a prepared consult session, or the one a take-over opened) — and answers in
 * terms of parties: "bob's call with customer hears 440 Hz and nothing else".
 *
 * Three outcomes are kept apart on purpose:
 * - a tone heard: steadily, not in bursts. Its amplitude reaches `heardAt` (default 0.05; our
 *   engines send 0.25 of full scale and Opus delivers ≈ 0.25) in at least `steadyShare` (80 %) of
 *   the window's 20 ms frames, over at least `minHeardMs` (300 ms) of received audio, with packets
 *   flowing. Audio that breaks up (the tone in 100 ms of 400) is not "hearing" a party: it is
 *   described as choppy;
 * - silence: RTP packets keep arriving (a muted or holding far end), and the audio is quiet —
 *   its RMS level under `silentBelow` (default 0.01, −40 dBFS; a party's tone is 0.18; muted and
 *   held far ends read 0.0000–0.0002 over Opus here, comfort noise is specified near −60 dBFS) with
 *   no party tone reaching `absentBelow` (default 0.02; a tone 110 Hz away leaks ≈ 0.006 into the
 *   detector, up to 0.01 for the moment it starts; a 330 Hz tone reads 0.0003 at 660 Hz, its second
 *   harmonic). Noise, speech or a tone no party sends are sound, not silence;
 * - dead media: no packets at all in the window (no session, a closed one, or nothing arriving).
 *   Dead media is never silence: `hearsNoTone` is false for it.
 * Readings between the thresholds satisfy neither "hears" nor "does not hear", so a wait keeps
 * polling through a fade instead of deciding on it.
 *
 * Only calls whose media runs in the Node engine can be heard (lab agents, bots, Node desks); a call
 * whose engine is another (a Chromium renderer) makes `hearing()` throw rather than guess.
 *
 * Note: like `call.stats()`, asking a call whose SDH has not opened its media session yet opens it.
 *
 * In a test (each party created with its own tone, e.g. `createAgent(lab, 'bob', { toneHz: TONES.bob })`):
 *   await untilHearsOnly(customerLeg, TONES.bob);     // the customer hears bob, and not alice
 *   await untilHearsNoTone(heldLeg);                  // held: packets, no one's voice
 *   await untilMediaDead(holdersLeg);                 // the holder receives no RTP at all
 *   expect(await hearsTone(call, TONES.alice)).toBe(false);
 * The until* waits fail with what the call heard instead; the hears* predicates suit waitFor and expect.
 */
import type { Call } from '../../electron/core/sip/call.js';
import type { MediaSession } from '../../shared/media.js';
import { hearingOf, type Hearing } from '../lab/wrtcEngine.js';
import { PARTY_TONES } from './partyTones.js';
import { waitFor } from './waitFor.js';

export type { Hearing } from '../lab/wrtcEngine.js';
export { PARTY_TONES, TONES } from './partyTones.js';

/** Mean amplitude from which a tone counts as heard. */
export const HEARD_AT = 0.05;
/** Mean amplitude under which a tone counts as not heard. */
export const ABSENT_BELOW = 0.02;
/** RMS level of the received audio under which it counts as silence (−40 dBFS). */
export const SILENT_BELOW = 0.01;
/** Share of the window's frames a tone must be in to count as heard: a tone that breaks up is not. */
export const STEADY_SHARE = 0.8;
/** Received audio a tone must be heard over, at least. */
export const MIN_HEARD_MS = 300;
/** The detector's frame (the engines' FRAME of 20 ms Hann-windowed Goertzel). */
export const FRAME_MS = 20;
/** How far back a reading looks by default: 20 Opus packets, 20 detector frames. */
export const WINDOW_MS = 400;

export interface OracleOptions {
  /** How far back to look, 20–1000 ms (default WINDOW_MS). */
  readonly windowMs?: number;
  /** Default HEARD_AT. */
  readonly heardAt?: number;
  /** Default ABSENT_BELOW. */
  readonly absentBelow?: number;
  /** Default SILENT_BELOW. */
  readonly silentBelow?: number;
  /** Default STEADY_SHARE. */
  readonly steadyShare?: number;
  /** Default MIN_HEARD_MS. */
  readonly minHeardMs?: number;
  /** The tones other parties may send, checked by hearsOnly/hearsNoTone (default PARTY_TONES). */
  readonly partyTones?: readonly number[];
}

/** What a call heard over the last window. */
export interface CallHearing {
  /** "bob's call with customer" (local and remote user of the call), for messages. */
  readonly label: string;
  /** 'none': the call has no SDH yet; 'closed': its media session (or the call) is gone. */
  readonly media: 'open' | 'closed' | 'none';
  /** RTP packets kept arriving through the window (at least a quarter of a 20 ms packet stream). */
  readonly packetsFlowing: boolean;
  readonly packets: number;
  /** How far back the packet count reaches (the window, or less for a session younger than it). */
  readonly spanMs: number;
  /** Mean amplitude (full scale 1.0) at each party tone (and any tone asked about), keyed by Hz. */
  readonly tones: ReadonlyMap<number, number>;
  /** RMS of the received audio over the window, whatever its frequencies. */
  readonly level: number;
  /** Amplitude at each tone in each 20 ms frame of the window, oldest first. */
  readonly frameTones: ReadonlyMap<number, readonly number[]>;
  /** The thresholds this reading is judged by. */
  readonly heardAt: number;
  readonly absentBelow: number;
  readonly silentBelow: number;
  readonly steadyShare: number;
  readonly minHeardMs: number;
  readonly partyTones: readonly number[];
}

/** Measures what `call` hears now. `extraTones` are measured besides the party tones. */
export async function hearing(call: Call, options: OracleOptions = {}, extraTones: readonly number[] = []): Promise<CallHearing> {
  const label = labelOf(call);
  const sdh = call.sdh();
  if (!sdh) return quiet(label, 'none', options, extraTones);
  let session: MediaSession;
  try {
    session = await sdh.session();
  } catch {
    return quiet(label, 'closed', options, extraTones); // the call ended: its SDH hands out no media
  }
  return hearSession(session, label, options, extraTones);
}

/** Measures what a media session hears now, for tests that drive engines without SIP; `label` names it in messages. */
export async function hearSession(
  session: MediaSession,
  label: string,
  options: OracleOptions = {},
  extraTones: readonly number[] = [],
): Promise<CallHearing> {
  const { tones } = tonesFor(options, extraTones);
  const measured: Promise<Hearing> | undefined = hearingOf(session, { tones, windowMs: options.windowMs ?? WINDOW_MS });
  if (!measured) throw new Error(`${label}: media session ${session.id} is not a Node (wrtc) engine session, which the oracle cannot hear`);
  return readingOf(label, await measured, options);
}

/**
 * A reading from the engine's raw figures (pure: the unit tests feed it synthetic ones). Packets
 * count as flowing from a quarter of a 20 ms packet stream over the span (at least 3 packets).
 */
export function readingOf(label: string, heard: Hearing, options: OracleOptions = {}): CallHearing {
  if (!heard.open) return quiet(label, 'closed', options, [...heard.tones.keys()]);
  return {
    label,
    media: 'open',
    packetsFlowing: heard.packets >= Math.max(3, heard.spanMs / 20 / 4),
    packets: heard.packets,
    spanMs: heard.spanMs,
    tones: heard.tones,
    level: heard.level,
    frameTones: heard.frameTones,
    ...thresholds(options),
    partyTones: options.partyTones ?? PARTY_TONES,
  };
}

function thresholds(options: OracleOptions): Pick<CallHearing, 'heardAt' | 'absentBelow' | 'silentBelow' | 'steadyShare' | 'minHeardMs'> {
  return {
    heardAt: options.heardAt ?? HEARD_AT,
    absentBelow: options.absentBelow ?? ABSENT_BELOW,
    silentBelow: options.silentBelow ?? SILENT_BELOW,
    steadyShare: options.steadyShare ?? STEADY_SHARE,
    minHeardMs: options.minHeardMs ?? MIN_HEARD_MS,
  };
}

function tonesFor(options: OracleOptions, extraTones: readonly number[]): { partyTones: readonly number[]; tones: number[] } {
  const partyTones = options.partyTones ?? PARTY_TONES;
  return { partyTones, tones: [...new Set([...partyTones, ...extraTones])].sort((a, b) => a - b) };
}

/** A reading of no media at all. */
function quiet(label: string, media: 'closed' | 'none', options: OracleOptions, extraTones: readonly number[]): CallHearing {
  const { partyTones, tones } = tonesFor(options, extraTones);
  return {
    label,
    media,
    packetsFlowing: false,
    packets: 0,
    spanMs: 0,
    tones: new Map(tones.map((hz) => [hz, 0])),
    level: 0,
    frameTones: new Map(tones.map((hz) => [hz, []])),
    ...thresholds(options),
    partyTones,
  };
}

// Judgements of one reading: pure, so one measurement can be checked several ways.

/** How many of the window's frames carry `hz` at heardAt or more, out of how many frames. */
export function framesWithTone(h: CallHearing, hz: number): { readonly with: number; readonly of: number } {
  const frames = h.frameTones.get(hz) ?? [];
  return { with: frames.filter((amplitude) => amplitude >= h.heardAt).length, of: frames.length };
}

/** `hz` is in at least steadyShare of the frames, over at least minHeardMs of audio: heard throughout, not in bursts. */
export function toneSteady(h: CallHearing, hz: number): boolean {
  const frames = framesWithTone(h, hz);
  return frames.of * FRAME_MS >= h.minHeardMs && frames.with >= h.steadyShare * frames.of;
}

/** `hz` is heard: packets flowing, its mean amplitude at least heardAt, and steadily (toneSteady). */
export function toneHeard(h: CallHearing, hz: number): boolean {
  return h.packetsFlowing && (h.tones.get(hz) ?? 0) >= h.heardAt && toneSteady(h, hz);
}

/** `hz` is heard, and no other party tone is. */
export function onlyToneHeard(h: CallHearing, hz: number): boolean {
  return toneHeard(h, hz) && h.partyTones.every((other) => other === hz || (h.tones.get(other) ?? 0) < h.absentBelow);
}

/**
 * Silence: packets flowing, the audio's level under silentBelow and no party tone. Never true of
 * dead media, nor of noise, speech or a tone no party sends (sound, though no one's tone).
 */
export function noToneHeard(h: CallHearing): boolean {
  return h.packetsFlowing && h.level < h.silentBelow && h.partyTones.every((hz) => (h.tones.get(hz) ?? 0) < h.absentBelow);
}

/** Dead media: not one RTP packet in the window, or no media session at all. */
export function isDead(h: CallHearing): boolean {
  return h.media !== 'open' || h.packets === 0;
}

/**
 * "bob's call with customer hears 440 Hz (0.31) and 660 Hz (0.02); 48 packets in 400 ms".
 * Tones under half of absentBelow (neighbours' leakage, coding noise) are left out; a tone that
 * breaks up says in how many frames it was ("440 Hz (0.06, choppy: in 5 of 20 frames)"); sound
 * that is no party's tone says its level; a call with no media says so instead.
 */
export function describeHearing(h: CallHearing): string {
  if (h.media === 'none') return `${h.label} has no media yet (no SDH): dead media`;
  if (h.media === 'closed') return `${h.label} has no media any more (session or call closed): dead media`;
  const audible = [...h.tones].filter(([, amplitude]) => amplitude >= h.absentBelow / 2).sort((a, b) => b[1] - a[1]);
  const described = ([hz, amplitude]: [number, number]): string => {
    const frames = framesWithTone(h, hz);
    const choppy = frames.with > 0 && frames.with < h.steadyShare * frames.of ? `, choppy: in ${frames.with} of ${frames.of} frames` : '';
    return `${hz} Hz (${amplitude.toFixed(2)}${choppy})`;
  };
  const what =
    audible.length === 0
      ? h.level < h.silentBelow
        ? `hears no tone (level ${h.level.toFixed(3)})`
        : `hears no party tone but sound at level ${h.level.toFixed(3)} (noise, speech or another tone: not silence)`
      : `hears ${audible.map(described).join(' and ')}`;
  const frameCount = Math.max(0, ...[...h.frameTones.values()].map((frames) => frames.length));
  const short = frameCount * FRAME_MS < h.minHeardMs ? `; only ${frameCount * FRAME_MS} ms of audio` : '';
  const flow =
    h.packets === 0 ? `no packets in ${h.spanMs.toFixed(0)} ms: dead media` : `${h.packets} packets in ${h.spanMs.toFixed(0)} ms`;
  return `${h.label} ${what}${short}; ${flow}`;
}

// Predicates on a call, for waitFor and expect.

/** True when `call` hears `hz` (and maybe others). */
export async function hearsTone(call: Call, hz: number, options?: OracleOptions): Promise<boolean> {
  return toneHeard(await hearing(call, options, [hz]), hz);
}

/** True when `call` hears `hz` and none of the other party tones. */
export async function hearsOnly(call: Call, hz: number, options?: OracleOptions): Promise<boolean> {
  return onlyToneHeard(await hearing(call, options, [hz]), hz);
}

/** True when `call` receives packets that carry quiet audio and no party tone (a muted or holding far end). */
export async function hearsNoTone(call: Call, options?: OracleOptions): Promise<boolean> {
  return noToneHeard(await hearing(call, options));
}

/** True when `call` receives no RTP at all (or has no media session). */
export async function mediaDead(call: Call, options?: OracleOptions): Promise<boolean> {
  return isDead(await hearing(call, options));
}

// Waits whose failure says what the call heard instead.

/** Waits until `judge` accepts a reading of `call`; on timeout the error ends with the last reading described. */
export function untilHearing(
  what: string,
  call: Call,
  judge: (h: CallHearing) => boolean,
  timeoutMs = 5000,
  options?: OracleOptions,
  extraTones: readonly number[] = [],
): Promise<CallHearing> {
  return untilReading(what, () => hearing(call, options, extraTones), judge, timeoutMs);
}

/** Waits until `judge` accepts a reading of the bare media session `session` (an engine driven without SIP), named `label`. */
export function untilSessionHearing(
  what: string,
  session: MediaSession,
  label: string,
  judge: (h: CallHearing) => boolean,
  timeoutMs = 5000,
): Promise<CallHearing> {
  return untilReading(what, () => hearSession(session, label), judge, timeoutMs);
}

/** Waits until `judge` accepts what `read` measures (a call or a bare session); on timeout the error describes the last reading. */
export function untilReading(
  what: string,
  read: () => Promise<CallHearing>,
  judge: (h: CallHearing) => boolean,
  timeoutMs = 5000,
): Promise<CallHearing> {
  return waitFor(
    what,
    async () => {
      const h = await read();
      if (judge(h)) return h;
      throw new Error(describeHearing(h));
    },
    timeoutMs,
  );
}

/** Waits until `call` hears `hz` (others allowed). */
export function untilHearsTone(call: Call, hz: number, timeoutMs?: number, options?: OracleOptions): Promise<CallHearing> {
  return untilHearing(`${labelOf(call)} to hear ${hz} Hz`, call, (h) => toneHeard(h, hz), timeoutMs, options, [hz]);
}

/** Waits until `call` hears `hz` and no other party tone. */
export function untilHearsOnly(call: Call, hz: number, timeoutMs?: number, options?: OracleOptions): Promise<CallHearing> {
  return untilHearing(`${labelOf(call)} to hear only ${hz} Hz`, call, (h) => onlyToneHeard(h, hz), timeoutMs, options, [hz]);
}

/** Waits until `call` hears silence: packets flowing, quiet audio, no party tone. */
export function untilHearsNoTone(call: Call, timeoutMs?: number, options?: OracleOptions): Promise<CallHearing> {
  return untilHearing(`${labelOf(call)} to hear silence (packets, quiet audio)`, call, noToneHeard, timeoutMs, options);
}

/** Waits until `call` receives no RTP at all. */
export function untilMediaDead(call: Call, timeoutMs?: number, options?: OracleOptions): Promise<CallHearing> {
  return untilHearing(`${labelOf(call)} to receive no media`, call, isDead, timeoutMs, options);
}

/** "bob's call with customer": the local and remote users of the call's dialog. */
export function labelOf(call: Call): string {
  const local = call.session.localIdentity.uri.user ?? call.session.localIdentity.uri.toString();
  const remote = call.session.remoteIdentity.uri.user ?? call.remoteUri;
  return `${local}'s call with ${remote}`;
}

/** Waits until both ends of one call hear only each other: `a` hears `aHears`, `b` hears `bHears`. */
export async function untilTalking(a: Call, aHears: number, b: Call, bHears: number, timeoutMs = 8000): Promise<void> {
  await Promise.all([untilHearsOnly(a, aHears, timeoutMs), untilHearsOnly(b, bHears, timeoutMs)]);
}
