/**
 * A first-run agent as main runs it without provisioning: the Connect screen's desk
 * (core/provisioning/connectDesk.ts) behind main's IpcBridge through a DeskSlot; once the agent
 * connected, a real Desk on the resulting document takes the slot and signs in, as electron/main.ts
 * does. The credential store is an in-memory stand-in for safeStorage; the settings file is real.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Desk } from '../../../electron/core/desk.js';
import { RendererMediaPort } from '../../../electron/core/media/rendererMediaPort.js';
import type { CredentialStore } from '../../../electron/core/ports.js';
import { ConnectDesk, type Connected } from '../../../electron/core/provisioning/connectDesk.js';
import { openStore, type Store } from '../../../electron/core/store/store.js';
import { DeskSlot } from '../../../electron/shell/deskSlot.js';
import { IpcBridge } from '../../../electron/shell/ipcBridge.js';
import type { IpcSenderInfo } from '../../../electron/shell/senderPolicy.js';
import type { Disposable } from '../../../electron/core/typedEmitter.js';
import { ConnectionSenderPolicy, LoopbackIpcMain, type Connection } from './agentEndpoint.js';
import type { BridgeEndpoint } from './bridgeServer.js';
import { bestEffort } from '../../lab/bestEffort.js';

export class ConnectEndpoint implements BridgeEndpoint {
  readonly token = randomBytes(32).toString('base64url');
  readonly dir = mkdtempSync(join(tmpdir(), 'baton-e2e-connect-'));
  readonly connectionFile = join(this.dir, 'connection.json');
  readonly secrets = new Map<string, string>();
  /** The real desk, once the agent connected. */
  desk: Desk | undefined;
  private store: Store | undefined;
  private readonly media = new RendererMediaPort(5000);
  private readonly ipcMain = new LoopbackIpcMain();
  private readonly senders = new ConnectionSenderPolicy();
  private readonly connections = new Map<number, Connection>();
  private readonly slot: DeskSlot;
  private readonly bridge: IpcBridge;
  private readonly subscriptions: Disposable[] = [];

  constructor() {
    const credentials: CredentialStore = {
      available: true,
      save: (user, secret) => void this.secrets.set(user, secret),
      load: (user) => this.secrets.get(user) ?? null,
      clear: (user) => void this.secrets.delete(user),
    };
    const connectDesk = new ConnectDesk({
      connectionFile: this.connectionFile,
      credentials,
      onConnected: (c) => this.takeOver(c, credentials),
    });
    this.slot = new DeskSlot(connectDesk);
    this.bridge = new IpcBridge({
      ipcMain: this.ipcMain,
      senders: this.senders,
      desk: this.slot,
      media: this.media,
      renderer: (id) => this.connections.get(id),
      isMediaHost: (id) => this.connections.get(id)?.role === 'media',
    });
    this.subscriptions.push(connectDesk.events.on('patch', (patch) => this.bridge.publish('desk.patch', patch)));
  }

  /** As main after the Connect screen: the real desk takes the slot and signs in. */
  private async takeOver(result: Connected, credentials: CredentialStore): Promise<void> {
    for (const s of this.subscriptions.splice(0)) s.dispose();
    this.store = openStore(join(this.dir, 'baton.sqlite')).store;
    const desk = new Desk({
      provisioning: result.document,
      store: this.store,
      media: this.media,
      notifier: { show: () => ({ close: () => {} }) },
      credentials,
      status: { setStatus: () => {} },
      phone: { backoff: { initialMs: 100, maxMs: 1000 } },
    });
    this.desk = desk;
    this.slot.use(desk);
    this.subscriptions.push(
      desk.events.on('snapshot', (snapshot) => this.bridge.publish('desk.snapshot', snapshot)),
      desk.events.on('patch', (patch) => this.bridge.publish('desk.patch', patch)),
    );
    this.bridge.publish('desk.snapshot', desk.snapshot());
    if (result.signIn) void desk.handle('session.signIn', result.signIn);
  }

  connected(connection: Connection): void {
    this.connections.set(connection.id, connection);
    this.senders.trust(connection.id);
  }

  disconnected(id: number): void {
    this.senders.forget(id);
    this.connections.delete(id);
    this.bridge.rendererLost(id);
  }

  async invoke(connectionId: number, channel: string, args: readonly unknown[]): Promise<unknown> {
    const handler = this.ipcMain.handlers.get(channel);
    if (!handler) throw new Error(`No handler registered for '${channel.slice(0, 64)}'`);
    return handler(this.senderInfo(connectionId), ...args);
  }

  send(connectionId: number, channel: string, args: readonly unknown[]): void {
    for (const listener of [...(this.ipcMain.listeners.get(channel) ?? [])]) listener(this.senderInfo(connectionId), ...args);
  }

  async dispose(): Promise<void> {
    await this.desk?.dispose().catch(bestEffort('disposing the desk'));
    for (const s of this.subscriptions.splice(0)) s.dispose();
    this.bridge.dispose();
    for (const connection of this.connections.values()) connection.close();
    this.store?.close();
    rmSync(this.dir, { recursive: true, force: true });
  }

  private senderInfo(connectionId: number): IpcSenderInfo {
    const connection = this.connections.get(connectionId);
    return {
      sender: { id: connectionId },
      senderFrame: connection && !connection.isDestroyed() ? { url: connection.origin, parent: null } : null,
    };
  }
}
