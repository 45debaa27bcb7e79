/**
 * A user transfer as a pure state machine: `transferTransition(state, event) -> result`.
 *
 * INITIATOR
 *
 *   choosing --dismissed--> cancelled
 *     |
 *     +--confirmed(cold)--> referring --referSucceeded (NOTIFY 200)--> completed
 *     |                       |
 *     |                       +--referFailed(r)--> failed(r)
 *     |
 *     +--confirmed(warm)--> consultRinging --consultFailed(r)--> failed(r)
 *                             |
 *                       consultAnswered
 *                             v
 *                           consulting <--referFailed(r): told why, may retry--+
 *                             |  |  +--consultFailed(r) (ended on our side)--> failed(r)
 *                             |  |                                             |
 *                             |  +--completeRequested--> completing -----------+
 *                             |                            |  |
 *                             |                            |  +--referSucceeded--> completed
 *                             |                            |
 *                             +--recipientCancelled--------+--> cancelled
 *                                                          |
 *                       completing --referRefused(r)--> failed(r)  (the phone takes no REFER: the
 *                                                          consult ends, the contact stays here)
 *
 * RECIPIENT (its own copy of the same transfer; never in choosing or completing)
 *
 *   cold, the referred contact's call rings:
 *     referring --referredCallAnswered--> completed
 *       +--referFailed(declined | no-answer)--> failed
 *   warm, the consult toast rings:
 *     consultRinging --consultFailed(declined | no-answer)--> failed
 *       |
 *     consultAnswered
 *       v
 *     consulting --contactArrived (the contact's INVITE, with Replaces or with the secret)--> completed
 *       +--recipientCancelled--> cancelled
 *       +--referRefused(r) (the initiator ends the consult: the contact's phone takes no REFER)--> failed(r)
 *
 * EXTERNAL (initiator only: the far end runs no Baton and keeps no copy). As the initiator above,
 * except that the initiator calls the consult off itself:
 *   consultRinging | consulting --initiatorCancelled--> cancelled (the consult ends, the contact stays)
 *   consulting --recipientCancelled (the external party hung up)--> cancelled
 *   completing --referRefused(r) (no Replaces: the consult was ended first, nothing to go back to)--> failed(r)
 *
 * BOTH, from every phase not yet settled:
 *   contactHungUp --> failed(contact-hung-up)
 *   peerConnectionLost --> failed(connection-lost); ignored in referring (cold needs no consult)
 * completed, cancelled and failed are settled: repeats and late news are no-ops, except a late
 * referSucceeded after our own timeout or the contact's hang-up mid-REFER, which means completed.
 *
 * Results. Every event gets `{ ok, state }`; nothing throws:
 * - ok + changed: the transfer moved;
 * - ok + !changed: a repeat (double-click, duplicate signal) or late news about a settled transfer
 *   (a NOTIFY after the recipient cancelled). Main acknowledges it and does nothing;
 * - !ok + error: the event contradicts the transfer (a command the rules forbid, a signal for the
 *   other role, an answer after we gave up). The state is returned unchanged; main refuses the command
 *   or cleans up the stray call.
 *
 * Commands (confirmed, dismissed, completeRequested, the recipient's recipientCancelled) are judged
 * by checkAction, so the machine and the buttons cannot disagree.
 */
import { assertNever } from './assertNever.js';
import type { TransferFailureReason, TransferMethod, TransferPhase, TransferRole, TransferState } from './transferModel.js';
import { isReachable, targetOf } from './transferModel.js';
import type { TransferAction, TransferRuleError } from './transferRules.js';
import { checkAction, ruleError } from './transferRules.js';

export type TransferEvent =
  /** initiator pressed Confirm transfer */
  | { readonly type: 'confirmed'; readonly method: TransferMethod }
  /** initiator closed the transfer form */
  | { readonly type: 'dismissed' }
  /** the consult INVITE was answered (the recipient pressed Accept) */
  | { readonly type: 'consultAnswered' }
  /** the consult INVITE ended unanswered */
  | { readonly type: 'consultFailed'; readonly reason: TransferFailureReason }
  /** initiator: 202 to a REFER. Says nothing about the outcome: the contact may still ignore it. */
  | { readonly type: 'referAccepted' }
  /** initiator: NOTIFY sipfrag 200 */
  | { readonly type: 'referSucceeded' }
  /** initiator: REFER refused, failing sipfrag or no final NOTIFY in time; recipient: referred call unanswered */
  | { readonly type: 'referFailed'; readonly reason: TransferFailureReason }
  /** recipient, cold: answered the referred contact's call */
  | { readonly type: 'referredCallAnswered' }
  /**
   * recipient, warm: the contact's INVITE took over the consult — with Replaces, or, from a phone
   * without Replaces, carrying the transfer's secret (the recipient then ends the consult itself)
   */
  | { readonly type: 'contactArrived' }
  /**
   * the contact's phone will take no REFER (405, 501, 603), or — external, without Replaces — the
   * REFER made after ending the consult failed. Initiator: the transfer fails instead of going back
   * to the consult; recipient: the initiator ended the consult saying so
   */
  | { readonly type: 'referRefused'; readonly reason: TransferFailureReason }
  /** initiator pressed Complete */
  | { readonly type: 'completeRequested' }
  /** the recipient ended the consult with the cancel reason (its own command, or news to the initiator) */
  | { readonly type: 'recipientCancelled' }
  /** external number: the initiator called the consult off (its own command) */
  | { readonly type: 'initiatorCancelled' }
  /** the contact's call ended */
  | { readonly type: 'contactHungUp' }
  /** the other agent's connection dropped */
  | { readonly type: 'peerConnectionLost' };

