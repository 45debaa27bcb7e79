/**
 * A shift in a row: N warm then N cold transfers (default 300 + 300) between two whole desks (the
 * composition root, as main runs it: SQLite file, renderer commands through `handle()`, state through
 * snapshot + patches) and a customer bot, through the lab Kamailio, in one process. Every transfer
 * is the agents' whole job: the customer calls Alice, she answers and transfers, Bob accepts, the
 * contact ends up with him, he takes it off hold and hangs up, and both file their wrap-ups — after
 * which neither desk may list anything (the transfer leaves once its last duty is done).
 *
 * Every `--every` transfers (default 50) one row: V8 heap after a full GC — at rest, REST_MS after
 * the row's last transfer, and right after it ("busy") — RSS, both desks' snapshot
 * bytes, patch bytes per transfer (and how many patches carried a whole list), SIP.js sessions, peer
 * connections created / closed / collected (test/lab/wrtcEngine.ts counts them; a closed connection
 * something still holds is never collected), mean time per transfer and the event loop's p99 delay.
 * Goals: heap within +10 % of the first row's, snapshot bytes flat, 0 connections closed but not
 * collected (once SIP.js has let go of the last calls' transactions), time per transfer flat.
 *
 * `npm run bench -- soak`; `npm run bench -- soak --n 50` for a short one (or BENCH_SOAK=50).
 * test/integration/soak.test.ts runs a short soak and asserts the goals that are not timing.
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import type { DeskState } from '../../shared/desk.js';
import type { DeskPatch } from '../../shared/deskPatch.js';
import type { CommandName, CommandPayload, CommandResults } from '../../shared/ipc.js';
import { createCustomer, type CustomerBot } from '../lab/bots.js';
import { startLab, type Lab } from '../lab/lab.js';
import { peerConnectionCounts } from '../lab/wrtcEngine.js';
import { createTestDesk, labDocument, type TestDesk } from '../support/deskFixture.js';
import { waitFor } from '../support/waitFor.js';

const STEP_MS = 10_000;
/**
 * SIP.js keeps an INVITE transaction 32 s after its 2xx (RFC 6026's Timer L and M), and the
 * transaction its dialog, session and our Call: the last 32 s of calls are in any heap measured
 * mid-shift. A row waits this long first, so rows compare what the desks themselves keep.
 */
export const REST_MS = 33_000;
const MB = 1024 * 1024;

export interface SoakRow {
  /** Transfers done so far. */
  readonly done: number;
  readonly method: 'warm' | 'cold';
  /** V8 heap after a full GC at rest: once SIP.js let go of the last calls' transactions (REST_MS). */
  readonly heapMb: number;
  /** V8 heap after a full GC right after the last transfer, the last 32 s of calls still held by SIP.js. */
  readonly heapBusyMb: number;
  readonly rssMb: number;
  readonly snapshotBytes: { readonly alice: number; readonly bob: number };
  /** Both desks' patches since the last row, in JSON bytes, per transfer. */
  readonly patchBytesPerTransfer: number;
  /** Patches since the last row that carried a whole keyed list (calls, transfers, directory, …). */
  readonly wholeListPatches: number;
  readonly patches: number;
  /** SIP.js sessions still held: both desks and the customer bot. */
  readonly sipSessions: number;
  readonly peerConnections: { readonly created: number; readonly closed: number; readonly collected: number };
  readonly msPerTransfer: number;
  readonly eventLoopP99Ms: number;
}

export interface SoakOptions {
  readonly warm: number;
  readonly cold: number;
  /** Whether to take a row after `done` transfers (always after the last). */
  readonly rowAt: (done: number) => boolean;
  readonly onRow?: (row: SoakRow) => void;
}

export interface SoakResult {
  readonly rows: readonly SoakRow[];
  /** Closed peer connections still not collected once SIP.js let go of the last calls, and how long that took. */
  readonly leftUncollected: number;
  readonly settleMs: number;
}

