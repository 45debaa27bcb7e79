/**
 * The call outlives the UI: alice's desk (main in Node: IpcBridge + RendererMediaPort, as the E2E
 * harness runs it) with two pages in Debian's Chromium — her UI and her media host (the product's
 * engine) — on calls with three far ends side by side:
 *  - a Baton desk: bob, his own media host page (Chromium; answers a new engine as DTLS server);
 *  - a libwebrtc peer: the customer bot on wrtc (M106), which keeps its DTLS client role;
 *  - a plain-RTP phone: linphonec behind rtpengine (the relay terminates DTLS and ICE for it; offered
 *    a=setup:active on a take-over, it becomes the DTLS server: shared/sdp.ts dtlsClientOffer).
 * alice dials each (BENCH_CALLS calls per far end, default 5), and the customer also dials alice.
 * BENCH_FAR_ENDS=desk,wrtc,phone picks far ends by a word of their label.
 * On each call:
 *  1. UI reload: the longest gap in what each end hears, on 20 ms frames of the other's party tone
 *     (alice and bob: the media host's recorder, test/e2e/harness/continuity.ts; the wrtc bot: its
 *     RTP packet arrivals; linphonec: its recording), and the SIP messages alice sent (none expected).
 *     Goal: 0 ms (no interruption: no gap beyond the 20 ms frame).
 *  2. Media-host crash (the page closed, a new one opened as main would restart it) → audio both
 *     ways: alice's new engine hears the far end, the far end hears alice's tone in fresh audio (after
 *     the take-over's answer). Printed with the steps inside. Goal: p99 ≤ 1.5 s for every far end.
 */
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Page } from '@playwright/test';
import type { Call } from '../../electron/core/sip/call.js';
import { COMMAND_NAMES } from '../../shared/ipc.js';
import { createCustomer, type CustomerBot } from '../lab/bots.js';
import { traceOf } from '../lab/wrtcEngine.js';
import { startLab } from '../lab/lab.js';
import { createLinphone, type LinphoneCall, type LinphonePhone } from '../lab/linphone.js';
import { readWav } from '../lab/recording.js';
import { describeHearing, hearing, onlyToneHeard } from '../support/audioOracle.js';
import { labDocument } from '../support/deskFixture.js';
import { framedTones } from '../support/goertzel.js';
import { PARTY_TONES, TONES } from '../support/partyTones.js';
import { waitFor } from '../support/waitFor.js';
import { CONTRACT_EVENTS } from '../support/contractEvents.js';
import globalSetup from '../e2e/globalSetup.js';
import { AgentEndpoint } from '../e2e/harness/agentEndpoint.js';
import { installBatonBridge, type BridgeClientArgs } from '../e2e/harness/bridgeClient.js';
import { startBridgeServer, type BridgeServer } from '../e2e/harness/bridgeServer.js';
import { startContinuity, stopContinuity } from '../e2e/harness/continuity.js';
import { installPartyMicrophone, type PartyMicrophoneArgs } from '../e2e/harness/fakeMicrophone.js';
import { BUNDLE_DIR, CHROMIUM_ARGS } from '../e2e/harness/paths.js';
import { traceFarEnd, type FarEndTrace, type FarEndTracer } from './farEndTrace.js';
import { attachMediaHost, serialised } from './mediaHostPage.js';
import { ms, summarize } from './stats.js';

const CALLS = Math.max(1, Number(process.env.BENCH_CALLS ?? 5));
const POLL_MS = 5;
const FRAME_MS = 20;
/** About as long as a UI reload takes to attach again here: the control window's length. */
const RELOAD_WINDOW_MS = 500;
const HEARD = 0.05;
/** Requests that would change a dialog or its media: none may follow a UI reload. */
const DIALOG_REQUEST = /^(INVITE|BYE|UPDATE|REFER|CANCEL|ACK|PRACK) /;

interface Crash {
  readonly total: number;
  readonly attached: number;
  readonly answered: number;
  readonly farHears: number;
  readonly agentHears: number;
  readonly iceConnected: number;
  /** The far end's own view (wrtc far ends only). */
  readonly trace: FarEndTrace | null;
}

interface Series {
  readonly label: string;
  readonly uiGapAgent: number[];
  readonly uiGapFar: number[];
  /** The same window on the same call with no reload: the gaps the machine makes on its own. */
  readonly quietGapAgent: number[];
  readonly quietGapFar: number[];
  readonly uiSip: number[];
  readonly crashes: Crash[];
}

