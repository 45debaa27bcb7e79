/** The one door to main: `window.baton` (shared/ipc.ts), put there by the preload or the E2E bridge. */
import type { BatonApi } from '../../shared/ipc.js';

export function findBaton(): BatonApi | null {
  const api = (window as unknown as { baton?: BatonApi }).baton;
  return api && typeof api.invoke === 'function' ? api : null;
}
