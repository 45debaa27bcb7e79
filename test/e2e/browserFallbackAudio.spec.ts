/**
 * The browser fallback's audio, as npm start serves it (the bridge server, the desk and audio tabs
 * opened with `#token=…`), against a lab desk with the demo's desk options:
 *
 * - A browser that refuses WebRTC on 127.0.0.1 (Chromium started without
 *   --allow-loopback-in-peer-connection, as any browser a new user opens the link in) gets a call
 *   that is up in SIP with no audio path: the desk says no audio is reaching it, with the demo's hint.
 *   The same call in the suite's Chromium (with the flag) has audio both ways and gets no notice.
 * - Once the desk stops (Ctrl+C of npm start: the desk signs out, the server goes), the audio tab
 *   says the desk stopped instead of "keep this tab open".
 * - Both pages have a favicon at /favicon.ico (a browser asks for it on every page).
 */
import { chromium, type Browser, type BrowserContext, type Page } from '@playwright/test';
import { test, expect } from './harness/pageFaults.js';
import { COMMAND_NAMES } from '../../shared/ipc.js';
import { MEDIA_HOST_PATH } from '../../electron/shell/appIdentity.js';
import type { Lab } from '../lab/lab.js';
import { createCustomer, type CustomerBot } from '../lab/bots.js';
import { DEMO_AUDIO_HINT } from '../lab/demo/demoDocument.js';
import { CONTRACT_EVENTS } from '../support/contractEvents.js';
import { labDocument } from '../support/deskFixture.js';
import { TONES, untilHearsTone } from '../support/audioOracle.js';
import { AgentEndpoint } from './harness/agentEndpoint.js';
import { startBridgeServer, type BridgeServer } from './harness/bridgeServer.js';
import { CHROMIUM_ARGS, FAKE_MIC_HZ } from './harness/paths.js';
import { DESK_GONE_TEXT } from '../../renderer/mediaHost/deskGoneNotice.js';
import { startFallbackServer, type FallbackServer } from './harness/fallbackServer.js';

const LOOPBACK_FLAG = '--allow-loopback-in-peer-connection';
/** How long after the answer the desk checks the audio (the product's default is 5 s). */
const CHECK_AFTER_MS = 3000;
const NO_AUDIO = /^No audio is reaching the call with customer: Baton's audio could not connect \(/;

let lab: Lab;
let server: BridgeServer;
let bundle: string;
let fallback: FallbackServer | undefined;
let customer: CustomerBot;

test.beforeAll(async () => {
  fallback = await startFallbackServer();
  ({ lab, server, bundle } = fallback);
  customer = createCustomer(lab, 'customer', { toneHz: TONES.customer });
  await customer.phone.start();
});

test.afterAll(async () => {
  await customer?.dispose();
  await fallback?.close();
});

/** Alice's desk with the demo's audio check and hint, signed in, Ready; her desk and audio tabs open in `browser`. */
async function aliceInBrowser(browser: Browser): Promise<{ endpoint: AgentEndpoint; context: BrowserContext; desk: Page; audio: Page }> {
  const endpoint = new AgentEndpoint({
    userId: 'alice',
    provisioning: labDocument(lab),
    desk: { mediaCheck: { afterMs: CHECK_AFTER_MS, hint: DEMO_AUDIO_HINT } },
  });
  server.register(endpoint);
  const signedIn = await endpoint.desk.handle('session.signIn', { userId: 'alice', password: '' });
  expect(signedIn.ok).toBe(true);
  await endpoint.until('registered', (s) => s.session.registration === 'registered');
  await endpoint.desk.handle('agent.setStatus', { kind: 'Ready' });
  const context = await browser.newContext({ baseURL: server.origin, permissions: ['microphone'] });
  const audio = await context.newPage();
  await audio.goto(`${MEDIA_HOST_PATH}#token=${endpoint.token}`);
  await endpoint.until('the audio tab attached', () => endpoint.mediaAttached);
  const desk = await context.newPage();
  await desk.goto(`/#token=${endpoint.token}`);
  await expect(desk.locator('.topbar__user')).toContainText('Alice');
  return { endpoint, context, desk, audio };
}

