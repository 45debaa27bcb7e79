/**
 * Playwright fixtures for Baton's E2E suite: a lab Kamailio, the harness server, agent desks in
 * Node whose media engine is the real renderer bundle in Chromium, the customer bot and Node
 * colleagues. See README.md in this folder.
 *
 * Each agent gets two pages, as the product has two renderers: its media host (the hidden page
 * that owns the calls' media; `mediaHostOf(page)`) and its UI page (what `agentPage` returns).
 *
 *   import { test, expect, invoke } from './fixtures.js';
 *   test('…', async ({ agentPage, agent, customer }) => { const page = await agentPage('alice'); … });
 */
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BrowserContext, Page } from '@playwright/test';
import { test as base, expect } from './harness/pageFaults.js';
import { labDocument, createTestDesk, type TestDesk } from '../support/deskFixture.js';
import { createCustomer, type CustomerBot } from '../lab/bots.js';
import { startLab, type Lab } from '../lab/lab.js';
import {
  COMMAND_NAMES,
  MEDIA_HOST_COMMANDS,
  MEDIA_HOST_EVENTS,
  type CommandName,
  type CommandOutcome,
  type CommandPayload,
} from '../../shared/ipc.js';
import type { ProvisioningDocument } from '../../shared/provisioning/index.js';
import { CONTRACT_EVENTS } from '../support/contractEvents.js';
import { AgentEndpoint } from './harness/agentEndpoint.js';
import { startBridgeServer, type BridgeServer } from './harness/bridgeServer.js';
import { installBatonBridge, type BridgeClientArgs } from './harness/bridgeClient.js';
import { installPartyMicrophone, type PartyMicrophoneArgs } from './harness/fakeMicrophone.js';
import { useMediaHostPage } from './harness/pageOracle.js';
import { MEDIA_HOST_PATH } from '../../electron/shell/appIdentity.js';
import { BUNDLE_DIR } from './harness/paths.js';
import { TONES } from '../support/partyTones.js';

export { expect };
export type { AgentEndpoint } from './harness/agentEndpoint.js';

/** renderer/media's MEDIA_OPTIONS_GLOBAL; test code may not import renderer/, so the name is repeated here. */
const MEDIA_OPTIONS_GLOBAL = '__BATON_MEDIA_OPTIONS__';

/** Where a page records its getUserMedia requests (fakeMicrophone.ts MicrophoneRequest[]). */
export const MICROPHONE_REQUESTS_GLOBAL = '__BATON_TEST_MICROPHONE_REQUESTS__';

/**
 * How long a reloaded page may take to have its calls back, each step: the product measures reload →
 * audio both ways p99 ≈ 0.7 s on loopback (npm run bench -- renderer-reload); this leaves room for
 * two cores shared with Chromium, Kamailio and the desks, and no more.
 */
export const RELOAD_PROMISE_MS = 3000;

/** The tone a roster user sends from a page or a Node desk (test/support/partyTones.ts): alice 440, bob 660, carol 550. */
export function toneOf(userId: string): number {
  const tone = (TONES as Readonly<Record<string, number | undefined>>)[userId];
  if (tone === undefined)
    throw new Error(`${userId} has no party tone in test/support/partyTones.ts; give the page or desk a toneHz of its own`);
  return tone;
}

export interface AgentPageOptions {
  /** Sign the desk in before the page opens (default true); false leaves the page at the sign-in screen. */
  readonly signedIn?: boolean;
  /** Wait until the page's media engine attached (default true). */
  readonly waitForMedia?: boolean;
  /** A page path other than `/`. */
  readonly path?: string;
  /** The tone the media host's microphone sends (default toneOf(userId)). */
  readonly toneHz?: number;
  /** Open the agent's media host page first (default true; false: a UI page alone, no media engine). */
  readonly mediaHost?: boolean;
}

const mediaHosts = new WeakMap<Page, Page>();

/** The media host page opened with an agent's UI page (the page whose engine plays its calls). */
export function mediaHostOf(page: Page): Page {
  const host = mediaHosts.get(page);
  if (!host) throw new Error('this page was opened without a media host');
  return host;
}

export interface WorkerFixtures {
  /** One Kamailio for the worker (no auth; AORs sip:<user>@127.0.0.1). */
  lab: Lab;
  /** The lab provisioning document pointed at `lab` (roster alice, bob, carol). */
  provisioning: ProvisioningDocument;
  /** The loopback HTTP + bridge server serving dist/renderer. */
  bridge: BridgeServer;
}

/** The browser side shared by agentPage and openMediaHost: one context per agent, fault watching. */
export interface AgentPages {
  readonly bridge: BridgeServer;
  context(
    userId: string,
    signIn: boolean,
    given?: BrowserContext,
  ): Promise<{ context: BrowserContext; watch: (page: Page, who: string) => readonly string[]; endpoint: AgentEndpoint }>;
}

