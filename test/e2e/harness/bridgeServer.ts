/**
 * The E2E harness's one loopback server: the production renderer bundle over HTTP on 127.0.0.1
 * (with the product's CSP and security headers), and at /bridge the WebSocket that carries
 * `window.baton` between each page and its agent's Desk.
 *
 * A bridge connection must present a registered agent token (`/bridge?token=…`) and come from our
 * own origin; anything else is refused at the handshake (401 / 403) and never reaches a Desk.
 * `&role=media` marks the agent's media host page (in Electron, main knows its own media host's
 * webContents; here the page holding the token says which one it is).
 *
 * Wire format (JSON text frames), the three channels of electron/shell/channels.ts:
 *   page → server  {"channel":"baton:invoke","id":7,"args":[command,payload]}   answered by {"reply":7,"value":outcome}
 *   page → server  {"channel":"baton:attach","args":[]}
 *   server → page  {"channel":"baton:event","args":[eventName,payload]}
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { readFile, realpath, stat } from 'node:fs/promises';
import { timingSafeEqual } from 'node:crypto';
import { extname, relative, resolve, isAbsolute } from 'node:path';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import { SECURITY_HEADERS } from '../../../electron/shell/contentSecurityPolicy.js';
import { CHANNELS } from '../../../electron/shell/channels.js';
import type { Connection } from './agentEndpoint.js';
import { CONTENT_TYPES } from '../../../electron/shell/appProtocol.js';
import { MEDIA_HOST_PATH } from '../../../electron/shell/appIdentity.js';
import { wsText } from '../../support/wsText.js';
import { BRIDGE_SCRIPT_PATH, browserPageScript, withBridgeScript, type BrowserPageOptions } from './browserPage.js';

/** SDP is ≤ 64 kB (RendererMediaPort's cap) and commands are small: anything bigger is refused. */
const MAX_MESSAGE_BYTES = 256 * 1024;
export const BRIDGE_PATH = '/bridge';

/** The agent's UI page, or its media host page (the one that owns the calls' media). */
export type PageRole = 'ui' | 'media';

/** What the server needs of an agent's endpoint (agentEndpoint.ts, connectEndpoint.ts). */
export interface BridgeEndpoint {
  readonly token: string;
  connected(connection: Connection): void;
  disconnected(id: number): void;
  invoke(connectionId: number, channel: string, args: readonly unknown[]): Promise<unknown>;
  send(connectionId: number, channel: string, args: readonly unknown[]): void;
}

export interface BridgeServer {
  /** http://127.0.0.1:PORT */
  readonly origin: string;
  /** ws://127.0.0.1:PORT/bridge?token=… for an agent's UI page, or its media host page. */
  bridgeUrl(token: string, role?: PageRole): string;
  register(endpoint: BridgeEndpoint): void;
  unregister(endpoint: BridgeEndpoint): void;
  /** Handshakes refused so far (wrong token, wrong origin, wrong path). */
  readonly refused: number;
  close(): Promise<void>;
}

export interface BridgeServerOptions {
  /** The TCP port on 127.0.0.1; default any free one. */
  readonly port?: number;
  /**
   * For pages opened in an ordinary browser (npm start's fallback): serve `window.baton` as a
   * script of our own origin and load it from index.html. The E2E suite leaves this off (Playwright
   * injects the same code into each page).
   */
  readonly browserPage?: Omit<BrowserPageOptions, 'bridgePath'>;
}

