/**
 * The UI's own figures, measured in Debian's Chromium through Playwright on the production bundle:
 *
 *  1. picker: a directory of 5,000 colleagues; one keystroke in "Search colleagues" → the list
 *     painted (from the keydown's timestamp to the first frame after it: rAF, then a task). Goal p95 ≤ 16 ms.
 *  2. presence storm: 500 directory updates per second for 10 s, each a `desk.patch` exactly as
 *     Desk.refreshDirectory publishes it (the whole directory array), with the transfer panel open;
 *     the longest main-thread task (Long Tasks API). Goal ≤ 50 ms.
 *  3. heap over 100 calls: each call rings, is answered, ends and is filed — desk patches as main sends
 *     them — and opens, offers and closes a media session in the page's engine (RTCPeerConnection).
 *     JS heap after forced GC, after call 10 and after call 100. Goal: no growth beyond 10 %.
 *  4. heap over 100 warm transfers, on the same page after the calls: each a customer call answered,
 *     the consult placed and answered (a second media session), completed, the wrap-up filed — the
 *     transfer listed while main lists it (until its wrap-up is filed). JS heap after forced GC after
 *     transfer 10 and after transfer 100. Goal: no growth beyond 10 %. BENCH_UI_TRANSFERS (100).
 *
 * Main's side is a scripted desk behind the harness's bridge server (same wire, same bundle, same
 * CSP): the renderer is what is measured, so no SIP runs. Env: BENCH_UI_USERS (5000),
 * BENCH_UI_KEYS (≈120), BENCH_UI_STORM_S (10), BENCH_UI_CALLS (100).
 */
import { randomBytes } from 'node:crypto';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Page } from '@playwright/test';
import type { AgentStatus } from '../../shared/agentState.js';
import type { CallView, DeskState, DirectoryEntryView } from '../../shared/desk.js';
import { COMMAND_NAMES, type EventName, type MediaRequest } from '../../shared/ipc.js';
import { diffDesk } from '../../shared/deskPatch.js';
import { allowedActions, initiatorTransfer, transferTransition, type TransferEvent, type TransferState, type TransferView } from '../../shared/transfer/index.js';
import globalSetup from '../e2e/globalSetup.js';
import type { Connection } from '../e2e/harness/agentEndpoint.js';
import { startBridgeServer, type BridgeEndpoint } from '../e2e/harness/bridgeServer.js';
import { BUNDLE_DIR, CHROMIUM_ARGS } from '../e2e/harness/paths.js';
import { ms, percentile } from './stats.js';

const USERS = Math.max(10, Number(process.env.BENCH_UI_USERS ?? 5000));
const STORM_S = Math.max(1, Number(process.env.BENCH_UI_STORM_S ?? 10));
const STORM_RATE = 500;
const CALLS = Math.max(11, Number(process.env.BENCH_UI_CALLS ?? 100));
const TRANSFERS = Math.max(11, Number(process.env.BENCH_UI_TRANSFERS ?? 100));
const QUERIES = ['user 1', 'team-3', 'a', 'ready', 'user 42', 'zz', 'sam', 'user 4999'];
const EVENTS: Record<EventName, true> = { 'desk.snapshot': true, 'desk.patch': true, 'media.request': true, 'desk.dialRequest': true, 'media.state': true };
const STATUSES: readonly AgentStatus[] = [{ kind: 'Ready' }, { kind: 'Dispositioning' }, { kind: 'OnCall' }, { kind: 'NotReady', reason: 'Lunch' }, { kind: 'Offline' }];

function entry(i: number, turn = 0): DirectoryEntryView {
  const status = STATUSES[(i + turn) % STATUSES.length] ?? { kind: 'Ready' };
  return { userId: `user${i}`, name: `User ${i}`, uri: `sip:user${i}@127.0.0.1`, team: `team-${i % 20}`, status, recommended: status.kind === 'Ready' || status.kind === 'Dispositioning' };
}

/** Main's order: recommended first. */
function sorted(entries: DirectoryEntryView[]): DirectoryEntryView[] {
  return entries.sort((a, b) => Number(b.recommended) - Number(a.recommended));
}