export type TransferResult =
  | { readonly ok: true; readonly state: TransferState; readonly changed: boolean }
  | { readonly ok: false; readonly state: TransferState; readonly error: TransferRuleError };

/** What one phase does with one event: move there, stay (no-op), or refuse. */
type Step = TransferPhase | 'stay' | 'refuse';
type Steps = Partial<Readonly<Record<TransferPhase, Step>>>;

const SETTLED_IGNORES: Steps = { cancelled: 'stay', failed: 'stay' };
const UNTIL_SETTLED_FAILS: Steps = {
  choosing: 'failed',
  referring: 'failed',
  consultRinging: 'failed',
  consulting: 'failed',
  completing: 'failed',
  completed: 'stay',
  ...SETTLED_IGNORES,
};

export function transferTransition(state: TransferState, event: TransferEvent): TransferResult {
  if (!isReachable(state.role, state.phase, targetOf(state))) return refuse(state, 'not-in-phase');
  switch (event.type) {
    case 'confirmed':
      // A repeated Confirm is a no-op only if it asks for the same transfer.
      if (state.role === 'initiator' && state.method !== null && state.method !== event.method) {
        return refuse(state, 'not-in-phase');
      }
      return command(state, 'confirm', {
        ...state,
        phase: event.method === 'cold' ? 'referring' : 'consultRinging',
        method: event.method,
      });
    case 'dismissed':
      return command(state, 'dismiss', { ...state, phase: 'cancelled' });
    case 'completeRequested':
      return command(state, 'complete', { ...state, phase: 'completing', failure: null });
    case 'recipientCancelled':
      if (state.role === 'recipient') return command(state, 'cancel', { ...state, phase: 'cancelled' });
      return by(state, { consulting: 'cancelled', completing: 'cancelled', ...SETTLED_IGNORES });
    case 'initiatorCancelled':
      if (state.role !== 'initiator') return refuse(state, 'wrong-role');
      return command(state, 'cancel', { ...state, phase: 'cancelled' });
    case 'consultAnswered':
      return by(state, { consultRinging: 'consulting', consulting: 'stay', completing: 'stay' });
    case 'consultFailed':
      // The initiator's consult can also fail after it was answered, on our side (its media, our
      // connection, the desk leaving): the recipient did not cancel, yet the consult is gone.
      return state.role === 'initiator'
        ? by(state, { consultRinging: 'failed', consulting: 'failed', ...SETTLED_IGNORES }, event.reason)
        : by(state, { consultRinging: 'failed', ...SETTLED_IGNORES }, event.reason);
    case 'referAccepted':
      return only('initiator', state, { referring: 'stay', completing: 'stay', completed: 'stay', ...SETTLED_IGNORES });
    case 'referSucceeded': {
      // Our "no final NOTIFY" bound, or the contact hanging up on us mid-REFER, may precede a 200
      // that still comes: the contact is then with the recipient, whatever we concluded.
      const late = lateSuccess(state) ? 'completed' : 'refuse';
      return only('initiator', state, {
        referring: 'completed',
        completing: 'completed',
        completed: 'stay',
        consulting: late,
        failed: late,
      });
    }
    case 'referFailed':
      // A failed warm REFER leaves the consult up: back to consulting, told why, free to retry.
      return by(state, { referring: 'failed', completing: 'consulting', ...SETTLED_IGNORES }, event.reason);
    case 'referRefused':
      return state.role === 'initiator'
        ? by(state, { referring: 'failed', completing: 'failed', completed: 'stay', ...SETTLED_IGNORES }, event.reason)
        : by(state, { consulting: 'failed', completed: 'stay', ...SETTLED_IGNORES }, event.reason);
    case 'referredCallAnswered':
      return only('recipient', state, { referring: 'completed', completed: 'stay' });
    case 'contactArrived':
      return only('recipient', state, { consulting: 'completed', completed: 'stay' });
    case 'contactHungUp':
      return by(state, UNTIL_SETTLED_FAILS, 'contact-hung-up');
    case 'peerConnectionLost':
      return by(state, { ...UNTIL_SETTLED_FAILS, choosing: 'refuse', referring: 'stay' }, 'connection-lost');
    default:
      return assertNever(event);
  }
}

function lateSuccess({ failure }: TransferState): boolean {
  if (failure === null) return false;
  const referPending = failure.during === 'referring' || failure.during === 'completing';
  return referPending && (failure.reason === 'refer-ignored' || failure.reason === 'contact-hung-up');
}

function command(state: TransferState, action: TransferAction, next: TransferState): TransferResult {
  // Hold state plays no part in these actions.
  const check = checkAction(state.role, state.phase, true, action, targetOf(state));
  if (!check.ok) return { ok: false, state, error: check.error };
  if (check.noop) return { ok: true, state, changed: false };
  return { ok: true, state: next, changed: true };
}

function only(role: TransferRole, state: TransferState, steps: Steps): TransferResult {
  return state.role === role ? by(state, steps) : refuse(state, 'wrong-role');
}

/** `reason` is recorded when the step lands in failed, or back in consulting after a failed REFER. */
function by(state: TransferState, steps: Steps, reason: TransferFailureReason | null = null): TransferResult {
  const step = steps[state.phase] ?? 'refuse';
  if (step === 'refuse') return refuse(state, 'not-in-phase');
  if (step === 'stay') return { ok: true, state, changed: false };
  const failure = reason !== null && (step === 'failed' || step === 'consulting') ? { reason, during: state.phase } : null;
  return { ok: true, state: { ...state, phase: step, failure }, changed: true };
}

function refuse(state: TransferState, code: 'not-in-phase' | 'wrong-role'): TransferResult {
  return { ok: false, state, error: ruleError(code) };
}
