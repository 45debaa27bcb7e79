import type { Migration } from './migration.js';

/**
 * What happened, in words ("warm transfer to Bob"), apart from the agent's note: the History tab
 * shows both, and a note must read as the agent wrote it. Older rows have no detail.
 */
export const historyDetail: Migration = {
  version: 3,
  name: 'history-detail',
  up(db) {
    db.exec(`ALTER TABLE contact_event ADD COLUMN detail TEXT`);
  },
};
