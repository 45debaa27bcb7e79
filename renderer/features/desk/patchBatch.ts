/**
 * Applies the patches of one frame (app/deskSync.ts) to the mirror at once. Applied one by one,
 * each directory change would copy the whole directory (shared/deskPatch.ts applyItems builds a
 * new list per patch): a presence storm in a 5,000-user directory costs milliseconds per patch. Here
 * each keyed list is copied once per batch and small changes are made in that copy, in place; the
 * result is the same desk as applying the patches in turn (tested against applyDeskPatch), and the
 * desk passed in is never changed.
 */
import type { DeskState } from '../../../shared/desk.js';
import { applyItems, KEYED_LISTS, type DeskPatch, type ItemChanges, type KeyedList } from '../../../shared/deskPatch.js';

/** A change naming more items than this is applied by applyItems (one pass), not item by item. */
const SMALL_CHANGE = 8;

/** Patches already checked to follow each other (versions desk.version + 1, + 2, …). */
export function applyPatchBatch(desk: DeskState, patches: readonly DeskPatch[]): DeskState {
  // The lists this batch copied; only these may be edited in place.
  const owned = new Set<unknown[]>();
  let next = desk;
  for (const patch of patches) {
    next = { ...next, ...patch.changes, version: patch.version };
    const items = patch.items;
    if (!items) continue;
    for (const list of Object.keys(KEYED_LISTS) as KeyedList[]) {
      const change = items[list] as ItemChanges<unknown> | undefined;
      if (!change) continue;
      const keyOf = KEYED_LISTS[list] as (item: unknown) => string;
      const current = next[list] as unknown[];
      const size = change.remove.length + change.put.length + (change.insert?.length ?? 0);
      let edited: unknown[];
      if (size > SMALL_CHANGE) {
        edited = applyItems(current, change, keyOf);
      } else {
        edited = owned.has(current) ? current : current.slice();
        editInPlace(edited, change, keyOf);
      }
      owned.add(edited);
      next = { ...next, [list]: edited };
    }
    if (items.drafts) {
      const drafts: Record<string, DeskState['drafts'][string]> = { ...next.drafts, ...items.drafts.put };
      for (const key of items.drafts.remove) delete drafts[key];
      next = { ...next, drafts };
    }
  }
  return next;
}

/** applyItems' meaning — remove, then put where they are, then insert in ascending order — in place. */
function editInPlace(list: unknown[], change: ItemChanges<unknown>, keyOf: (item: unknown) => string): void {
  const indexOf = (key: string): number => {
    for (let i = 0; i < list.length; i++) if (keyOf(list[i]) === key) return i;
    return -1;
  };
  for (const key of change.remove) {
    const at = indexOf(key);
    if (at >= 0) list.splice(at, 1);
  }
  for (const item of change.put) {
    const at = indexOf(keyOf(item));
    if (at >= 0) list[at] = item;
  }
  for (const { at, item } of change.insert ?? []) list.splice(at, 0, item);
}