function callView(id: string, state: CallView['state'], now: number): CallView {
  return {
    id,
    direction: 'inbound',
    state,
    remote: { uri: 'sip:customer@127.0.0.1', name: 'Customer' },
    held: false,
    live: state === 'established',
    remoteHeld: false,
    muted: false,
    startedAt: now,
    answeredAt: state === 'established' ? now : null,
    end: state === 'ended' ? { reason: 'hung-up-remote' } : null,
    contactId: 'customer',
    transferId: null,
  };
}

/** A desk that sends what the bench scripts, over the harness's bridge, and answers every command. */
class ScriptedDesk implements BridgeEndpoint {
  readonly token = randomBytes(32).toString('base64url');
  state: DeskState;
  private page: Connection | undefined;
  private nextRequest = 1;
  private readonly pending = new Map<number, (reply: { ok: boolean; value: unknown; error?: string }) => void>();

  constructor(directory: DirectoryEntryView[]) {
    this.state = {
      version: 1,
      session: { registration: 'registered', error: null, user: { id: 'sam', name: 'Sam', aor: 'sip:sam@127.0.0.1' }, signInUsers: [] },
      agent: { status: { kind: 'OnCall' }, chosen: { kind: 'Ready' } },
      calls: [callView('c0', 'established', Date.now())],
      transfers: [],
      directory,
      outcomes: [{ id: 'other', label: 'Other', methods: ['warm', 'cold'] }],
      dispositionCodes: [{ id: 'resolved', label: 'Resolved', callKinds: ['inbound', 'outbound', 'consult', 'transferred-in'] }],
      notReadyReasons: ['Lunch'],
      policies: { nonRecommendedTransfer: 'warn', noteMaxLength: 500, rememberChoices: false },
      remembered: { userId: null, outcomeId: null, method: null },
      dispositionsDue: [],
      drafts: {},
      notices: [],
    };
  }

  /** As main's Desk.update sends it: only what changed, list items one by one (shared/deskPatch.ts). */
  patch(changes: Partial<DeskState>): void {
    const body = diffDesk(this.state, changes);
    if (!body) return;
    const version = this.state.version + 1;
    this.state = { ...this.state, ...changes, version };
    this.page?.send('baton:event', 'desk.patch', { version, ...body });
  }

  media(request: MediaRequest): Promise<{ ok: boolean; value: unknown; error?: string }> {
    const requestId = this.nextRequest++;
    return new Promise((resolve) => {
      this.pending.set(requestId, resolve);
      this.page?.send('baton:event', 'media.request', { requestId, request });
    });
  }

  connected(connection: Connection): void {
    this.page = connection;
  }
  disconnected(): void {
    this.page = undefined;
  }
  async invoke(_id: number, _channel: string, args: readonly unknown[]): Promise<unknown> {
    const [command, payload] = args as [string, { requestId?: number; ok?: boolean; value?: unknown; error?: string }];
    if (command === 'media.reply' && typeof payload.requestId === 'number') {
      this.pending.get(payload.requestId)?.({ ok: payload.ok === true, value: payload.value, ...(payload.error !== undefined ? { error: payload.error } : {}) });
      this.pending.delete(payload.requestId);
    }
    return { ok: true, value: undefined };
  }
  send(): void {
    this.page?.send('baton:event', 'desk.snapshot', this.state);
  }
}

/** In the page: every keydown's timestamp → the first frame after it, as samples. */
function installPaintProbe(): void {
  const w = window as unknown as { __uiBench: { samples: number[]; work: number[]; longTasks: number[] } };
  w.__uiBench = { samples: [], work: [], longTasks: [] };
  let started = 0;
  document.addEventListener(
    'keydown',
    (event) => {
      started = event.timeStamp;
      requestAnimationFrame(() => setTimeout(() => w.__uiBench.samples.push(performance.now() - started), 0));
    },
    true,
  );
  // After React's own listener (at the root) has rendered the list: force style and layout now.
  document.addEventListener('input', () => {
    void document.body.offsetHeight;
    w.__uiBench.work.push(performance.now() - started);
  });
  new PerformanceObserver((list) => {
    for (const task of list.getEntries()) w.__uiBench.longTasks.push(task.duration);
  }).observe({ type: 'longtask', buffered: false });
}

