/**
 * What the media host is told of the desk (shared/ipc.ts MediaHostState): whether to ring, and the
 * audio devices. Derived from the desk state main holds, so a new or restarted media host gets it
 * on attach and never needs the desk itself.
 */
import type { DeskState } from '../../../shared/desk.js';
import type { MediaHostState } from '../../../shared/ipc.js';

export function mediaHostState(state: DeskState): MediaHostState {
  return {
    ringing: state.calls.some((call) => call.direction === 'inbound' && call.state === 'ringing'),
    devices: state.settings?.devices ?? null,
  };
}

export function sameMediaHostState(a: MediaHostState | undefined, b: MediaHostState): boolean {
  return a !== undefined && a.ringing === b.ringing && JSON.stringify(a.devices) === JSON.stringify(b.devices);
}