/** The other end of one of alice's calls. */
interface FarCall {
  /** From now on, only audio arriving after this counts (called once the take-over is answered). */
  mark(): Promise<void>;
  /** The far end hears alice's tone in audio that arrived lately (the wrtc bot's window: 200 ms; linphonec's 100 ms), after mark(). */
  hearsAlice(): Promise<boolean>;
  /** Starts watching what the far end hears; the returned function stops and gives the longest gap (ms). */
  watchGap(): Promise<() => Promise<number>>;
  established(): boolean;
  /** What the far end hears now, for an error message. */
  describe(): Promise<string>;
  /** After alice hung up: the far end saw the end. */
  ended(): Promise<void>;
  /** Starts sampling the far end's own peer connection (only a far end whose connection the bench can read). */
  traceTakeOver?: () => Promise<FarEndTracer>;
}

interface FarEnd {
  readonly label: string;
  /** A call with alice, answered, both ends hearing each other. */
  connect(): Promise<{ callId: string; far: FarCall }>;
}

async function until<T>(what: string, probe: () => Promise<T | undefined> | T | undefined, timeoutMs = 10_000): Promise<T> {
  return waitFor(what, probe, timeoutMs, POLL_MS);
}

export async function run(): Promise<void> {
  globalSetup(); // the bundle and the fake microphone's WAV, as the E2E suite has them
  const lab = await startLab({ mediaRelay: true });
  const bundle = mkdtempSync(join(tmpdir(), 'baton-bench-bundle-'));
  cpSync(BUNDLE_DIR, bundle, { recursive: true });
  const server = await startBridgeServer(bundle);
  const alice = new AgentEndpoint({ userId: 'alice', provisioning: labDocument(lab) });
  const bob = new AgentEndpoint({ userId: 'bob', provisioning: labDocument(lab) });
  server.register(alice);
  server.register(bob);
  const customer = createCustomer(lab, 'customer');
  const phone = createLinphone(lab, { user: 'deskphone', toneHz: TONES.customer2 });
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', headless: true, args: [...CHROMIUM_ARGS] });
  try {
    await customer.phone.start();
    await phone.start();
    await signIn(alice);
    await signIn(bob);
    const aliceContext = await browser.newContext({ baseURL: server.origin, permissions: ['microphone'] });
    const aliceHost = { page: await openMediaHost(aliceContext, server, alice, TONES.alice) };
    // The UI page in a context of its own, so Chromium gives it its own renderer process as Electron
    // gives each window one: in one context the reloading page's main thread is the media host's too.
    const ui = await openUi(await browser.newContext({ baseURL: server.origin }), server, alice);
    const bobContext = await browser.newContext({ baseURL: server.origin, permissions: ['microphone'] });
    const bobHost = await openMediaHost(bobContext, server, bob, TONES.bob);

    const farEnds: FarEnd[] = [
      { label: 'Baton desk (bob, Chromium; alice dials)', connect: () => bobCall(alice, bob, bobHost) },
      { label: 'wrtc bot (libwebrtc M106; alice dials)', connect: () => customerCall(alice, customer, 'outbound') },
      { label: 'wrtc bot (libwebrtc M106; it dials alice)', connect: () => customerCall(alice, customer, 'inbound') },
      { label: 'plain-RTP phone behind rtpengine (linphonec; alice dials)', connect: () => phoneCall(alice, phone) },
    ];
    // BENCH_FAR_ENDS=desk,phone: only the far ends whose label names one of these words.
    const only = (process.env.BENCH_FAR_ENDS ?? '').split(',').filter((w) => w.length > 0);
    const results: Series[] = [];
    for (const farEnd of farEnds.filter((f) => only.length === 0 || only.some((w) => f.label.includes(w)))) {
      const series: Series = {
        label: farEnd.label,
        uiGapAgent: [],
        uiGapFar: [],
        quietGapAgent: [],
        quietGapFar: [],
        uiSip: [],
        crashes: [],
      };
      for (let c = 0; c < CALLS; c += 1) {
        const { callId, far } = await farEnd.connect();
        await until('alice hears the far end', async () => (((await alice.mediaStats()).inboundLevel ?? 0) > 0.01 ? true : undefined));
        await until(`${farEnd.label} hears alice`, async () => ((await far.hearsAlice()) ? true : undefined)).catch(
          async (error: unknown) => {
            throw new Error(`${String(error)}: ${await far.describe()}`);
          },
        );
        const gap = await uiReload(alice, aliceHost.page, ui, far);
        series.uiGapAgent.push(gap.agent);
        series.uiGapFar.push(gap.far);
        series.uiSip.push(gap.sip);
        const quiet = await uiReload(alice, aliceHost.page, null, far);
        series.quietGapAgent.push(quiet.agent);
        series.quietGapFar.push(quiet.far);
        series.crashes.push(await crashOnce(alice, aliceContext, aliceHost, server, far));
        await new Promise((resolve) => setTimeout(resolve, 300));
        const hungUp = await alice.desk.handle('call.hangUp', { callId });
        if (!hungUp.ok) throw new Error(`hang-up failed: ${hungUp.error.message}`);
        await far.ended();
        await fileWrapUp(alice, callId);
      }
      results.push(series);
    }
    print(results, lab.wsUrl);
  } finally {
    await alice.dispose();
    await bob.dispose();
    server.unregister(alice);
    server.unregister(bob);
    await browser.close().catch((error: unknown) => console.warn('cleanup:', error));
    await customer.dispose();
    await phone.stop().catch((error: unknown) => console.warn('cleanup:', error));
    await server.close();
    rmSync(bundle, { recursive: true, force: true });
    await lab.stop();
  }
}

