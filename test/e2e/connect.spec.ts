/**
 * The Connect screen (first run without provisioning) against a lab Kamailio that authenticates:
 * every failure is a sentence the agent can act on — nothing listening, a plain ws:// address
 * elsewhere than this computer, a wrong password, a user the server does not know — and nothing is
 * saved until the account really registered; then the desk signs in, the settings file holds the
 * server and user but no password, and the password went to the credential store only. The form
 * leaves checking to main (no browser bubble stands in front of its sentence), an answer about
 * earlier input goes when a field changes, and each field is bounded at the contract's limit.
 */
import { cpSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from '@playwright/test';
import { test, expect } from './harness/pageFaults.js';
import { COMMAND_NAMES } from '../../shared/ipc.js';
import { CONTRACT_EVENTS } from '../support/contractEvents.js';
import { startLab, type Lab } from '../lab/lab.js';
import { installBatonBridge, type BridgeClientArgs } from './harness/bridgeClient.js';
import { startBridgeServer, type BridgeServer } from './harness/bridgeServer.js';
import { ConnectEndpoint } from './harness/connectEndpoint.js';
import { BUNDLE_DIR } from './harness/paths.js';

let lab: Lab;
let server: BridgeServer;
let bundle: string;

test.beforeAll(async () => {
  lab = await startLab({ auth: { users: [{ user: 'alice', password: 'correct-horse' }] } });
  bundle = mkdtempSync(join(tmpdir(), 'baton-e2e-bundle-'));
  cpSync(BUNDLE_DIR, bundle, { recursive: true });
  server = await startBridgeServer(bundle);
});

test.afterAll(async () => {
  await server?.close();
  await lab?.stop();
  if (bundle) rmSync(bundle, { recursive: true, force: true });
});

/** A port on 127.0.0.1 with nothing listening. */
async function closedPort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', () => resolve()));
  const address = probe.address();
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

async function connectWith(page: Page, fields: { server: string; user: string; password: string; name?: string }): Promise<void> {
  await page.getByRole('textbox', { name: /^Server/ }).fill(fields.server);
  await page.getByRole('textbox', { name: /^User/ }).fill(fields.user);
  await page.getByLabel(/^Password/).fill(fields.password);
  await page.getByRole('textbox', { name: /^Display name/ }).fill(fields.name ?? '');
  await page.getByRole('button', { name: 'Connect', exact: true }).click();
}

/** A new Connect desk and a page on its bridge showing the Connect screen, for `use`; all closed after. */
async function onConnectScreen(browser: Browser, use: (screen: { page: Page; endpoint: ConnectEndpoint }) => Promise<void>): Promise<void> {
  const endpoint = new ConnectEndpoint();
  server.register(endpoint);
  const context = await browser.newContext({ baseURL: server.origin, permissions: ['microphone'] });
  try {
    const page = await context.newPage();
    const args: BridgeClientArgs = {
      url: server.bridgeUrl(endpoint.token),
      commands: COMMAND_NAMES,
      events: [...CONTRACT_EVENTS],
      mediaOptions: { name: '__BATON_MEDIA_OPTIONS__', value: { loopbackOnly: true, iceGatheringTimeoutMs: 1000 } },
    };
    await page.addInitScript(installBatonBridge, args);
    await page.goto('/');
    await expect(page.getByRole('heading', { name: 'Connect to your phone server' })).toBeVisible();
    await use({ page, endpoint });
  } finally {
    await context.close();
    await endpoint.dispose();
    server.unregister(endpoint);
  }
}

test('the Connect screen: each failure is a sentence to act on, nothing saved until the account registers, then the desk', async ({
  browser,
}) => {
  await onConnectScreen(browser, async ({ page, endpoint }) => {
    const alert = page.getByRole('alert');

    const port = await closedPort();
    await connectWith(page, { server: `ws://127.0.0.1:${port}`, user: 'alice', password: 'correct-horse' });
    await expect(alert).toHaveText(
      `Baton cannot reach 127.0.0.1:${port}. Check the server address and that this computer is on the company network (or VPN).`,
    );

    await connectWith(page, { server: 'ws://sip.example.com', user: 'alice', password: 'correct-horse' });
    await expect(alert).toHaveText('The server address must start with wss:// (an encrypted connection).');

    await connectWith(page, { server: lab.wsUrl, user: 'alice', password: 'wrong' });
    await expect(alert).toHaveText('The server refused the password for alice. Check it and try again (passwords are case-sensitive).');

    await connectWith(page, { server: lab.wsUrl, user: 'zed', password: 'whatever' });
    await expect(alert).toHaveText('The server does not know the user zed. Check the user name IT gave you.');

    // Nothing of the failed attempts was kept.
    expect(() => readFileSync(endpoint.connectionFile, 'utf8')).toThrow();
    expect(endpoint.secrets.size).toBe(0);

    await connectWith(page, { server: lab.wsUrl, user: 'alice', password: 'correct-horse', name: 'Alice Martin' });
    await expect(page.getByRole('status', { name: 'Your state' })).toBeVisible({ timeout: 15_000 });
    await expect(page.locator('.topbar__user')).toHaveText('Alice Martin');
    const saved = JSON.parse(readFileSync(endpoint.connectionFile, 'utf8')) as Record<string, unknown>;
    expect(saved).toEqual({ version: 1, kind: 'account', server: lab.wsUrl, userId: 'alice', displayName: 'Alice Martin' });
    expect(readFileSync(endpoint.connectionFile, 'utf8')).not.toContain('correct-horse');
    expect(endpoint.secrets.get('alice')).toBe('correct-horse');
    expect(endpoint.desk?.snapshot().session.registration).toBe('registered');
  });
});

test('each answer is about the input just sent: the product’s own sentences, no browser bubble, a stale answer cleared on edit', async ({
  browser,
}) => {
  await onConnectScreen(browser, async ({ page, endpoint }) => {
    const alert = page.getByRole('alert');
    const serverField = page.getByRole('textbox', { name: /^Server/ });
    const connect = page.getByRole('button', { name: 'Connect', exact: true });

    await connectWith(page, { server: 'http://127.0.0.1:80', user: 'alice', password: 'x' });
    await expect(alert).toHaveText('The server address must start with wss://, not http://.');
    // Editing a field takes the answer about the old input away at once.
    await serverField.fill('garbage');
    await expect(alert).toBeHidden();
    await connect.click();
    await expect(alert).toHaveText('The server address is not a web address: it looks like wss://sip.example.com.');
    await serverField.fill('wss://127.0.0.1:99999');
    await connect.click();
    await expect(alert).toHaveText('The server address is not a web address: it looks like wss://sip.example.com.');

    // A user name the server could never take: a sentence about it, not a provisioning path.
    await connectWith(page, { server: lab.wsUrl, user: 'alice@', password: 'correct-horse' });
    await expect(alert).toHaveText('The user name “alice@” is not valid: use the name IT gave you, without @ or spaces.');

    // Each field is bounded where the agent types, at the contract's limits.
    const user = page.getByRole('textbox', { name: /^User/ });
    await expect(serverField).toHaveAttribute('maxlength', '512');
    await expect(user).toHaveAttribute('maxlength', '128');
    await expect(page.getByLabel(/^Password/)).toHaveAttribute('maxlength', '256');
    await expect(page.getByRole('textbox', { name: /^Display name/ })).toHaveAttribute('maxlength', '80');
    await user.fill('u'.repeat(300));
    await expect(user).toHaveValue('u'.repeat(128));

    expect(() => readFileSync(endpoint.connectionFile, 'utf8')).toThrow();
    expect(endpoint.secrets.size).toBe(0);
  });
});
