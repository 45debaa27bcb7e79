/**
 * npm start's browser fallback, served exactly as test/lab/demo/start.ts serves it (the bridge
 * server with its own `window.baton` script, pages opened with `/#token=…`), against a lab desk:
 *
 * - Two tabs on one desk both show it live. Each is a UI page of the same agent, like a reloaded
 *   window: the agent changes state in one and sees it in the other, main's changes reach both,
 *   and closing one leaves the other live. (Main owns the calls; a tab is a view with commands, so
 *   a second view needs no take-over — the older tab going silent was the fault.)
 * - A tab opened without the token (the address typed or bookmarked without `#token=…`) says, in
 *   a heading and one sentence, to open the link npm start printed; it passes axe.
 */
import AxeBuilder from '@axe-core/playwright';
import type { Browser, BrowserContext, Page } from '@playwright/test';
import { test, expect } from './harness/pageFaults.js';
import { COMMAND_NAMES } from '../../shared/ipc.js';
import type { Lab } from '../lab/lab.js';
import { CONTRACT_EVENTS } from '../support/contractEvents.js';
import { labDocument } from '../support/deskFixture.js';
import { AgentEndpoint } from './harness/agentEndpoint.js';
import { startBridgeServer, type BridgeServer } from './harness/bridgeServer.js';
import { startFallbackServer, type FallbackServer } from './harness/fallbackServer.js';

let lab: Lab;
let server: BridgeServer;
let bundle: string;
let fallback: FallbackServer | undefined;

test.beforeAll(async () => {
  fallback = await startFallbackServer();
  ({ lab, server, bundle } = fallback);
});

test.afterAll(async () => {
  await fallback?.close();
});

const stateOf = (page: Page) => page.getByRole('status', { name: 'Your state' });

/** Alice's lab desk, signed in and registered, on the shared server; `use` gets a browser context on its origin. All closed after. */
async function withAliceDesk(browser: Browser, use: (endpoint: AgentEndpoint, context: BrowserContext) => Promise<void>): Promise<void> {
  const endpoint = new AgentEndpoint({ userId: 'alice', provisioning: labDocument(lab) });
  server.register(endpoint);
  const context = await browser.newContext({ baseURL: server.origin });
  try {
    const signedIn = await endpoint.desk.handle('session.signIn', { userId: 'alice', password: '' });
    expect(signedIn.ok).toBe(true);
    await endpoint.until('registered', (s) => s.session.registration === 'registered');
    await use(endpoint, context);
  } finally {
    await context.close();
    await endpoint.dispose();
    server.unregister(endpoint);
  }
}

test('two tabs on one desk: both live — a change in either shows in the other, main reaches both, one closing leaves the other live', async ({
  browser,
}) => {
  await withAliceDesk(browser, async (endpoint, context) => {
    const url = `/#token=${endpoint.token}`;
    const first = await context.newPage();
    await first.goto(url);
    await expect(first.locator('.topbar__user')).toContainText('Alice');
    const second = await context.newPage();
    await second.goto(url);
    await expect(second.locator('.topbar__user')).toContainText('Alice');

    // The agent in the second tab; the first follows.
    await second.getByRole('combobox', { name: 'Agent state' }).selectOption('Ready');
    await expect(stateOf(second)).toHaveText('Ready');
    await expect(stateOf(first)).toHaveText('Ready');
    // In the tab that attached first (a bridge that kept only the newest page would leave it stale); the second follows.
    await first.getByRole('combobox', { name: 'Agent state' }).selectOption({ index: 1 });
    await expect(stateOf(first)).toHaveText(/^Not ready/);
    await expect(stateOf(second)).toHaveText(/^Not ready/);
    // Main's own change (as a supervisor's or the phone's would be) reaches both.
    await endpoint.desk.handle('agent.setStatus', { kind: 'Ready' });
    await expect(stateOf(first)).toHaveText('Ready');
    await expect(stateOf(second)).toHaveText('Ready');

    // One tab closes; the other stays live.
    await first.close();
    await endpoint.desk.handle('agent.setStatus', { kind: 'NotReady', reason: endpoint.state().notReadyReasons[0] ?? 'Break' });
    await expect(stateOf(second)).toHaveText(/^Not ready/);
    expect(endpoint.uiAttached).toBe(true);
  });
});

