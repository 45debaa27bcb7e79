/**
 * Each migration, started from the previous schema holding real rows: the rows survive, the new
 * schema works. Append a case here with every new migration.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { migrate, userVersion } from '../../electron/core/store/migrate.js';
import { MIGRATIONS } from '../../electron/core/store/migrations/index.js';
import { openStore } from '../../electron/core/store/index.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'baton-migrate-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

/** A database at schema `version`, built by the real migrations up to it. */
function atVersion(version: number): { path: string; db: Database.Database } {
  const path = join(dir, 'baton.db');
  const db = new Database(path);
  migrate(db, MIGRATIONS.slice(0, version));
  expect(userVersion(db)).toBe(version);
  return { path, db };
}

describe('migrations', () => {
  it('are numbered 1..n without gaps', () => {
    expect(MIGRATIONS.map((m) => m.version)).toEqual(MIGRATIONS.map((_, i) => i + 1));
  });

  it('001-initial: an empty file gets the tables, and they accept rows', () => {
    const { db } = atVersion(1);
    const tables = db.prepare(`SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name`).pluck().all();
    expect(tables).toEqual(['contact_event', 'disposition', 'remembered_choice']);
    db.close();
  });

  it('002-disposition-agent: dispositions and everything else filed under schema 1 survive; old rows have no agent', () => {
    const { path, db } = atVersion(1);
    db.prepare(`INSERT INTO disposition (call_id, code, note, at) VALUES ('call-1', 'resolved', 'paid by card', 100)`).run();
    db.prepare(`INSERT INTO remembered_choice VALUES ('alice', 'user-transfer', 'bob', 'billing', 'warm', 5)`).run();
    db.prepare(`INSERT INTO contact_event VALUES ('e1', 'c-1', 50, 'note', 'alice', NULL, 'hello', 'local')`).run();
    db.close();

    const { store, migration } = openStore(path);
    try {
      expect(migration).toEqual({ from: 1, to: MIGRATIONS.length });
      expect(store.dispositions.get('call-1')).toEqual({ callId: 'call-1', agent: '', code: 'resolved', note: 'paid by card', at: 100 });
      expect(store.choices.get('alice', 'user-transfer')).toEqual({ userId: 'bob', outcomeId: 'billing', method: 'warm', updatedAt: 5 });
      expect(store.history.list('c-1').map((e) => e.note)).toEqual(['hello']);
      store.dispositions.file({ callId: 'call-2', agent: 'alice', code: 'callback', note: '', at: 200 });
      expect(store.dispositions.recent('alice').map((d) => d.callId)).toEqual(['call-2']);
    } finally {
      store.close();
    }
  });

  it('003-history-detail: history written under schema 2 survives without a detail; new entries keep theirs apart from the note', () => {
    const { path, db } = atVersion(2);
    db.prepare(
      `INSERT INTO contact_event VALUES ('e1', 'c-1', 50, 'transfer-started', 'alice', 'billing', 'wants a refund', 'local')`,
    ).run();
    db.close();

    const { store, migration } = openStore(path);
    try {
      expect(migration).toEqual({ from: 2, to: MIGRATIONS.length });
      expect(store.history.list('c-1')).toEqual([
        {
          id: 'e1',
          contactId: 'c-1',
          at: 50,
          kind: 'transfer-started',
          actor: 'alice',
          outcomeId: 'billing',
          note: 'wants a refund',
          origin: 'local',
        },
      ]);
      store.history.append([
        {
          id: 'e2',
          contactId: 'c-1',
          at: 60,
          kind: 'transfer-completed',
          actor: 'bob',
          note: 'all good',
          detail: 'received from Alice',
          origin: 'transfer',
        },
      ]);
      expect(store.history.list('c-1')[0]).toMatchObject({ id: 'e2', note: 'all good', detail: 'received from Alice' });
    } finally {
      store.close();
    }
  });

  it('a failing step rolls back to the previous version, leaving its data intact', () => {
    const { db } = atVersion(1);
    db.prepare(`INSERT INTO disposition (call_id, code, note, at) VALUES ('call-1', 'resolved', '', 1)`).run();
    const broken = [
      ...MIGRATIONS.slice(0, 1),
      {
        version: 2,
        name: 'broken',
        up: (d: Database.Database) => d.exec('ALTER TABLE disposition ADD COLUMN x TEXT; SELECT nope FROM nowhere;'),
      },
    ];
    expect(() => migrate(db, broken)).toThrow();
    expect(userVersion(db)).toBe(1);
    expect(db.prepare(`SELECT * FROM disposition`).all()).toEqual([{ call_id: 'call-1', code: 'resolved', note: '', at: 1 }]);
    db.close();
  });
});
