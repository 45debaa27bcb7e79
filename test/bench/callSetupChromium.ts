/**
 * The Chromium half of `npm run bench -- call-setup`: alice's desk in Node (main's IpcBridge and
 * RendererMediaPort, as the E2E harness runs it) with its media host page in Debian's Chromium (the
 * product's engine, with its spare connection), dialing a wrtc customer bot that answers at once;
 * beside it, stock SIP.js (its Web SDH, bundled with esbuild) in a page of the same Chromium,
 * dialing the same bot, on the lab Kamailio the caller gives (the Node half's, so both engines meet
 * the same configuration; presence on, as the desk expects).
 */
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { monitorEventLoopDelay, type IntervalHistogram } from 'node:perf_hooks';
import { join } from 'node:path';
import { build } from 'esbuild';
import { chromium, type Browser, type Page } from '@playwright/test';
import { createCustomer, type CustomerBot } from '../lab/bots.js';
import { type Lab } from '../lab/lab.js';
import { labDocument } from '../support/deskFixture.js';
import { waitFor } from '../support/waitFor.js';
import globalSetup from '../e2e/globalSetup.js';
import { AgentEndpoint } from '../e2e/harness/agentEndpoint.js';
import { startBridgeServer, type BridgeServer } from '../e2e/harness/bridgeServer.js';
import { BUNDLE_DIR, CHROMIUM_ARGS } from '../e2e/harness/paths.js';
import { attachMediaHost } from './mediaHostPage.js';

export interface ChromiumSeries {
  readonly setup: number[];
  readonly media: number[];
  /** From main's SIP trace (1 ms clock): dial → first INVITE, the INVITE that got the 200 → the 200, the 200 → the ACK. */
  readonly dialToInvite: number[];
  readonly inviteToOk: number[];
  readonly okToAck: number[];
  /** The callee's own trace: INVITE received → its 200 sent (answering, incl. its ICE gathering). */
  readonly calleeAnswer: number[];
  /** Ours only, main's side of the media channel: dial → createOffer asked, and asked → the offer back. */
  readonly dialToOfferAsked: number[];
  readonly offerRoundTrip: number[];
}

/** A Phone `sipTrace` writing first lines into `log`. */
export function traceInto(log: SipEntry[]): (direction: 'sent' | 'received', message: string) => void {
  return (direction, message) => void log.push({ direction, firstLine: message.slice(0, message.indexOf('\r\n') >>> 0), at: Date.now() });
}

/** From a callee's trace since the call: the INVITE received → the first 200 it sent after it. */
export function calleeAnswer(log: readonly SipEntry[]): number {
  const invite = log.find((e) => e.direction === 'received' && e.firstLine.startsWith('INVITE '));
  const ok = log.find((e) => invite !== undefined && e.at >= invite.at && e.direction === 'sent' && e.firstLine.startsWith('SIP/2.0 200'));
  return invite && ok ? ok.at - invite.at : Number.NaN;
}

function emptySeries(): ChromiumSeries {
  return {
    setup: [],
    media: [],
    dialToInvite: [],
    inviteToOk: [],
    okToAck: [],
    calleeAnswer: [],
    dialToOfferAsked: [],
    offerRoundTrip: [],
  };
}

export interface SipEntry {
  readonly direction: 'sent' | 'received';
  readonly firstLine: string;
  /** Date.now() when traced. */
  readonly at: number;
}

/**
 * One call's SIP trace, from the dial (Date.now()) on, split at the first INVITE sent, the INVITE
 * answered 200 (the last before the 200: a lab asking for digest auth answers the first one 407)
 * and the ACK. NaN where a message is missing.
 */
export function sipBreakdown(log: readonly SipEntry[], dialedAt: number): { dialToInvite: number; inviteToOk: number; okToAck: number } {
  const isInvite = (e: SipEntry): boolean => e.direction === 'sent' && e.firstLine.startsWith('INVITE ');
  const first = log.find(isInvite);
  const ok = log.find(
    (e) => first !== undefined && e.at >= first.at && e.direction === 'received' && e.firstLine.startsWith('SIP/2.0 200'),
  );
  const answered = log.filter((e) => isInvite(e) && ok !== undefined && e.at <= ok.at).at(-1);
  const ack = log.find((e) => ok !== undefined && e.at >= ok.at && e.direction === 'sent' && e.firstLine.startsWith('ACK '));
  return {
    dialToInvite: first ? first.at - dialedAt : Number.NaN,
    inviteToOk: answered && ok ? ok.at - answered.at : Number.NaN,
    okToAck: ok && ack ? ack.at - ok.at : Number.NaN,
  };
}

