import { initial } from './001-initial.js';
import { dispositionAgent } from './002-disposition-agent.js';
import { historyDetail } from './003-history-detail.js';
import { agentSettings } from './004-agent-settings.js';
import { recentNumbers } from './005-recent-numbers.js';
import type { Migration } from './migration.js';

export type { Migration } from './migration.js';

/** Every migration, in order. Append only. */
export const MIGRATIONS: readonly Migration[] = [initial, dispositionAgent, historyDetail, agentSettings, recentNumbers];