export async function startBridgeServer(bundleDir: string, options: BridgeServerOptions = {}): Promise<BridgeServer> {
  const root = await realpath(bundleDir);
  const page: PageScript | undefined = options.browserPage && {
    script: browserPageScript({ ...options.browserPage, bridgePath: BRIDGE_PATH }),
  };
  const endpoints = new Set<BridgeEndpoint>();
  const sockets = new Set<WebSocket>();
  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_MESSAGE_BYTES });
  let refused = 0;
  let nextConnectionId = 1;
  // Browser fallback only: each agent's media host is a tab the agent must keep open, so the UI
  // pages are told whether one is attached (bridgeClient.ts turns it into a page signal).
  const hosts = options.browserPage ? new WeakMap<BridgeEndpoint, MediaHostWatch>() : undefined;

  const http: Server = createServer((req, res) => void serveFile(root, req, res, page));
  await new Promise<void>((ok, fail) => {
    http.once('error', fail);
    http.listen(options.port ?? 0, '127.0.0.1', () => ok());
  });
  const address = http.address();
  if (address === null || typeof address === 'string') throw new Error('the bridge server has no TCP address');
  const origin = `http://127.0.0.1:${address.port}`;

  const endpointFor = (token: string | null): BridgeEndpoint | undefined => {
    if (!token) return undefined;
    const given = Buffer.from(token);
    // Compare against every token, in constant time per token.
    let found: BridgeEndpoint | undefined;
    for (const endpoint of endpoints) {
      const expected = Buffer.from(endpoint.token);
      if (expected.length === given.length && timingSafeEqual(expected, given)) found = endpoint;
    }
    return found;
  };

  http.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    const url = new URL(req.url ?? '/', origin);
    const refuse = (status: number, text: string): void => {
      refused++;
      socket.end(`HTTP/1.1 ${status} ${text}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
    };
    if (url.pathname !== BRIDGE_PATH) return refuse(404, 'Not Found');
    const endpoint = endpointFor(url.searchParams.get('token'));
    if (!endpoint) return refuse(401, 'Unauthorized');
    // A page from anywhere else must not drive a desk, even holding a token.
    if (req.headers.origin !== undefined && req.headers.origin !== origin) return refuse(403, 'Forbidden');
    wss.handleUpgrade(req, socket, head, (ws) => {
      sockets.add(ws);
      const role = url.searchParams.get('role') === 'media' ? 'media' : 'ui';
      let watch: MediaHostWatch | undefined;
      if (hosts) {
        watch = hosts.get(endpoint) ?? new MediaHostWatch(`${MEDIA_HOST_PATH}#token=${encodeURIComponent(endpoint.token)}`);
        hosts.set(endpoint, watch);
      }
      attachConnection(endpoint, ws, nextConnectionId++, req.headers.origin ?? origin, role, watch);
      ws.once('close', () => sockets.delete(ws));
    });
  });

  return {
    origin,
    bridgeUrl: (token, role = 'ui') =>
      `ws://127.0.0.1:${address.port}${BRIDGE_PATH}?token=${encodeURIComponent(token)}${role === 'media' ? '&role=media' : ''}`,
    register: (endpoint) => void endpoints.add(endpoint),
    unregister: (endpoint) => void endpoints.delete(endpoint),
    get refused() {
      return refused;
    },
    async close() {
      for (const ws of sockets) ws.terminate();
      wss.close();
      http.closeAllConnections();
      await new Promise<void>((ok) => http.close(() => ok()));
    },
  };
}

/**
 * Whether an agent's media host is attached, as IpcBridge sees it: the engine is the media page
 * that attached last, and it is gone when that page closes (an older media tab does not take over).
 */
class MediaHostWatch {
  private readonly uiPages = new Set<WebSocket>();
  private current: WebSocket | undefined;

  constructor(private readonly mediaPage: string) {}

  uiAttached(ws: WebSocket): void {
    this.uiPages.add(ws);
    this.tell(ws);
  }

  mediaAttached(ws: WebSocket): void {
    const changed = this.current === undefined;
    this.current = ws;
    if (changed) for (const page of this.uiPages) this.tell(page);
  }

  closed(ws: WebSocket): void {
    this.uiPages.delete(ws);
    if (this.current !== ws) return;
    this.current = undefined;
    for (const page of this.uiPages) this.tell(page);
  }

  private tell(ws: WebSocket): void {
    if (ws.readyState === ws.OPEN) ws.send(JSON.stringify({ host: { mediaHost: this.current !== undefined, mediaPage: this.mediaPage } }));
  }
}

