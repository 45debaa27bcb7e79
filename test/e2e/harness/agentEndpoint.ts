/**
 * One agent as main runs it, minus Electron: a Desk (real store, lab provisioning, RendererMediaPort
 * as its media) behind main's own IpcBridge (electron/shell/ipcBridge.ts), exactly as electron/main.ts
 * wires them. Only the transport differs: each WebSocket connection that presented this agent's token
 * plays the part of a webContents — the UI page's, or the media host page's (role 'media') — and
 * ipcMain is a small in-process stand-in.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Desk, type DeskOptions } from '../../../electron/core/desk.js';
import { RendererMediaPort } from '../../../electron/core/media/rendererMediaPort.js';
import type { CredentialStore, Notifier } from '../../../electron/core/ports.js';
import { openStore, type Store } from '../../../electron/core/store/store.js';
import { IpcBridge, type IpcMainPort, type IpcMedia, type RendererPort } from '../../../electron/shell/ipcBridge.js';
import { SenderPolicy, type IpcSenderInfo, type SenderVerdict } from '../../../electron/shell/senderPolicy.js';
import type { DeskState } from '../../../shared/desk.js';
import type { MediaRequest } from '../../../shared/ipc.js';
import type { MediaStats } from '../../../shared/media.js';
import type { ProvisioningDocument } from '../../../shared/provisioning/index.js';
import { waitFor } from '../../support/waitFor.js';
import { bestEffort } from '../../lab/bestEffort.js';

export interface Shown {
  readonly id: string;
  readonly title: string;
  readonly body: string;
  readonly click: () => void;
}

/** One media request main sent to the page's engine, and the engine's reply once it came. */
export interface MediaExchange {
  readonly requestId: number;
  readonly request: MediaRequest;
  reply?: { readonly ok: boolean; readonly value: unknown; readonly error: string | undefined };
}

/** Listeners main registered on ipcMain; the WebSocket server calls them for each message. */
export class LoopbackIpcMain implements IpcMainPort {
  readonly handlers = new Map<string, (event: IpcSenderInfo, ...args: unknown[]) => unknown>();
  readonly listeners = new Map<string, Set<(event: IpcSenderInfo, ...args: unknown[]) => void>>();

  handle(channel: string, listener: (event: IpcSenderInfo, ...args: unknown[]) => unknown): void {
    this.handlers.set(channel, listener);
  }
  removeHandler(channel: string): void {
    this.handlers.delete(channel);
  }
  on(channel: string, listener: (event: IpcSenderInfo, ...args: unknown[]) => void): this {
    let set = this.listeners.get(channel);
    if (!set) this.listeners.set(channel, (set = new Set()));
    set.add(listener);
    return this;
  }
  removeListener(channel: string, listener: (event: IpcSenderInfo, ...args: unknown[]) => void): this {
    this.listeners.get(channel)?.delete(listener);
    return this;
  }
}

/**
 * Main's SenderPolicy trusts webContents it created and our app:// page. Here the token check at
 * the WebSocket handshake is what admits a connection, so a sender is trusted while its connection
 * is open; the frame rules (top frame, live) keep their meaning.
 */
export class ConnectionSenderPolicy extends SenderPolicy {
  private readonly live = new Set<number>();
  override trust(id: number): void {
    this.live.add(id);
  }
  override forget(id: number): void {
    this.live.delete(id);
  }
  override check(event: IpcSenderInfo): SenderVerdict {
    if (!this.live.has(event.sender.id)) return { ok: false, reason: `connection ${event.sender.id} is closed` };
    if (event.senderFrame === null) return { ok: false, reason: 'the sending frame is gone' };
    if (event.senderFrame.parent !== null) return { ok: false, reason: 'a sub-frame may not use IPC' };
    return { ok: true };
  }
}

/** A connected page, as main's bridge sees a webContents. */
export interface Connection extends RendererPort {
  readonly origin: string;
  /** The agent's UI page, or its media host page (`&role=media` in the bridge URL). */
  readonly role: 'ui' | 'media';
  close(): void;
}