function print(results: readonly Series[], wsUrl: string): void {
  const line = (label: string, values: readonly number[]): string => {
    const s = summarize(values);
    return `${label.padEnd(52)} p50 ${ms(s.p50).padStart(10)}  p99 ${ms(s.p99).padStart(10)}  max ${ms(Math.max(...values)).padStart(10)}`;
  };
  console.log(
    `renderer-reload (${CALLS} calls per far end; alice's UI and media host in Chromium, Kamailio ${wsUrl}, rtpengine for the phone)`,
  );
  const dtlsSlow: string[] = [];
  let uiMet = true;
  let crashMet = true;
  for (const s of results) {
    console.log(s.label);
    console.log(line('  UI reload → longest gap alice hears', s.uiGapAgent));
    console.log(line('  UI reload → longest gap the far end hears', s.uiGapFar));
    console.log(line('  no reload, same window → longest gap alice hears', s.quietGapAgent));
    console.log(line('  no reload, same window → longest gap the far end hears', s.quietGapFar));
    console.log(`  UI reload → SIP dialog requests alice sent: ${s.uiSip.reduce((a, b) => a + b, 0)}`);
    const pick = (f: (c: Crash) => number): number[] => s.crashes.map(f);
    console.log(
      line(
        '  media-host crash → audio both ways',
        pick((c) => c.total),
      ),
    );
    console.log(
      line(
        '    → new media host attached',
        pick((c) => c.attached),
      ),
    );
    console.log(
      line(
        '    → take-over re-INVITE answered',
        pick((c) => c.answered),
      ),
    );
    console.log(
      line(
        '    → new engine’s ICE connected',
        pick((c) => c.iceConnected),
      ),
    );
    console.log(
      line(
        '    → alice hears the far end',
        pick((c) => c.agentHears),
      ),
    );
    console.log(
      line(
        '    → the far end hears alice',
        pick((c) => c.farHears),
      ),
    );
    const dtls = pick((c) => c.total - c.iceConnected);
    console.log(line('    ICE connected → audio both ways (DTLS and first audio)', dtls));
    if (summarize(dtls).p50 > 800) dtlsSlow.push(s.label);
    console.log(
      `    every sample (ms): ${pick((c) => c.total)
        .sort((a, b) => a - b)
        .map((v) => v.toFixed(0))
        .join(' ')}`,
    );
    // A slow far end is slow on one side: its own DTLS (it keeps the client role and its dead path).
    const slow = s.crashes.filter((c) => c.total > 1500);
    for (const c of slow) {
      console.log(
        `    slow: answered ${ms(c.answered)}, ICE ${ms(c.iceConnected)}, alice hears ${ms(c.agentHears)}, far end hears ${ms(c.farHears)}`,
      );
    }
    printTraces(s.crashes);
    // A gap counts against the reload only beyond one frame and beyond what the same window gives
    // with no reload at all (on 2 shared cores the machine's own scheduling makes 20–40 ms gaps).
    if (Math.max(...s.uiGapAgent, ...s.uiGapFar) > Math.max(FRAME_MS, ...s.quietGapAgent, ...s.quietGapFar)) uiMet = false;
    if (summarize(pick((c) => c.total)).p99 > 1500) crashMet = false;
  }
  console.log(`goal UI reload → no gap beyond one 20 ms frame, at every far end: ${uiMet ? 'met' : 'MISSED'}`);
  console.log(`goal media-host crash → audio both ways p99 ≤ 1500 ms, every far end: ${crashMet ? 'met' : 'MISSED'}`);
  if (dtlsSlow.length > 0) printWhy(dtlsSlow, results);
}

type Traced = Crash & { readonly trace: FarEndTrace };

