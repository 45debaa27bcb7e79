import type { Migration } from './migration.js';

/**
 * The agent's own settings on this computer (audio devices, system-wide keys), kept by main so IT
 * can see and set them (machine policy wins over them) and a cleared browser cache loses none.
 * One JSON value per key; `agent` is the roster user, '' for the computer's defaults.
 */
export const agentSettings: Migration = {
  version: 4,
  name: 'agent-settings',
  up(db) {
    db.exec(`
      CREATE TABLE agent_setting (
        agent      TEXT NOT NULL,
        key        TEXT NOT NULL,
        value      TEXT NOT NULL,
        updated_at INTEGER NOT NULL,
        PRIMARY KEY (agent, key)
      ) WITHOUT ROWID;
    `);
  },
};
