/**
 * A network blip mid-call, through the lab Kamailio: from the moment the agent's connection is lost
 * until the agent is reachable again in the dialog — its target refresh answered 200 by the far
 * end, whose next request then goes to the new connection. Two ways to lose it:
 *  - closed: the socket is closed (what reconnectNow() does after sleep or a network change);
 *  - black-holed: a relay between the desk and Kamailio stops forwarding without closing anything,
 *    so only the keep-alive can notice (bounded by deadConnectionMs, set here to BLACKHOLE_BOUND_MS).
 * One call stays up across every blip. Stock SIP.js has no figure to put beside these: it reconnects
 * (when asked) and never refreshes its dialogs, so the far end keeps the dead connection's alias.
 */
import { startLab } from '../lab/lab.js';
import { createCustomer } from '../lab/bots.js';
import { connect, createAgent } from '../support/agents.js';
import { startTcpProxy } from '../support/tcpProxy.js';
import { within } from '../support/waitFor.js';
import type { Call } from '../../electron/core/sip/call.js';
import { ms, summarize } from './stats.js';

const CLOSED = Number(process.env.BENCH_BLIPS ?? 30);
const BLACKHOLED = Number(process.env.BENCH_BLACKHOLES ?? 10);
const BLACKHOLE_BOUND_MS = 2000;

/** Resolves with the time the call's next successful refresh was reported. */
async function refreshed(call: Call, timeoutMs: number): Promise<number> {
  const outcome = await within('the target refresh', call.events.next('refresh'), timeoutMs);
  if (!outcome.ok) throw new Error(`the refresh was refused: ${outcome.method} ${outcome.status}`);
  return performance.now();
}

export async function run(): Promise<void> {
  const lab = await startLab({ presence: false });
  const proxy = await startTcpProxy(lab.port);
  const customer = createCustomer(lab, 'bench-customer');
  const agent = createAgent(lab, 'bench-agent', { phone: { server: proxy.wsUrl, deadConnectionMs: BLACKHOLE_BOUND_MS } });
  try {
    await Promise.all([customer.phone.start(), agent.phone.start()]);
    const { caller: customerLeg, callee: agentLeg } = await connect(customer, agent);

    const closed: number[] = [];
    for (let i = 0; i < CLOSED; i += 1) {
      const done = refreshed(agentLeg, 5000);
      const t0 = performance.now();
      agent.phone.reconnectNow();
      closed.push((await done) - t0);
    }

    const blackholed: number[] = [];
    for (let i = 0; i < BLACKHOLED; i += 1) {
      // Measures the ordinary blip: the last refresh's ACK is let through first. A relay that dies in
      // the same instant swallows it, and the far end then refuses re-INVITEs (500) for 64×T1 (32 s)
      // before it lets that transaction go — a case of its own, tested in networkBlip.test.ts ("its
      // answer is lost with the connection"), that would only stretch this figure to 32 s.
      await new Promise((resolve) => setTimeout(resolve, 300));
      const done = refreshed(agentLeg, BLACKHOLE_BOUND_MS + 5000);
      const t0 = performance.now();
      proxy.blackhole();
      blackholed.push((await done) - t0);
    }

    if (customerLeg.state !== 'established' || agentLeg.state !== 'established') throw new Error('the call did not survive the blips');
    const c = summarize(closed);
    const b = summarize(blackholed);
    console.log(`network-blip (one call kept up throughout, loopback, Kamailio ${lab.wsUrl})`);
    console.log(`${'closed socket → refresh answered'.padEnd(40)} n ${c.n}  p50 ${ms(c.p50)}  p99 ${ms(c.p99)}`);
    console.log(
      `${`black-holed socket → refresh answered`.padEnd(40)} n ${b.n}  p50 ${ms(b.p50)}  p99 ${ms(b.p99)}  (dead-connection bound ${BLACKHOLE_BOUND_MS} ms)`,
    );
    await customerLeg.hangUp();
  } finally {
    await agent.dispose();
    await customer.dispose();
    await proxy.close();
    await lab.stop();
  }
}
