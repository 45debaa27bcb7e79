import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { COMMAND_NAMES } from '../../../shared/ipc.js';
import { startLab, type Lab } from '../../lab/lab.js';
import { CONTRACT_EVENTS } from '../../support/contractEvents.js';
import { startBridgeServer, type BridgeServer } from './bridgeServer.js';
import { BUNDLE_DIR } from './paths.js';

export interface FallbackServer {
  readonly lab: Lab;
  readonly server: BridgeServer;
  /** The bundle's copy the server serves (another server may serve it too). */
  readonly bundle: string;
  /** Stops the server and the lab and removes the bundle's copy. */
  close(): Promise<void>;
}

/**
 * A lab and the bridge server serving a copy of the production bundle with `window.baton` as npm
 * start's browser fallback gives it (harness/browserPage.ts): what the fallback specs run against.
 */
export async function startFallbackServer(): Promise<FallbackServer> {
  const lab = await startLab();
  const bundle = mkdtempSync(join(tmpdir(), 'baton-e2e-bundle-'));
  cpSync(BUNDLE_DIR, bundle, { recursive: true });
  const server = await startBridgeServer(bundle, {
    browserPage: {
      commands: COMMAND_NAMES,
      events: CONTRACT_EVENTS,
      mediaOptions: { name: '__BATON_MEDIA_OPTIONS__', value: { loopbackOnly: true } },
    },
  });
  return {
    lab,
    server,
    bundle,
    close: async () => {
      await server.close();
      await lab.stop();
      rmSync(bundle, { recursive: true, force: true });
    },
  };
}
