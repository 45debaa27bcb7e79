/**
 * How the desk travels after its snapshot: each patch names the top-level keys replaced whole and,
 * for the keyed lists (calls, transfers, directory, wrap-ups due, notices) and the drafts, only the
 * items added, changed or removed. A presence change in a 5,000-user directory or one transfer
 * moving costs one item on the wire, not the whole list; both ends use the functions below, so main
 * and the renderer's mirror agree by construction.
 */
import type { DeskState } from './desk.js';

/** The desk's lists that travel item by item, and the key of each item. */
export const KEYED_LISTS = {
  calls: (item: DeskState['calls'][number]) => item.id,
  transfers: (item: DeskState['transfers'][number]) => item.id,
  directory: (item: DeskState['directory'][number]) => item.userId,
  dispositionsDue: (item: DeskState['dispositionsDue'][number]) => item.callId,
  notices: (item: DeskState['notices'][number]) => item.id,
} as const;

export type KeyedList = keyof typeof KEYED_LISTS;

/**
 * A keyed list's change, applied in this order: `remove` (keys), `put` (items replaced where they
 * are), then `insert` (new or moved items, each at its index in the new list, in ascending order).
 * An entry that moves (a colleague's status re-sorts the directory) is one remove and one insert.
 */
export interface ItemChanges<T> {
  readonly remove: readonly string[];
  readonly put: readonly T[];
  readonly insert?: readonly { readonly at: number; readonly item: T }[];
}

export type DeskItemChanges = {
  readonly [K in KeyedList]?: ItemChanges<DeskState[K][number]>;
} & {
  readonly drafts?: { readonly put: DeskState['drafts']; readonly remove: readonly string[] };
};

export interface DeskPatch {
  readonly version: number;
  /**
   * Keys replaced whole: everything but the keyed lists and the drafts — and a list too when whole
   * is shorter (cleared, as at sign-out, or mostly reordered).
   */
  readonly changes: Partial<DeskState>;
  /** The keyed lists and drafts, item by item. */
  readonly items?: DeskItemChanges;
}

/** The desk after a patch. Items that did not change keep their identity (React memoizes on it). */
export function applyDeskPatch(desk: DeskState, patch: DeskPatch): DeskState {
  let next: DeskState = { ...desk, ...patch.changes, version: patch.version };
  const items = patch.items;
  if (!items) return next;
  for (const list of Object.keys(KEYED_LISTS) as KeyedList[]) {
    const change = items[list];
    if (change)
      next = { ...next, [list]: applyItems(next[list], change as ItemChanges<never>, KEYED_LISTS[list] as (item: unknown) => string) };
  }
  if (items.drafts) {
    const drafts: Record<string, DeskState['drafts'][string]> = { ...next.drafts, ...items.drafts.put };
    for (const key of items.drafts.remove) delete drafts[key];
    next = { ...next, drafts };
  }
  return next;
}

export function applyItems<T>(list: readonly T[], change: ItemChanges<T>, keyOf: (item: T) => string): T[] {
  const removed = new Set(change.remove);
  const put = new Map(change.put.map((item) => [keyOf(item), item] as const));
  const out: T[] = [];
  for (const item of list) {
    const key = keyOf(item);
    if (!removed.has(key)) out.push(put.get(key) ?? item);
  }
  for (const { at, item } of change.insert ?? []) out.splice(at, 0, item);
  return out;
}

/**
 * What turns `before` into `after`, item by item; null when nothing changed; `'whole'` when the
 * list is shorter sent whole (cleared, as at sign-out, or mostly reordered).
 */
