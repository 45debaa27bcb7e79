import type { Database } from 'better-sqlite3';

/**
 * One schema step. Migrations are append-only: a released one is never edited, a fix is a new one.
 * `version` is the PRAGMA user_version the database has once `up` ran (1, 2, …, no gaps).
 */
export interface Migration {
  readonly version: number;
  readonly name: string;
  up(db: Database): void;
}
