/**
 * Why a transfer did not happen, in the initiator's words, from what SIP said: a final status (the
 * context MESSAGE, a REFER, a NOTIFY sipfrag) or how a consult or referred call ended.
 */
import type { CallEnd } from '../../../shared/phone.js';
import type { TransferFailureReason } from '../../../shared/transfer/index.js';

export function reasonForStatus(status: number): TransferFailureReason {
  if (status === 486 || status === 600) return 'busy';
  if (status === 603) return 'declined';
  if (status === 404 || status === 604) return 'not-found';
  // A registered colleague who does not pick up gets 480 from its own phone; an unregistered one, 404.
  if (status === 408 || status === 480 || status === 487) return 'no-answer';
  return 'refer-rejected';
}

export function reasonForEnd(end: CallEnd): TransferFailureReason {
  switch (end.reason) {
    case 'busy':
      return 'busy';
    case 'declined':
      return 'declined';
    case 'not-found':
      return 'not-found';
    case 'unavailable':
    case 'no-answer':
    case 'cancelled':
      return 'no-answer';
    case 'connection-lost':
      return 'connection-lost';
    case 'hung-up-local':
    case 'hung-up-remote':
    case 'failed':
      return 'refer-rejected';
  }
}
