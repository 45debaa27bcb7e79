import type { Database, Statement } from 'better-sqlite3';

/** Settings by agent and key, each a JSON value; a value that no longer parses reads as unset. */
export interface AgentSettingsStore {
  get(agent: string, key: string): unknown;
  set(agent: string, key: string, value: unknown, at?: number): void;
  remove(agent: string, key: string): void;
}

export class SqliteAgentSettings implements AgentSettingsStore {
  private readonly select: Statement<[string, string], { value: string }>;
  private readonly upsert: Statement;
  private readonly drop: Statement<[string, string]>;

  constructor(db: Database) {
    this.select = db.prepare(`SELECT value FROM agent_setting WHERE agent = ? AND key = ?`);
    this.upsert = db.prepare(
      `INSERT INTO agent_setting (agent, key, value, updated_at) VALUES (@agent, @key, @value, @at)
       ON CONFLICT (agent, key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at`,
    );
    this.drop = db.prepare(`DELETE FROM agent_setting WHERE agent = ? AND key = ?`);
  }

  get(agent: string, key: string): unknown {
    const row = this.select.get(agent, key);
    if (!row) return undefined;
    try {
      return JSON.parse(row.value) as unknown;
    } catch {
      // Only we write these rows; one that does not parse is treated as never set, and the next
      // save of that setting replaces it.
      return undefined;
    }
  }

  set(agent: string, key: string, value: unknown, at: number = Date.now()): void {
    this.upsert.run({ agent, key, value: JSON.stringify(value), at });
  }

  remove(agent: string, key: string): void {
    this.drop.run(agent, key);
  }
}
