/**
 * A contact's History tab: what happened to the contact, who did it, with what outcome and note.
 * Entries travel inside transfer contexts, so each has a stable id and the store de-duplicates.
 * ContactHistoryEntry is the one entry type the desk, the renderer and transfer contexts speak; the
 * store keeps rows of ids only (StoredHistoryEntry), named again on reading (historyAdapter.ts).
 */

export const CONTACT_HISTORY_KINDS = [
  'call',
  'transfer-started',
  'transfer-completed',
  'transfer-cancelled',
  'transfer-failed',
  'disposition',
] as const;

export type ContactHistoryKind = (typeof CONTACT_HISTORY_KINDS)[number];

/** Whether a kind read from a store row or a colleague's document is one this version knows. */
export function isContactHistoryKind(kind: string): kind is ContactHistoryKind {
  return (CONTACT_HISTORY_KINDS as readonly string[]).includes(kind);
}

export interface HistoryActor {
  readonly id: string;
  readonly name: string;
}

export interface ContactHistoryEntry {
  /**
   * Stable across desks: the same event received twice is stored once. A desk stores an entry
   * received in a colleague's transfer context under `ctx:<colleague id>:<id>`, so a document can
   * never take the id of a row of the desk's own.
   */
  readonly id: string;
  readonly contactId: string;
  /** ISO 8601 */
  readonly at: string;
  readonly kind: ContactHistoryKind;
  readonly actor: HistoryActor;
  readonly outcome?: { readonly id: string; readonly label: string };
  readonly note?: string;
  /** Free detail in the user's words, e.g. "warm transfer to Bob Smith" or "declined". */
  readonly detail?: string;
  /** In the History tab's view: this desk's own account, or what a colleague's transfer said. */
  readonly origin?: HistoryOrigin;
  /** For an entry that came in a colleague's transfer context: that colleague. */
  readonly via?: HistoryActor;
}

export type HistoryOrigin = 'local' | 'transfer';

/** The id prefix of entries received in a colleague's transfer context (see ContactHistoryEntry.id). */
export const RECEIVED_ENTRY_PREFIX = 'ctx:';

/** The id under which a desk stores an entry received from colleague `senderId`. */
export function receivedEntryId(senderId: string, entryId: string): string {
  return `${RECEIVED_ENTRY_PREFIX}${encodeURIComponent(senderId)}:${entryId}`;
}

/** The colleague a stored id says an entry came from, or null for an id of the desk's own. */
export function senderOfReceivedId(id: string): string | null {
  if (!id.startsWith(RECEIVED_ENTRY_PREFIX)) return null;
  const rest = id.slice(RECEIVED_ENTRY_PREFIX.length);
  const colon = rest.indexOf(':');
  if (colon <= 0) return null;
  try {
    return decodeURIComponent(rest.slice(0, colon));
  } catch {
    // A malformed escape names no colleague (receivedEntryId never writes one): the id is read as the desk's own.
    return null;
  }
}
