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
 * Both engines run against the same lab, once per configuration in BENCH_LABS (default
 * `open,auth`): `open` registers and calls without credentials; `auth` asks for digest auth, so
 * every INVITE is answered 407 and sent again with credentials (one more round trip to Kamailio).
 * Set-up breakdown from each caller's SIP trace (Date.now, 1 ms): dial → first INVITE sent, the
 * INVITE that got the 200 → the 200, the 200 → the ACK.
 */
import { Invitation, Inviter, Registerer, SessionState, UserAgent } from 'sip.js';
import { Phone } from '../../electron/core/sip/phone.js';
import { startLab, type Lab, type LabOptions } from '../lab/lab.js';
import { createWrtcMediaPort } from '../lab/wrtcEngine.js';
import { createAgent } from '../support/agents.js';
import { waitFor } from '../support/waitFor.js';
import {
  bareBytesReceived,
  bareSdhFactory,
  bareSessionCount,
  installWebGlobals,
  loopbackModifier,
  syntheticMicrophone,
} from './bareSipJs.js';
import {
  calleeAnswer,
  chromiumSetup,
  sipBreakdown,
  traceInto,
  type ChromiumSamples,
  type LoopDelay,
  type SipEntry,
} from './callSetupChromium.js';
import { ms, summarize, type Summary } from './stats.js';

const CALLS = Number(process.env.BENCH_CALLS ?? 50);

interface Samples {
  readonly setup: number[];
  readonly media: number[];
}

interface Breakdown {
  readonly dialToInvite: number[];
  readonly inviteToOk: number[];
  readonly okToAck: number[];
  readonly calleeAnswer: number[];
}

/** Every lab peer of both engines; with `auth` each signs in with the lab's password. */
const LAB_USERS = ['bench-a', 'bench-b', 'bench-c', 'bare-a', 'bare-b', 'alice', 'customer', 'bare-chromium'];

const LAB_CONFIGS: Record<string, { label: string; options: LabOptions }> = {
  open: { label: 'open lab (no auth)', options: {} },
  auth: {
    label: 'digest-auth lab (INVITE → 407 → INVITE again)',
    options: { auth: { users: LAB_USERS.map((user) => ({ user, password: `pw-${user}` })) } },
  },
};