export interface ChromiumSamples {
  readonly ours: ChromiumSeries;
  readonly bare: ChromiumSeries | null;
  readonly fromSpare: number;
  readonly gathered: number;
  /** Node's event-loop delay (ms) while each series ran: main's desk and the callee bot share that loop. */
  readonly loopDelay: { readonly ours: LoopDelay; readonly bare: LoopDelay | null };
}

export interface LoopDelay {
  readonly p50: number;
  readonly p99: number;
  readonly max: number;
}

function loopDelay(histogram: IntervalHistogram): LoopDelay {
  return { p50: histogram.percentile(50) / 1e6, p99: histogram.percentile(99) / 1e6, max: histogram.max / 1e6 };
}

const ENGINE_GLOBAL = '__BATON_MEDIA_ENGINE__';

interface Counters {
  readonly spare: { readonly ready: number };
  readonly offers: { readonly fromSpare: number; readonly gathered: number };
}

export async function chromiumSetup(lab: Lab, calls: number): Promise<ChromiumSamples> {
  globalSetup(); // the bundle and the fake microphone's WAV, as the E2E suite has them
  const bundle = mkdtempSync(join(tmpdir(), 'baton-bench-bundle-'));
  cpSync(BUNDLE_DIR, bundle, { recursive: true });
  const server = await startBridgeServer(bundle);
  const alice = new AgentEndpoint({ userId: 'alice', provisioning: labDocument(lab) });
  server.register(alice);
  const calleeLog: SipEntry[] = [];
  const customer = createCustomer(lab, 'customer', { phone: { sipTrace: traceInto(calleeLog) } });
  const offers = timeOffers(alice);
  customer.phone.events.on('incomingCall', (call) => void call.answer());
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', headless: true, args: [...CHROMIUM_ARGS] });
  try {
    await customer.phone.start();
    const page = await openMediaHost(browser, server, alice, lab);
    const counters = (): Promise<Counters> =>
      page.evaluate((name) => (globalThis as unknown as Record<string, { counters(): Counters }>)[name]!.counters(), ENGINE_GLOBAL);
    // The first call captures the microphone; until then Chromium offers mDNS names only, which no
    // SIP far end resolves, so the first spare comes after it.
    await aliceCall(alice, customer, calleeLog, offers);
    const before = (await counters()).offers;
    const oursLoop = monitorEventLoopDelay({ resolution: 1 });
    oursLoop.enable();
    const ours = emptySeries();
    for (let i = 0; i < calls; i += 1) {
      await waitFor('the spare', async () => ((await counters()).spare.ready === 1 ? true : undefined), 10_000, 5);
      const sample = await aliceCall(alice, customer, calleeLog, offers);
      ours.setup.push(sample.setup);
      ours.media.push(sample.media);
      ours.dialToInvite.push(sample.dialToInvite);
      ours.inviteToOk.push(sample.inviteToOk);
      ours.okToAck.push(sample.okToAck);
      ours.calleeAnswer.push(sample.calleeAnswer);
      ours.dialToOfferAsked.push(sample.dialToOfferAsked);
      ours.offerRoundTrip.push(sample.offerRoundTrip);
    }
    oursLoop.disable();
    const after = (await counters()).offers;
    let bare: ChromiumSeries | null = null;
    const bareLoop = monitorEventLoopDelay({ resolution: 1 });
    bareLoop.enable();
    try {
      bare = await bareInChromium(browser, server, lab, calls, customer, calleeLog);
    } catch (error) {
      console.log(`stock SIP.js in Chromium not measured: ${error instanceof Error ? error.message : String(error)}`);
    }
    bareLoop.disable();
    return {
      ours,
      bare,
      fromSpare: after.fromSpare - before.fromSpare,
      gathered: after.gathered - before.gathered,
      loopDelay: { ours: loopDelay(oursLoop), bare: bare ? loopDelay(bareLoop) : null },
    };
  } finally {
    await alice.dispose();
    server.unregister(alice);
    await browser.close().catch((error: unknown) => console.warn('cleanup:', error));
    await customer.dispose();
    await server.close();
    rmSync(bundle, { recursive: true, force: true });
  }
}

