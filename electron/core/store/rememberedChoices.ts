import type { Database, Statement } from 'better-sqlite3';
import type { TransferMethod } from '../../../shared/transfer/transferModel.js';

/** What the transfer panel remembers: read when it opens, written on Confirm. */
export interface RememberedChoice {
  readonly userId: string;
  readonly outcomeId?: string;
  readonly method: TransferMethod;
  readonly updatedAt: number;
}

/**
 * Kinds of transfer the panel offers; each remembers its own last choice. For 'external-transfer'
 * `userId` holds the number (E.164).
 */
export type ChoiceKind = 'user-transfer' | 'external-transfer';

/** An external number transferred to lately, with the name it had then (speed dial, or the number). */
export interface RecentNumber {
  readonly number: string;
  readonly name: string;
  readonly usedAt: number;
}

/** How many recent numbers are kept per agent. */
export const RECENT_NUMBERS_KEPT = 8;

export interface RememberedChoices {
  get(agent: string, kind: ChoiceKind): RememberedChoice | undefined;
  set(agent: string, kind: ChoiceKind, choice: RememberedChoice): void;
  /** Newest first, at most RECENT_NUMBERS_KEPT. */
  recentNumbers(agent: string): RecentNumber[];
  addRecentNumber(agent: string, recent: RecentNumber): void;
  /** The admin turned remembering off, or the agent asked to forget. */
  forget(agent: string): void;
}

interface Row {
  user_id: string;
  outcome_id: string | null;
  method: TransferMethod;
  updated_at: number;
}

export class SqliteRememberedChoices implements RememberedChoices {
  private readonly select: Statement<[string, string], Row>;
  private readonly upsert: Statement;
  private readonly remove: Statement<[string]>;
  private readonly selectRecent: Statement<[string, number], { number: string; name: string; used_at: number }>;
  private readonly upsertRecent: Statement;
  private readonly trimRecent: Statement<[string, string, number]>;
  private readonly removeRecent: Statement<[string]>;

  constructor(db: Database) {
    this.select = db.prepare(`SELECT user_id, outcome_id, method, updated_at FROM remembered_choice WHERE agent = ? AND kind = ?`);
    this.upsert = db.prepare(
      `INSERT INTO remembered_choice (agent, kind, user_id, outcome_id, method, updated_at)
       VALUES (@agent, @kind, @userId, @outcomeId, @method, @updatedAt)
       ON CONFLICT (agent, kind) DO UPDATE SET
         user_id = excluded.user_id, outcome_id = excluded.outcome_id,
         method = excluded.method, updated_at = excluded.updated_at`,
    );
    this.remove = db.prepare(`DELETE FROM remembered_choice WHERE agent = ?`);
    this.selectRecent = db.prepare(`SELECT number, name, used_at FROM recent_number WHERE agent = ? ORDER BY used_at DESC, number LIMIT ?`);
    this.upsertRecent = db.prepare(
      `INSERT INTO recent_number (agent, number, name, used_at) VALUES (@agent, @number, @name, @usedAt)
       ON CONFLICT (agent, number) DO UPDATE SET name = excluded.name, used_at = excluded.used_at`,
    );
    this.trimRecent = db.prepare(
      `DELETE FROM recent_number WHERE agent = ? AND number NOT IN
         (SELECT number FROM recent_number WHERE agent = ? ORDER BY used_at DESC, number LIMIT ?)`,
    );
    this.removeRecent = db.prepare(`DELETE FROM recent_number WHERE agent = ?`);
  }

  get(agent: string, kind: ChoiceKind): RememberedChoice | undefined {
    const row = this.select.get(agent, kind);
    if (!row) return undefined;
    return {
      userId: row.user_id,
      ...(row.outcome_id !== null ? { outcomeId: row.outcome_id } : {}),
      method: row.method,
      updatedAt: row.updated_at,
    };
  }

  set(agent: string, kind: ChoiceKind, choice: RememberedChoice): void {
    this.upsert.run({
      agent,
      kind,
      userId: choice.userId,
      outcomeId: choice.outcomeId ?? null,
      method: choice.method,
      updatedAt: choice.updatedAt,
    });
  }

  recentNumbers(agent: string): RecentNumber[] {
    return this.selectRecent.all(agent, RECENT_NUMBERS_KEPT).map((r) => ({ number: r.number, name: r.name, usedAt: r.used_at }));
  }

  addRecentNumber(agent: string, recent: RecentNumber): void {
    this.upsertRecent.run({ agent, number: recent.number, name: recent.name, usedAt: recent.usedAt });
    this.trimRecent.run(agent, agent, RECENT_NUMBERS_KEPT);
  }

  forget(agent: string): void {
    this.remove.run(agent);
    this.removeRecent.run(agent);
  }
}
