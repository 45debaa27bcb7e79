/**
 * The renderer's desk mirror (renderer/features/desk/deskSlice.ts): a snapshot replaces, a patch
 * with the next version replaces the top-level keys it names and puts or removes list items (main's
 * diff and the mirror's apply are one module, shared/deskPatch.ts), any other patch is ignored — and a lost patch (a gap)
 * asks main for a snapshot (app/deskSync.ts calls window.baton.attach() once until it arrives).
 */
import { describe, expect, it, vi } from 'vitest';
import type { CallView, DeskState } from '../../shared/desk.js';
import fc from 'fast-check';
import { applyDeskPatch, applyItems, diffDesk, diffItems, sameData } from '../../shared/deskPatch.js';
import type { BatonApi, EventName, EventPayloads } from '../../shared/ipc.js';
import {
  deskReducer,
  initialDeskMirror,
  patchReceived,
  snapshotReceived,
  type DeskMirrorState,
} from '../../renderer/features/desk/deskSlice.js';
import { connectDesk, type FlushScheduler } from '../../renderer/app/deskSync.js';
import { createAppStore } from '../../renderer/app/store.js';
import { idleDesk } from '../support/deskStateFixture.js';

function desk(version: number, overrides: Partial<DeskState> = {}): DeskState {
  return idleDesk(
    { id: 'alice', name: 'Alice' },
    {
      version,
      outcomes: [{ id: 'billing', label: 'Billing', methods: ['cold', 'warm'] }],
      notReadyReasons: ['Lunch'],
      policies: { nonRecommendedTransfer: 'warn', noteMaxLength: 500, rememberChoices: true },
      ...overrides,
    },
  );
}

function call(id: string): CallView {
  return {
    id,
    direction: 'inbound',
    state: 'established',
    remote: { uri: `sip:${id}@lab`, name: null },
    held: false,
    live: false,
    remoteHeld: false,
    muted: false,
    startedAt: 1,
    answeredAt: 2,
    end: null,
    contactId: null,
    transferId: null,
  };
}

const run = (state: DeskMirrorState, ...actions: Parameters<typeof deskReducer>[1][]): DeskMirrorState =>
  actions.reduce(deskReducer, state);

