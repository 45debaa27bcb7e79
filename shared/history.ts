/**
 * A contact's History tab: what happened to the contact, who did it, with what outcome and note.
 * Entries travel inside transfer contexts, so each has a stable id and the store de-duplicates.
 */

export type ContactHistoryKind =
  | 'call'
  | 'transfer-started'
  | 'transfer-completed'
  | 'transfer-cancelled'
  | 'transfer-failed'
  | 'disposition';

export interface HistoryActor {
  readonly id: string;
  readonly name: string;
}

export interface ContactHistoryEntry {
  /** Stable across desks: the same event received twice is stored once. */
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
}

/** Where the transfer code writes history; the store implements it. */
export interface ContactHistorySink {
  append(entries: readonly ContactHistoryEntry[]): void;
}
