import type { EventName } from '../../shared/ipc.js';

/** Every event of the contract, checked against EventPayloads at compile time (as the preload does). */
const EVENTS: Record<EventName, true> = {
  'desk.snapshot': true,
  'desk.patch': true,
  'media.request': true,
  'desk.dialRequest': true,
  'media.state': true,
  'media.replaced': true,
};

/** The events a test page's `window.baton` may receive: all of them. */
export const CONTRACT_EVENTS: readonly string[] = Object.keys(EVENTS);