describe('desk mirror reducer', () => {
  it('starts empty', () => {
    expect(deskReducer(undefined, { type: '@@init' })).toEqual(initialDeskMirror);
  });

  it('a snapshot replaces the whole desk', () => {
    const first = run(initialDeskMirror, snapshotReceived(desk(3, { notReadyReasons: ['Lunch'] })));
    const second = run(first, snapshotReceived(desk(9, { notReadyReasons: ['Training'] })));
    expect(second.desk).toEqual(desk(9, { notReadyReasons: ['Training'] }));
    expect(second.resyncNeeded).toBe(false);
  });

  it('a patch with the next version merges its top-level keys and keeps the others', () => {
    const base = run(initialDeskMirror, snapshotReceived(desk(4)));
    const next = run(base, patchReceived({ version: 5, changes: { agent: { status: { kind: 'OnCall' }, chosen: { kind: 'Ready' } } } }));
    expect(next.desk?.version).toBe(5);
    expect(next.desk?.agent.status).toEqual({ kind: 'OnCall' });
    expect(next.desk?.outcomes).toBe(base.desk?.outcomes);
    expect(next.resyncNeeded).toBe(false);
  });

  it('a patch replaces a top-level key whole (no deep merge)', () => {
    const base = run(initialDeskMirror, snapshotReceived(desk(1, { drafts: { 'transfer:c1': { note: 'a' } } })));
    const next = run(base, patchReceived({ version: 2, changes: { drafts: { 'disposition:c2': { note: 'b' } } } }));
    expect(next.desk?.drafts).toEqual({ 'disposition:c2': { note: 'b' } });
  });

  it('applies consecutive patches in order', () => {
    const state = run(
      initialDeskMirror,
      snapshotReceived(desk(10)),
      patchReceived({ version: 11, changes: { notices: [{ id: 'n1', text: 'one' }] } }),
      patchReceived({ version: 12, changes: { notReadyReasons: ['Meeting'] } }),
    );
    expect(state.desk?.version).toBe(12);
    expect(state.desk?.notices).toEqual([{ id: 'n1', text: 'one' }]);
    expect(state.desk?.notReadyReasons).toEqual(['Meeting']);
  });

  it('a gap (a lost patch) is ignored and asks for a resync', () => {
    const base = run(initialDeskMirror, snapshotReceived(desk(4)));
    const gapped = run(base, patchReceived({ version: 6, changes: { notReadyReasons: ['Skipped'] } }));
    expect(gapped.desk).toBe(base.desk);
    expect(gapped.resyncNeeded).toBe(true);
    expect(gapped.droppedPatches).toBe(1);
    // Still stale: later patches are ignored too until a snapshot arrives.
    const later = run(gapped, patchReceived({ version: 7, changes: { notReadyReasons: ['Later'] } }));
    expect(later.desk).toBe(base.desk);
    const resynced = run(later, snapshotReceived(desk(7, { notReadyReasons: ['Later'] })));
    expect(resynced.resyncNeeded).toBe(false);
    expect(resynced.desk?.notReadyReasons).toEqual(['Later']);
    expect(run(resynced, patchReceived({ version: 8, changes: { notices: [] } })).desk?.version).toBe(8);
  });

  it('an old or repeated patch (already in the snapshot) is ignored without a resync', () => {
    const base = run(initialDeskMirror, snapshotReceived(desk(8)));
    for (const version of [8, 7, 1]) {
      const after = run(base, patchReceived({ version, changes: { notReadyReasons: ['Old'] } }));
      expect(after.desk).toBe(base.desk);
      expect(after.resyncNeeded).toBe(false);
    }
  });

  it('list items travel one by one: removed by key, put in place, inserted at their index; the others keep their identity', () => {
    const a = call('a');
    const b = call('b');
    const base = run(
      initialDeskMirror,
      snapshotReceived(desk(1, { calls: [a, b], drafts: { 'transfer:a': { note: 'x' }, 'transfer:b': { note: 'y' } } })),
    );
    const held = { ...b, held: true };
    const c = call('c');
    const next = run(
      base,
      patchReceived({
        version: 2,
        changes: {},
        items: {
          calls: { put: [held], remove: [], insert: [{ at: 2, item: c }] },
          drafts: { put: { 'disposition:a': { code: 'resolved' } }, remove: ['transfer:b'] },
        },
      }),
      patchReceived({ version: 3, changes: {}, items: { calls: { put: [], remove: ['a'] } } }),
    );
    expect(next.desk?.calls).toEqual([held, c]);
    expect(next.desk?.calls[1]).toBe(c);
    expect(next.desk?.drafts).toEqual({ 'transfer:a': { note: 'x' }, 'disposition:a': { code: 'resolved' } });
    const unchanged = run(base, patchReceived({ version: 2, changes: {}, items: { calls: { put: [held], remove: [] } } }));
    expect(unchanged.desk?.calls[0]).toBe(a);
  });

  it('main’s diff, applied by the mirror, gives main’s desk; one item changed is one item sent', () => {
    const before = desk(1, {
      calls: [call('a'), call('b')],
      notices: [{ id: 'n1', text: 'one' }],
      drafts: { 'transfer:a': { note: 'x' } },
    });
    const cases: Partial<DeskState>[] = [
      { calls: [call('a'), { ...call('b'), muted: true }] },
      { calls: [call('b')], notices: [] },
      { calls: [call('a'), call('b'), call('c')], drafts: {} },
      { calls: [call('b'), call('a')] }, // a move: one remove, one insert
      { calls: [] },
      { notReadyReasons: ['Lunch'], calls: [call('a'), call('b')] }, // nothing changed
    ];
    for (const changes of cases) {
      const body = diffDesk(before, changes);
      const after = { ...before, ...changes, version: 2 };
      if (body === null) {
        expect(sameData({ ...before, version: 2 }, after)).toBe(true);
        continue;
      }
      expect(applyDeskPatch(before, { version: 2, ...body })).toEqual(after);
    }
    const one = diffDesk(before, { calls: [call('a'), { ...call('b'), muted: true }] });
    expect(one).toEqual({ changes: {}, items: { calls: { put: [{ ...call('b'), muted: true }], remove: [] } } });
    const moved = diffDesk(before, { calls: [call('b'), call('a')] })?.items?.calls;
    expect([moved?.remove.length, moved?.put.length, moved?.insert?.length]).toEqual([1, 0, 1]);
  });

  it('any list change, diffed and applied, gives the new list; a re-sort of one entry is one remove and one insert', () => {
    const key = (x: { id: string }): string => x.id;
    const item = fc.record({
      id: fc.constantFrom('a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i', 'j', 'k', 'l'),
      v: fc.integer({ min: 0, max: 2 }),
    });
    const list = fc.uniqueArray(item, { selector: (x) => x.id, maxLength: 12 });
    fc.assert(
      fc.property(list, list, (before, after) => {
        const change = diffItems(before, after, key);
        if (change === null) expect(after).toEqual(before);
        else expect(change === 'whole' ? after : applyItems(before, change, key)).toEqual(after);
      }),
      { numRuns: 500 },
    );
    const directory = Array.from({ length: 5000 }, (_, i) => ({ id: `u${i}`, v: 0 }));
    const resorted = [{ id: 'u4000', v: 1 }, ...directory.filter((e) => e.id !== 'u4000')];
    expect(diffItems(directory, resorted, key)).toEqual({ remove: ['u4000'], put: [], insert: [{ at: 0, item: { id: 'u4000', v: 1 } }] });
  });

  it('a patch before any snapshot asks for one', () => {
    const state = run(initialDeskMirror, patchReceived({ version: 2, changes: { notices: [] } }));
    expect(state.desk).toBeNull();
    expect(state.resyncNeeded).toBe(true);
  });
});