test('a tab opened without the token says how to open the desk, and passes axe', async ({ browser }) => {
  const context = await browser.newContext({ baseURL: server.origin });
  try {
    const page = await context.newPage();
    await page.goto('/');
    await expect(page.getByRole('heading', { level: 1, name: 'This page is not connected to a desk' })).toBeVisible();
    await expect(page.getByRole('main')).toContainText('Open the link that npm start printed in its terminal');
    await expect(page.getByRole('main')).toContainText('#token=');
    const results = await new AxeBuilder({ page }).analyze();
    expect(results.violations.map((v) => `${v.id} (${v.impact}) ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`)).toEqual([]);
    // And no attempt to reach a desk was made: the server refused no handshake.
    expect(server.refused).toBe(0);
  } finally {
    await context.close();
  }
});

test('a link that opens no desk — a stale token, or a desk whose process stopped — says so instead of waiting or showing Sign in', async ({
  browser,
}) => {
  const context = await browser.newContext({ baseURL: server.origin });
  // A desk of its own on a server of its own, stopped mid-way as Ctrl+C of npm start stops it.
  const own = await startBridgeServer(bundle, { browserPage: { commands: COMMAND_NAMES, events: CONTRACT_EVENTS } });
  const endpoint = new AgentEndpoint({ userId: 'alice', provisioning: labDocument(lab) });
  own.register(endpoint);
  try {
    const stale = await context.newPage();
    await stale.goto('/#token=left-over-from-an-earlier-run');
    await expect(stale.getByRole('heading', { level: 1, name: 'This link no longer opens a desk' })).toBeVisible();
    await expect(stale.getByRole('main')).toContainText('open the link npm start printed last');
    const results = await new AxeBuilder({ page: stale }).analyze();
    expect(results.violations.map((v) => `${v.id} (${v.impact}) ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`)).toEqual([]);

    const signedIn = await endpoint.desk.handle('session.signIn', { userId: 'alice', password: '' });
    expect(signedIn.ok).toBe(true);
    const desk = await context.newPage();
    await desk.goto(`${own.origin}/#token=${endpoint.token}`);
    await expect(desk.locator('.topbar__user')).toContainText('Alice');
    // As start.ts stops: the desk signs out (its snapshot reaches the page), then the server goes.
    await endpoint.dispose();
    await own.close();
    await expect(desk.getByRole('heading', { level: 1, name: 'This link no longer opens a desk' })).toBeVisible();
    await expect(desk.getByRole('button', { name: 'Sign in' })).toHaveCount(0);
  } finally {
    await context.close();
    await endpoint.dispose();
    await own.close();
  }
});

test('while no audio tab is attached the desk says so and links to it; closing the audio tab brings the warning back', async ({
  browser,
}) => {
  await withAliceDesk(browser, async (endpoint, context) => {
    const desk = await context.newPage();
    await desk.goto(`/#token=${endpoint.token}`);
    await expect(desk.locator('.topbar__user')).toContainText('Alice');
    const banner = desk.getByRole('alert').filter({ hasText: 'No audio.' });
    await expect(banner).toContainText('The audio tab is not open: calls cannot be answered or placed');
    await desk.getByLabel('Number or user').fill('bob');
    const call = desk.getByRole('button', { name: 'Call', exact: true });
    await expect(call).toBeDisabled();
    await expect(call).toHaveAccessibleDescription('Calls need the audio tab open (see above).');

    // The agent's click opens the audio tab; the desk sees it attach.
    const [media] = await Promise.all([context.waitForEvent('page'), banner.getByRole('link', { name: 'Open the audio tab' }).click()]);
    await expect(media.getByText('Baton audio — keep this tab open while you take calls.')).toBeVisible();
    await expect(banner).toHaveCount(0);
    await expect(call).toBeEnabled();

    // Every audio tab closed mid-shift: the warning is back.
    await media.close();
    await expect(banner).toBeVisible();
    await expect(call).toBeDisabled();
  });
});