async function ours(lab: Lab, spareOffer: boolean): Promise<Samples & Breakdown & { fromSpare: number }> {
  const media = createWrtcMediaPort({ toneHz: 440, spareOffer });
  const user = spareOffer ? 'bench-a' : 'bench-c';
  const trace: SipEntry[] = [];
  const password = lab.passwordOf(user);
  const phone = new Phone({
    server: lab.wsUrl,
    aor: `sip:${user}@${lab.domain}`,
    media,
    backoff: { initialMs: 100, maxMs: 1000 },
    ...(password ? { password } : {}),
    sipTrace: traceInto(trace),
  });
  const calleePassword = lab.passwordOf('bench-b');
  const calleeTrace: SipEntry[] = [];
  const callee = createAgent(lab, 'bench-b', {
    toneHz: 660,
    ...(calleePassword ? { password: calleePassword } : {}),
    phone: { sipTrace: traceInto(calleeTrace) },
  });
  callee.phone.events.on('incomingCall', (call) => void call.answer());
  await Promise.all([phone.start(), callee.phone.start()]);
  const samples: Samples & Breakdown = { setup: [], media: [], dialToInvite: [], inviteToOk: [], okToAck: [], calleeAnswer: [] };
  for (let i = 0; i < CALLS; i += 1) {
    if (spareOffer) await waitFor('the spare', () => media.spareCounts().ready === 1, 5000, 2);
    const since = trace.length;
    const calleeSince = calleeTrace.length;
    const dialedAt = Date.now();
    const t0 = performance.now();
    const call = await phone.call('bench-b');
    const established = await new Promise<number>((resolve) => {
      call.events.on('state', (state) => state === 'established' && resolve(performance.now()));
    });
    await waitFor('media', async () => (await call.stats()).bytesReceived > 0, 5000, 2);
    samples.setup.push(established - t0);
    samples.media.push(performance.now() - established);
    const parts = sipBreakdown(trace.slice(since), dialedAt);
    samples.dialToInvite.push(parts.dialToInvite);
    samples.inviteToOk.push(parts.inviteToOk);
    samples.okToAck.push(parts.okToAck);
    samples.calleeAnswer.push(calleeAnswer(calleeTrace.slice(calleeSince)));
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
  const credentials = (user: string): { authorizationUsername?: string; authorizationPassword?: string } => {
    const password = lab.passwordOf(user);
    return password ? { authorizationUsername: user, authorizationPassword: password } : {};
  };
  installWebGlobals();
  const mic = syntheticMicrophone(440);
  const factory = bareSdhFactory(mic);
  const make = (user: string): UserAgent =>
    new UserAgent({
      uri: UserAgent.makeURI(`sip:${user}@${lab.domain}`),
      transportOptions: { server: lab.wsUrl },
      ...credentials(user),
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
    await waitFor('callee idle', () => bareSessionCount(b) === 0);
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

function parts(prefix: string, b: Breakdown): string[] {
  return [
    one(`${prefix}dial → first INVITE sent`, summarize(b.dialToInvite)),
    one(`${prefix}INVITE (the one answered) → 200 OK`, summarize(b.inviteToOk)),
    one(`${prefix}200 OK → ACK (established)`, summarize(b.okToAck)),
    one(`  callee (wrtc): INVITE received → 200 sent`, summarize(b.calleeAnswer)),
  ];
}

async function runOn(config: string, withoutSpareToo: boolean, engines: string): Promise<void> {
  const chosen = LAB_CONFIGS[config];
  if (!chosen) throw new Error(`BENCH_LABS: unknown lab configuration ${JSON.stringify(config)} (open, auth)`);
  // Presence on (the lab's default): the Chromium half's desk publishes and subscribes.
  const lab = await startLab(chosen.options);
  try {
    if (engines.includes('node')) {
      const stockSamples = await bare(lab);
      const baton = await ours(lab, true);
      const noSpare = withoutSpareToo ? await ours(lab, false) : null;
      console.log(`call-setup, Node engine (wrtc), ${chosen.label} (${CALLS} calls each, loopback, Kamailio ${lab.wsUrl})`);
      console.log(row('dial → established', summarize(baton.setup), summarize(stockSamples.setup)));
      console.log(row('established → media connected', summarize(baton.media), summarize(stockSamples.media)));
      const total = (s: Samples): number[] => s.setup.map((v, i) => v + (s.media[i] ?? Number.NaN));
      console.log(row('dial → media connected', summarize(total(baton)), summarize(total(stockSamples))));
      for (const line of parts('  of it: ', baton)) console.log(line);
      console.log(`  offers sent from the spare: ${baton.fromSpare} of ${CALLS}`);
      if (noSpare) {
        console.log(one('  without the spare: dial → established', summarize(noSpare.setup)));
        console.log(one('  without the spare: established → media', summarize(noSpare.media)));
      }
      console.log(goal(`Node, ${config} lab,`, summarize(baton.setup)));
    }
    if (engines.includes('chromium')) {
      const chromium: ChromiumSamples = await chromiumSetup(lab, CALLS);
      console.log(`call-setup, Chromium engine in the media host, ${chosen.label} (${CALLS} calls each; callee a wrtc bot)`);
      if (chromium.bare) console.log(row('dial → established', summarize(chromium.ours.setup), summarize(chromium.bare.setup)));
      else console.log(one('dial → established', summarize(chromium.ours.setup)));
      if (chromium.bare) console.log(row('established → media connected', summarize(chromium.ours.media), summarize(chromium.bare.media)));
      else console.log(one('established → media connected', summarize(chromium.ours.media)));
      // Established comes before the answer is applied now (ACK first): media is judged from the dial.
      const total = (s: ChromiumSamples['ours']): number[] => s.setup.map((v, i) => v + (s.media[i] ?? Number.NaN));
      if (chromium.bare) console.log(row('dial → media connected', summarize(total(chromium.ours)), summarize(total(chromium.bare))));
      else console.log(one('dial → media connected', summarize(total(chromium.ours))));
      for (const line of parts('  of it: ', chromium.ours)) console.log(line);
      console.log(one('  main: dial → createOffer asked', summarize(chromium.ours.dialToOfferAsked)));
      console.log(one('  main ↔ media host: createOffer round trip', summarize(chromium.ours.offerRoundTrip)));
      const offerToInvite = chromium.ours.dialToInvite.map(
        (v, i) => v - (chromium.ours.dialToOfferAsked[i] ?? Number.NaN) - (chromium.ours.offerRoundTrip[i] ?? Number.NaN),
      );
      console.log(one('  main: offer back → INVITE sent', summarize(offerToInvite)));
      if (chromium.bare) console.log(one('  stock SIP.js: callee INVITE received → 200', summarize(chromium.bare.calleeAnswer)));
      const delay = (d: LoopDelay): string => `p50 ${ms(d.p50)}  p99 ${ms(d.p99)}  max ${ms(d.max)}`;
      console.log(`  Node event-loop delay (desk + callee share it): ours ${delay(chromium.loopDelay.ours)}`);
      if (chromium.loopDelay.bare) console.log(`  Node event-loop delay (callee only): stock ${delay(chromium.loopDelay.bare)}`);
      console.log(`  offers sent from the spare: ${chromium.fromSpare} of ${CALLS}; gathered while waiting: ${chromium.gathered}`);
      console.log(goal(`Chromium, ${config} lab,`, summarize(chromium.ours.setup)));
    }
  } finally {
    await lab.stop();
  }
}

export async function run(): Promise<void> {
  const engines = process.env.BENCH_ENGINES ?? 'node,chromium';
  const configs = (process.env.BENCH_LABS ?? 'open,auth').split(',').map((c) => c.trim());
  // The no-spare comparison runs once, on the first configuration.
  for (const [i, config] of configs.entries()) await runOn(config, i === 0, engines);
}