async function samples(page: Page): Promise<number[]> {
  return page.evaluate(() => (window as unknown as { __uiBench: { samples: number[] } }).__uiBench.samples.slice());
}

async function heapMb(page: Page): Promise<number> {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('HeapProfiler.collectGarbage');
  await cdp.send('HeapProfiler.collectGarbage');
  const usage = (await cdp.send('Runtime.getHeapUsage')) as { usedSize: number };
  await cdp.detach();
  return usage.usedSize / 1024 / 1024;
}

export async function run(): Promise<void> {
  globalSetup();
  const bundle = mkdtempSync(join(tmpdir(), 'baton-bench-bundle-'));
  cpSync(BUNDLE_DIR, bundle, { recursive: true });
  // The page gets `window.baton` as the browser fallback serves it (browserPage.ts).
  const server = await startBridgeServer(bundle, {
    browserPage: { commands: COMMAND_NAMES, events: Object.keys(EVENTS), mediaOptions: { name: '__BATON_MEDIA_OPTIONS__', value: { loopbackOnly: true, iceGatheringTimeoutMs: 300 } } },
  });
  const desk = new ScriptedDesk(sorted(Array.from({ length: USERS }, (_, i) => entry(i))));
  server.register(desk);
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', headless: true, args: [...CHROMIUM_ARGS] });
  try {
    const context = await browser.newContext({ baseURL: server.origin, permissions: ['microphone'], viewport: { width: 1280, height: 900 } });
    const page = await context.newPage();
    // As a string with `__name` defined: tsx keeps function names with a helper the page lacks.
    await page.addInitScript({ content: `var __name = (f) => f; (${installPaintProbe.toString()})();` });
    page.on('pageerror', (error) => console.error(`page error: ${error.message}`));
    await page.goto(`/#token=${desk.token}`);
    await page.getByRole('button', { name: 'Transfer' }).click({ timeout: 10_000 }).catch(async (error: unknown) => {
      await page.screenshot({ path: join(tmpdir(), 'baton-ui-bench.png') });
      throw error;
    });
    const search = page.getByRole('searchbox', { name: 'Search colleagues' });
    await search.waitFor();

    // 1. keystroke → painted
    await search.focus();
    let pressed = 0;
    for (const query of QUERIES) {
      for (const key of [...query.split(''), ...query.split('').map(() => 'Backspace')]) {
        const before = (await samples(page)).length;
        await page.keyboard.press(key === ' ' ? 'Space' : key);
        pressed++;
        await page.waitForFunction((n) => (window as unknown as { __uiBench: { samples: number[] } }).__uiBench.samples.length > n, before);
      }
    }
    const paint = (await samples(page)).slice(-pressed);
    const work = await page.evaluate(() => (window as unknown as { __uiBench: { work: number[] } }).__uiBench.work.slice());
    const shown = await page.locator('.user-picker__list input[type=radio]').count();
    console.log(
      `ui picker (${USERS} users, ${shown} rows rendered for an empty query): keystroke → next frame p50 ${ms(percentile(paint, 50))}, p95 ${ms(percentile(paint, 95))}, max ${ms(Math.max(...paint))}; keystroke → list rendered and laid out p50 ${ms(percentile(work, 50))}, p95 ${ms(percentile(work, 95))} over ${paint.length} keys (goal p95 ≤ 16 ms)`,
    );

    // 2. presence storm with the panel open
    await page.evaluate(() => void ((window as unknown as { __uiBench: { longTasks: number[] } }).__uiBench.longTasks.length = 0));
    const entries = Array.from({ length: USERS }, (_, i) => entry(i));
    const total = STORM_S * STORM_RATE;
    const started = Date.now();
    let sent = 0;
    while (sent < total) {
      const due = Math.min(total, Math.floor(((Date.now() - started) / 1000) * STORM_RATE));
      for (; sent < due; sent++) {
        const i = (sent * 7919) % USERS;
        entries[i] = entry(i, sent + 1);
        desk.patch({ directory: sorted([...entries]) });
      }
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    const elapsed = (Date.now() - started) / 1000;
    await page.waitForTimeout(500);
    const longTasks = await page.evaluate(() => (window as unknown as { __uiBench: { longTasks: number[] } }).__uiBench.longTasks.slice());
    console.log(
      `ui presence storm: ${sent} directory patches in ${elapsed.toFixed(1)} s (${(sent / elapsed).toFixed(0)}/s, ${USERS} entries each): longest task ${ms(Math.max(0, ...longTasks))}, ${longTasks.length} tasks > 50 ms (goal longest ≤ 50 ms)`,
    );

    // 3. heap over 100 calls, on a fresh page (the storm may have left a backlog of patches behind it)
    desk.state = { ...desk.state, calls: [], agent: { status: { kind: 'Ready' }, chosen: { kind: 'Ready' } } };
    await page.reload();
    await page.getByRole('heading', { name: 'No call in front' }).waitFor({ timeout: 60_000 });
    let afterTen = 0;
    for (let n = 1; n <= CALLS; n++) {
      const id = `call-${n}`;
      const now = Date.now();
      desk.patch({ calls: [callView(id, 'ringing', now)] });
      await page.getByRole('region', { name: /^Incoming call from/ }).waitFor();
      desk.patch({ calls: [callView(id, 'established', now)], agent: { status: { kind: 'OnCall' }, chosen: { kind: 'Ready' } } });
      const opened = await desk.media({ op: 'open', sessionId: id });
      const offer = opened.ok ? await desk.media({ op: 'createOffer', sessionId: id, direction: 'sendrecv', iceRestart: false }) : opened;
      if (!offer.ok) throw new Error(`call ${n}: the page's engine refused: ${offer.error ?? ''}`);
      await page.getByRole('region', { name: /^Call with: / }).waitFor();
      await desk.media({ op: 'close', sessionId: id });
      desk.patch({
        calls: [],
        agent: { status: { kind: 'Dispositioning' }, chosen: { kind: 'Ready' } },
        dispositionsDue: [{ callId: id, transferId: null, prefill: null, remote: 'Customer', callKind: 'inbound' }],
      });
      await page.getByRole('form', { name: /^Disposition:/ }).waitFor();
      desk.patch({ dispositionsDue: [], agent: { status: { kind: 'Ready' }, chosen: { kind: 'Ready' } } });
      await page.getByRole('form', { name: /^Disposition:/ }).waitFor({ state: 'hidden' });
      if (n === 10) afterTen = await heapMb(page);
    }
    const afterAll = await heapMb(page);
    const growth = ((afterAll - afterTen) / afterTen) * 100;
    console.log(`ui heap over ${CALLS} calls: ${afterTen.toFixed(1)} MB after 10, ${afterAll.toFixed(1)} MB after ${CALLS} (${growth >= 0 ? '+' : ''}${growth.toFixed(1)} %; goal ≤ +10 %)`);

    // 4. heap over 100 warm transfers, same page
    let transfersAfterTen = 0;
    for (let n = 1; n <= TRANSFERS; n++) {
      await warmTransfer(desk, page, n);
      if (n === 10) transfersAfterTen = await heapMb(page);
    }
    const transfersAfterAll = await heapMb(page);
    const transferGrowth = ((transfersAfterAll - transfersAfterTen) / transfersAfterTen) * 100;
    console.log(
      `ui heap over ${TRANSFERS} warm transfers: ${transfersAfterTen.toFixed(1)} MB after 10, ${transfersAfterAll.toFixed(1)} MB after ${TRANSFERS} (${transferGrowth >= 0 ? '+' : ''}${transferGrowth.toFixed(1)} %; goal ≤ +10 %)`,
    );
    await context.close();
  } finally {
    await browser.close();
    await server.close();
    rmSync(bundle, { recursive: true, force: true });
  }
}

/** The transfer as main lists it at the initiator's desk, in `state`. */
function transferView(id: string, state: TransferState, contactCallId: string, consultCallId: string | null): TransferView {
  const contactHeld = state.phase !== 'completed';
  return {
    id,
    role: 'initiator',
    state,
    contactCallId,
    consultCallId,
    counterpart: { name: 'Bob', uri: 'sip:bob@127.0.0.1' },
    contact: { id: 'customer', name: 'Customer', number: 'customer' },
    outcome: { id: 'other', label: 'Other' },
    note: 'Wants a refund for order #42',
    history: [],
    contextProblem: null,
    contactHeld,
    allowed: [...allowedActions('initiator', state.phase, contactHeld)],
  };
}

/** One warm transfer at the initiator, as main publishes it, with both calls' media in the page's engine. */
async function warmTransfer(desk: ScriptedDesk, page: Page, n: number): Promise<void> {
  const contact = `xfer-${n}`;
  const consult = `xfer-${n}-consult`;
  const id = `transfer-${n}`;
  const now = Date.now();
  let state = initiatorTransfer();
  const step = (event: TransferEvent): TransferState => {
    const result = transferTransition(state, event);
    if (!result.ok) throw new Error(`transfer ${n}: ${event.type} refused by the rules`);
    state = result.state;
    return state;
  };
  const media = async (sessionId: string): Promise<void> => {
    const opened = await desk.media({ op: 'open', sessionId });
    const offer = opened.ok ? await desk.media({ op: 'createOffer', sessionId, direction: 'sendrecv', iceRestart: false }) : opened;
    if (!offer.ok) throw new Error(`transfer ${n}: the page's engine refused: ${offer.error ?? ''}`);
  };
  const onCall = { status: { kind: 'OnCall' }, chosen: { kind: 'Ready' } } as const;
  desk.patch({ calls: [callView(contact, 'ringing', now)] });
  await page.getByRole('region', { name: /^Incoming call from/ }).waitFor();
  desk.patch({ calls: [callView(contact, 'established', now)], agent: onCall });
  await media(contact);
  await page.getByRole('region', { name: /^Call with: / }).waitFor();
  const held = { ...callView(contact, 'established', now), held: true, live: false, transferId: id };
  const consultLeg = (s: CallView['state']): CallView => ({ ...callView(consult, s, now), direction: 'outbound', remote: { uri: 'sip:bob@127.0.0.1', name: 'Bob' }, transferId: id });
  desk.patch({ calls: [held, consultLeg('ringing')], transfers: [transferView(id, step({ type: 'confirmed', method: 'warm' }), contact, consult)] });
  await media(consult);
  desk.patch({ calls: [held, consultLeg('established')], transfers: [transferView(id, step({ type: 'consultAnswered' }), contact, consult)] });
  await page.getByText('Talking with Bob. Customer is on hold.').first().waitFor();
  desk.patch({ transfers: [transferView(id, step({ type: 'completeRequested' }), contact, consult)] });
  desk.patch({ transfers: [transferView(id, step({ type: 'referSucceeded' }), contact, consult)] });
  await desk.media({ op: 'close', sessionId: consult });
  await desk.media({ op: 'close', sessionId: contact });
  desk.patch({
    calls: [],
    agent: { status: { kind: 'Dispositioning' }, chosen: { kind: 'Ready' } },
    dispositionsDue: [{ callId: contact, transferId: id, prefill: { id: 'other', label: 'Other' }, remote: 'Customer', callKind: 'inbound' }],
  });
  await page.getByRole('form', { name: /^Disposition:/ }).waitFor();
  // Filed: main forgets the transfer with the wrap-up.
  desk.patch({ dispositionsDue: [], transfers: [], agent: { status: { kind: 'Ready' }, chosen: { kind: 'Ready' } } });
  await page.getByRole('form', { name: /^Disposition:/ }).waitFor({ state: 'hidden' });
}
