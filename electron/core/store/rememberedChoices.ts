import type { Database, Statement } from 'better-sqlite3';
import type { TransferMethod } from '../../../shared/transfer/transferModel.js';

/** What the transfer panel remembers: read when it opens, written on Confirm. */
export interface RememberedChoice {
  readonly userId: string;
  readonly outcomeId?: string;
  readonly method: TransferMethod;
  readonly updatedAt: number;
}

/** Kinds of transfer the panel offers; each remembers its own last choice. */
export type ChoiceKind = 'user-transfer';

export interface RememberedChoices {
  get(agent: string, kind: ChoiceKind): RememberedChoice | undefined;
  set(agent: string, kind: ChoiceKind, choice: RememberedChoice): void;
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
    this.upsert.run({ agent, kind, userId: choice.userId, outcomeId: choice.outcomeId ?? null, method: choice.method, updatedAt: choice.updatedAt });
  }

  forget(agent: string): void {
    this.remove.run(agent);
  }
}
