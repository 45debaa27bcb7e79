/**
 * A whole desk (the composition root) in Node, as main runs it: real Kamailio, real SQLite file,
 * real WebRTC through the Node engine; only the OS ports are small recording fakes.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Desk, type DeskOptions } from '../../electron/core/desk.js';
import type { CredentialStore, Notifier, StatusIndicator } from '../../electron/core/ports.js';
import { openStore } from '../../electron/core/store/store.js';
import type { Store } from '../../electron/core/store/store.js';
import { parseProvisioning, type ProvisioningDocument } from '../../shared/provisioning/index.js';
import type { DeskState } from '../../shared/desk.js';
import { createWrtcMediaPort, type WrtcMediaPort } from '../lab/wrtcEngine.js';
import type { Lab } from '../lab/lab.js';
import { bestEffort } from '../lab/bestEffort.js';
import { waitFor } from './waitFor.js';

/** The lab provisioning document (resources/provisioning/lab.json) pointed at this lab. */
export function labDocument(lab: Lab, policies: Partial<ProvisioningDocument['policies']> = {}): ProvisioningDocument {
  const raw = JSON.parse(readFileSync(new URL('../../resources/provisioning/lab.json', import.meta.url), 'utf8')) as Record<
    string,
    unknown
  > & {
    sip: Record<string, unknown>;
    policies: Record<string, unknown>;
  };
  const doc = { ...raw, sip: { ...raw.sip, server: lab.wsUrl, domain: lab.domain }, policies: { ...raw.policies, ...policies } };
  const parsed = parseProvisioning(JSON.stringify(doc), 'lab fixture');
  if (!parsed.ok) throw new Error(parsed.issues.map((i) => `${i.path}: ${i.expected}`).join('\n'));
  return parsed.value;
}

export interface Shown {
  readonly id: string;
  readonly title: string;
  readonly body: string;
  readonly click: () => void;
}

export interface TestDesk {
  readonly desk: Desk;
  readonly store: Store;
  readonly media: WrtcMediaPort;
  readonly notifications: Shown[];
  readonly trayTexts: string[];
  readonly dir: string;
  state(): DeskState;
  until(what: string, predicate: (state: DeskState) => boolean, timeoutMs?: number): Promise<DeskState>;
  dispose(): Promise<void>;
}

export function createTestDesk(
  doc: ProvisioningDocument,
  options: Partial<DeskOptions> & { readonly toneHz?: number; readonly dir?: string } = {},
): TestDesk {
  const dir = options.dir ?? mkdtempSync(join(tmpdir(), 'baton-desk-'));
  const { store } = openStore(join(dir, 'baton.db'));
  const media = createWrtcMediaPort({ toneHz: options.toneHz ?? 440 });
  const notifications: Shown[] = [];
  const trayTexts: string[] = [];
  const notifier: Notifier = {
    show: (n, onClick) => {
      notifications.push({ id: n.id, title: n.title, body: n.body, click: onClick });
      return { close: () => {} };
    },
  };
  const secrets = new Map<string, string>();
  const credentials: CredentialStore = {
    available: true,
    save: (user, secret) => void secrets.set(user, secret),
    load: (user) => secrets.get(user) ?? null,
    clear: (user) => void secrets.delete(user),
  };
  const status: StatusIndicator = { setStatus: (text) => void trayTexts.push(text) };
  const desk = new Desk({
    provisioning: doc,
    store,
    media,
    notifier,
    credentials,
    status,
    phone: { backoff: { initialMs: 100, maxMs: 1000 } },
    transfers: { consultPingMs: 500, referTimeoutMs: 5000 },
    ...options,
  });
  return {
    desk,
    store,
    media,
    notifications,
    trayTexts,
    dir,
    state: () => desk.snapshot(),
    until: (what, predicate, timeoutMs = 8000) =>
      waitFor(what, () => (predicate(desk.snapshot()) ? desk.snapshot() : undefined), timeoutMs),
    async dispose() {
      await desk.dispose().catch(bestEffort('disposing the desk'));
      await media.dispose().catch(bestEffort("disposing the desk's media"));
      store.close();
      // A folder the caller gave is theirs to keep (a restart reopens it); one made here is removed.
      if (options.dir === undefined) rmSync(dir, { recursive: true, force: true });
    },
  };
}
