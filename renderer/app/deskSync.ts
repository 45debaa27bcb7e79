/**
 * Keeps the store's desk mirror in step with main: subscribes to desk.snapshot / desk.patch, asks
 * for a snapshot at start, and again whenever the mirror notices a lost patch.
 *
 * Patches are applied once per animation frame, all that arrived since the last one together: a
 * presence storm (hundreds of directory changes a second) then costs one store update and one
 * render per frame, not one per patch, and the screen shows the same thing at each paint.
 */
import type { BatonApi, EventPayloads } from '../../shared/ipc.js';
import { patchesReceived, snapshotReceived } from '../features/desk/deskSlice.js';
import type { AppStore } from './store.js';

/** Runs `flush` once, soon; returns a cancel. */
export type FlushScheduler = (flush: () => void) => () => void;

/** A hidden page gets no animation frames; its mirror still keeps up, at most this late. */
const HIDDEN_PAGE_FLUSH_MS = 100;

/** The next animation frame (or, where there are none, a timer). */
export const nextFrame: FlushScheduler = (flush) => {
  let done = false;
  const run = (): void => {
    if (done) return;
    done = true;
    cancel();
    flush();
  };
  const frame = typeof requestAnimationFrame === 'function' ? requestAnimationFrame(run) : undefined;
  const timer = setTimeout(run, frame === undefined ? 0 : HIDDEN_PAGE_FLUSH_MS);
  const cancel = (): void => {
    done = true;
    if (frame !== undefined) cancelAnimationFrame(frame);
    clearTimeout(timer);
  };
  return cancel;
};

export function connectDesk(baton: BatonApi, store: AppStore, onSnapshot?: () => void, schedule: FlushScheduler = nextFrame): () => void {
  let asked = false;
  let pending: EventPayloads['desk.patch'][] = [];
  let scheduled = false;
  let cancelFlush = (): void => {};
  const flush = (): void => {
    if (scheduled) {
      scheduled = false;
      cancelFlush();
    }
    if (pending.length === 0) return;
    const patches = pending;
    pending = [];
    store.dispatch(patchesReceived(patches));
  };
  const offSnapshot = baton.on('desk.snapshot', (desk) => {
    // In arrival order: patches older than the snapshot are then ignored by the mirror.
    flush();
    asked = false;
    store.dispatch(snapshotReceived(desk));
    onSnapshot?.();
  });
  const offPatch = baton.on('desk.patch', (patch) => {
    pending.push(patch);
    if (scheduled) return;
    scheduled = true;
    cancelFlush = schedule(flush);
  });
  const unsubscribe = store.subscribe(() => {
    if (store.getState().desk.resyncNeeded && !asked) {
      asked = true;
      baton.attach();
    }
  });
  baton.attach();
  return () => {
    if (scheduled) cancelFlush();
    scheduled = false;
    pending = [];
    offSnapshot();
    offPatch();
    unsubscribe();
  };
}
