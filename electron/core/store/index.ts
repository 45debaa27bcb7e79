export { openStore, StoreOpenError, type OpenedStore, type OpenStoreOptions, type Store, type StoreNotice } from './store.js';
export { historyEntryIdOf, newHistoryEntryId, type ContactHistory, type StoredHistoryEntry } from './contactHistory.js';
export type { ChoiceKind, RememberedChoice, RememberedChoices } from './rememberedChoices.js';
export type { Disposition, Dispositions } from './dispositions.js';
export type { AgentSettingsStore } from './agentSettings.js';
export { SchemaTooNewError } from './migrate.js';
