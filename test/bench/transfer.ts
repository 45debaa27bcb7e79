/**
 * Transfers through the lab Kamailio: N cold and N warm, each on a fresh customer
 * call to the initiator, for Baton's core (customer bot + two desks with `Transfers`) and for bare
 * stock SIP.js (transferStock.ts), interleaved in the same run, printed as p50/p99 and ratios:
 *  - Confirm → recipient notified (the recipient's toast: its `incoming` event / stock onInvite);
 *    warm: the panel opened (`prepare()`) ~150 ms before Confirm, as if the agent were choosing;
 *  - cold: Confirm → contact established with the recipient (the contact's new call established);
 *  - warm: Complete → contact established with the recipient (after the consult was answered).
 * BENCH_TRANSFERS lowers N (default 100).
 */
import { cpus, loadavg } from 'node:os';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { startLab, type Lab } from '../lab/lab.js';
import { createCustomer, createDesk } from '../lab/bots.js';
import { bestEffort } from '../lab/bestEffort.js';
import type { Call } from '../../electron/core/sip/call.js';
import type { StartTransfer, TransferView } from '../../electron/core/transfer/transfers.js';
import type { TestAgent } from '../support/agents.js';
import { waitFor, within } from '../support/waitFor.js';
import { Next, stockScene, type TransferSample, type TransferScene, type TransferTimings } from './transferStock.js';
import { ms, summarize, type Summary } from './stats.js';

const TRANSFERS = Math.max(1, Number(process.env.BENCH_TRANSFERS ?? 100));
const TIMINGS: TransferTimings = { coldChoosingMs: 50, warmChoosingMs: 150, consultTalkMs: 50, stepTimeoutMs: 8000 };
/** The targets: Baton within this ratio of bare SIP.js. */
const MAX_RATIO = 1.2;
const WARM_NOTIFIED_P50_MS = 20;

/**
 * A full collection between iterations, outside every measured interval: the garbage of all
 * earlier iterations (six user agents, hundreds of peer connections) then does not fall due, as a
 * major GC pause, inside whichever transfer happens to be running. Minor GCs caused by a flow's own
 * allocations still land in its interval.
 */
function collectGarbage(): () => void {
  setFlagsFromString('--expose-gc');
  return runInNewContext('gc') as () => void;
}

const sleep = (milliseconds: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, milliseconds));

/** Resolves with performance.now() when `call` is established. */
function established(call: Call): Promise<number> {
  return new Promise((resolve, reject) => {
    if (call.state === 'established') return reject(new Error('the followed call was established before it was seen'));
    call.events.on('state', (state) => state === 'established' && resolve(performance.now()));
  });
}

interface OursScene extends TransferScene {
  /** Warm iterations in which prepare() had opened no media session by Confirm. */
  readonly unpreparedAtConfirm: number;
}

