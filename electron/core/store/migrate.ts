import type { Database } from 'better-sqlite3';
import type { Migration } from './migrations/index.js';

export interface MigrationOutcome {
  readonly from: number;
  readonly to: number;
}

/** The file was written by a newer Baton: this one must not guess at a schema it does not know. */
export class SchemaTooNewError extends Error {
  override readonly name = 'SchemaTooNewError';
  constructor(
    readonly found: number,
    readonly known: number,
  ) {
    super(`The local database has schema version ${found}; this Baton knows up to ${known}.`);
  }
}

/**
 * Brings the database to the last migration. Each step runs in its own transaction together with
 * its user_version bump, so a crash between steps leaves a database at a well-defined version.
 */
export function migrate(db: Database, migrations: readonly Migration[]): MigrationOutcome {
  checkSequence(migrations);
  const from = userVersion(db);
  const known = migrations.length;
  if (from > known) throw new SchemaTooNewError(from, known);
  for (const migration of migrations.slice(from)) {
    db.transaction(() => {
      migration.up(db);
      db.pragma(`user_version = ${migration.version}`);
    })();
  }
  return { from, to: userVersion(db) };
}

export function userVersion(db: Database): number {
  return db.pragma('user_version', { simple: true }) as number;
}

function checkSequence(migrations: readonly Migration[]): void {
  migrations.forEach((migration, index) => {
    if (migration.version !== index + 1) {
      throw new Error(`migration ${migration.name} has version ${migration.version}, expected ${index + 1}`);
    }
  });
}