export interface AgentEndpointOptions {
  readonly userId: string;
  readonly provisioning: ProvisioningDocument;
  /** Media requests left unanswered fail after this (RendererMediaPort's bound; default 5000 ms). */
  readonly mediaTimeoutMs?: number;
  readonly desk?: Partial<DeskOptions>;
}

export class AgentEndpoint {
  readonly userId: string;
  /** 256 bits; presented by the page in the bridge URL. */
  readonly token = randomBytes(32).toString('base64url');
  readonly desk: Desk;
  readonly store: Store;
  readonly media: RendererMediaPort;
  readonly notifications: Shown[] = [];
  readonly trayTexts: string[] = [];
  readonly dialRequests: string[] = [];
  /** Every media request and reply, in order (the engine's side of each call). */
  readonly mediaLog: MediaExchange[] = [];
  /** Where in mediaLog the attached media host's requests start. */
  private engineAttachedAt = 0;
  /** Every SIP message the desk's phone sent or received, in order: its first line (and when). */
  readonly sipLog: Array<{ readonly direction: 'sent' | 'received'; readonly firstLine: string; readonly at: number }> = [];
  readonly dir: string;
  private readonly ipcMain = new LoopbackIpcMain();
  private readonly senders = new ConnectionSenderPolicy();
  private readonly bridge: IpcBridge;
  private readonly connections = new Map<number, Connection>();
  private readonly subscriptions: Array<{ dispose(): void }>;
  private disposed = false;

