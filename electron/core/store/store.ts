/**
 * The local SQLite file (main process only): remembered choices, contact history, dispositions.
 *
 * Opening never loses data silently: a file that fails its integrity check, is not a database, or
 * was written by a newer schema is renamed aside (with its -wal/-shm) and a fresh one started; the
 * caller gets a `StoreNotice` to tell the agent. A file we merely cannot open (locked by another
 * instance, no permission) is an error and is left untouched.
 */
import { existsSync, mkdirSync, renameSync } from 'node:fs';
import { dirname } from 'node:path';
import Database, { type Database as Db } from 'better-sqlite3';
import { SqliteContactHistory, type ContactHistory } from './contactHistory.js';
import { SqliteDispositions, type Dispositions } from './dispositions.js';
import { migrate, SchemaTooNewError, type MigrationOutcome } from './migrate.js';
import { MIGRATIONS, type Migration } from './migrations/index.js';
import { SqliteRememberedChoices, type RememberedChoices } from './rememberedChoices.js';
import { SqliteAgentSettings, type AgentSettingsStore } from './agentSettings.js';

export interface Store {
  readonly path: string;
  readonly choices: RememberedChoices;
  readonly history: ContactHistory;
  readonly dispositions: Dispositions;
  /** The agent's settings kept on this computer (audio devices, system-wide keys). */
  readonly settings: AgentSettingsStore;
  /** SQLite's quick_check now (["ok"] when sound) and the schema version, for a diagnostics bundle. */
  health(): { readonly integrity: readonly string[]; readonly schemaVersion: number };
  close(): void;
}

export type StoreNotice = {
  readonly kind: 'moved-aside';
  readonly reason: 'corrupt' | 'not-a-database' | 'newer-schema';
  /** Where the old file now is: nothing was deleted. */
  readonly movedTo: string;
  readonly detail: string;
};

export interface OpenedStore {
  readonly store: Store;
  readonly migration: MigrationOutcome;
  /** Set when the previous file could not be used; the agent must be told. */
  readonly notice?: StoreNotice;
}

export interface OpenStoreOptions {
  /** Default: every migration. Tests open older schemas with a prefix. */
  readonly migrations?: readonly Migration[];
  /** For the name of the moved-aside file. */
  readonly now?: () => Date;
}

export class StoreOpenError extends Error {
  override readonly name = 'StoreOpenError';
}

export function openStore(path: string, options: OpenStoreOptions = {}): OpenedStore {
  const migrations = options.migrations ?? MIGRATIONS;
  mkdirSync(dirname(path), { recursive: true });
  try {
    return openChecked(path, migrations);
  } catch (error) {
    const reason = unusableReason(error);
    if (reason === undefined) {
      throw new StoreOpenError(`Cannot open the local database ${path}: ${describe(error)}`, { cause: error });
    }
    const movedTo = moveAside(path, (options.now ?? (() => new Date()))());
    const fresh = openChecked(path, migrations);
    return { ...fresh, notice: { kind: 'moved-aside', reason, movedTo, detail: describe(error) } };
  }
}

function openChecked(path: string, migrations: readonly Migration[]): { store: Store; migration: MigrationOutcome } {
  const db = new Database(path);
  try {
    // WAL: readers never block the writer, and a commit is one append. FULL: a committed note
    // survives a power cut too, not only a crash of the app (measured cost: see test/bench/store.ts).
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = FULL');
    db.pragma('busy_timeout = 2000');
    checkIntegrity(db);
    const migration = migrate(db, migrations);
    return { store: new SqliteStore(path, db), migration };
  } catch (error) {
    db.close();
    throw error;
  }
}

class CorruptError extends Error {}

/** quick_check: the structural checks of integrity_check without the slow index cross-checks. */
function checkIntegrity(db: Db): void {
  const rows = db.pragma('quick_check') as Array<{ quick_check: string }>;
  const problems = rows.map((row) => row.quick_check).filter((text) => text !== 'ok');
  if (problems.length > 0) throw new CorruptError(`integrity check failed: ${problems.slice(0, 3).join('; ')}`);
}

function unusableReason(error: unknown): StoreNotice['reason'] | undefined {
  if (error instanceof CorruptError) return 'corrupt';
  if (error instanceof SchemaTooNewError) return 'newer-schema';
  const code = error instanceof Database.SqliteError ? error.code : undefined;
  if (code === 'SQLITE_NOTADB') return 'not-a-database';
  if (code !== undefined && code.startsWith('SQLITE_CORRUPT')) return 'corrupt';
  return undefined;
}

/** Renames the file and its WAL companions to `<path>.unusable-<time>[-wal|-shm]`. */
function moveAside(path: string, now: Date): string {
  const stamp = now.toISOString().replace(/[:.]/g, '-');
  let target = `${path}.unusable-${stamp}`;
  for (let n = 2; existsSync(target); n++) target = `${path}.unusable-${stamp}-${n}`;
  // The WAL first: a main file moved without its WAL would be read later without its newest pages.
  for (const suffix of ['-wal', '-shm']) {
    if (existsSync(path + suffix)) renameSync(path + suffix, target + suffix);
  }
  renameSync(path, target);
  return target;
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

class SqliteStore implements Store {
  readonly choices: RememberedChoices;
  readonly history: ContactHistory;
  readonly dispositions: Dispositions;
  readonly settings: AgentSettingsStore;

  constructor(
    readonly path: string,
    private readonly db: Db,
  ) {
    this.choices = new SqliteRememberedChoices(db);
    this.history = new SqliteContactHistory(db);
    this.dispositions = new SqliteDispositions(db);
    this.settings = new SqliteAgentSettings(db);
  }

  health(): { readonly integrity: readonly string[]; readonly schemaVersion: number } {
    const rows = this.db.pragma('quick_check') as Array<{ quick_check: string }>;
    return { integrity: rows.map((row) => row.quick_check), schemaVersion: this.db.pragma('user_version', { simple: true }) as number };
  }

  close(): void {
    if (this.db.open) this.db.close();
  }
}