function traced(crashes: readonly Crash[]): Traced[] {
  return crashes.filter((c): c is Traced => c.trace !== null);
}

const at = (value: number | null): string => (value === null ? 'never' : `+${value}`);

/** Present values of `values`, p50 and max, or "never" when none happened. */
function spread(values: ReadonlyArray<number | null>): string {
  const seen = values.filter((v): v is number => v !== null);
  if (seen.length === 0) return 'never';
  const missed = values.length - seen.length;
  return `p50 ${summarize(seen).p50.toFixed(0)}, max ${Math.max(...seen).toFixed(0)} ms${missed > 0 ? ` (${missed} never)` : ''}`;
}

/** The far end's own view of each take-over (its stats every 50 ms), in ms after the crash. */
function printTraces(crashes: readonly Crash[]): void {
  const all = traced(crashes);
  if (all.length === 0) return;
  console.log('    the far end’s own peer connection (getStats every 50 ms), ms after the crash:');
  all.forEach((c, i) => {
    const t = c.trace;
    const sends = t.oldPathSends.map((x) => `+${x.at} ${x.bytes} B`).join(', ');
    console.log(
      `    sample ${i + 1}: offer taken ${at(t.offerAt)}, path switched ${at(t.switchedAt)}, DTLS connected ${at(t.dtlsAt)}, ` +
        `RTP reaches it ${at(t.audioAt)}, it hears alice +${c.farHears.toFixed(0)}, audio both ways +${c.total.toFixed(0)}; ` +
        `${t.newTransport === null ? 'transport unknown' : t.newTransport ? 'new transport' : 'same transport'}; ` +
        `down the old path after the offer: ${sends.length > 0 ? sends : 'nothing'} (${t.samples} samples)`,
    );
    for (const event of t.events) console.log(`      ${event}`);
  });
  const pick = (f: (t: FarEndTrace) => number | null): Array<number | null> => all.map((c) => f(c.trace));
  console.log(`    → the far end took the take-over offer            ${spread(pick((t) => t.offerAt))}`);
  console.log(`    → its selected path switched to the new engine   ${spread(pick((t) => t.switchedAt))}`);
  console.log(`    → its DTLS connected with the new engine          ${spread(pick((t) => t.dtlsAt))}`);
  console.log(`    → RTP reaches it                                  ${spread(pick((t) => t.audioAt))}`);
}

/** Why a far end is slow, said only as far as its traces show it. */
function printWhy(slow: readonly string[], results: readonly Series[]): void {
  console.log(`why slow (${slow.join('; ')}): ICE connects as fast as with the other far ends, then the audio waits for DTLS.`);
  const all = results.filter((s) => slow.includes(s.label)).flatMap((s) => traced(s.crashes));
  if (all.length === 0) {
    console.log('  (no trace of the far end’s own connection for these far ends: nothing more is measured)');
  } else {
    printTracedWhy(all.map((c) => c.trace));
  }
  console.log('  Known (not measured here): a relay (rtpengine) or a Chromium peer that was client is offered a=setup:active and');
  console.log('  becomes server; the wrtc bot (libwebrtc M106) refuses any role change ("Offerer must use current negotiated');
  console.log('  role") and its connection then refuses every later offer, so it is offered actpass and stays client.');
  console.log('  What would fix it: a far end whose libwebrtc moves the DTLS role on a DTLS restart (current Chromium does), or');
  console.log('  a media relay on our side that keeps the far end’s path and DTLS through a media-host crash.');
}

