/**
 * The local store at scale, on a real file in the OS temp folder (synchronous=FULL, WAL):
 *  - remembered choice: read (panel opens) and write (Confirm), 2,000 each
 *  - one contact's history (newest 50) among 1,000,000 events over 20,000 contacts, 2,000 reads
 *  - appending one history entry and filing one disposition (each a committed transaction)
 *  - opening the 1M-event file (integrity check + migrations), and its size
 * Goal: reads and writes p50 ≤ 5 ms.
 */
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { newHistoryEntryId, openStore } from '../../electron/core/store/index.js';
import { ms, summarize } from './stats.js';

const EVENTS = Number(process.env.BENCH_EVENTS ?? 1_000_000);
const CONTACTS = 20_000;
const SAMPLES = 2_000;

function time(samples: number[], fn: () => void): void {
  const t0 = performance.now();
  fn();
  samples.push(performance.now() - t0);
}

function line(label: string, samples: readonly number[]): void {
  const s = summarize(samples);
  console.log(`${label.padEnd(44)} p50 ${ms(s.p50).padStart(9)}  p99 ${ms(s.p99).padStart(9)}  (n=${s.n})`);
}

/** Bulk fixture straight through SQL in big transactions: building it is not what we measure. */
function fill(path: string): void {
  const db = new Database(path);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = OFF');
  const insert = db.prepare(
    `INSERT INTO contact_event (id, contact_id, at, kind, actor, outcome_id, note, origin) VALUES (?, ?, ?, ?, ?, ?, ?, 'local')`,
  );
  const batch = db.transaction((from: number, to: number) => {
    for (let i = from; i < to; i++) {
      insert.run(
        `ev-${i}`,
        `contact-${(i * 7919) % CONTACTS}`,
        1_700_000_000_000 + i * 1000,
        i % 5 === 0 ? 'transfer' : 'note',
        `agent-${i % 500}`,
        i % 5 === 0 ? 'billing' : null,
        `note ${i}: customer asked about invoice ${i % 97}`,
      );
    }
  });
  for (let i = 0; i < EVENTS; i += 50_000) batch(i, Math.min(EVENTS, i + 50_000));
  db.pragma('wal_checkpoint(TRUNCATE)');
  db.close();
}

export async function run(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'baton-bench-store-'));
  try {
    const path = join(dir, 'baton.db');
    openStore(path).store.close();
    const t0 = performance.now();
    fill(path);
    console.log(
      `fixture: ${EVENTS.toLocaleString('en')} events, ${CONTACTS.toLocaleString('en')} contacts, built in ${((performance.now() - t0) / 1000).toFixed(1)} s`,
    );

    const openStarted = performance.now();
    const { store } = openStore(path);
    console.log(`open (quick_check + migrations) on ${(statSync(path).size / 1e6).toFixed(0)} MB: ${ms(performance.now() - openStarted)}`);

    const read: number[] = [];
    const write: number[] = [];
    for (let i = 0; i < SAMPLES; i++) {
      const agent = `agent-${i % 50}`;
      time(write, () =>
        store.choices.set(agent, 'user-transfer', {
          userId: `agent-${i % 500}`,
          outcomeId: 'billing',
          method: i % 2 ? 'warm' : 'cold',
          updatedAt: Date.now(),
        }),
      );
      time(read, () => store.choices.get(agent, 'user-transfer'));
    }
    line('remembered choice: read', read);
    line('remembered choice: write (committed)', write);

    const history: number[] = [];
    let rows = 0;
    for (let i = 0; i < SAMPLES; i++) {
      const contact = `contact-${(i * 104_729) % CONTACTS}`;
      time(history, () => {
        rows += store.history.list(contact).length;
      });
    }
    line(`one contact's history, newest 50, of ${(EVENTS / 1e6).toFixed(1)}M`, history);
    console.log(`  (${(rows / SAMPLES).toFixed(0)} rows per read on average)`);

    const append: number[] = [];
    const file: number[] = [];
    for (let i = 0; i < SAMPLES / 4; i++) {
      time(append, () =>
        store.history.append([
          {
            id: newHistoryEntryId(),
            contactId: `contact-${i}`,
            at: Date.now(),
            kind: 'note',
            actor: 'alice',
            note: 'bench note',
            origin: 'local',
          },
        ]),
      );
      time(file, () => store.dispositions.file({ callId: `bench-call-${i}`, agent: 'alice', code: 'resolved', note: '', at: Date.now() }));
    }
    line('history append, 1 entry (committed)', append);
    line('disposition filed (committed)', file);
    store.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
