/**
 * Call setup through the lab Kamailio, 50 calls each way of building a phone:
 *  - dial → established (200 OK received and ACKed): the offer, the INVITE, the far end's answer
 *  - established → media connected (first RTP bytes received by the caller)
 * Node (wrtc) engines: Baton's phone (bridged SDH over the Node engine) with its spare connection
 * (an offer made and gathered before the call: renderer/media/spareOffer.ts), the same without it,
 * and stock SIP.js (Web SDH on the same wrtc), printed with the ratio ours / stock.
 * Chromium: the media host page (the product's engine) behind alice's desk, through the E2E
 * harness, and stock SIP.js in a page of the same Chromium (callee: a wrtc bot in both).
 * Between calls each caller waits until its spare is ready (a spare is remade 500 ms after use).
 */
import { Invitation, Inviter, Registerer, SessionState, UserAgent, type Session } from 'sip.js';
import { Phone } from '../../electron/core/sip/phone.js';
import { startLab, type Lab } from '../lab/lab.js';
import { createWrtcMediaPort } from '../lab/wrtcEngine.js';
import { createAgent } from '../support/agents.js';
import { waitFor } from '../support/waitFor.js';
import { bareBytesReceived, bareSdhFactory, installWebGlobals, loopbackModifier, syntheticMicrophone } from './bareSipJs.js';
import { chromiumSetup, type ChromiumSamples } from './callSetupChromium.js';
import { ms, summarize, type Summary } from './stats.js';

const CALLS = Number(process.env.BENCH_CALLS ?? 50);

interface Samples {
  readonly setup: number[];
  readonly media: number[];
}

async function ours(lab: Lab, spareOffer: boolean): Promise<Samples & { fromSpare: number }> {
  const media = createWrtcMediaPort({ toneHz: 440, spareOffer });
  const user = spareOffer ? 'bench-a' : 'bench-c';
  const phone = new Phone({ server: lab.wsUrl, aor: `sip:${user}@${lab.domain}`, media, backoff: { initialMs: 100, maxMs: 1000 } });
  const callee = createAgent(lab, 'bench-b', { toneHz: 660 });
  callee.phone.events.on('incomingCall', (call) => void call.answer());
  await Promise.all([phone.start(), callee.phone.start()]);
  const samples: Samples = { setup: [], media: [] };
  for (let i = 0; i < CALLS; i += 1) {
    if (spareOffer) await waitFor('the spare', () => media.spareCounts().ready === 1, 5000, 2);
    const t0 = performance.now();
    const call = await phone.call('bench-b');
    const established = await new Promise<number>((resolve) => {
      call.events.on('state', (state) => state === 'established' && resolve(performance.now()));
    });
    await waitFor('media', async () => (await call.stats()).bytesReceived > 0, 5000, 2);
    samples.setup.push(established - t0);
    samples.media.push(performance.now() - established);
    await call.hangUp();
    await waitFor('callee idle', () => callee.phone.calls().length === 0);
  }
  const { fromSpare } = media.offerCounts();
  await phone.stop().catch((error: unknown) => console.warn('cleanup:', error));
  await media.dispose();
  await callee.dispose();
  return { ...samples, fromSpare };
}

async function bare(lab: Lab): Promise<Samples> {
  installWebGlobals();
  const mic = syntheticMicrophone(440);
  const factory = bareSdhFactory(mic);
  const make = (user: string): UserAgent =>
    new UserAgent({
      uri: UserAgent.makeURI(`sip:${user}@${lab.domain}`),
      transportOptions: { server: lab.wsUrl },
      sessionDescriptionHandlerFactory: factory,
      // Same gathering bound as our Node engine, so the comparison is of the stacks, not of a timeout.
      sessionDescriptionHandlerFactoryOptions: { iceGatheringTimeout: 300, peerConnectionConfiguration: { iceServers: [] } },
      logLevel: 'error',
    });
  const a = make('bare-a');
  const b = make('bare-b');
  b.delegate = {
    onInvite: (invitation: Invitation) => void invitation.accept({ sessionDescriptionHandlerModifiers: [loopbackModifier] }),
  };
  for (const ua of [a, b]) {
    await ua.start();
    await new Promise<void>((resolve) => void new Registerer(ua).register({ requestDelegate: { onAccept: () => resolve() } }));
  }
  const samples: Samples = { setup: [], media: [] };
  for (let i = 0; i < CALLS; i += 1) {
    const target = UserAgent.makeURI(`sip:bare-b@${lab.domain}`);
    if (!target) throw new Error('bad target');
    const inviter = new Inviter(a, target, { sessionDescriptionHandlerModifiers: [loopbackModifier] });
    const t0 = performance.now();
    const established = new Promise<number>((resolve) => {
      inviter.stateChange.addListener((s) => s === SessionState.Established && resolve(performance.now()));
    });
    await inviter.invite();
    const t1 = await established;
    await waitFor('media', async () => (await bareBytesReceived(inviter.sessionDescriptionHandler)) > 0, 5000, 2);
    samples.setup.push(t1 - t0);
    samples.media.push(performance.now() - t1);
    const ended = new Promise<void>((resolve) => inviter.stateChange.addListener((s) => s === SessionState.Terminated && resolve()));
    await inviter.bye();
    await ended;
    await waitFor('callee idle', () => Object.values(b._sessions as Record<string, Session>).length === 0);
  }
  await Promise.all([a.stop(), b.stop()]);
  mic.stop();
  return samples;
}

