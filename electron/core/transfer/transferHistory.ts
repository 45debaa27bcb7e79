/**
 * What a transfer writes to the contact's History, and when. A recipient's contact, outcome and note
 * are a colleague's document: nothing of it is stored until the transfer connects here.
 */
import { receivedEntryId, type ContactHistoryEntry, type HistoryActor, type HistoryOrigin } from '../../../shared/history.js';
import type { TransferHistorySink } from './transferTypes.js';
import type { Transfer } from './transferRecord.js';

export class TransferHistory {
  constructor(
    private readonly agent: HistoryActor,
    private readonly sink: TransferHistorySink | undefined,
  ) {}

  record(t: Transfer, kind: ContactHistoryEntry['kind'], actor: HistoryActor, detail: string, origin: HistoryOrigin = 'local'): void {
    if (!t.contact || !this.sink) return;
    // Until the transfer connects, only the recipient agent's own act — a Cancel, possible only in a
    // consult it answered — is written; a failure the other side reports (or stages) is shown, not stored.
    if (t.state.role === 'recipient' && t.state.phase !== 'completed' && kind !== 'transfer-cancelled') return;
    const entry: ContactHistoryEntry = {
      id: `${t.id}:${kind}`,
      contactId: t.contact.id,
      at: new Date().toISOString(),
      kind,
      actor,
      ...(t.outcome ? { outcome: t.outcome } : {}),
      ...(t.note && kind === 'transfer-started' ? { note: t.note } : {}),
      detail,
    };
    this.sink.append([entry], origin);
  }

  /** An act of this desk's own agent. */
  ours(t: Transfer, kind: ContactHistoryEntry['kind'], detail: string): void {
    this.record(t, kind, this.agent, detail);
  }

  /**
   * Recipient, once the contact is here: what the colleague's context said goes to History, marked
   * as theirs (origin `transfer`), the colleague named by the roster. Only entries about the contact
   * the transfer is for are taken.
   */
  writeReceived(t: Transfer): void {
    const context = t.received;
    const from = t.from;
    t.received = null;
    if (!context || !from || !this.sink) return;
    // Ids in the sender's namespace: a document cannot take the id of a row of ours (ours never
    // start with `ctx:`), and the same entry from the same colleague is still stored once.
    const about = context.history
      .filter((entry) => entry.contactId === context.contact.id)
      .map((entry) => ({ ...entry, id: receivedEntryId(from.id, entry.id) }));
    if (about.length > 0) this.sink.append(about, 'transfer');
    this.record(t, 'transfer-started', { id: from.id, name: from.name }, `${t.state.method} transfer to ${this.agent.name}`, 'transfer');
  }
}

/** An entry as a context carries it: what happened, without this desk's view of where it came from. */
export function forContext(entry: ContactHistoryEntry): ContactHistoryEntry {
  const { origin: _origin, via: _via, ...sent } = entry;
  return sent;
}
