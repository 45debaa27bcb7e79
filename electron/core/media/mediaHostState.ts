/**
 * What the media host is told of the desk (shared/ipc.ts MediaHostState): whether to ring, the
 * audio devices, whether anyone is signed in. Derived from the desk state main holds, so a new or restarted media host gets it
 * on attach and never needs the desk itself.
 */
import type { DeskState } from '../../../shared/desk.js';
import type { MediaHostState } from '../../../shared/ipc.js';

export function mediaHostState(state: DeskState): MediaHostState {
  return {
    ringing: state.calls.some((call) => call.direction === 'inbound' && call.state === 'ringing'),
    devices: state.settings?.devices ?? null,
    // Optional chaining: a desk that has not started yet has no session view.
    ...(state.session?.user ? { signedIn: true as const } : {}),
  };
}

export function sameMediaHostState(a: MediaHostState | undefined, b: MediaHostState): boolean {
  return a !== undefined && a.ringing === b.ringing && a.signedIn === b.signedIn && JSON.stringify(a.devices) === JSON.stringify(b.devices);
}
