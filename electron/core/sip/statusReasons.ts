import type { CallEndReason } from '../../../shared/phone.js';

/** What a final failure response to an INVITE means for the person who placed the call. */
export function endReasonForStatus(status: number): CallEndReason {
  if (status === 486 || status === 600) return 'busy';
  if (status === 603) return 'declined';
  if (status === 404 || status === 604) return 'not-found';
  if (status === 480) return 'unavailable';
  if (status === 408) return 'no-answer';
  if (status === 487) return 'cancelled';
  return 'failed';
}