export function diffItems<T>(before: readonly T[], after: readonly T[], keyOf: (item: T) => string): ItemChanges<T> | null | 'whole' {
  const oldIndex = new Map(before.map((item, i) => [keyOf(item), i] as const));
  const afterKeys = new Set(after.map(keyOf));
  const remove = before.map(keyOf).filter((key) => !afterKeys.has(key));
  if (remove.length > 1 && remove.length === before.length) return 'whole';
  // The items that keep their place: the longest run of kept items still in their old order.
  const stays = longestIncreasing(after.map((item) => oldIndex.get(keyOf(item)) ?? -1));
  const put: T[] = [];
  const insert: { at: number; item: T }[] = [];
  after.forEach((item, at) => {
    const was = oldIndex.get(keyOf(item));
    if (was === undefined) insert.push({ at, item });
    else if (!stays.has(was)) {
      remove.push(keyOf(item));
      insert.push({ at, item });
    } else if (!sameData(before[was], item)) put.push(item);
  });
  if (remove.length === 0 && put.length === 0 && insert.length === 0) return null;
  if (insert.length > 8 && insert.length * 2 > after.length) return 'whole';
  return insert.length > 0 ? { remove, put, insert } : { remove, put };
}

/** The values (old indexes; -1 = new) in one longest strictly increasing subsequence, O(n log n). */
function longestIncreasing(values: readonly number[]): Set<number> {
  const tails: number[] = []; // index into values of the smallest tail of each length
  const previous = new Array<number>(values.length).fill(-1);
  values.forEach((value, i) => {
    if (value < 0) return;
    let lo = 0;
    let hi = tails.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if ((values[tails[mid] ?? 0] ?? 0) < value) lo = mid + 1;
      else hi = mid;
    }
    if (lo > 0) previous[i] = tails[lo - 1] ?? -1;
    tails[lo] = i;
  });
  const kept = new Set<number>();
  for (let i = tails.at(-1) ?? -1; i >= 0; i = previous[i] ?? -1) kept.add(values[i] ?? -1);
  return kept;
}

/** Structural equality of plain data (what crosses IPC: no functions, dates or cycles). */
export function sameData(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    return a.every((x, i) => sameData(x, b[i]));
  }
  if (Array.isArray(b)) return false;
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  if (ka.length !== kb.length) return false;
  const ra = a as Record<string, unknown>;
  const rb = b as Record<string, unknown>;
  return ka.every((k) => Object.prototype.hasOwnProperty.call(rb, k) && sameData(ra[k], rb[k]));
}

/**
 * The patch body that takes `before` to `{ ...before, ...changes }`: keys that did not change are
 * left out, keyed lists and drafts go item by item where they can. Null when nothing changed.
 */
export function diffDesk(before: DeskState, changes: Partial<DeskState>): Omit<DeskPatch, 'version'> | null {
  const whole: Record<string, unknown> = {};
  const items: Record<string, unknown> = {};
  for (const key of Object.keys(changes) as (keyof DeskState)[]) {
    const value = changes[key];
    if (key === 'version' || value === undefined) continue;
    if (key in KEYED_LISTS) {
      const list = key as KeyedList;
      const diff = diffItems(
        before[list] as readonly unknown[],
        value as readonly unknown[],
        KEYED_LISTS[list] as (item: unknown) => string,
      );
      if (diff === 'whole') whole[key] = value;
      else if (diff) items[key] = diff;
    } else if (key === 'drafts') {
      const drafts = diffDrafts(before.drafts, value as DeskState['drafts']);
      if (drafts) items.drafts = drafts;
    } else if (!sameData(before[key], value)) {
      whole[key] = value;
    }
  }
  const hasItems = Object.keys(items).length > 0;
  if (Object.keys(whole).length === 0 && !hasItems) return null;
  return { changes: whole, ...(hasItems ? { items } : {}) };
}

function diffDrafts(before: DeskState['drafts'], after: DeskState['drafts']): DeskItemChanges['drafts'] | null {
  const put: Record<string, DeskState['drafts'][string]> = {};
  for (const [key, fields] of Object.entries(after)) {
    if (!sameData(before[key], fields)) put[key] = fields;
  }
  const remove = Object.keys(before).filter((key) => !Object.prototype.hasOwnProperty.call(after, key));
  return Object.keys(put).length === 0 && remove.length === 0 ? null : { put, remove };
}
