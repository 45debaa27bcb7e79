import type { Migration } from './migration.js';

/**
 * The first schema: the transfer panel's remembered choice, the contact history (events and notes,
 * de-duplicated by a stable id so an entry received twice in transfer contexts is kept once) and
 * the dispositions filed for calls.
 */
export const initial: Migration = {
  version: 1,
  name: 'initial',
  up(db) {
    db.exec(`
      CREATE TABLE remembered_choice (
        agent      TEXT NOT NULL,
        kind       TEXT NOT NULL,
        user_id    TEXT NOT NULL,
        outcome_id TEXT,
        method     TEXT NOT NULL CHECK (method IN ('cold', 'warm')),
        updated_at INTEGER NOT NULL,
        PRIMARY KEY (agent, kind)
      ) WITHOUT ROWID;

      CREATE TABLE contact_event (
        id         TEXT PRIMARY KEY,
        contact_id TEXT NOT NULL,
        at         INTEGER NOT NULL,
        kind       TEXT NOT NULL,
        actor      TEXT NOT NULL,
        outcome_id TEXT,
        note       TEXT,
        origin     TEXT NOT NULL CHECK (origin IN ('local', 'transfer'))
      );
      -- "one contact's history, newest first" is the only read: it must stay an index range scan.
      CREATE INDEX contact_event_by_contact ON contact_event (contact_id, at DESC);

      CREATE TABLE disposition (
        call_id TEXT PRIMARY KEY,
        code    TEXT NOT NULL,
        note    TEXT NOT NULL DEFAULT '',
        at      INTEGER NOT NULL
      );
    `);
  },
};
