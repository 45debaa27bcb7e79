import type { Migration } from './migration.js';

/**
 * The external numbers an agent transferred to lately, newest first, for the transfer panel's
 * "recent numbers". Bounded by the writer (RECENT_NUMBERS_KEPT); forgotten with the other choices.
 */
export const recentNumbers: Migration = {
  version: 5,
  name: 'recent-numbers',
  up(db) {
    db.exec(`
      CREATE TABLE recent_number (
        agent   TEXT NOT NULL,
        number  TEXT NOT NULL,
        name    TEXT NOT NULL,
        used_at INTEGER NOT NULL,
        PRIMARY KEY (agent, number)
      ) WITHOUT ROWID;
    `);
  },
};
