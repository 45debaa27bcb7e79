/**
 * The desk mirror: the renderer's copy of main's DeskState. Main owns the truth; this slice only
 * applies what main sends — a snapshot replaces everything, a patch replaces the top-level keys it
 * names and puts or removes list items one by one (shared/deskPatch.ts).
 *
 *   (empty) --snapshot--> mirrored(v) --patch v+1--> mirrored(v+1)
 *                              |
 *                              +--patch with any other version--> unchanged; a newer one sets
 *                                 resyncNeeded (a patch was lost) until the next snapshot arrives
 *
 * A plain reducer (no Immer): the desk is replaced or patched into new objects, never edited in
 * place, and a 5,000-user directory should not pay for proxies. Items a patch does not name keep
 * their identity, so what shows them does not render again. The wiring (app/deskSync.ts) watches
 * `resyncNeeded` and asks main for a snapshot.
 */
import { createAction, type UnknownAction } from '@reduxjs/toolkit';
import type { DeskState } from '../../../shared/desk.js';
import { applyDeskPatch } from '../../../shared/deskPatch.js';
import { applyPatchBatch } from './patchBatch.js';
import type { EventPayloads } from '../../../shared/ipc.js';

export interface DeskMirrorState {
  /** null until the first snapshot. */
  readonly desk: DeskState | null;
  /** A patch was skipped (gap in versions): the mirror may be stale until a snapshot replaces it. */
  readonly resyncNeeded: boolean;
  /** How many patches were dropped (diagnostics only). */
  readonly droppedPatches: number;
}

export const initialDeskMirror: DeskMirrorState = { desk: null, resyncNeeded: false, droppedPatches: 0 };

export const snapshotReceived = createAction<DeskState>('desk/snapshotReceived');
export const patchReceived = createAction<EventPayloads['desk.patch']>('desk/patchReceived');
/** Patches that arrived within one frame, applied in order as one change (app/deskSync.ts). */
export const patchesReceived = createAction<readonly EventPayloads['desk.patch'][]>('desk/patchesReceived');

export function deskReducer(state: DeskMirrorState = initialDeskMirror, action: UnknownAction): DeskMirrorState {
  if (snapshotReceived.match(action)) {
    return { desk: action.payload, resyncNeeded: false, droppedPatches: state.droppedPatches };
  }
  if (patchReceived.match(action)) {
    const { version } = action.payload;
    const current = state.desk;
    if (current === null) {
      // Nothing to patch yet: ask for the snapshot, which will carry this change.
      return { ...state, resyncNeeded: true, droppedPatches: state.droppedPatches + 1 };
    }
    if (version !== current.version + 1) {
      // Older or equal: already in what we have (a late patch after a snapshot). Newer: a lost patch.
      const gap = version > current.version + 1;
      return { ...state, resyncNeeded: state.resyncNeeded || gap, droppedPatches: state.droppedPatches + 1 };
    }
    return { ...state, desk: applyDeskPatch(current, action.payload) };
  }
  if (patchesReceived.match(action)) {
    // The run of patches that follow the mirror's version is applied at once; anything after a
    // patch that does not follow goes through the one-patch rules above (ignored, or a resync).
    const current = state.desk;
    let run = 0;
    while (current !== null && run < action.payload.length && action.payload[run]?.version === current.version + run + 1) run++;
    const applied = current !== null && run > 0 ? { ...state, desk: applyPatchBatch(current, action.payload.slice(0, run)) } : state;
    return action.payload.slice(run).reduce((mirror, patch) => deskReducer(mirror, patchReceived(patch)), applied);
  }
  return state;
}