/** One call alice dials to the customer: dial → established, established → first bytes, INVITE → 200 (from main's SIP trace). */
async function aliceCall(
  alice: AgentEndpoint,
  customer: CustomerBot,
  calleeLog: SipEntry[],
  offers: OfferTiming[],
): Promise<{
  setup: number;
  media: number;
  dialToInvite: number;
  inviteToOk: number;
  okToAck: number;
  calleeAnswer: number;
  dialToOfferAsked: number;
  offerRoundTrip: number;
}> {
  const since = alice.sipLog.length;
  const calleeSince = calleeLog.length;
  const offersSince = offers.length;
  const dialedAt = Date.now();
  const t0 = performance.now();
  const dialed = await alice.desk.handle('call.dial', { target: customer.name });
  if (!dialed.ok) throw new Error(`dial failed: ${dialed.error.message}`);
  const { value } = dialed;
  if (typeof value !== 'object' || value === null || !('callId' in value)) throw new Error('call.dial returned no call id');
  const callId = value.callId;
  await waitFor(
    'established',
    () => (alice.state().calls.some((c) => c.id === callId && c.state === 'established') ? true : undefined),
    10_000,
    1,
  );
  const established = performance.now();
  await waitFor('media', async () => ((await alice.mediaStats()).bytesReceived > 0 ? true : undefined), 10_000, 2);
  const media = performance.now() - established;
  const parts = sipBreakdown(alice.sipLog.slice(since), dialedAt);
  const answer = calleeAnswer(calleeLog.slice(calleeSince));
  const offer = offers[offersSince];
  const hungUp = await alice.desk.handle('call.hangUp', { callId });
  if (!hungUp.ok) throw new Error(`hang-up failed: ${hungUp.error.message}`);
  await waitFor('the customer idle', () => (customer.phone.calls().length === 0 ? true : undefined), 5000);
  const due = await alice.until('the wrap-up', (s) => s.dispositionsDue.some((d) => d.callId === callId));
  const filed = await alice.desk.handle('disposition.file', { callId, codeId: due.dispositionCodes[0]?.id ?? '', note: '' });
  if (!filed.ok) throw new Error(`filing the disposition failed: ${filed.error.message}`);
  return {
    setup: established - t0,
    media,
    ...parts,
    calleeAnswer: answer,
    dialToOfferAsked: offer ? offer.askedAt - dialedAt : Number.NaN,
    offerRoundTrip: offer?.answeredAt !== undefined ? offer.answeredAt - offer.askedAt : Number.NaN,
  };
}

interface OfferTiming {
  readonly askedAt: number;
  answeredAt?: number;
}

/** Times each createOffer main asks of the media host (Date.now, as the SIP trace). */
function timeOffers(alice: AgentEndpoint): OfferTiming[] {
  const timings: OfferTiming[] = [];
  const port = alice.media;
  const request = port.request.bind(port);
  port.request = ((req: Parameters<typeof port.request>[0]) => {
    const pending = request(req);
    if (req.op !== 'createOffer') return pending;
    const timing: OfferTiming = { askedAt: Date.now() };
    timings.push(timing);
    return pending.then((value) => {
      timing.answeredAt = Date.now();
      return value;
    });
  }) as typeof port.request;
  return timings;
}

/** A signed-in desk's media host page in Chromium, its engine attached. */
async function openMediaHost(browser: Browser, server: BridgeServer, desk: AgentEndpoint, lab: Lab): Promise<Page> {
  const signedIn = await desk.desk.handle('session.signIn', { userId: desk.userId, password: lab.passwordOf(desk.userId) ?? '' });
  if (!signedIn.ok) throw new Error(`${desk.userId} could not sign in: ${signedIn.error.message}`);
  await desk.until('registered', (s) => s.session.registration === 'registered');
  const context = await browser.newContext({ baseURL: server.origin, permissions: ['microphone'] });
  return attachMediaHost(await context.newPage(), server, desk);
}

