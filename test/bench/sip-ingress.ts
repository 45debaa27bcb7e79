/**
 * SIP ingress: µs of CPU per incoming message, stock SIP.js 0.21.2 parsing vs ours (the ingress
 * checks + SIP.js parsing on the generated grammar), per message kind; then the longest event-loop
 * stall while the phone takes a bounded burst of new INVITEs from a peer in another thread.
 * "Stock" runs SIP.js's Parser with Grammar.parse pointed at the grammar SIP.js ships (kept in
 * node_modules beside the generated one, see test/support/stockGrammar.ts).
 */
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { Core, Grammar } from 'sip.js';
import { stockParse } from '../support/stockGrammar.js';
import { CORPUS, INVITE_WITH_SDP } from '../fixtures/sip/corpus.js';
import { SipIngress } from '../../electron/core/sip/ingress/sipIngress.js';
import { Phone } from '../../electron/core/sip/phone.js';
import { createWrtcMediaPort } from '../lab/wrtcEngine.js';
import { bestEffort } from '../lab/bestEffort.js';
import { startBurstPeer } from '../support/burstPeer.js';

const logger = { error: () => {}, warn: () => {}, log: () => {}, debug: () => {} } as unknown as Parameters<
  typeof Core.Parser.parseMessage
>[1];

// A full collection before each timing, so that no kind pays for the garbage of the one before
// (stock parsing makes a lot). Node exposes gc() to a new context once the flag is set.
setFlagsFromString('--expose-gc');
const collectGarbage = runInNewContext('gc') as () => void;

/** Best of `rounds` timings of `runs` calls, in µs per call (best-of damps GC and other noise). */
function microseconds(work: () => void, runs: number, rounds = 9): number {
  for (let i = 0; i < Math.min(runs, 50); i += 1) work();
  collectGarbage();
  let best = Infinity;
  for (let r = 0; r < rounds; r += 1) {
    const start = performance.now();
    for (let i = 0; i < runs; i += 1) work();
    best = Math.min(best, ((performance.now() - start) * 1000) / runs);
  }
  return best;
}

/** An ingress that has seen our SUBSCRIBE or REFER, so the corpus NOTIFYs are ones it delivers. */
function subscribedIngress(notify: string): SipIngress {
  const ingress = new SipIngress();
  const header = (name: string): string => new RegExp(`^${name}: (.*)$`, 'm').exec(notify)?.[1]?.trim() ?? '';
  if (!notify.startsWith('NOTIFY ')) return ingress;
  const event = header('Event');
  const method = event === 'refer' ? 'REFER' : 'SUBSCRIBE';
  ingress.outbound(
    [
      `${method} sip:peer@127.0.0.1 SIP/2.0`,
      'Via: SIP/2.0/WS x.invalid;branch=z9hG4bKbench',
      `From: ${header('To')}`,
      `To: ${header('From')}`,
      `Call-ID: ${header('Call-ID')}`,
      `CSeq: 1 ${method}`,
      `Event: ${event}`,
      'Content-Length: 0',
      '',
      '',
    ].join('\r\n'),
  );
  return ingress;
}

export async function run(): Promise<void> {
  const patchedParse = Grammar.parse;
  const rows: string[] = [];
  console.log('sip-ingress: µs of CPU per message (best of 9 rounds); ratio = stock / (ingress + patched parse)');
  console.log(
    `${'kind'.padEnd(20)}${'stock'.padStart(9)}${'patched'.padStart(9)}${'ingress'.padStart(9)}${'ours'.padStart(9)}${'ratio'.padStart(8)}`,
  );
  for (const { kind, text } of CORPUS) {
    Grammar.parse = stockParse;
    const stockUs = microseconds(() => Core.Parser.parseMessage(text, logger), 40);
    Grammar.parse = patchedParse;
    const parseUs = microseconds(() => Core.Parser.parseMessage(text, logger), 400);
    const ingress = subscribedIngress(text);
    const frame = Buffer.from(text, 'utf8');
    const ingressUs = microseconds(() => ingress.inspect(frame, false), 400);
    const oursUs = microseconds(() => {
      const verdict = ingress.inspect(frame, false);
      if (verdict.action !== 'deliver') throw new Error(`${kind} was refused: ${JSON.stringify(verdict)}`);
      // As the transport delivers: SIP.js takes the ingress's parse of the values both read.
      ingress.handOver(verdict.message, () => Core.Parser.parseMessage(verdict.text, logger));
    }, 400);
    rows.push(
      `${kind.padEnd(20)}${stockUs.toFixed(0).padStart(9)}${parseUs.toFixed(1).padStart(9)}${ingressUs.toFixed(1).padStart(9)}` +
        `${oursUs.toFixed(1).padStart(9)}${(stockUs / oursUs).toFixed(1).padStart(7)}×`,
    );
  }
  Grammar.parse = patchedParse;
  for (const row of rows) console.log(row);

  const peer = await startBurstPeer();
  const media = createWrtcMediaPort();
  const phone = new Phone({ server: peer.url, aor: 'sip:alice@127.0.0.1', media });
  try {
    await phone.start();
    const sdp = INVITE_WITH_SDP.slice(INVITE_WITH_SDP.indexOf('\r\n\r\n') + 4);
    await peer.burst(30, sdp);
    const histogram = monitorEventLoopDelay({ resolution: 5 });
    histogram.enable();
    const result = await peer.burst(2000, sdp);
    histogram.disable();
    console.log(
      `burst of 2000 new INVITEs: answered ${JSON.stringify(result.statuses)}, unanswered ${result.unanswered}; ` +
        `event-loop stall p99 ${(histogram.percentile(99) / 1e6).toFixed(1)} ms, longest ${(histogram.max / 1e6).toFixed(1)} ms`,
    );
  } finally {
    // Teardown after the figures are printed: a call the burst left half-open may refuse to hang up.
    for (const call of phone.calls()) await call.hangUp().catch(bestEffort('hanging up after the burst'));
    await phone.stop().catch(bestEffort('stopping the phone after the burst'));
    await media.dispose();
    await peer.close();
  }
}
