/**
 * A desk's media host page for the Chromium benches, attached as the E2E harness attaches it: the
 * loopback bridge with the media side of the contract only, the product's engine on 127.0.0.1.
 */
import type { Page } from '@playwright/test';
import { MEDIA_HOST_COMMANDS, MEDIA_HOST_EVENTS } from '../../shared/ipc.js';
import { MEDIA_HOST_PATH } from '../../electron/shell/appIdentity.js';
import type { AgentEndpoint } from '../e2e/harness/agentEndpoint.js';
import { installBatonBridge, type BridgeClientArgs } from '../e2e/harness/bridgeClient.js';
import type { BridgeServer } from '../e2e/harness/bridgeServer.js';

/** tsx compiles with esbuild's keepNames: a serialised function gets a no-op `__name`. */
export function serialised<A>(fn: (args: A) => void, args: A): string {
  return `globalThis.__name = (f) => f;\n(${fn.toString()})(${JSON.stringify(args)});`;
}

/** Loads the media host into `page` (after `initScripts`, e.g. a party microphone) and waits for main to see it. */
export async function attachMediaHost(
  page: Page,
  server: BridgeServer,
  desk: AgentEndpoint,
  initScripts: readonly string[] = [],
): Promise<Page> {
  const args: BridgeClientArgs = {
    url: server.bridgeUrl(desk.token, 'media'),
    commands: Object.keys(MEDIA_HOST_COMMANDS),
    events: Object.keys(MEDIA_HOST_EVENTS),
    mediaOptions: { name: '__BATON_MEDIA_OPTIONS__', value: { loopbackOnly: true, iceGatheringTimeoutMs: 1000 } },
  };
  await page.addInitScript({ content: serialised(installBatonBridge, args) });
  for (const content of initScripts) await page.addInitScript({ content });
  await page.goto(MEDIA_HOST_PATH);
  await desk.until('the media host attached', () => desk.mediaAttached, 10_000);
  return page;
}
