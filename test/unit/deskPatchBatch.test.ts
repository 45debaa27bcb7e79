/**
 * The mirror's frame batch (renderer/features/desk/patchBatch.ts) makes the same desk as applying
 * each patch in turn (shared/deskPatch.ts), for any run of patches main's diff produces — small
 * changes edited in place in one copy, big ones and whole lists as they come — and never changes
 * the desk it started from (frozen here, so an edit in place would throw).
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import type { DeskState, DirectoryEntryView } from '../../shared/desk.js';
import { applyDeskPatch, diffDesk, type DeskPatch } from '../../shared/deskPatch.js';
import { applyPatchBatch } from '../../renderer/features/desk/patchBatch.js';
import { deskReducer, patchesReceived, snapshotReceived } from '../../renderer/features/desk/deskSlice.js';
import { idleDesk } from '../support/deskStateFixture.js';

function desk(directory: DirectoryEntryView[], notices: DeskState['notices'] = []): DeskState {
  return idleDesk({ id: 'sam', name: 'Sam' }, { directory, notices });
}

const STATUSES: DirectoryEntryView['status'][] = [{ kind: 'Ready' }, { kind: 'OnCall' }, { kind: 'Offline' }];
const entryArb = fc.record({ id: fc.integer({ min: 0, max: 30 }), status: fc.integer({ min: 0, max: 2 }) });
/** A directory: unique users, any order, any statuses. */
const directoryArb = fc.uniqueArray(entryArb, { selector: (e) => e.id, maxLength: 30 }).map((list) =>
  list.map(({ id, status }): DirectoryEntryView => ({
    userId: `u${id}`,
    name: `User ${id}`,
    uri: `sip:u${id}@lab`,
    team: 't',
    status: STATUSES[status] ?? { kind: 'Ready' },
    recommended: status === 0,
  })),
);

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}

/** The patches main sends to go through `steps`, each from the one before (as Desk.update diffs). */
function patchesThrough(start: DeskState, steps: Array<Partial<DeskState>>): DeskPatch[] {
  const patches: DeskPatch[] = [];
  let state = start;
  for (const step of steps) {
    const body = diffDesk(state, step);
    if (!body) continue;
    const patch = { version: state.version + 1, ...body };
    patches.push(patch);
    state = applyDeskPatch(state, patch);
  }
  return patches;
}

describe('desk mirror: a frame of patches applied at once', () => {
  it('equals the patches applied one by one, leaving the starting desk as it was', () => {
    fc.assert(
      fc.property(
        directoryArb,
        fc.array(
          fc.oneof(
            directoryArb.map((directory) => ({ directory })),
            fc.constant({ notices: [{ id: 'n', text: 'x' }] }),
            fc.constant({ notices: [] }),
          ),
          { maxLength: 12 },
        ),
        (first, steps) => {
          const start = deepFreeze(desk(first));
          const patches = deepFreeze(patchesThrough(start, steps));
          const oneByOne = patches.reduce(applyDeskPatch, start);
          expect(applyPatchBatch(start, patches)).toEqual(oneByOne);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('a presence storm: hundreds of one-colleague changes in one batch, entries not named keep their identity', () => {
    const users = Array.from({ length: 200 }, (_, i): DirectoryEntryView => ({
      userId: `u${i}`,
      name: `User ${i}`,
      uri: `sip:u${i}@lab`,
      team: 't',
      status: { kind: 'Ready' },
      recommended: true,
    }));
    const start = deepFreeze(desk(users));
    const steps: Array<Partial<DeskState>> = [];
    let list = users;
    for (let n = 0; n < 300; n++) {
      const i = (n * 37) % 150; // u150… never change
      const moved = {
        ...list.find((e) => e.userId === `u${i}`)!,
        status: { kind: n % 2 ? 'Ready' : 'OnCall' } as const,
        recommended: n % 2 === 1,
      };
      const rest = list.filter((e) => e.userId !== moved.userId);
      list = moved.recommended ? [moved, ...rest] : [...rest, moved];
      steps.push({ directory: list });
    }
    const patches = patchesThrough(start, steps);
    const batch = applyPatchBatch(start, patches);
    expect(batch).toEqual(patches.reduce(applyDeskPatch, start));
    expect(batch.directory.find((e) => e.userId === 'u199')).toBe(users[199]);
  });

  it('the reducer applies the run that follows its version and treats the rest as single patches do', () => {
    const start = desk([]);
    const patches = patchesThrough(start, [
      { notices: [{ id: 'a', text: 'a' }] },
      {
        notices: [
          { id: 'a', text: 'a' },
          { id: 'b', text: 'b' },
        ],
      },
    ]);
    const mirror = deskReducer(undefined, snapshotReceived(start));
    const late = { version: 1, changes: { notices: [] } };
    const gap = { version: 9, changes: {} };
    const next = deskReducer(mirror, patchesReceived([late, ...patches, gap]));
    // The late patch (older than the mirror) breaks the run at once: everything goes one by one.
    expect(next.desk?.notices.map((n) => n.id)).toEqual(['a', 'b']);
    expect(next).toMatchObject({ resyncNeeded: true, droppedPatches: 2 });
    const clean = deskReducer(mirror, patchesReceived(patches));
    expect(clean).toMatchObject({ resyncNeeded: false, droppedPatches: 0, desk: { version: 3 } });
  });
});