async function oursScene(lab: Lab): Promise<OursScene> {
  const customer = createCustomer(lab, 'bench-customer');
  const alice = createDesk(lab, 'bench-alice', { toneHz: 440 });
  // 'manual': the bench takes the toast's time first, then accepts, as the desk bot would.
  const bob = createDesk(lab, 'bench-bob', { toneHz: 660, incomingPolicy: 'manual' });
  const agents: TestAgent[] = [customer, alice, bob];
  await Promise.all(agents.map((a) => a.phone.start()));

  const notified = new Next<number>();
  bob.transfers.events.on('incoming', ({ transfer }) => {
    notified.fill(performance.now());
    void bob.transfers.accept(transfer.id).catch(bestEffort('accepting the transfer')); // a failed accept times the step out, which is reported
  });
  // The customer bot pushes each call it makes for a REFER onto `followed` right after sending its
  // INVITE (an answer needs a round trip, so nothing is missed): time it from there.
  const followed = new Next<Call>();
  const push = customer.followed.push.bind(customer.followed);
  customer.followed.push = (...calls: Call[]): number => {
    for (const call of calls) followed.fill(call);
    return push(...calls);
  };
  const handover = (): Promise<number> => followed.arm().then(established);

  const step = <T>(what: string, promise: Promise<T>): Promise<T> => within(`ours: ${what}`, promise, TIMINGS.stepTimeoutMs);
  const until = <T>(what: string, probe: () => T): Promise<NonNullable<T>> => waitFor(`ours: ${what}`, probe, TIMINGS.stepTimeoutMs, 2);
  const phaseIs = (id: string, desk: typeof alice, phase: TransferView['state']['phase']) => () =>
    desk.transfers.get(id).state.phase === phase;

  async function customerCall(): Promise<Call> {
    const ringing = alice.nextIncoming(TIMINGS.stepTimeoutMs);
    const customerLeg = await customer.phone.call('bench-alice');
    const contactLeg = await ringing;
    await contactLeg.answer();
    await until('the customer call established', () => customerLeg.state === 'established' && contactLeg.state === 'established');
    return contactLeg;
  }

  function request(contactLeg: Call, method: 'cold' | 'warm'): StartTransfer {
    return {
      method,
      contactCallId: contactLeg.id,
      recipient: { userId: 'bench-bob', name: 'Bob', uri: `sip:bench-bob@${lab.domain}` },
      outcome: { id: 'billing', label: 'Billing question' },
      note: 'Wants a refund for order #42',
      contact: { id: 'bench-contact', name: 'Dana Customer', number: 'bench-customer' },
    };
  }

  async function hangUpAll(): Promise<void> {
    // The wait below fails the run if any call outlives this.
    for (const a of agents) for (const call of a.phone.calls()) void call.hangUp().catch(bestEffort('hanging up between rounds'));
    await until('every call, session and media gone', () =>
      agents.every((a) => a.phone.calls().length === 0 && a.phone.sessionCount() === 0 && a.media.openSessions().length === 0),
    );
  }

  let unprepared = 0;
  return {
    get unpreparedAtConfirm() {
      return unprepared;
    },

    async cold() {
      const contactLeg = await customerCall();
      await sleep(TIMINGS.coldChoosingMs);
      const toast = notified.arm();
      const connected = handover();
      const t0 = performance.now();
      const started = await alice.transfers.start(request(contactLeg, 'cold'));
      const [tNotified, tConnected] = await step('the cold transfer', Promise.all([toast, connected]));
      await until('alice completed and left', () => phaseIs(started.id, alice, 'completed')() && alice.phone.calls().length === 0);
      await hangUpAll();
      return { notified: tNotified - t0, handover: tConnected - t0 };
    },

    async warm() {
      const contactLeg = await customerCall();
      // The panel opens: the consult's offer is gathered while the agent chooses.
      alice.transfers.prepare(contactLeg.id);
      await sleep(TIMINGS.warmChoosingMs);
      // 2 = the contact leg's session + the prepared one (its offer is made as soon as it opens).
      if (alice.media.openSessions().length !== 2) unprepared += 1;
      const toast = notified.arm();
      const t0 = performance.now();
      const started = await alice.transfers.start(request(contactLeg, 'warm'));
      const tNotified = await step('the consult at the recipient', toast);
      await until(
        'the consult answered at both desks',
        () => phaseIs(started.id, alice, 'consulting')() && phaseIs(started.id, bob, 'consulting')(),
      );
      await sleep(TIMINGS.consultTalkMs);
      const connected = handover();
      const t1 = performance.now();
      await alice.transfers.complete(started.id);
      const tConnected = await step('the warm completion', connected);
      await until('alice completed and left', () => phaseIs(started.id, alice, 'completed')() && alice.phone.calls().length === 0);
      await hangUpAll();
      return { notified: tNotified - t0, handover: tConnected - t1 };
    },

    async dispose() {
      await Promise.allSettled(agents.map((a) => a.dispose()));
    },
  };
}

interface Samples {
  readonly notified: number[];
  readonly handover: number[];
}

function collect(into: Samples, sample: TransferSample): void {
  into.notified.push(sample.notified);
  into.handover.push(sample.handover);
}

