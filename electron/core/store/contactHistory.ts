import { createHash } from 'node:crypto';
import type { Database, Statement } from 'better-sqlite3';
import type { HistoryOrigin } from '../../../shared/history.js';

/**
 * A History entry as the store keeps it: ids only (actor, outcome), Unix milliseconds. The desk and
 * transfer contexts speak shared/history.ts's ContactHistoryEntry; historyAdapter.ts converts.
 */
export interface StoredHistoryEntry {
  /**
   * Stable across agents: created once where the entry is born and carried unchanged in transfer
   * contexts, so the same entry received twice (a retransmitted MESSAGE, a second transfer of the
   * same contact) is stored once. Use `newHistoryEntryId()` or `historyEntryIdOf()`.
   */
  readonly id: string;
  readonly contactId: string;
  /** Unix milliseconds. */
  readonly at: number;
  /** e.g. 'call', 'note', 'transfer', 'disposition' — open-ended so older clients keep newer kinds. */
  readonly kind: string;
  /** Who did it (an agent's roster id, or the contact). */
  readonly actor: string;
  readonly outcomeId?: string;
  readonly note?: string;
  /** What happened, in words, apart from the note (schema 3). */
  readonly detail?: string;
  /** Written here, or received in a colleague's transfer context. */
  readonly origin: HistoryOrigin;
}

/** The port the transfer module writes received context entries through. */
export interface ContactHistory {
  /** Stores the entries whose id is new; returns how many were new. One transaction. */
  append(entries: readonly StoredHistoryEntry[]): { readonly added: number };
  /** Newest first. `limit` defaults to 50 and is capped at 500. */
  list(contactId: string, options?: { readonly limit?: number; readonly before?: number }): StoredHistoryEntry[];
}

export const HISTORY_LIST_DEFAULT = 50;
export const HISTORY_LIST_MAX = 500;
/** One insert per entry inside a transaction: a batch this size stays well under a millisecond or two. */
export const HISTORY_APPEND_MAX = 1000;

export function newHistoryEntryId(): string {
  return crypto.randomUUID();
}

/**
 * A deterministic id for an entry that arrives without one (an older sender): the same content
 * always gives the same id, so a repeat is still recognised.
 */
export function historyEntryIdOf(entry: Omit<StoredHistoryEntry, 'id' | 'origin'>): string {
  const parts = [entry.contactId, String(entry.at), entry.kind, entry.actor, entry.outcomeId ?? '', entry.note ?? ''];
  return `h-${createHash('sha256').update(JSON.stringify(parts)).digest('base64url').slice(0, 32)}`;
}

interface Row {
  id: string;
  contact_id: string;
  at: number;
  kind: string;
  actor: string;
  outcome_id: string | null;
  note: string | null;
  detail: string | null;
  origin: 'local' | 'transfer';
}

export class SqliteContactHistory implements ContactHistory {
  private readonly insert: Statement;
  private readonly newest: Statement<[string, number], Row>;
  private readonly older: Statement<[string, number, number], Row>;

  constructor(private readonly db: Database) {
    this.insert = db.prepare(
      `INSERT INTO contact_event (id, contact_id, at, kind, actor, outcome_id, note, detail, origin)
       VALUES (@id, @contactId, @at, @kind, @actor, @outcomeId, @note, @detail, @origin)
       ON CONFLICT (id) DO NOTHING`,
    );
    this.newest = db.prepare(`SELECT * FROM contact_event WHERE contact_id = ? ORDER BY at DESC LIMIT ?`);
    this.older = db.prepare(`SELECT * FROM contact_event WHERE contact_id = ? AND at < ? ORDER BY at DESC LIMIT ?`);
  }

  append(entries: readonly StoredHistoryEntry[]): { readonly added: number } {
    if (entries.length > HISTORY_APPEND_MAX) {
      throw new RangeError(`append takes at most ${HISTORY_APPEND_MAX} entries at a time, got ${entries.length}`);
    }
    for (const entry of entries) checkEntry(entry);
    const run = this.db.transaction((batch: readonly StoredHistoryEntry[]) => {
      let added = 0;
      for (const e of batch) {
        added += this.insert.run({
          id: e.id,
          contactId: e.contactId,
          at: e.at,
          kind: e.kind,
          actor: e.actor,
          outcomeId: e.outcomeId ?? null,
          note: e.note ?? null,
          detail: e.detail ?? null,
          origin: e.origin,
        }).changes;
      }
      return added;
    });
    return { added: run(entries) };
  }

  list(contactId: string, options: { readonly limit?: number; readonly before?: number } = {}): StoredHistoryEntry[] {
    const limit = Math.min(Math.max(1, Math.trunc(options.limit ?? HISTORY_LIST_DEFAULT)), HISTORY_LIST_MAX);
    const rows = options.before === undefined ? this.newest.all(contactId, limit) : this.older.all(contactId, options.before, limit);
    return rows.map(toEntry);
  }
}

function checkEntry(entry: StoredHistoryEntry): void {
  if (entry.id === '' || entry.contactId === '' || !Number.isFinite(entry.at)) {
    throw new TypeError(`history entry needs an id, a contact id and a time (got id=${JSON.stringify(entry.id)})`);
  }
}

function toEntry(row: Row): StoredHistoryEntry {
  return {
    id: row.id,
    contactId: row.contact_id,
    at: row.at,
    kind: row.kind,
    actor: row.actor,
    ...(row.outcome_id !== null ? { outcomeId: row.outcome_id } : {}),
    ...(row.note !== null ? { note: row.note } : {}),
    ...(row.detail !== null && row.detail !== undefined ? { detail: row.detail } : {}),
    origin: row.origin,
  };
}
