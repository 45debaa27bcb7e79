import type { Migration } from './migration.js';

/**
 * Shared desks: several agents may sign in on one computer account, so a disposition records who
 * filed it. Rows filed before this migration keep an empty agent (unknown), never a guessed one.
 */
export const dispositionAgent: Migration = {
  version: 2,
  name: 'disposition-agent',
  up(db) {
    db.exec(`
      ALTER TABLE disposition ADD COLUMN agent TEXT NOT NULL DEFAULT '';
      CREATE INDEX disposition_by_agent ON disposition (agent, at DESC);
    `);
  },
};