function attachConnection(
  endpoint: BridgeEndpoint,
  ws: WebSocket,
  id: number,
  origin: string,
  role: PageRole,
  watch: MediaHostWatch | undefined,
): void {
  const send = (message: unknown): void => {
    if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(message));
  };
  endpoint.connected({
    id,
    origin,
    role,
    send: (channel, ...args) => send({ channel, args }),
    isDestroyed: () => ws.readyState !== ws.OPEN,
    close: () => ws.close(1001, 'desk closed'),
  });
  ws.on('message', (data, isBinary) => {
    const message = isBinary ? undefined : parse(wsText(data));
    if (!message) {
      ws.close(1003, 'unsupported message');
      return;
    }
    if (message.channel === CHANNELS.invoke && typeof message.id === 'number') {
      const requestId = message.id;
      endpoint.invoke(id, message.channel, message.args).then(
        (value) => send({ reply: requestId, value }),
        (error: unknown) => send({ reply: requestId, error: error instanceof Error ? error.message : String(error) }),
      );
    } else if (message.channel === CHANNELS.attach) {
      endpoint.send(id, message.channel, message.args);
      if (role === 'media') watch?.mediaAttached(ws);
      else watch?.uiAttached(ws);
    } else {
      // No other channel exists on the preload side either.
      ws.close(1008, 'unknown channel');
    }
  });
  ws.once('close', () => {
    endpoint.disconnected(id);
    watch?.closed(ws);
  });
}

interface WireMessage {
  readonly channel: string;
  readonly id?: number;
  readonly args: readonly unknown[];
}

function parse(text: string): WireMessage | undefined {
  try {
    const value: unknown = JSON.parse(text);
    if (typeof value !== 'object' || value === null) return undefined;
    const v = value as Record<string, unknown>;
    if (typeof v.channel !== 'string' || !Array.isArray(v.args)) return undefined;
    if (v.id !== undefined && (typeof v.id !== 'number' || !Number.isSafeInteger(v.id))) return undefined;
    return { channel: v.channel, args: v.args, ...(typeof v.id === 'number' ? { id: v.id } : {}) };
  } catch {
    // Not JSON: not a call, which undefined says; the caller drops the frame.
    return undefined;
  }
}

interface PageScript {
  readonly script: string;
}

/**
 * GET/HEAD of files inside the bundle only; `/` and unknown extension-less paths are index.html.
 * With a page script: that script too, and index.html loading it first.
 */
async function serveFile(root: string, req: IncomingMessage, res: ServerResponse, page: PageScript | undefined): Promise<void> {
  const headers = { ...SECURITY_HEADERS, 'Cache-Control': 'no-store' };
  const fail = (status: number): void => {
    res.writeHead(status, { ...headers, 'Content-Type': 'text/plain; charset=utf-8' }).end(String(status));
  };
  if (req.method !== 'GET' && req.method !== 'HEAD') return fail(405);
  let pathname: string;
  try {
    pathname = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
  } catch {
    // A malformed %-escape names no file: 400, as a real server would answer.
    return fail(400);
  }
  if (pathname.includes('\0') || pathname.includes('\\')) return fail(400);
  const send = (body: Buffer, type: string): void => {
    res.writeHead(200, { ...headers, 'Content-Type': type, 'Content-Length': body.length });
    res.end(req.method === 'HEAD' ? undefined : body);
  };
  if (page && pathname === BRIDGE_SCRIPT_PATH) return send(Buffer.from(page.script), 'text/javascript; charset=utf-8');
  const wanted = pathname === '/' || extname(pathname) === '' ? '/index.html' : pathname;
  try {
    const file = await realpath(resolve(root, `.${wanted}`));
    const inside = relative(root, file);
    if (inside.startsWith('..') || isAbsolute(inside)) return fail(404);
    if (!(await stat(file)).isFile()) return fail(404);
    if (page && (wanted === '/index.html' || wanted === MEDIA_HOST_PATH))
      return send(Buffer.from(withBridgeScript(await readFile(file, 'utf8'))), 'text/html; charset=utf-8');
    const body = await readFile(file);
    res.writeHead(200, {
      ...headers,
      'Content-Type': CONTENT_TYPES[extname(file).toLowerCase()] ?? 'application/octet-stream',
      'Content-Length': body.length,
    });
    res.end(req.method === 'HEAD' ? undefined : body);
  } catch {
    // A missing or unreadable file is not there, to the page: 404.
    fail(404);
  }
}
