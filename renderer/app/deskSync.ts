/**
 * Keeps the store's desk mirror in step with main: subscribes to desk.snapshot / desk.patch, asks
 * for a snapshot at start, and again whenever the mirror notices a lost patch.
 */
import type { BatonApi } from '../../shared/ipc.js';
import { patchReceived, snapshotReceived } from '../features/desk/deskSlice.js';
import type { AppStore } from './store.js';

export function connectDesk(baton: BatonApi, store: AppStore, onSnapshot?: () => void): () => void {
  let asked = false;
  const offSnapshot = baton.on('desk.snapshot', (desk) => {
    asked = false;
    store.dispatch(snapshotReceived(desk));
    onSnapshot?.();
  });
  const offPatch = baton.on('desk.patch', (patch) => store.dispatch(patchReceived(patch)));
  const unsubscribe = store.subscribe(() => {
    if (store.getState().desk.resyncNeeded && !asked) {
      asked = true;
      baton.attach();
    }
  });
  baton.attach();
  return () => {
    offSnapshot();
    offPatch();
    unsubscribe();
  };
}