/** The lines of "why slow" that the far end's traces support, each with its figures per sample. */
function printTracedWhy(traces: readonly FarEndTrace[]): void {
  const list = (values: ReadonlyArray<number | null>): string => values.map((v) => (v === null ? 'never' : v.toFixed(0))).join(' / ');
  const diff = (f: (t: FarEndTrace) => number | null, g: (t: FarEndTrace) => number | null): Array<number | null> =>
    traces.map((t) => {
      const x = f(t);
      const y = g(t);
      return x === null || y === null ? null : y - x;
    });
  const roles = new Set(
    traces.map((t) => `DTLS ${t.dtlsRoleBefore ?? '?'} → ${t.dtlsRole ?? '?'}, ICE ${t.iceRoleBefore ?? '?'} → ${t.iceRole ?? '?'}`),
  );
  console.log(`  Its roles through the take-over: ${[...roles].join('; ')} (its transport stats).`);
  console.log(
    `  It took our take-over offer at ${list(traces.map((t) => t.offerAt))} ms after the crash; its ICE checks with the new engine succeeded at ${list(traces.map((t) => t.newPathUpAt))} ms,`,
  );
  const lastHeard = traces.map((t) => t.oldLastReceivedAt ?? 0);
  const silentFor = traces.map((t, i) => (t.switchedAt === null ? null : t.switchedAt - (lastHeard[i] ?? 0)));
  const switched = traces.flatMap((t) => (t.switchedAt === null ? [] : [t.switchedAt]));
  console.log(
    `  but its selected path stayed on the crashed engine’s port until ${list(traces.map((t) => t.switchedAt))} ms after the crash: ${list(silentFor)} ms after that path last brought it anything.`,
  );
  const silent = silentFor.filter((v): v is number => v !== null);
  if (silent.length > 0) {
    const p50 = summarize(silent).p50;
    if (p50 >= 3300 && p50 <= 3900) {
      console.log('  That matches libwebrtc’s 2.5 s receiving timeout on the old path plus its 1 s receiving-switching delay');
      console.log('  (a controlled agent keeps a path the far end nominated while it still counts as receiving).');
    } else if (p50 >= 2400 && p50 < 3300) {
      console.log('  That matches libwebrtc’s 2.5 s receiving timeout on the old path.');
    }
  }
  for (const [i, t] of traces.entries()) {
    const sends = t.oldPathSends.map((x) => x.at);
    if (sends.length === 0 || t.offerAt === null) continue;
    const offer = t.offerAt;
    const intervals = sends.slice(1).map((x, k) => x - (sends[k] ?? x));
    // Sampled every 50 ms, two close sends can share a sample: judged on the span, not each ratio.
    const first = sends[0] ?? 0;
    const last = sends[sends.length - 1] ?? 0;
    const doubling = intervals.length >= 3 && (intervals[intervals.length - 1] ?? 0) >= 8 * Math.max(1, intervals[0] ?? 1);
    // With a doubling timer every wait is the sum of all before it plus the first: the next send
    // after the last comes about (last − first) later.
    const next = doubling ? 2 * last - first : null;
    console.log(
      `  sample ${i + 1}: ${sends.length} DTLS flights down the dead path at +${sends.map((x) => x - offer).join(', +')} ms after the offer` +
        ` (intervals ${intervals.join(', ')} ms${doubling ? ': doubling' : ''}); switch at ${t.switchedAt ?? 'never'},` +
        ` ${next === null ? '' : `next retransmission due ≈ ${next}, `}DTLS connected at ${t.dtlsAt ?? 'never'}.`,
    );
  }
  const afterSwitch = diff(
    (t) => t.switchedAt,
    (t) => t.dtlsAt,
  );
  console.log(
    `  DTLS completed ${list(afterSwitch)} ms after the switch: on the first ClientHello retransmission after it, which comes at once or up to`,
  );
  console.log('  a whole (doubled) interval later: hence the spread of the samples.');
  const byOffer = traces
    .flatMap((t) => (t.offerAt === null || t.dtlsAt === null ? [] : [[t.offerAt, t.dtlsAt] as const]))
    .sort((x, y) => x[0] - y[0]);
  console.log(
    `  offer taken → DTLS connected, by when it took the offer (ms after the crash): ${byOffer.map(([o, d]) => `${o} → ${d}`).join(', ')}.`,
  );
  const floor = switched.length > 0 ? Math.min(...switched) : Number.NaN;
  if (floor > 1500) {
    console.log(
      `  No audio can reach it before that switch, and the earliest switch was ${floor.toFixed(0)} ms after the crash: above the 1500 ms goal whatever we send.`,
    );
  }
}

async function signIn(desk: AgentEndpoint): Promise<void> {
  const signedIn = await desk.desk.handle('session.signIn', { userId: desk.userId, password: '' });
  if (!signedIn.ok) throw new Error(`${desk.userId} could not sign in: ${signedIn.error.message}`);
  await desk.until('registered', (s) => s.session.registration === 'registered');
}

/** A media host page of `desk` (its party tone as microphone), its engine attached. */
async function openMediaHost(context: BrowserContext, server: BridgeServer, desk: AgentEndpoint, hz: number): Promise<Page> {
  const microphone: PartyMicrophoneArgs = { hz, amplitude: 0.25, recordName: '__BATON_TEST_MICROPHONE_REQUESTS__' };
  return attachMediaHost(await context.newPage(), server, desk, [serialised(installPartyMicrophone, microphone)]);
}