function row(label: string, o: Summary, s: Summary): string {
  return `${label.padEnd(36)} ours p50 ${ms(o.p50)}  p99 ${ms(o.p99)} | SIP.js p50 ${ms(s.p50)}  p99 ${ms(s.p99)} | ratio p50 ${(o.p50 / s.p50).toFixed(2)}  p99 ${(o.p99 / s.p99).toFixed(2)}`;
}

function one(label: string, o: Summary): string {
  return `${label.padEnd(36)} p50 ${ms(o.p50)}  p99 ${ms(o.p99)}`;
}

function goal(label: string, o: Summary): string {
  return `goal ${label} dial → established p50 ≤ 30 ms: ${o.p50 <= 30 ? 'met' : 'MISSED'} (${ms(o.p50)})`;
}

export async function run(): Promise<void> {
  const which = process.env.BENCH_ENGINES ?? 'node,chromium';
  const lab = await startLab({ presence: false });
  try {
    if (which.includes('node')) {
      const stock = await bare(lab);
      const baton = await ours(lab, true);
      const noSpare = await ours(lab, false);
      console.log(`call-setup, Node engine (wrtc) (${CALLS} calls each, loopback, Kamailio ${lab.wsUrl})`);
      console.log(row('dial → established', summarize(baton.setup), summarize(stock.setup)));
      console.log(row('established → media connected', summarize(baton.media), summarize(stock.media)));
      const total = (s: Samples): number[] => s.setup.map((v, i) => v + (s.media[i] ?? Number.NaN));
      console.log(row('dial → media connected', summarize(total(baton)), summarize(total(stock))));
      console.log(`  offers sent from the spare: ${baton.fromSpare} of ${CALLS}`);
      console.log(one('  without the spare: dial → established', summarize(noSpare.setup)));
      console.log(one('  without the spare: established → media', summarize(noSpare.media)));
      console.log(goal('Node', summarize(baton.setup)));
    }
    if (which.includes('chromium')) {
      const chromium: ChromiumSamples = await chromiumSetup(lab, CALLS);
      console.log(`call-setup, Chromium engine in the media host (${CALLS} calls each; callee a wrtc bot)`);
      if (chromium.bare) console.log(row('dial → established', summarize(chromium.ours.setup), summarize(chromium.bare.setup)));
      else console.log(one('dial → established', summarize(chromium.ours.setup)));
      if (chromium.bare) console.log(row('established → media connected', summarize(chromium.ours.media), summarize(chromium.bare.media)));
      else console.log(one('established → media connected', summarize(chromium.ours.media)));
      // Established comes before the answer is applied now (ACK first): media is judged from the dial.
      const total = (s: ChromiumSamples['ours']): number[] => s.setup.map((v, i) => v + (s.media[i] ?? Number.NaN));
      if (chromium.bare) console.log(row('dial → media connected', summarize(total(chromium.ours)), summarize(total(chromium.bare))));
      else console.log(one('dial → media connected', summarize(total(chromium.ours))));
      console.log(one('  of it: INVITE sent → 200 OK received', summarize(chromium.ours.inviteToOk)));
      console.log(one('  of it: INVITE sent → ACK (established)', summarize(chromium.ours.inviteToAck)));
      console.log(`  offers sent from the spare: ${chromium.fromSpare} of ${CALLS}; gathered while waiting: ${chromium.gathered}`);
      console.log(goal('Chromium', summarize(chromium.ours.setup)));
    }
  } finally {
    await lab.stop();
  }
}
