/**
 * A transfer's timers, and the consult probe that notices the other agent's desk is gone when no
 * BYE will ever say so (a crashed or unplugged desk).
 */
import type { CallState } from '../../../shared/phone.js';
import { isSettled, type TransferPhase } from '../../../shared/transfer/index.js';
import type { TransferBook } from './transferBook.js';
import type { Transfer } from './transferRecord.js';

/** Statuses of a consult ping that mean the other agent is gone (not merely busy). */
const GONE = new Set([404, 408, 410, 480, 481, 477, 500, 502, 503, 504]);
/** A probe waits no longer than this for its answer, however rarely probes are sent. */
const MAX_PING_WAIT_MS = 4000;

/** A timer of the transfer under way: cleared when it settles (clearTimers). */
export function transferTimer(t: Pick<Transfer, 'timers'>, ms: number, run: () => void): void {
  const handle = setTimeout(() => {
    t.timers.delete(handle);
    run();
  }, ms);
  t.timers.add(handle);
}

/** A timer that outlives settling; `after` runs once it has fired (the transfer may now be finished). */
export function laterTimer(t: Transfer, ms: number, run: () => void, after: () => void): void {
  const handle = setTimeout(() => {
    t.later.delete(handle);
    run();
    after();
  }, ms);
  t.later.add(handle);
}

export function clearTimers(t: Transfer): void {
  for (const handle of t.timers) clearTimeout(handle);
  t.timers.clear();
}

export function clearLaterTimers(t: Transfer): void {
  for (const handle of t.later) clearTimeout(handle);
  t.later.clear();
}

/** What the consult probe reads of a transfer (a Transfer is one). */
export interface ProbedTransfer {
  readonly consultCall: { readonly state: CallState; ping(timeoutMs: number): Promise<number> } | null;
  readonly state: { readonly phase: TransferPhase };
  readonly timers: Set<NodeJS.Timeout>;
}

/** Whether the consult is still to be watched at all: up, and its transfer not settled. */
function watched(t: ProbedTransfer): boolean {
  return t.consultCall?.state === 'established' && !isSettled(t.state.phase);
}

/**
 * Whether a probe's answer may be judged now. While Complete is under way the consult is meant to
 * end (the contact's INVITE with Replaces ends it at the recipient, whose 481 can beat its BYE
 * here): the REFER's own outcome judges the transfer then. Probing resumes if the REFER fails and
 * the transfer is back to consulting.
 */
function judging(t: ProbedTransfer): boolean {
  return t.state.phase !== 'completing';
}

/**
 * Either agent's side: probes the consult every `pingMs` while it is up and the transfer unsettled,
 * so a vanished colleague does not leave us waiting; `onGone` runs once when a probe says so.
 */
export function watchConsult(t: ProbedTransfer, pingMs: number, onGone: () => void): void {
  const again = (): void => transferTimer(t, pingMs, () => void probe());
  const probe = async (): Promise<void> => {
    const consult = t.consultCall;
    if (!consult || !watched(t)) return;
    if (!judging(t)) return again();
    const status = await consult.ping(Math.min(pingMs, MAX_PING_WAIT_MS));
    if (t.consultCall !== consult || !watched(t)) return;
    if (judging(t) && GONE.has(status)) {
      onGone();
      return;
    }
    again();
  };
  again();
}

/** Either agent's side, once the consult is answered: a vanished colleague fails the transfer and ends the consult. */
export function watchConsultFor(book: TransferBook, t: Transfer, pingMs: number): void {
  watchConsult(t, pingMs, () => {
    book.apply(t, { type: 'peerConnectionLost' });
    book.history.ours(t, 'transfer-failed', 'the other agent’s connection was lost');
    void t.consultCall?.hangUp().catch(book.sideEffectFailed(t, 'ending the consult'));
  });
}
