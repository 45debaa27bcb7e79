/**
 * Call setup through the lab Kamailio, 50 calls each way of building a phone:
 *  - INVITE sent → established (200 OK received and ACKed)
 *  - established → media connected (first RTP bytes received by the caller)
 * for Baton's phone (bridged SDH over the Node engine) and for stock SIP.js (Web SDH on the same
 * wrtc), in the same run, printed with the ratio ours / stock.
 */
import { Invitation, Inviter, Registerer, SessionState, UserAgent, type Session } from 'sip.js';
import { startLab, type Lab } from '../lab/lab.js';
import { createAgent } from '../support/agents.js';
import { waitFor } from '../support/waitFor.js';
import { bareBytesReceived, bareSdhFactory, installWebGlobals, loopbackModifier, syntheticMicrophone } from './bareSipJs.js';
import { ms, summarize, type Summary } from './stats.js';

const CALLS = Number(process.env.BENCH_CALLS ?? 50);

interface Samples {
  readonly setup: number[];
  readonly media: number[];
}

async function ours(lab: Lab): Promise<Samples> {
  const caller = createAgent(lab, 'bench-a', { toneHz: 440 });
  const callee = createAgent(lab, 'bench-b', { toneHz: 660 });
  callee.phone.events.on('incomingCall', (call) => void call.answer());
  await Promise.all([caller.phone.start(), callee.phone.start()]);
  const samples: Samples = { setup: [], media: [] };
  for (let i = 0; i < CALLS; i += 1) {
    const t0 = performance.now();
    const call = await caller.phone.call('bench-b');
    const established = await new Promise<number>((resolve) => {
      call.events.on('state', (state) => state === 'established' && resolve(performance.now()));
    });
    await waitFor('media', async () => (await call.stats()).bytesReceived > 0, 5000, 2);
    samples.setup.push(established - t0);
    samples.media.push(performance.now() - established);
    await call.hangUp();
    await waitFor('callee idle', () => callee.phone.calls().length === 0);
  }
  await caller.dispose();
  await callee.dispose();
  return samples;
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
  return `${label.padEnd(30)} ours p50 ${ms(o.p50)}  p99 ${ms(o.p99)} | SIP.js p50 ${ms(s.p50)}  p99 ${ms(s.p99)} | ratio p50 ${(o.p50 / s.p50).toFixed(2)}  p99 ${(o.p99 / s.p99).toFixed(2)}`;
}

export async function run(): Promise<void> {
  const lab = await startLab({ presence: false });
  try {
    const stock = await bare(lab);
    const baton = await ours(lab);
    console.log(`call-setup (${CALLS} calls each, loopback, Kamailio ${lab.wsUrl})`);
    console.log(row('INVITE → established', summarize(baton.setup), summarize(stock.setup)));
    console.log(row('established → media connected', summarize(baton.media), summarize(stock.media)));
  } finally {
    await lab.stop();
  }
}
