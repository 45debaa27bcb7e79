export { AgentStateDesk, type AgentStateDeskEvents, type AgentStateDeskOptions } from './agentStateDesk.js';
export { PresenceDirectory, type DirectoryEntry, type DirectoryEvents, type PresenceDirectoryOptions } from './presenceDirectory.js';
export { PresencePublisher, type PresencePublisherOptions } from './presencePublisher.js';
export { buildPidf, parsePidf, MAX_PIDF_BYTES, PIDF_CONTENT_TYPE, type PidfReading } from './pidf.js';