function bridgeUrlOf(pages: AgentPages, endpoint: AgentEndpoint, role: 'ui' | 'media'): string {
  return pages.bridge.bridgeUrl(endpoint.token, role);
}

export interface TestFixtures {
  /** Browser contexts of the agents' pages (internal to agentPage and openMediaHost). */
  pages: AgentPages;
  /** The Node desk (main's side) of a roster user, created on first use; signed in when `signIn` is true. */
  agent: (userId: string, options?: { readonly signIn?: boolean }) => Promise<AgentEndpoint>;
  /**
   * A Chromium page showing the production bundle, wired to `agent(userId)` through the bridge —
   * its UI page; its media host page (opened first, in the same context) is `mediaHostOf(page)`.
   */
  agentPage: (userId: string, options?: AgentPageOptions) => Promise<Page>;
  /** A new media host page for `agent(userId)` (its engine takes the calls over from any older one). */
  openMediaHost: (userId: string, options?: { readonly toneHz?: number; readonly context?: BrowserContext }) => Promise<Page>;
  /** A caller bot (SIP user "customer", 330 Hz tone) that follows REFER; registered. */
  customer: CustomerBot;
  /** A colleague desk entirely in Node (wrtc media sending toneOf(userId)), signed in; no page. */
  nodeDesk: (userId: string) => Promise<TestDesk>;
}