function row(label: string, o: Summary, s: Summary, target: string): string {
  const ratio = (a: number, b: number): string => (a / b).toFixed(2);
  return (
    `${label.padEnd(42)} ours p50 ${ms(o.p50).padStart(9)}  p99 ${ms(o.p99).padStart(9)} | ` +
    `SIP.js p50 ${ms(s.p50).padStart(9)}  p99 ${ms(s.p99).padStart(9)} | ratio p50 ${ratio(o.p50, s.p50)}  p99 ${ratio(o.p99, s.p99)} | ${target}`
  );
}

function verdict(o: Summary, s: Summary, extra?: { p50AtMost: number }): string {
  const checks: string[] = [];
  const ratioOk = o.p50 / s.p50 <= MAX_RATIO && o.p99 / s.p99 <= MAX_RATIO;
  checks.push(`ratio ≤ ${MAX_RATIO}: ${ratioOk ? 'met' : 'MISSED'}`);
  if (extra) checks.push(`p50 ≤ ${extra.p50AtMost} ms: ${o.p50 <= extra.p50AtMost ? 'met' : 'MISSED'}`);
  return checks.join(', ');
}

export async function run(): Promise<void> {
  const began = performance.now();
  // The figures are only as good as the machine is quiet: say how busy it was.
  const loadBefore = loadavg()[0] ?? 0;
  const lab = await startLab({ presence: false });
  const scenes: TransferScene[] = [];
  try {
    const stock = await stockScene(lab, TIMINGS);
    scenes.push(stock);
    const ours = await oursScene(lab);
    scenes.push(ours);
    const gc = collectGarbage();
    const results = {
      ours: { cold: { notified: [], handover: [] } as Samples, warm: { notified: [], handover: [] } as Samples },
      stock: { cold: { notified: [], handover: [] } as Samples, warm: { notified: [], handover: [] } as Samples },
    };
    // Interleaved, alternating who goes first, so drift (heap, Kamailio tables, the other core's
    // load) falls on both stacks alike.
    for (const method of ['cold', 'warm'] as const) {
      for (let i = 0; i < TRANSFERS; i += 1) {
        const order = i % 2 === 0 ? (['stock', 'ours'] as const) : (['ours', 'stock'] as const);
        for (const who of order) {
          const scene = who === 'ours' ? ours : stock;
          gc();
          collect(results[who][method], await scene[method]());
        }
      }
    }
    const sum = (s: Samples) => ({ notified: summarize(s.notified), handover: summarize(s.handover) });
    const o = { cold: sum(results.ours.cold), warm: sum(results.ours.warm) };
    const s = { cold: sum(results.stock.cold), warm: sum(results.stock.warm) };
    const seconds = ((performance.now() - began) / 1000).toFixed(0);
    const load = `load average ${loadBefore.toFixed(1)} → ${(loadavg()[0] ?? 0).toFixed(1)} on ${cpus().length} cores`;
    console.log(
      `transfer (${TRANSFERS} cold + ${TRANSFERS} warm each, interleaved, loopback, Kamailio ${lab.wsUrl}, ${seconds} s, ${load})`,
    );
    console.log(row('cold: Confirm → recipient notified', o.cold.notified, s.cold.notified, verdict(o.cold.notified, s.cold.notified)));
    console.log(row('cold: Confirm → contact with recipient', o.cold.handover, s.cold.handover, verdict(o.cold.handover, s.cold.handover)));
    console.log(
      row(
        'warm: Confirm → recipient notified',
        o.warm.notified,
        s.warm.notified,
        verdict(o.warm.notified, s.warm.notified, { p50AtMost: WARM_NOTIFIED_P50_MS }),
      ),
    );
    console.log(
      row('warm: Complete → contact with recipient', o.warm.handover, s.warm.handover, verdict(o.warm.handover, s.warm.handover)),
    );
    if (ours.unpreparedAtConfirm > 0) {
      console.log(`note: in ${ours.unpreparedAtConfirm} of ${TRANSFERS} warm transfers prepare() had opened no consult media by Confirm`);
    }
  } finally {
    for (const scene of scenes.reverse()) await scene.dispose().catch(bestEffort('disposing a scene')); // the lab's stop ends what is left
    await lab.stop();
  }
}
