/**
 * The vocabulary of a user transfer, shared by the rules (transferRules.ts) and the state machine
 * (transferMachine.ts). Plain data only, so a transfer can be mirrored to the renderer unchanged.
 *
 * Each agent keeps its own TransferState for the same transfer: the initiator's and the
 * recipient's copies move on what each side can observe, which is why the role is part of the state.
 */

export type TransferRole = 'initiator' | 'recipient';

export type TransferMethod = 'warm' | 'cold';

/**
 * Who the contact is handed to: a colleague on Baton ('user'), or a number outside the directory
 * ('external': a supplier, a partner's line, a mobile). An external party runs no Baton, so it gets
 * no context, has no toast and no Cancel button: the initiator alone decides the consult's end.
 */
export type TransferTargetKind = 'user' | 'external';

export const TRANSFER_PHASES = [
  /** Initiator only: the transfer form is open (colleague, method, outcome, note). */
  'choosing',
  /**
   * Cold. Initiator: REFER sent, waiting for the final NOTIFY. Recipient: the referred contact's
   * call rings here (the contact's INVITE carrying the transfer token).
   */
  'referring',
  /**
   * Warm: consult INVITE sent (initiator) or ringing as a toast (recipient), not answered yet.
   * Named `consultRinging` rather than `ringing` because a cold transfer also rings the recipient
   * (inside `referring`); this name cannot be mistaken for that.
   */
  'consultRinging',
  /** Warm: both agents talk; the contact is on hold at the initiator. */
  'consulting',
  /** Warm, initiator only: REFER with Replaces sent, waiting for the final NOTIFY. */
  'completing',
  /** The contact is with the recipient. */
  'completed',
  /**
   * Called off: the form was dismissed, or the recipient cancelled the consult — for an external
   * number, the initiator, or the external party hanging up the consult.
   */
  'cancelled',
  /** Did not happen (see TransferFailure); the contact, if still there, stays with the initiator. */
  'failed',
] as const;

export type TransferPhase = (typeof TRANSFER_PHASES)[number];

/** Phases after which the transfer itself can no longer change (calls may go on). */
export function isSettled(phase: TransferPhase): boolean {
  return phase === 'completed' || phase === 'cancelled' || phase === 'failed';
}

/**
 * Why a transfer did not go through: one cause each, so an agent is told what happened and whose
 * move it was (the colleague's, the contact's phone's, the contact's, the network's).
 */
export type TransferFailureReason =
  /** the colleague pressed Decline (603) */
  | 'declined'
  /** the colleague's phone said busy (486 / 600) */
  | 'busy'
  /** it rang at the colleague's and nobody answered (408, 487, or 480 after ringing) */
  | 'no-answer'
  /** the colleague's phone could not be reached at all: 404 / 604, or 480 before anything rang */
  | 'not-signed-in'
  /** the contact's phone answered our REFER with an error */
  | 'refer-rejected'
  /**
   * the contact's phone does not take REFER at all (405, 501) or always declines it (603): no way of
   * handing this contact over exists, so a warm transfer ends rather than going back to the consult
   */
  | 'refer-unsupported'
  /** the contact's phone accepted the REFER but sent no final word in time (our own bound) */
  | 'refer-ignored'
  /** the contact's phone would not be put on hold, so no consult was placed */
  | 'hold-refused'
  | 'contact-hung-up'
  /** the other agent's connection dropped */
  | 'connection-lost'
  /** the call towards the colleague failed for a reason none of the above names (5xx, 488, 403…) */
  | 'not-connected';

export interface TransferFailure {
  readonly reason: TransferFailureReason;
  /** Where it happened: tells whether the consult had been answered (disposition owed) or not. */
  readonly during: TransferPhase;
}

export interface TransferState {
  readonly role: TransferRole;
  readonly phase: TransferPhase;
  /** null only while choosing: the method is fixed by Confirm. */
  readonly method: TransferMethod | null;
  /**
   * Set in `failed`. Also set in `consulting` after a warm REFER failed: the consult goes on and the
   * initiator is told why (during: 'completing'); a new complete clears it.
   */
  readonly failure: TransferFailure | null;
  /** Absent for a colleague ('user'), the only kind a recipient's copy can be. */
  readonly target?: TransferTargetKind;
}

export function targetOf(state: TransferState): TransferTargetKind {
  return state.target ?? 'user';
}

/** The initiator opened the transfer form on a call with a contact. */
export function initiatorTransfer(target: TransferTargetKind = 'user'): TransferState {
  const state: TransferState = { role: 'initiator', phase: 'choosing', method: null, failure: null };
  return target === 'user' ? state : { ...state, target };
}

/**
 * The recipient learnt of a transfer: warm, when the consult INVITE with its context rings; cold,
 * when the contact's referred INVITE rings (linked to the MESSAGE context by token or From URI).
 */
export function recipientTransfer(method: TransferMethod): TransferState {
  const phase = method === 'warm' ? 'consultRinging' : 'referring';
  return { role: 'recipient', phase, method, failure: null };
}

/**
 * Phases a role's copy can ever be in; the recipient never chooses and never sends a REFER. An
 * external party runs no Baton, so an external transfer has no recipient's copy at all.
 */
export function isReachable(role: TransferRole, phase: TransferPhase, target: TransferTargetKind = 'user'): boolean {
  if (role === 'initiator') return true;
  return target === 'user' && phase !== 'choosing' && phase !== 'completing';
}
