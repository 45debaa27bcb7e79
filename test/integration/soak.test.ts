/**
 * A short shift (test/bench/soak.ts, 40 warm + 40 cold transfers in a row between two whole desks
 * and a customer bot through the lab Kamailio): after each transfer both desks list nothing — the
 * transfer left once both wrap-ups were filed — and every SIP.js and media session is gone. Then
 * the goals that are not timing:
 * - V8 heap after a full GC stays within +10 % of its value after the first 10 transfers (each
 *   transfer kept by a desk cost ≈ 50–120 kB, so 70 kept transfers would be far over that). Each
 *   row is taken at rest, once SIP.js's 32 s transaction timers let go of the last calls;
 * - the desks' snapshots do not grow;
 * - no patch carries a whole list, and SIP.js holds no session between transfers;
 * - every peer connection closed is collected by V8 once SIP.js let go of the last calls.
 * Time per transfer and the event loop's delay belong to the bench only (a shared CI core makes
 * them noise here).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLab, type Lab } from '../lab/lab.js';
import { soak, type SoakRow } from '../bench/soak.js';

const N = Number(process.env.SOAK_TRANSFERS ?? 40);
/** Rows (each after a rest for SIP.js's transaction timers): the baseline, half way, the end. */
const ROWS = new Set([10, N, 2 * N]);

let lab: Lab;

beforeAll(async () => {
  lab = await startLab();
});
afterAll(async () => lab?.stop());

describe('a shift in a row', () => {
  it(`${N} warm + ${N} cold transfers leave the desks, the heap and the peer connections as they were`, async () => {
    const result = await soak(lab, { warm: N, cold: N, rowAt: (done) => ROWS.has(done) });
    const [first, ...later] = result.rows;
    if (!first) throw new Error('no row');
    const table = result.rows
      .map(
        (r: SoakRow) =>
          `${r.done}: heap ${r.heapMb.toFixed(1)} MB, snapshot ${r.snapshotBytes.alice}/${r.snapshotBytes.bob} B, pc ${JSON.stringify(r.peerConnections)}`,
      )
      .join('\n');

    for (const row of later) expect(row.heapMb, `heap after ${row.done} transfers\n${table}`).toBeLessThanOrEqual(first.heapMb * 1.1);
    for (const row of later) {
      // A colleague's status in the directory ("Ready" / "Dispositioning") is all that may differ.
      expect(
        Math.abs(row.snapshotBytes.alice - first.snapshotBytes.alice),
        `Alice's snapshot after ${row.done}\n${table}`,
      ).toBeLessThanOrEqual(64);
      expect(Math.abs(row.snapshotBytes.bob - first.snapshotBytes.bob), `Bob's snapshot after ${row.done}\n${table}`).toBeLessThanOrEqual(
        64,
      );
    }
    for (const row of result.rows) {
      expect(row.wholeListPatches, `patches with a whole list up to ${row.done}`).toBe(0);
      expect(row.sipSessions, `SIP.js sessions after ${row.done}`).toBe(0);
      expect(
        row.peerConnections.closed - row.peerConnections.collected,
        `peer connections closed, not collected, at rest after ${row.done}`,
      ).toBe(0);
    }
    expect(result.leftUncollected, `peer connections closed but never collected\n${table}`).toBe(0);
    console.log(`soak ${N} + ${N}:\n${table}`);
  }, 600_000);
});
