import type { Database, Statement } from 'better-sqlite3';

export interface Disposition {
  readonly callId: string;
  /** The agent who filed it ('' for rows from before schema 2). */
  readonly agent: string;
  /** A disposition code id from the provisioning document. */
  readonly code: string;
  readonly note: string;
  readonly at: number;
}

export interface Dispositions {
  /**
   * Files the disposition of a call once: a second filing for the same call (a double click, a
   * retried command) is ignored and `false` returned, so the first one is what stays on record.
   */
  file(disposition: Disposition): boolean;
  get(callId: string): Disposition | undefined;
  /** Newest first, for the agent's own recent work. */
  recent(agent: string, limit?: number): Disposition[];
}

export class SqliteDispositions implements Dispositions {
  private readonly insert: Statement;
  private readonly byCall: Statement<[string], Disposition>;
  private readonly byAgent: Statement<[string, number], Disposition>;

  constructor(db: Database) {
    this.insert = db.prepare(
      `INSERT INTO disposition (call_id, agent, code, note, at) VALUES (@callId, @agent, @code, @note, @at)
       ON CONFLICT (call_id) DO NOTHING`,
    );
    this.byCall = db.prepare(`SELECT call_id AS callId, agent, code, note, at FROM disposition WHERE call_id = ?`);
    this.byAgent = db.prepare(`SELECT call_id AS callId, agent, code, note, at FROM disposition WHERE agent = ? ORDER BY at DESC LIMIT ?`);
  }

  file(d: Disposition): boolean {
    return this.insert.run({ callId: d.callId, agent: d.agent, code: d.code, note: d.note, at: d.at }).changes === 1;
  }

  get(callId: string): Disposition | undefined {
    return this.byCall.get(callId);
  }

  recent(agent: string, limit = 20): Disposition[] {
    return this.byAgent.all(agent, Math.min(Math.max(1, Math.trunc(limit)), 500));
  }
}