/** A window.baton stand-in that lets the test emit main's events. */
function fakeBaton() {
  const listeners = new Map<EventName, Set<(payload: never) => void>>();
  const api = {
    attach: vi.fn(),
    invoke: vi.fn(),
    on<E extends EventName>(event: E, listener: (payload: EventPayloads[E]) => void) {
      const set = listeners.get(event) ?? new Set();
      listeners.set(event, set);
      set.add(listener);
      return () => void set.delete(listener);
    },
  };
  const emit = <E extends EventName>(event: E, payload: EventPayloads[E]): void => {
    for (const l of listeners.get(event) ?? []) (l as (p: EventPayloads[E]) => void)(payload);
  };
  return { api: api as unknown as BatonApi, attach: api.attach, emit, listeners };
}

/** Applies each patch as it comes (the frame-by-frame batching is tested on its own). */
const immediately: FlushScheduler = (flush) => {
  flush();
  return () => {};
};

describe('desk sync (store + window.baton)', () => {
  it('asks for a snapshot at start, mirrors events, and resyncs once per gap', () => {
    const store = createAppStore();
    const baton = fakeBaton();
    const stop = connectDesk(baton.api, store, undefined, immediately);
    expect(baton.attach).toHaveBeenCalledTimes(1);

    baton.emit('desk.snapshot', desk(1));
    baton.emit('desk.patch', { version: 2, changes: { notReadyReasons: ['Break'] } });
    expect(store.getState().desk.desk?.notReadyReasons).toEqual(['Break']);
    expect(baton.attach).toHaveBeenCalledTimes(1);

    baton.emit('desk.patch', { version: 4, changes: {} });
    baton.emit('desk.patch', { version: 5, changes: {} });
    expect(baton.attach).toHaveBeenCalledTimes(2);

    baton.emit('desk.snapshot', desk(5));
    expect(store.getState().desk.resyncNeeded).toBe(false);
    baton.emit('desk.patch', { version: 7, changes: {} });
    expect(baton.attach).toHaveBeenCalledTimes(3);

    stop();
    expect([...baton.listeners.values()].every((set) => set.size === 0)).toBe(true);
  });

  it('applies the patches of one frame together, in order, as one store change; a snapshot first applies what came before it', () => {
    const store = createAppStore();
    const baton = fakeBaton();
    const frames: Array<() => void> = [];
    const stop = connectDesk(baton.api, store, undefined, (flush) => {
      frames.push(flush);
      return () => void frames.splice(frames.indexOf(flush) >>> 0, 1);
    });
    baton.emit('desk.snapshot', desk(1));
    let changes = 0;
    const unsubscribe = store.subscribe(() => void changes++);
    baton.emit('desk.patch', { version: 2, changes: { notReadyReasons: ['Break'] } });
    baton.emit('desk.patch', { version: 3, changes: { notReadyReasons: ['Break', 'Training'] } });
    expect(store.getState().desk.desk?.version).toBe(1); // not before the frame
    expect(frames).toHaveLength(1); // one frame asked for, however many patches
    frames[0]?.();
    expect(store.getState().desk.desk).toMatchObject({ version: 3, notReadyReasons: ['Break', 'Training'] });
    expect(changes).toBe(1);

    baton.emit('desk.patch', { version: 4, changes: { notReadyReasons: ['Lunch'] } });
    baton.emit('desk.snapshot', desk(4, { notReadyReasons: ['Lunch'] }));
    expect(frames).toHaveLength(0); // the snapshot took the pending patch with it
    expect(store.getState().desk).toMatchObject({ resyncNeeded: false, desk: { version: 4, notReadyReasons: ['Lunch'] } });
    baton.emit('desk.patch', { version: 5, changes: {} });
    stop();
    expect(frames).toHaveLength(0); // stopping cancels the frame asked for
    expect(store.getState().desk.desk?.version).toBe(4);
    unsubscribe();
  });
});