export const test = base.extend<TestFixtures, WorkerFixtures>({
  lab: [
    // eslint-disable-next-line no-empty-pattern -- Playwright reads a fixture's dependencies from this destructuring: it must be an object pattern, and this fixture needs none
    async ({}, use) => {
      const lab = await startLab();
      await use(lab);
      await lab.stop();
    },
    { scope: 'worker', timeout: 30_000 },
  ],
  provisioning: [async ({ lab }, use) => use(labDocument(lab)), { scope: 'worker' }],
  bridge: [
    // eslint-disable-next-line no-empty-pattern -- Playwright reads a fixture's dependencies from this destructuring: it must be an object pattern, and this fixture needs none
    async ({}, use) => {
      // Serve a copy: a `vite build` running meanwhile (another suite, a watcher) empties dist/renderer.
      const bundle = mkdtempSync(join(tmpdir(), 'baton-e2e-bundle-'));
      cpSync(BUNDLE_DIR, bundle, { recursive: true });
      const server = await startBridgeServer(bundle);
      await use(server);
      await server.close();
      rmSync(bundle, { recursive: true, force: true });
    },
    { scope: 'worker' },
  ],

  agent: async ({ bridge, provisioning }, use) => {
    const endpoints = new Map<string, AgentEndpoint>();
    await use(async (userId, options = {}) => {
      let endpoint = endpoints.get(userId);
      if (!endpoint) {
        endpoint = new AgentEndpoint({ userId, provisioning });
        endpoints.set(userId, endpoint);
        bridge.register(endpoint);
      }
      if ((options.signIn ?? false) && endpoint.state().session.user === null) {
        const outcome = await endpoint.desk.handle('session.signIn', { userId, password: '' });
        if (!outcome.ok) throw new Error(`${userId} could not sign in: ${outcome.error.code} ${outcome.error.message}`);
        await endpoint.until('registered', (s) => s.session.registration === 'registered');
      }
      return endpoint;
    });
    // Desks first (hanging up sends media.close to pages still open), then the bridge forgets them.
    await Promise.all([...endpoints.values()].map((e) => e.dispose()));
    for (const endpoint of endpoints.values()) bridge.unregister(endpoint);
  },

  agentPage: async ({ openMediaHost, pages }, use) => {
    await use(async (userId, options = {}) => {
      const wantsHost = options.mediaHost ?? true;
      const { context, watch, endpoint } = await pages.context(userId, options.signedIn ?? true);
      const host = wantsHost
        ? await openMediaHost(userId, { context, ...(options.toneHz !== undefined ? { toneHz: options.toneHz } : {}) })
        : undefined;
      const page = await context.newPage();
      const problems = watch(page, `${userId}'s page`);
      const args: BridgeClientArgs = {
        url: bridgeUrlOf(pages, endpoint, 'ui'),
        commands: COMMAND_NAMES,
        events: [...CONTRACT_EVENTS],
      };
      await page.addInitScript(installBatonBridge, args);
      await page.goto(options.path ?? '/');
      if (host) mediaHosts.set(page, host);
      if (options.waitForMedia ?? true) {
        await endpoint
          .until('its UI page attached', () => endpoint.uiAttached && (!wantsHost || endpoint.mediaAttached), 10_000)
          .catch((error: unknown) => {
            throw new Error(`${String(error)}${problems.length ? `\n${problems.join('\n')}` : ' (no page error, no failed request)'}`);
          });
      }
      return page;
    });
  },

  openMediaHost: async ({ pages }, use) => {
    await use(async (userId, options = {}) => {
      const { context, watch, endpoint } = options.context
        ? { ...(await pages.context(userId, false, options.context)) }
        : await pages.context(userId, false);
      const page = await context.newPage();
      const problems = watch(page, `${userId}'s media host`);
      const args: BridgeClientArgs = {
        url: bridgeUrlOf(pages, endpoint, 'media'),
        commands: Object.keys(MEDIA_HOST_COMMANDS),
        events: Object.keys(MEDIA_HOST_EVENTS),
        mediaOptions: { name: MEDIA_OPTIONS_GLOBAL, value: { loopbackOnly: true, iceGatheringTimeoutMs: 1000 } },
      };
      await page.addInitScript(installBatonBridge, args);
      // Its own microphone: the agent's party tone, so listeners can tell who they hear.
      const microphone: PartyMicrophoneArgs = {
        hz: options.toneHz ?? toneOf(userId),
        amplitude: 0.25,
        recordName: MICROPHONE_REQUESTS_GLOBAL,
      };
      await page.addInitScript(installPartyMicrophone, microphone);
      const before = endpoint.mediaLog.length;
      await page.goto(MEDIA_HOST_PATH);
      useMediaHostPage(endpoint, page);
      await endpoint
        .until('its media host attached', () => endpoint.mediaAttached && endpoint.mediaLog.length >= before, 10_000)
        .catch((error: unknown) => {
          throw new Error(`${String(error)}${problems.length ? `\n${problems.join('\n')}` : ' (no page error, no failed request)'}`);
        });
      return page;
    });
  },

  pages: async ({ browser, bridge, agent, pageFaults }, use, testInfo) => {
    const contexts: BrowserContext[] = [];
    const byUser = new Map<string, BrowserContext>();
    // Every page is watched by the automatic pageFaults fixture (harness/pageFaults.ts): an uncaught
    // page error or a failed request of the bridge's origin fails the test. Here pages get their
    // names, and the problems list feeds the error of a page that never attaches.
    pageFaults.ownOrigin(bridge.origin);
    const watch = (page: Page, who: string): readonly string[] => {
      pageFaults.name(page, who);
      return pageFaults.problemsOf(page);
    };
    await use({
      bridge,
      context: async (userId, signIn, given) => {
        const endpoint = await agent(userId, { signIn });
        let context = given ?? byUser.get(userId);
        if (!context || !contexts.includes(context)) {
          context = await browser.newContext({ baseURL: bridge.origin, permissions: ['microphone'] });
          contexts.push(context);
        }
        // The agent's pages share one context: one profile, so device ids mean the same in both.
        byUser.set(userId, context);
        return { context, watch, endpoint };
      },
    });
    for (const [index, context] of contexts.entries()) {
      if (testInfo.status !== testInfo.expectedStatus) {
        for (const [n, page] of context.pages().entries()) {
          await testInfo.attach(`page-${index}-${n}-at-failure.png`, {
            // A page that closed cannot be shot: an empty attachment still marks where it would be.
            body: await page.screenshot().catch(() => Buffer.alloc(0)),
            contentType: 'image/png',
          });
        }
      }
      await context.close();
    }
  },

  customer: async ({ lab }, use) => {
    const bot = createCustomer(lab, 'customer');
    await bot.phone.start();
    await use(bot);
    await bot.dispose();
  },

  nodeDesk: async ({ provisioning }, use) => {
    const desks: TestDesk[] = [];
    await use(async (userId) => {
      const desk = createTestDesk(provisioning, { toneHz: toneOf(userId) });
      desks.push(desk);
      const outcome = await desk.desk.handle('session.signIn', { userId, password: '' });
      if (!outcome.ok) throw new Error(`${userId} could not sign in: ${outcome.error.code} ${outcome.error.message}`);
      await desk.until('registered', (s) => s.session.registration === 'registered');
      return desk;
    });
    await Promise.all(desks.map((d) => d.dispose()));
  },
});

/** Runs `window.baton.invoke(command, payload)` in the page, as the UI would. */
export function invoke<C extends CommandName>(page: Page, command: C, payload: CommandPayload<C>): Promise<CommandOutcome<C>> {
  return page.evaluate(
    ([c, p]) => (window as unknown as { baton: { invoke(c: string, p: unknown): Promise<unknown> } }).baton.invoke(c, p),
    [command, payload] as const,
  ) as Promise<CommandOutcome<C>>;
}

/** Sends a payload the types would refuse (to test main's validation). */
export function invokeRaw(page: Page, command: string, payload: unknown): Promise<CommandOutcome<CommandName>> {
  return page.evaluate(
    ([c, p]) => (window as unknown as { baton: { invoke(c: string, p: unknown): Promise<unknown> } }).baton.invoke(c, p),
    [command, payload] as const,
  ) as Promise<CommandOutcome<CommandName>>;
}

/** Keeps a screenshot of the page as a test artifact (in the report and test-results/). */
export async function keepScreenshot(page: Page, name: string): Promise<void> {
  const info = test.info();
  await info.attach(`${name}.png`, { body: await page.screenshot({ fullPage: true }), contentType: 'image/png' });
}