/** The customer calls alice, who answers; resolves with the customer's call and alice's call id once both are up. */
async function customerCalls(endpoint: AgentEndpoint) {
  const dialing = customer.phone.call('alice');
  const ringing = await endpoint.until('an incoming call', (s) => s.calls.some((c) => c.state === 'ringing'));
  const callId = ringing.calls[0]?.id ?? '';
  expect(await endpoint.desk.handle('call.answer', { callId })).toMatchObject({ ok: true });
  const call = await dialing;
  await endpoint.until('the call is up', (s) => s.calls.some((c) => c.id === callId && c.state === 'established'));
  return { call, callId };
}

async function done(endpoint: AgentEndpoint, context: BrowserContext): Promise<void> {
  await context.close();
  await endpoint.dispose();
  server.unregister(endpoint);
}

test('a browser without the loopback flag: the call is up with no audio path, and the desk says so with the hint', async () => {
  const plain = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    headless: true,
    args: CHROMIUM_ARGS.filter((arg) => arg !== LOOPBACK_FLAG),
  });
  const { endpoint, context, desk } = await aliceInBrowser(plain);
  try {
    const { callId } = await customerCalls(endpoint);
    const notice = desk.getByRole('status').filter({ hasText: 'No audio is reaching the call with customer' });
    await expect(notice).toBeVisible({ timeout: CHECK_AFTER_MS + 10_000 });
    await expect(notice).toContainText(NO_AUDIO);
    await expect(notice).toContainText(DEMO_AUDIO_HINT);
    await endpoint.desk.handle('call.hangUp', { callId });
  } finally {
    await done(endpoint, context);
    await plain.close();
  }
});

test('the suite’s Chromium (with the flag): audio flows both ways, and no notice after the check', async ({ browser }) => {
  const { endpoint, context, desk } = await aliceInBrowser(browser);
  try {
    const { call, callId } = await customerCalls(endpoint);
    // The page's fake microphone speaks, so the customer hears the page; and the page receives the customer's tone.
    await untilHearsTone(call, FAKE_MIC_HZ, 8000);
    await desk.waitForTimeout(CHECK_AFTER_MS + 1500);
    const stats = await endpoint.mediaStats();
    expect(['connected', 'completed']).toContain(stats.iceState);
    expect(stats.packetsReceived).toBeGreaterThan(0);
    expect(endpoint.state().notices).toEqual([]);
    await expect(desk.getByText('No audio is reaching')).toHaveCount(0);
    await endpoint.desk.handle('call.hangUp', { callId });
  } finally {
    await done(endpoint, context);
  }
});

test('the audio tab says the desk stopped once it has; both pages have a favicon', async ({ browser }) => {
  const own = await startBridgeServer(bundle, { browserPage: { commands: COMMAND_NAMES, events: CONTRACT_EVENTS } });
  const endpoint = new AgentEndpoint({ userId: 'alice', provisioning: labDocument(lab) });
  own.register(endpoint);
  const context = await browser.newContext({ baseURL: own.origin });
  try {
    // Asked by the browser at the origin's root for either page (headless Chromium does not ask: asked here).
    const favicon = await context.request.get('/favicon.ico');
    expect(favicon.status()).toBe(200);
    expect(favicon.headers()['content-type']).toBe('image/x-icon');
    const audio = await context.newPage();
    await audio.goto(`${MEDIA_HOST_PATH}#token=${endpoint.token}`);
    await expect(audio.locator('body')).toContainText('keep this tab open');
    await endpoint.until('the audio tab attached', () => endpoint.mediaAttached);
    // As start.ts stops on Ctrl+C: the desk goes, then the server.
    await endpoint.dispose();
    await own.close();
    await expect(audio.getByRole('alert')).toHaveText(DESK_GONE_TEXT);
    await expect(audio.locator('body')).not.toContainText('keep this tab open');
    await expect(audio).toHaveTitle('Baton audio (desk stopped)');
    // A tab whose link opens no desk (its token is stale) says the same.
    const stale = await context.newPage();
    await stale.goto(`${server.origin}${MEDIA_HOST_PATH}#token=left-over-from-an-earlier-run`);
    await expect(stale.getByRole('alert')).toHaveText(DESK_GONE_TEXT);
  } finally {
    await context.close();
    await endpoint.dispose();
    await own.close();
  }
});
