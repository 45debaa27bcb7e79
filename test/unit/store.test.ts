/** The store's behaviour on real SQLite files in a temporary folder. */
import { mkdtempSync, readdirSync, rmSync, writeFileSync, readFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  historyEntryIdOf,
  newHistoryEntryId,
  openStore,
  StoreOpenError,
  type StoredHistoryEntry,
  type Store,
} from '../../electron/core/store/index.js';
import { MIGRATIONS } from '../../electron/core/store/migrations/index.js';
import { historyFromStore } from '../../electron/core/store/historyAdapter.js';
import { receivedEntryId, senderOfReceivedId } from '../../shared/history.js';

let dir: string;
let opened: Store[];
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'baton-store-'));
  opened = [];
});
afterEach(() => {
  for (const store of opened) store.close();
  rmSync(dir, { recursive: true, force: true });
});

function open(name = 'baton.db') {
  const result = openStore(join(dir, name), { now: () => new Date('2026-11-24T10:00:00.000Z') });
  opened.push(result.store);
  return result;
}

function entry(overrides: Partial<StoredHistoryEntry> = {}): StoredHistoryEntry {
  return {
    id: newHistoryEntryId(),
    contactId: 'c-1',
    at: 1000,
    kind: 'note',
    actor: 'alice',
    note: 'asked about invoice',
    origin: 'local',
    ...overrides,
  };
}

describe('opening', () => {
  it('creates a WAL database at the newest schema', () => {
    const { store, migration, notice } = open();
    expect(migration).toEqual({ from: 0, to: MIGRATIONS.length });
    expect(notice).toBeUndefined();
    const db = new Database(store.path, { readonly: true });
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    db.close();
  });

  it('reopens an existing file without migrating again and keeps its rows', () => {
    const first = open();
    first.store.choices.set('alice', 'user-transfer', { userId: 'bob', method: 'warm', updatedAt: 5 });
    first.store.close();
    const second = open();
    expect(second.migration).toEqual({ from: MIGRATIONS.length, to: MIGRATIONS.length });
    expect(second.store.choices.get('alice', 'user-transfer')).toEqual({ userId: 'bob', method: 'warm', updatedAt: 5 });
  });

  it('moves a file that is not a database aside, keeps its bytes, and starts fresh', () => {
    const path = join(dir, 'baton.db');
    writeFileSync(path, 'this is not sqlite '.repeat(300));
    const { store, notice } = open();
    expect(notice).toMatchObject({ kind: 'moved-aside', reason: 'not-a-database' });
    expect(readFileSync(notice!.movedTo, 'utf8')).toContain('this is not sqlite');
    expect(store.history.list('c-1')).toEqual([]);
    expect(notice!.movedTo).toBe(`${path}.unusable-2026-11-24T10-00-00-000Z`);
  });

  it('moves a database with damaged pages aside, bytes untouched, and starts fresh', () => {
    const { store } = open();
    for (let batch = 0; batch < 2; batch++) {
      store.history.append(Array.from({ length: 1000 }, (_, i) => entry({ id: `e${batch}-${i}`, at: i, note: 'x'.repeat(200) })));
    }
    store.close();
    const path = join(dir, 'baton.db');
    // Overwrite the middle of the file (b-tree pages, not the header) with garbage.
    const bytes = readFileSync(path);
    const start = Math.floor(bytes.length / 2);
    bytes.fill(0x5a, start, start + 16_384);
    writeFileSync(path, bytes);
    const reopened = open();
    expect(reopened.notice).toMatchObject({ kind: 'moved-aside', reason: 'corrupt' });
    expect(existsSync(reopened.notice!.movedTo)).toBe(true);
    expect(
      readFileSync(reopened.notice!.movedTo)
        .subarray(start, start + 4)
        .toString(),
    ).toBe('ZZZZ');
    expect(reopened.store.history.list('c-1')).toEqual([]);
  });

  it('moves aside a file written by a newer schema rather than guessing', () => {
    const path = join(dir, 'baton.db');
    const db = new Database(path);
    db.pragma('user_version = 99');
    db.close();
    const { notice, migration } = open();
    expect(notice?.reason).toBe('newer-schema');
    expect(migration.to).toBe(MIGRATIONS.length);
    expect(readdirSync(dir).filter((name) => name.includes('.unusable-'))).toHaveLength(1);
  });

  it('never moves aside a file it merely cannot open: it fails and leaves it alone', () => {
    writeFileSync(join(dir, 'plain'), 'x');
    // A path under a regular file cannot be created: an I/O failure, not corruption.
    expect(() => openStore(join(dir, 'plain', 'baton.db'))).toThrow();
    expect(readFileSync(join(dir, 'plain'), 'utf8')).toBe('x');
    expect(readdirSync(dir)).toEqual(['plain']);
  });

  it('a database locked by another writer is an error, not corruption', () => {
    const path = join(dir, 'baton.db');
    open().store.close();
    const other = new Database(path);
    other.pragma('locking_mode = EXCLUSIVE');
    other.exec('BEGIN EXCLUSIVE');
    try {
      expect(() => openStore(path)).toThrow(StoreOpenError);
      expect(readdirSync(dir).some((name) => name.includes('.unusable-'))).toBe(false);
    } finally {
      other.exec('ROLLBACK');
      other.close();
    }
  }, 10_000);
});

