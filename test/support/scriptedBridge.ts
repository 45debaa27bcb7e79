/**
 * The bridge server for an E2E spec whose desks are scripted (no lab): it serves a copy of the built
 * UI — a `vite build` running meanwhile (another suite, a watcher) empties dist/renderer — to pages
 * that may use every command and event of the contract. close() also removes the copy.
 */
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { COMMAND_NAMES } from '../../shared/ipc.js';
import { CONTRACT_EVENTS } from './contractEvents.js';
import { startBridgeServer, type BridgeServer } from '../e2e/harness/bridgeServer.js';
import { BUNDLE_DIR } from '../e2e/harness/paths.js';

export async function startScriptedBridge(): Promise<BridgeServer> {
  const bundle = mkdtempSync(join(tmpdir(), 'baton-e2e-bundle-'));
  const removeBundle = (): void => rmSync(bundle, { recursive: true, force: true });
  let server: BridgeServer;
  try {
    cpSync(BUNDLE_DIR, bundle, { recursive: true });
    server = await startBridgeServer(bundle, { browserPage: { commands: COMMAND_NAMES, events: [...CONTRACT_EVENTS] } });
  } catch (error) {
    removeBundle();
    throw error;
  }
  return {
    origin: server.origin,
    bridgeUrl: (token, role) => server.bridgeUrl(token, role),
    register: (endpoint) => server.register(endpoint),
    unregister: (endpoint) => server.unregister(endpoint),
    get refused() {
      return server.refused;
    },
    async close() {
      await server.close();
      removeBundle();
    },
  };
}