async function openUi(context: BrowserContext, server: BridgeServer, desk: AgentEndpoint): Promise<Page> {
  const page = await context.newPage();
  const args: BridgeClientArgs = { url: server.bridgeUrl(desk.token, 'ui'), commands: COMMAND_NAMES, events: CONTRACT_EVENTS };
  await page.addInitScript({ content: serialised(installBatonBridge, args) });
  await page.goto('/');
  await desk.until('the UI attached', () => desk.uiAttached, 10_000);
  return page;
}

async function sessionOf(desk: AgentEndpoint, callId: string): Promise<string> {
  const sdh = desk.desk.callById(callId)?.sdh();
  if (!sdh) throw new Error(`${desk.userId}'s call ${callId} has no media`);
  return (await sdh.session()).id;
}

/** A UI reload during the call: the longest gap each end hears, and the dialog requests alice sent. */
/** The longest gaps at each end while `ui` reloads (with `ui` null: over a window as long, with no reload). */
async function uiReload(
  alice: AgentEndpoint,
  host: Page,
  ui: Page | null,
  far: FarCall,
): Promise<{ agent: number; far: number; sip: number }> {
  const callId = alice.state().calls.find((c) => c.state === 'established')?.id ?? '';
  const sipBefore = alice.sipLog.length;
  const agentEar = await startContinuity(host, await sessionOf(alice, callId), farToneOf(alice, callId));
  const stopFar = await far.watchGap();
  await new Promise((resolve) => setTimeout(resolve, 300));
  if (ui) {
    await ui.reload();
    await alice.until('the reloaded UI attached', () => alice.uiAttached, 10_000);
  } else {
    await new Promise((resolve) => setTimeout(resolve, RELOAD_WINDOW_MS));
  }
  await new Promise((resolve) => setTimeout(resolve, 700));
  const agent = await stopContinuity(host, agentEar);
  const farGap = await stopFar();
  const sip = alice.sipLog.slice(sipBefore).filter((m) => m.direction === 'sent' && DIALOG_REQUEST.test(m.firstLine)).length;
  return { agent: agent.longestGapMs, far: farGap, sip };
}

/** The tone alice hears on `callId`: whoever is at the other end. */
function farToneOf(alice: AgentEndpoint, callId: string): number {
  const remote = alice.state().calls.find((c) => c.id === callId)?.remote ?? '';
  const text = JSON.stringify(remote);
  if (text.includes('bob')) return TONES.bob;
  if (text.includes('deskphone')) return TONES.customer2;
  return TONES.customer;
}

/** The media host crashes (closed without unload), a new one opens: from the crash to audio both ways. */
async function crashOnce(
  alice: AgentEndpoint,
  context: BrowserContext,
  host: { page: Page },
  server: BridgeServer,
  far: FarCall,
): Promise<Crash> {
  const since = alice.mediaLog.length;
  const tracer = (await far.traceTakeOver?.()) ?? null;
  const t0 = performance.now();
  tracer?.crashed(t0);
  await host.page.close({ runBeforeUnload: false });
  await until('the crashed media host let go', () => (!alice.mediaAttached ? true : undefined), 5000);
  const opening = openMediaHost(context, server, alice, TONES.alice);
  await until('the new media host attached', () => (alice.mediaLog.slice(since).some((e) => e.request.op === 'open') ? true : undefined));
  const attachedAt = performance.now();
  const answer = await until('the take-over answered', () =>
    alice.mediaLog.slice(since).find((e) => (e.request.op === 'applyAnswer' || e.request.op === 'acceptOffer') && e.reply?.ok === true),
  );
  const answeredAt = performance.now();
  const sessionId = 'sessionId' in answer.request ? answer.request.sessionId : '';
  await far.mark();
  let farAt = Number.NaN;
  let agentAt = Number.NaN;
  let iceAt = Number.NaN;
  await until(
    'audio both ways',
    async () => {
      if (Number.isNaN(farAt) && (await far.hearsAlice())) farAt = performance.now();
      if (Number.isNaN(agentAt)) {
        const stats = await alice.mediaStats(sessionId);
        if (Number.isNaN(iceAt) && (stats.iceState === 'connected' || stats.iceState === 'completed')) iceAt = performance.now();
        if ((stats.inboundLevel ?? 0) > 0.01) agentAt = performance.now();
      }
      return Number.isNaN(farAt) || Number.isNaN(agentAt) ? undefined : true;
    },
    15_000,
  ).catch(async (error: unknown) => {
    await tracer?.stop();
    const agent = JSON.stringify(await alice.mediaStats(sessionId).catch((e: unknown) => String(e)));
    throw new Error(
      `${String(error)}: far end ${Number.isNaN(farAt) ? `never heard alice (${await far.describe()})` : 'heard alice'}; alice ${Number.isNaN(agentAt) ? `never heard the far end (${agent})` : 'heard it'}`,
    );
  });
  const trace = tracer ? await tracer.stop() : null;
  host.page = await opening;
  if (!far.established()) throw new Error('the call ended during a media-host crash');
  return {
    total: Math.max(farAt, agentAt) - t0,
    attached: attachedAt - t0,
    answered: answeredAt - t0,
    farHears: farAt - t0,
    agentHears: agentAt - t0,
    iceConnected: (Number.isNaN(iceAt) ? agentAt : iceAt) - t0,
    trace,
  };
}

