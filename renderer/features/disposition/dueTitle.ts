/** What a wrap-up is about, in words: the remote party, or (for a transfer leg) who and what. */
import type { DispositionDueView } from '../../../shared/desk.js';
import type { TransferView } from '../../../shared/transfer/view.js';

export function dueTitle(due: DispositionDueView, transfers: readonly TransferView[]): string {
  if (due.remote) return due.remote;
  const t = due.transferId ? transfers.find((x) => x.id === due.transferId) : undefined;
  if (!t) return 'call';
  const contact = t.contact?.name;
  if (t.consultCallId === due.callId) {
    const who = `consult ${t.role === 'recipient' ? 'from' : 'with'} ${t.counterpart.name}`;
    return contact ? `${who} about ${contact}` : who;
  }
  return contact ?? t.counterpart.name;
}