  constructor(options: AgentEndpointOptions) {
    this.userId = options.userId;
    this.dir = mkdtempSync(join(tmpdir(), `baton-e2e-${options.userId}-`));
    this.store = openStore(join(this.dir, 'baton.sqlite')).store;
    this.media = new RendererMediaPort(options.mediaTimeoutMs ?? 5000);
    const notifier: Notifier = {
      show: (n, onClick) => {
        this.notifications.push({ id: n.id, title: n.title, body: n.body, click: onClick });
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
    this.desk = new Desk({
      provisioning: options.provisioning,
      store: this.store,
      media: this.media,
      notifier,
      credentials,
      status: { setStatus: (text) => void this.trayTexts.push(text) },
      phone: { backoff: { initialMs: 100, maxMs: 1000 } },
      transfers: { consultPingMs: 500, referTimeoutMs: 5000 },
      sipTrace: (direction, message) =>
        void this.sipLog.push({ direction, firstLine: message.slice(0, message.indexOf('\r\n') >>> 0).slice(0, 200), at: Date.now() }),
      ...options.desk,
    });
    this.bridge = new IpcBridge({
      ipcMain: this.ipcMain,
      senders: this.senders,
      desk: this.desk,
      media: this.recordingMedia(),
      renderer: (id) => this.connections.get(id),
      isMediaHost: (id) => this.connections.get(id)?.role === 'media',
    });
    // As electron/main.ts: the desk's events go to whichever page attached.
    this.subscriptions = [
      this.desk.events.on('snapshot', (snapshot) => this.bridge.publish('desk.snapshot', snapshot)),
      this.desk.events.on('patch', (patch) => this.bridge.publish('desk.patch', patch)),
      this.desk.events.on('dialRequest', (request) => {
        this.dialRequests.push(request.target);
        this.bridge.publish('desk.dialRequest', request);
      }),
    ];
  }

  // ── transport side (called by the bridge server) ───────────────────────────────────────────

  connected(connection: Connection): void {
    this.connections.set(connection.id, connection);
    this.senders.trust(connection.id);
  }

  disconnected(id: number): void {
    this.senders.forget(id);
    this.connections.delete(id);
    this.bridge.rendererLost(id);
  }

  /** `ipcRenderer.invoke(channel, ...args)` from a page. */
  async invoke(connectionId: number, channel: string, args: readonly unknown[]): Promise<unknown> {
    const handler = this.ipcMain.handlers.get(channel);
    if (!handler) throw new Error(`No handler registered for '${channel.slice(0, 64)}'`);
    return handler(this.senderInfo(connectionId), ...args);
  }

  /** `ipcRenderer.send(channel, ...args)` from a page. */
  send(connectionId: number, channel: string, args: readonly unknown[]): void {
    for (const listener of [...(this.ipcMain.listeners.get(channel) ?? [])]) listener(this.senderInfo(connectionId), ...args);
  }

  // ── what tests use ─────────────────────────────────────────────────────────────────────────

  state(): DeskState {
    return this.desk.snapshot();
  }

  until(what: string, predicate: (state: DeskState) => boolean, timeoutMs = 8000): Promise<DeskState> {
    return waitFor(`${this.userId}: ${what}`, () => (predicate(this.desk.snapshot()) ? this.desk.snapshot() : undefined), timeoutMs);
  }

  /** True while a media host page's engine is attached (it called baton.attach()). */
  get mediaAttached(): boolean {
    return this.media.attached;
  }

  /** True while a UI page is attached (it called baton.attach()). */
  get uiAttached(): boolean {
    return this.bridge.uiAttached;
  }

  /**
   * Media session ids main opened in the attached media host and has not closed, oldest first. A
   * media host that went took its sessions with it (main closes nothing there: RendererMediaPort).
   */
  openMediaSessions(): string[] {
    const open = new Set<string>();
    for (const { request, reply } of this.mediaLog.slice(this.engineAttachedAt)) {
      if (request.op === 'open' && reply?.ok) open.add(request.sessionId);
      if (request.op === 'close') open.delete(request.sessionId);
    }
    return [...open];
  }

  /** The page engine's stats for a session (default: the newest open one), asked as main would. */
  async mediaStats(sessionId = this.openMediaSessions().at(-1)): Promise<MediaStats> {
    if (sessionId === undefined) throw new Error(`${this.userId} has no open media session`);
    return this.media.request({ op: 'getStats', sessionId });
  }

  /** The replies the engine gave to one kind of request. */
  replies(op: MediaRequest['op']): MediaExchange[] {
    return this.mediaLog.filter((e) => e.request.op === op);
  }

  /** Signs out (hanging up), closes the store; the pages are closed by their fixture. */
  async dispose(): Promise<void> {
    if (this.disposed) return;
    this.disposed = true;
    await withDeadline(this.desk.dispose(), 5000).catch(bestEffort('disposing the desk'));
    for (const subscription of this.subscriptions) subscription.dispose();
    this.bridge.dispose();
    for (const connection of this.connections.values()) connection.close();
    this.store.close();
    rmSync(this.dir, { recursive: true, force: true });
  }

  private senderInfo(connectionId: number): IpcSenderInfo {
    const connection = this.connections.get(connectionId);
    return {
      sender: { id: connectionId },
      senderFrame: connection && !connection.isDestroyed() ? { url: connection.origin, parent: null } : null,
    };
  }

  /** RendererMediaPort, with every request and reply written to mediaLog. */
  private recordingMedia(): IpcMedia {
    const port = this.media;
    const byId = new Map<number, MediaExchange>();
    return {
      attach: (sink) => {
        this.engineAttachedAt = this.mediaLog.length;
        port.attach((requestId, request) => {
          const exchange: MediaExchange = { requestId, request };
          this.mediaLog.push(exchange);
          byId.set(requestId, exchange);
          sink(requestId, request);
        });
      },
      detach: () => port.detach(),
      reply: (requestId, ok, value, error) => {
        const exchange = byId.get(requestId);
        if (exchange) {
          exchange.reply = { ok, value, error };
          byId.delete(requestId);
        }
        port.reply(requestId, ok, value, error);
      },
      request: (request) => port.request(request),
    };
  }
}

function withDeadline<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    promise.finally(() => clearTimeout(timer)),
    new Promise<T>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms`)), ms);
    }),
  ]);
}