async function dial(alice: AgentEndpoint, target: string): Promise<string> {
  const dialed = await alice.desk.handle('call.dial', { target });
  if (!dialed.ok) throw new Error(`dial failed: ${dialed.error.message}`);
  const { value } = dialed;
  if (typeof value !== 'object' || value === null || !('callId' in value)) throw new Error('call.dial returned no call id');
  return value.callId;
}

async function fileWrapUp(desk: AgentEndpoint, callId: string): Promise<void> {
  const due = await desk.until(`${desk.userId}'s wrap-up`, (s) => s.dispositionsDue.some((d) => d.callId === callId));
  const filed = await desk.desk.handle('disposition.file', { callId, codeId: due.dispositionCodes[0]?.id ?? '', note: '' });
  if (!filed.ok) throw new Error(`filing the disposition failed: ${filed.error.message}`);
}

/** A call between the customer bot and alice, answered; `inbound`: the customer dialed. */
async function customerCall(
  alice: AgentEndpoint,
  customer: CustomerBot,
  direction: 'inbound' | 'outbound',
): Promise<{ callId: string; far: FarCall }> {
  let callId: string;
  let call: Call;
  if (direction === 'inbound') {
    const dialing = customer.phone.call('alice');
    const ringing = await alice.until('an incoming call', (s) => s.calls.some((x) => x.state === 'ringing'));
    callId = ringing.calls.find((x) => x.state === 'ringing')?.id ?? '';
    const answered = await alice.desk.handle('call.answer', { callId });
    if (!answered.ok) throw new Error(`answer failed: ${answered.error.message}`);
    call = await dialing;
  } else {
    const incoming = customer.nextIncoming();
    callId = await dial(alice, customer.name);
    call = await incoming;
    await call.answer();
  }
  return {
    callId,
    far: {
      mark: async () => {},
      traceTakeOver: async () => {
        const session = await call.sdh()?.session();
        const trace = session ? traceOf(session) : undefined;
        if (!trace) throw new Error('the customer bot’s call has no wrtc session to trace');
        return traceFarEnd(trace);
      },
      hearsAlice: async () => onlyToneHeard(await hearing(call, { windowMs: 200, minHeardMs: 100 }), TONES.alice),
      watchGap: async () =>
        watchFrames(async () => (await hearing(call, { windowMs: 1000, partyTones: [TONES.alice] })).frameTones.get(TONES.alice) ?? []),
      describe: async () => describeHearing(await hearing(call)),
      established: () => call.state === 'established',
      ended: async () => {
        await until('the customer sees the end', () => (call.state === 'ended' ? true : undefined));
      },
    },
  };
}

/** alice dials bob, whose desk answers from his media host. */
async function bobCall(alice: AgentEndpoint, bob: AgentEndpoint, bobHost: Page): Promise<{ callId: string; far: FarCall }> {
  const callId = await dial(alice, bob.userId);
  const ringing = await bob.until('an incoming call', (s) => s.calls.some((x) => x.state === 'ringing'));
  const theirs = ringing.calls.find((x) => x.state === 'ringing')?.id ?? '';
  const answered = await bob.desk.handle('call.answer', { callId: theirs });
  if (!answered.ok) throw new Error(`bob could not answer: ${answered.error.message}`);
  let packetsBefore = 0;
  return {
    callId,
    far: {
      // Fresh packets with sound: bob's engine measures level, not tone; alice is the only party on his call.
      mark: async () => {
        packetsBefore = (await bob.mediaStats(await sessionOf(bob, theirs))).packetsReceived;
      },
      hearsAlice: async () => {
        const stats = await bob.mediaStats(await sessionOf(bob, theirs));
        return stats.packetsReceived > packetsBefore + 2 && (stats.inboundLevel ?? 0) > 0.01;
      },
      watchGap: async () => {
        const recording = await startContinuity(bobHost, await sessionOf(bob, theirs), TONES.alice);
        return async () => (await stopContinuity(bobHost, recording)).longestGapMs;
      },
      describe: async () => JSON.stringify(await bob.mediaStats(await sessionOf(bob, theirs))),
      established: () => bob.state().calls.some((x) => x.id === theirs && x.state === 'established'),
      ended: () => fileWrapUp(bob, theirs),
    },
  };
}