/** A full collection, and time for FinalizationRegistry callbacks to run between rounds. */
function collector(): () => Promise<void> {
  setFlagsFromString('--expose-gc');
  const gc = runInNewContext('gc') as () => void;
  return async () => {
    for (let i = 0; i < 3; i += 1) {
      gc();
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  };
}

const WHOLE_LISTS: readonly (keyof DeskState)[] = ['calls', 'transfers', 'directory', 'dispositionsDue', 'notices', 'drafts'];

async function ok<C extends CommandName>(d: TestDesk, command: C, payload: CommandPayload<C>): Promise<CommandResults[C]> {
  const outcome = await d.desk.handle(command, payload);
  if (!outcome.ok) throw new Error(`soak: ${command} refused: ${outcome.error.code} ${outcome.error.message}`);
  return outcome.value as CommandResults[C];
}

/** Resolves with the desk's state once `predicate` holds: checked now and after every patch. */
function when(d: TestDesk, what: string, predicate: (s: DeskState) => boolean): Promise<DeskState> {
  return new Promise((resolve, reject) => {
    const check = (): void => {
      const s = d.state();
      if (!predicate(s)) return;
      done();
      resolve(s);
    };
    const sub = d.desk.events.on('patch', check);
    const timer = setTimeout(() => {
      sub.dispose();
      reject(new Error(`soak: ${what} did not happen within ${STEP_MS} ms`));
    }, STEP_MS);
    const done = (): void => {
      sub.dispose();
      clearTimeout(timer);
    };
    check();
  });
}

interface Scene {
  readonly alice: TestDesk;
  readonly bob: TestDesk;
  readonly customer: CustomerBot;
  transfer(method: 'warm' | 'cold'): Promise<void>;
  dispose(): Promise<void>;
}

async function scene(lab: Lab): Promise<Scene> {
  const doc = labDocument(lab, { nonRecommendedTransfer: 'allow' });
  const alice = createTestDesk(doc, { toneHz: 440 });
  const bob = createTestDesk(doc, { toneHz: 660 });
  const customer = createCustomer(lab, 'soak-customer');
  await customer.phone.start();
  for (const [d, userId] of [
    [alice, 'alice'],
    [bob, 'bob'],
  ] as const) {
    await ok(d, 'session.signIn', { userId, password: '' });
    await ok(d, 'agent.setStatus', { kind: 'Ready' });
  }
  await when(alice, 'Bob in Alice’s directory', (s) => s.directory.some((e) => e.userId === 'bob' && e.status.kind === 'Ready'));

  /** Files every wrap-up the desk owes: the transfer's outcome when prefilled, else "Resolved". */
  async function wrapUp(d: TestDesk): Promise<void> {
    for (const due of d.state().dispositionsDue) {
      await ok(d, 'disposition.file', {
        callId: due.callId,
        codeId: due.prefill?.id ?? (due.callKind === 'consult' ? 'consult-only' : 'resolved'),
        note: '',
      });
    }
  }

  async function transfer(method: 'warm' | 'cold'): Promise<void> {
    await customer.phone.call('alice');
    const ringing = await when(alice, 'the customer ringing at Alice', (s) =>
      s.calls.some((c) => c.direction === 'inbound' && c.state === 'ringing'),
    );
    const callId = ringing.calls.find((c) => c.direction === 'inbound' && c.state === 'ringing')?.id ?? '';
    await ok(alice, 'call.answer', { callId });
    await when(alice, 'Alice on the call', (s) => s.calls.some((c) => c.id === callId && c.state === 'established'));

    if (method === 'warm') await ok(alice, 'transfer.prepare', { callId });
    const { transferId } = await ok(alice, 'transfer.start', {
      callId,
      method,
      userId: 'bob',
      outcomeId: 'billing-question',
      note: 'Wants a refund for order #42',
    });
    await when(bob, 'the offer at Bob', (s) => s.transfers.some((t) => t.id === transferId && t.allowed.includes('accept')));
    await ok(bob, 'transfer.accept', { transferId });
    if (method === 'warm') {
      await when(alice, 'the consult answered', (s) => s.transfers.some((t) => t.id === transferId && t.allowed.includes('complete')));
      await ok(alice, 'transfer.complete', { transferId });
    }
    await when(
      alice,
      'Alice’s wrap-up due, her calls over',
      (s) => s.calls.length === 0 && s.dispositionsDue.some((d) => d.callId === callId),
    );
    await wrapUp(alice);

    const handed = await when(bob, 'the contact with Bob', (s) => {
      const t = s.transfers.find((x) => x.id === transferId);
      return t?.state.phase === 'completed' && s.calls.some((c) => c.id === t.contactCallId && c.state === 'established');
    });
    const t = handed.transfers.find((x) => x.id === transferId);
    if (t?.allowed.includes('unholdContact')) await ok(bob, 'transfer.unholdContact', { transferId });
    await ok(bob, 'call.hangUp', { callId: t?.contactCallId ?? '' });
    await when(bob, 'Bob’s wrap-up due, his calls over', (s) => s.calls.length === 0 && s.dispositionsDue.length > 0);
    await wrapUp(bob);

    // The shift's rule: nothing finished stays listed.
    const empty = (s: DeskState): boolean => s.calls.length === 0 && s.transfers.length === 0 && s.dispositionsDue.length === 0;
    await Promise.all([when(alice, 'Alice’s desk empty', empty), when(bob, 'Bob’s desk empty', empty)]);
    await waitFor(
      'every SIP.js session and media session gone',
      () =>
        customer.phone.calls().length === 0 &&
        [alice, bob].every((d) => d.desk.sipSessionCount() === 0 && d.media.openSessions().length === 0) &&
        customer.phone.sessionCount() === 0 &&
        customer.media.openSessions().length === 0,
      STEP_MS,
      2,
    );
    // What the test bots themselves record about each call is not the desks' memory.
    customer.referrals.splice(0);
    customer.followed.splice(0);
    customer.finalNotifies.splice(0);
    customer.incoming.splice(0);
    alice.notifications.splice(0);
    bob.notifications.splice(0);
  }

  return {
    alice,
    bob,
    customer,
    transfer,
    async dispose() {
      await Promise.allSettled([alice.dispose(), bob.dispose(), customer.dispose()]);
    },
  };
}

/** Runs the soak in `lab`; calls `onRow` as rows come. */
export async function soak(lab: Lab, options: SoakOptions): Promise<SoakResult> {
  const collect = collector();
  const s = await scene(lab);
  try {
    let patchBytes = 0;
    let patches = 0;
    let wholeLists = 0;
    const countPatch = (patch: DeskPatch): void => {
      patches += 1;
      patchBytes += JSON.stringify(patch).length;
      if (WHOLE_LISTS.some((key) => key in patch.changes)) wholeLists += 1;
    };
    const subs = [s.alice.desk.events.on('patch', countPatch), s.bob.desk.events.on('patch', countPatch)];
    const loop = monitorEventLoopDelay({ resolution: 10 });
    loop.enable();
    const rows: SoakRow[] = [];
    const plan = [...Array<'warm'>(options.warm).fill('warm'), ...Array<'cold'>(options.cold).fill('cold')];
    let windowStart = performance.now();
    let inWindow = 0;
    for (const [i, method] of plan.entries()) {
      await s.transfer(method);
      inWindow += 1;
      const done = i + 1;
      if (!options.rowAt(done) && done !== plan.length) continue;
      const elapsed = performance.now() - windowStart;
      const loopP99 = loop.percentile(99) / 1e6;
      await collect();
      const heapBusyMb = process.memoryUsage().heapUsed / MB;
      await new Promise((resolve) => setTimeout(resolve, REST_MS));
      await collect();
      const memory = process.memoryUsage();
      const row: SoakRow = {
        done,
        method,
        heapMb: memory.heapUsed / MB,
        heapBusyMb,
        rssMb: memory.rss / MB,
        snapshotBytes: { alice: JSON.stringify(s.alice.state()).length, bob: JSON.stringify(s.bob.state()).length },
        patchBytesPerTransfer: patchBytes / inWindow,
        wholeListPatches: wholeLists,
        patches,
        sipSessions: s.alice.desk.sipSessionCount() + s.bob.desk.sipSessionCount() + s.customer.phone.sessionCount(),
        peerConnections: peerConnectionCounts(),
        msPerTransfer: elapsed / inWindow,
        eventLoopP99Ms: loopP99,
      };
      rows.push(row);
      options.onRow?.(row);
      patchBytes = 0;
      patches = 0;
      wholeLists = 0;
      inWindow = 0;
      loop.reset();
      windowStart = performance.now();
    }
    for (const sub of subs) sub.dispose();
    loop.disable();
    // Rows already rested; a last check in case V8 collected late.
    const settleStart = performance.now();
    let leftUncollected = 0;
    for (;;) {
      await collect();
      const pcs = peerConnectionCounts();
      leftUncollected = pcs.closed - pcs.collected;
      if (leftUncollected <= 0 || performance.now() - settleStart > REST_MS) break;
      await new Promise((resolve) => setTimeout(resolve, 1000));
    }
    return { rows, leftUncollected, settleMs: performance.now() - settleStart };
  } finally {
    await s.dispose();
  }
}

export function formatRow(row: SoakRow): string {
  const pcs = row.peerConnections;
  return [
    `${String(row.done).padStart(4)} ${row.method.padEnd(4)}`,
    `heap ${row.heapMb.toFixed(1).padStart(6)} MB (busy ${row.heapBusyMb.toFixed(1).padStart(5)})`,
    `rss ${row.rssMb.toFixed(0).padStart(4)} MB`,
    `snapshot ${String(row.snapshotBytes.alice).padStart(6)} / ${String(row.snapshotBytes.bob).padStart(6)} B`,
    `patch ${row.patchBytesPerTransfer.toFixed(0).padStart(6)} B/transfer (${row.wholeListPatches} whole-list of ${row.patches})`,
    `sessions ${row.sipSessions}`,
    `pc ${pcs.created}/${pcs.closed}/${pcs.collected} (closed, not collected ${pcs.closed - pcs.collected})`,
    `${row.msPerTransfer.toFixed(0).padStart(5)} ms/transfer`,
    `loop p99 ${row.eventLoopP99Ms.toFixed(1)} ms`,
  ].join(' | ');
}

function argument(name: string): string | undefined {
  const at = process.argv.indexOf(`--${name}`);
  return at === -1 ? undefined : process.argv[at + 1];
}

export async function run(): Promise<void> {
  const n = Math.max(1, Number(argument('n') ?? process.env.BENCH_SOAK ?? 300));
  const every = Math.max(1, Number(argument('every') ?? Math.min(50, n)));
  const rowAt = (done: number): boolean => done % every === 0;
  const lab = await startLab();
  try {
    console.log(
      `soak: ${n} warm + ${n} cold transfers in a row, two desks and a customer bot, Kamailio ${lab.wsUrl}; a row every ${every}`,
    );
    console.log(
      `     heap after GC ${REST_MS / 1000} s after the row's last transfer (busy: right after it); pc = peer connections created/closed/collected; snapshot = Alice / Bob`,
    );
    const result = await soak(lab, { warm: n, cold: n, rowAt, onRow: (row) => console.log(formatRow(row)) });
    const [first, ...rest] = result.rows;
    const last = result.rows.at(-1);
    if (!first || !last) return;
    const maxHeap = Math.max(...result.rows.map((r) => r.heapMb));
    const snapshots = result.rows.flatMap((r) => [r.snapshotBytes.alice, r.snapshotBytes.bob]);
    const firstOf = (method: 'warm' | 'cold') => result.rows.find((r) => r.method === method);
    const lastOf = (method: 'warm' | 'cold') => result.rows.findLast((r) => r.method === method);
    const timeFlat = (['warm', 'cold'] as const).every(
      (m) => (lastOf(m)?.msPerTransfer ?? 0) <= 1.2 * (firstOf(m)?.msPerTransfer ?? Infinity),
    );
    const verdict = (met: boolean): string => (met ? 'met' : 'MISSED');
    console.log(
      `goal heap after GC ≤ first row +10 % (${first.heapMb.toFixed(1)} → max ${maxHeap.toFixed(1)} MB over ${rest.length} later rows): ${verdict(maxHeap <= first.heapMb * 1.1)}`,
    );
    console.log(
      `goal snapshot bytes flat (${Math.min(...snapshots)}–${Math.max(...snapshots)} B): ${verdict(Math.max(...snapshots) - Math.min(...snapshots) <= 1024)}`,
    );
    console.log(
      `goal 0 peer connections closed but not collected (at the end, at rest): ${result.leftUncollected} — ${verdict(result.leftUncollected === 0)}`,
    );
    console.log(`goal time per transfer flat (last row ≤ first row +20 %, per method): ${verdict(timeFlat)}`);
  } finally {
    await lab.stop();
  }
}
