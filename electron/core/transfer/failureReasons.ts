/**
 * Why a transfer did not happen, in the initiator's words, from what SIP said: a final status (the
 * context MESSAGE, a NOTIFY sipfrag) or how a consult call ended.
 *
 * 480 is said both by a server for a colleague who is not signed in and by the colleague's own phone
 * when it rang out (SIP.js's no-answer timer). Whether anything rang first (a 18x on the consult, a
 * 18x sipfrag in a NOTIFY) tells them apart, so callers pass `rang`.
 */
import type { CallEnd } from '../../../shared/phone.js';
import type { TransferFailureReason } from '../../../shared/transfer/index.js';

/**
 * A failing final status of the contact's new call towards the colleague, as its phone's NOTIFY
 * sipfrag reports it. 487 there means the contact's phone called off its own INVITE: the contact
 * gave up, whatever the colleague did.
 */
export function reasonForStatus(status: number, rang: boolean): TransferFailureReason {
  if (status === 486 || status === 600) return 'busy';
  if (status === 603) return 'declined';
  if (status === 404 || status === 604) return 'not-signed-in';
  if (status === 480) return rang ? 'no-answer' : 'not-signed-in';
  if (status === 487) return 'contact-hung-up';
  if (status === 408) return 'no-answer';
  return 'not-connected';
}

/**
 * The status of the cold context MESSAGE. A signed-in desk answers a MESSAGE at once (nothing rings),
 * so "not found", "unavailable" and "no answer" all mean its phone is not there.
 */
export function reasonForContextStatus(status: number): TransferFailureReason {
  if (status === 404 || status === 604 || status === 480 || status === 408) return 'not-signed-in';
  if (status === 486 || status === 600) return 'busy';
  if (status === 603) return 'declined';
  return 'not-connected';
}

/** How an unanswered consult ended. */
export function reasonForEnd(end: CallEnd, rang: boolean): TransferFailureReason {
  switch (end.reason) {
    case 'busy':
      return 'busy';
    case 'declined':
      return 'declined';
    case 'not-found':
      return 'not-signed-in';
    case 'unavailable':
      return rang ? 'no-answer' : 'not-signed-in';
    case 'no-answer':
    case 'cancelled':
      return 'no-answer';
    case 'connection-lost':
      return 'connection-lost';
    case 'hung-up-local':
    case 'hung-up-remote':
    case 'failed':
      return 'not-connected';
  }
}

/** Recipient: the contact's referred call stopped ringing here before it was answered. */
export function reasonForUnansweredReferral(end: CallEnd): TransferFailureReason {
  // eslint-disable-next-line @typescript-eslint/switch-exhaustiveness-check -- any other way a referred call stops ringing unanswered is, to the recipient, no answer
  switch (end.reason) {
    case 'declined':
      return 'declined';
    case 'busy':
      return 'busy';
    // The contact's phone called off its own INVITE: the contact gave up.
    case 'cancelled':
      return 'contact-hung-up';
    case 'connection-lost':
      return 'connection-lost';
    default:
      return 'no-answer';
  }
}