describe('remembered choice', () => {
  it('is kept per agent and kind, overwritten on the next confirm, and forgotten on request', () => {
    const { store } = open();
    expect(store.choices.get('alice', 'user-transfer')).toBeUndefined();
    store.choices.set('alice', 'user-transfer', { userId: 'bob', outcomeId: 'billing', method: 'cold', updatedAt: 1 });
    store.choices.set('carol', 'user-transfer', { userId: 'dave', method: 'warm', updatedAt: 2 });
    store.choices.set('alice', 'user-transfer', { userId: 'erin', outcomeId: 'sales', method: 'warm', updatedAt: 3 });
    expect(store.choices.get('alice', 'user-transfer')).toEqual({ userId: 'erin', outcomeId: 'sales', method: 'warm', updatedAt: 3 });
    expect(store.choices.get('carol', 'user-transfer')).toEqual({ userId: 'dave', method: 'warm', updatedAt: 2 });
    store.choices.forget('alice');
    expect(store.choices.get('alice', 'user-transfer')).toBeUndefined();
    expect(store.choices.get('carol', 'user-transfer')).toBeDefined();
  });
});

describe('contact history', () => {
  it('lists one contact newest first, with paging by time', () => {
    const { store } = open();
    store.history.append([
      entry({ id: 'a', at: 1 }),
      entry({ id: 'b', at: 3 }),
      entry({ id: 'other', contactId: 'c-2', at: 2 }),
      entry({ id: 'c', at: 2, kind: 'transfer', outcomeId: 'billing', note: undefined }),
    ]);
    expect(store.history.list('c-1').map((e) => e.id)).toEqual(['b', 'c', 'a']);
    expect(store.history.list('c-1', { limit: 1 }).map((e) => e.id)).toEqual(['b']);
    expect(store.history.list('c-1', { before: 3 }).map((e) => e.id)).toEqual(['c', 'a']);
    expect(store.history.list('c-1', { before: 3 })[0]).toEqual({
      id: 'c',
      contactId: 'c-1',
      at: 2,
      kind: 'transfer',
      actor: 'alice',
      outcomeId: 'billing',
      origin: 'local',
    });
  });

  it('stores an entry received twice in transfer contexts once, and counts only the new ones', () => {
    const { store } = open();
    const received = [entry({ id: 'x1', at: 1, origin: 'transfer' }), entry({ id: 'x2', at: 2, origin: 'transfer' })];
    expect(store.history.append(received).added).toBe(2);
    expect(store.history.append([...received, entry({ id: 'x3', at: 3 })]).added).toBe(1);
    expect(store.history.list('c-1').map((e) => e.id)).toEqual(['x3', 'x2', 'x1']);
  });

  it('gives an entry without an id the same derived id every time, and a different one for other content', () => {
    const base = { contactId: 'c-1', at: 7, kind: 'note', actor: 'bob', note: 'hello' };
    expect(historyEntryIdOf(base)).toBe(historyEntryIdOf({ ...base }));
    expect(historyEntryIdOf(base)).not.toBe(historyEntryIdOf({ ...base, note: 'hello!' }));
    expect(historyEntryIdOf({ ...base, note: 'a|b' })).not.toBe(historyEntryIdOf({ ...base, actor: 'bob|a', note: 'b' }));
  });

  it('applies a batch all or nothing', () => {
    const { store } = open();
    const bad = { ...entry({ id: 'ok-2' }), origin: 'elsewhere' } as unknown as StoredHistoryEntry;
    expect(() => store.history.append([entry({ id: 'ok-1' }), bad])).toThrow();
    expect(store.history.list('c-1')).toEqual([]);
  });

  it('refuses an entry without an id rather than storing one that can never be de-duplicated', () => {
    const { store } = open();
    expect(() => store.history.append([entry({ id: '' })])).toThrow(/id/);
  });
});

describe('dispositions', () => {
  it('files each call once; a second filing is ignored', () => {
    const { store } = open();
    expect(store.dispositions.file({ callId: 'call-1', agent: 'alice', code: 'resolved', note: 'paid', at: 10 })).toBe(true);
    expect(store.dispositions.file({ callId: 'call-1', agent: 'alice', code: 'escalated', note: 'oops', at: 11 })).toBe(false);
    expect(store.dispositions.get('call-1')).toEqual({ callId: 'call-1', agent: 'alice', code: 'resolved', note: 'paid', at: 10 });
    store.dispositions.file({ callId: 'call-2', agent: 'alice', code: 'callback', note: '', at: 12 });
    store.dispositions.file({ callId: 'call-3', agent: 'bob', code: 'callback', note: '', at: 13 });
    expect(store.dispositions.recent('alice').map((d) => d.callId)).toEqual(['call-2', 'call-1']);
  });
});

describe('where a History entry came from', () => {
  const names = new Map([
    ['ana', 'Ana Lima'],
    ['bob', 'Bob Smith'],
    ['a:b', 'Colon Person'],
  ]);
  const stored = { contactId: 'c1', at: 0, kind: 'call', actor: 'bob' } as const;

  it('keeps the origin, and names the colleague whose transfer brought a received entry', () => {
    const received = historyFromStore({ ...stored, id: receivedEntryId('ana', 'e1'), origin: 'transfer' }, names);
    expect(received).toMatchObject({ origin: 'transfer', via: { id: 'ana', name: 'Ana Lima' }, actor: { id: 'bob', name: 'Bob Smith' } });
    const own = historyFromStore({ ...stored, id: 't1:transfer-completed', origin: 'local' }, names);
    expect(own.origin).toBe('local');
    expect(own.via).toBeUndefined();
  });

  it('keeps received ids apart from the desk’s own and from each colleague’s', () => {
    expect(receivedEntryId('ana', 't1:transfer-completed')).not.toBe('t1:transfer-completed');
    expect(receivedEntryId('a:b', 'c')).not.toBe(receivedEntryId('a', 'b:c'));
    expect(senderOfReceivedId(receivedEntryId('a:b', 'x:y'))).toBe('a:b');
    expect(senderOfReceivedId('t1:transfer-completed')).toBeNull();
  });
});