/** Stock SIP.js as its docs show (Web SDH, default factory), in a page of the same Chromium. */
async function bareInChromium(
  browser: Browser,
  server: BridgeServer,
  lab: Lab,
  calls: number,
  customer: CustomerBot,
  calleeLog: SipEntry[],
): Promise<ChromiumSeries> {
  const bundled = await build({
    stdin: { contents: "export * from 'sip.js';", resolveDir: process.cwd(), loader: 'ts' },
    bundle: true,
    format: 'iife',
    globalName: 'SIP',
    write: false,
    platform: 'browser',
  });
  const script = bundled.outputFiles[0]?.text ?? '';
  // The bundle's CSP is for our pages; this one runs the stock library's script inline.
  const context = await browser.newContext({ baseURL: server.origin, permissions: ['microphone'], bypassCSP: true });
  const page = await context.newPage();
  // Any page of the loopback origin: a secure context for getUserMedia and WebRTC.
  await page.goto('/bench-blank');
  await page.addScriptTag({ content: script });
  // tsx compiles with esbuild's keepNames: functions evaluated in the page call a `__name` helper.
  await page.evaluate('globalThis.__name = (f) => f');
  const user = 'bare-chromium';
  const password = lab.passwordOf(user) ?? '';
  await page.evaluate(
    async ({ server: wsUrl, domain, user: name, password: secret }) => {
      type Sip = typeof import('sip.js');
      const SIP = (globalThis as unknown as { SIP: Sip }).SIP;
      const keepLoopback = (description: RTCSessionDescriptionInit): Promise<RTCSessionDescriptionInit> =>
        Promise.resolve({
          ...description,
          sdp: (description.sdp ?? '')
            .split('\r\n')
            .filter((l) => !l.startsWith('a=candidate:') || l.split(' ')[4] === '127.0.0.1')
            .join('\r\n'),
        });
      const ua = new SIP.UserAgent({
        uri: SIP.UserAgent.makeURI(`sip:${name}@${domain}`),
        transportOptions: { server: wsUrl },
        ...(secret ? { authorizationUsername: name, authorizationPassword: secret } : {}),
        sessionDescriptionHandlerFactoryOptions: { iceGatheringTimeout: 1000, peerConnectionConfiguration: { iceServers: [] } },
        logLevel: 'error',
      });
      await ua.start();
      await new Promise<void>((resolve, reject) => {
        void new SIP.Registerer(ua).register({
          requestDelegate: { onAccept: () => resolve(), onReject: () => reject(new Error('REGISTER refused')) },
        });
      });
      (globalThis as unknown as Record<string, unknown>).benchCall = async (target: string): Promise<{ setup: number; media: number }> => {
        const uri = SIP.UserAgent.makeURI(`sip:${target}@${domain}`);
        if (!uri) throw new Error('bad target');
        const inviter = new SIP.Inviter(ua, uri, { sessionDescriptionHandlerModifiers: [keepLoopback] });
        const t0 = performance.now();
        const established = new Promise<number>((resolve) => {
          inviter.stateChange.addListener((s) => s === SIP.SessionState.Established && resolve(performance.now()));
        });
        await inviter.invite();
        const t1 = await established;
        const pc = (inviter.sessionDescriptionHandler as unknown as { peerConnection: RTCPeerConnection }).peerConnection;
        for (;;) {
          let bytes = 0;
          (await pc.getStats()).forEach((r: { type: string; bytesReceived?: number }) => {
            if (r.type === 'inbound-rtp') bytes += r.bytesReceived ?? 0;
          });
          if (bytes > 0) break;
          await new Promise((r) => setTimeout(r, 2));
        }
        const t2 = performance.now();
        const ended = new Promise<void>((resolve) =>
          inviter.stateChange.addListener((s) => s === SIP.SessionState.Terminated && resolve()),
        );
        await inviter.bye();
        await ended;
        return { setup: t1 - t0, media: t2 - t1 };
      };
    },
    { server: lab.wsUrl, domain: lab.domain, user, password },
  );
  const series = emptySeries();
  for (let i = 0; i < calls + 1; i += 1) {
    const calleeSince = calleeLog.length;
    const sample = await page.evaluate(
      (target) => (globalThis as unknown as { benchCall(t: string): Promise<{ setup: number; media: number }> }).benchCall(target),
      customer.name,
    );
    await waitFor('the customer idle', () => (customer.phone.calls().length === 0 ? true : undefined), 5000);
    if (i === 0) continue; // the first call captures the microphone, as ours did
    series.setup.push(sample.setup);
    series.media.push(sample.media);
    series.calleeAnswer.push(calleeAnswer(calleeLog.slice(calleeSince)));
  }
  await context.close();
  return series;
}