/** alice dials the plain-RTP phone behind rtpengine; it answers. */
async function phoneCall(alice: AgentEndpoint, phone: LinphonePhone): Promise<{ callId: string; far: FarCall }> {
  const incoming = phone.nextIncoming(10_000);
  const callId = await dial(alice, phone.user);
  const call: LinphoneCall = await incoming;
  await phone.answer(call);
  await alice.until('established', (s) => s.calls.some((x) => x.id === callId && x.state === 'established'));
  return {
    callId,
    far: {
      mark: async () => {},
      // linphonec restarts its recording on every re-INVITE: the latest file's last 100 ms.
      hearsAlice: async () => (recordingTail(call.recording, 0.1).get(TONES.alice) ?? 0) >= HEARD,
      watchGap: async () => {
        const startedAt = performance.now();
        return async () => recordingGap(call.recording, TONES.alice, (performance.now() - startedAt) / 1000);
      },
      describe: async () => [...recordingTail(call.recording, 1)].map(([hz, a]) => `${hz} Hz ${a.toFixed(2)}`).join(', '),
      established: () => call.state === 'connected',
      ended: async () => {
        await until('the phone sees the end', () => (call.state === 'ended' ? true : undefined));
      },
    },
  };
}

/**
 * linphonec's recording as 16-bit mono samples and their rate. After a re-INVITE its new file may
 * start straight with samples, no header at all (seen with Opus at 48 kHz): read raw, and the rate
 * taken as the one at which the party tones read strongest (as heardInRecording does for a file
 * whose header is not written yet).
 */
function recordingPcm(path: string): { samples: Float32Array; sampleRate: number } {
  const pcm = readWav(path);
  if (pcm.sampleRate !== undefined) return { samples: pcm.samples, sampleRate: pcm.sampleRate };
  const strength = (rate: number): number => {
    const tail = pcm.samples.subarray(Math.max(0, pcm.samples.length - rate));
    return [...framedTones(tail, rate, PARTY_TONES, Math.round((rate * FRAME_MS) / 1000)).means.values()].reduce((a, b) => a + b, 0);
  };
  const rate = [8000, 16000, 48000].reduce((best, r) => (strength(r) > strength(best) ? r : best));
  return { samples: pcm.samples, sampleRate: rate };
}

/** Each party tone's mean amplitude over the last `seconds` of a recording (none yet: all 0). */
function recordingTail(path: string, seconds: number): Map<number, number> {
  try {
    const { samples, sampleRate } = recordingPcm(path);
    const tail = samples.subarray(Math.max(0, samples.length - Math.round(seconds * sampleRate)));
    return framedTones(tail, sampleRate, PARTY_TONES, Math.round((sampleRate * FRAME_MS) / 1000)).means;
  } catch {
    // No readable recording is "heard nothing": zero for every tone, which the bench reports as silence.
    return new Map(PARTY_TONES.map((hz) => [hz, 0]));
  }
}

/** The longest run of 20 ms frames without `hz` in the last `seconds` of a recording, in ms. */
function recordingGap(path: string, hz: number, seconds: number): number {
  const { samples, sampleRate: rate } = recordingPcm(path);
  const take = Math.min(samples.length, Math.round(seconds * rate));
  const frames =
    framedTones(samples.subarray(samples.length - take), rate, [hz], Math.round((rate * FRAME_MS) / 1000)).frames.get(hz) ?? [];
  return longestRun(frames.map((a) => a < HEARD)) * FRAME_MS;
}

/**
 * Reads the last second of 20 ms frames every 800 ms (so consecutive readings overlap) until
 * stopped; the longest run of frames without the tone in any reading, in ms.
 */
function watchFrames(frames: () => Promise<readonly number[]>): () => Promise<number> {
  let stopped = false;
  let longest = 0;
  const read = async (): Promise<void> => {
    longest = Math.max(longest, longestRun((await frames()).map((a) => a < HEARD)) * FRAME_MS);
  };
  const loop = (async () => {
    while (!stopped) {
      await new Promise((resolve) => setTimeout(resolve, 800));
      await read();
    }
  })();
  return async () => {
    stopped = true;
    await loop;
    await read();
    return longest;
  };
}

function longestRun(flags: readonly boolean[]): number {
  let longest = 0;
  let run = 0;
  for (const flag of flags) {
    run = flag ? run + 1 : 0;
    longest = Math.max(longest, run);
  }
  return longest;
}
