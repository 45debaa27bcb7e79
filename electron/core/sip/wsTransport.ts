import WebSocket from 'ws';
import { EmitterImpl, TransportState, type Emitter, type Transport } from 'sip.js';
import { connectionError, PhoneError } from './phoneError.js';
import type { DialogIndex } from './ingress/dialogIndex.js';
import { FLOW_CONTROL_DEFAULTS, InboundQueue, RateBucket, type FlowControlOptions } from './ingress/inboundQueue.js';
import type { IngressLog } from './ingress/ingressStats.js';
import { webSocketLocalPort, webSocketTcpSocket } from './libraryInternals.js';
import { traceText } from '../log/traceText.js';
import { SipIngress, type IngressOptions } from './ingress/sipIngress.js';

export interface WsTransportOptions {
  readonly server: string;
  /** How long a connection attempt may take before it counts as failed. */
  readonly connectTimeoutMs: number;
  /** Interval of WebSocket pings; a missing pong within one interval drops the connection. */
  readonly keepAliveMs: number;
  /** Told about anything thrown while SIP.js handled a message (the socket keeps working). */
  readonly onInboundError: (error: unknown) => void;
  /** Told about every connection failure, before SIP.js sees it. */
  readonly onConnectError?: (error: PhoneError) => void;
  /** The phone's live dialogs, for the ingress's Replaces → 481 check (see ingress/dialogIndex.ts). */
  readonly dialogs?: DialogIndex;
  /** Told the first time the ingress refuses a message for each reason (all are counted). */
  readonly onIngressRefusal?: IngressLog;
  /** Limits of the ingress checks (sizes, header count, Require option-tags). */
  readonly ingress?: Omit<IngressOptions, 'dialogs' | 'log'>;
  readonly flowControl?: Partial<FlowControlOptions>;
  /**
   * After this many throws out of SIP.js within `windowMs`, its state is in doubt: the socket is
   * reset, so the phone reconnects and registers again (calls whose dialogs survive carry on).
   */
  readonly resetAfterThrows?: { readonly count: number; readonly windowMs: number };
  /**
   * The certificate authorities a wss:// server's certificate must chain to (PEM), replacing Node's
   * bundle: the caller passes that bundle plus the company's and the OS's (see shell/trustedCas.ts).
   * Undefined: Node's bundle alone.
   */
  readonly ca?: readonly string[];
  /**
   * Told every SIP message sent and received, as text (the SIP trace; it redacts): SIP.js's, the
   * ingress's own answers, and frames text or binary, each cut to what traceText.ts keeps.
   */
  readonly trace?: (direction: 'sent' | 'received', message: string) => void;
}

/**
 * Largest WebSocket frame `ws` will buffer. A message above the ingress's own cap (64 KiB) is
 * answered 513 from its headers and the connection kept; this limit is only the memory a single
 * frame may take before `ws` refuses it the one way it can, by closing the connection (1009). It
 * stays below the inbound queue's byte budget, so one such frame is still queued and answered.
 */
const MAX_FRAME_BYTES = 8 * 1024 * 1024;

/**
 * SIP over WebSocket for the main process, on `ws` (Node has no WebSocket global before 22 and the
 * main process must not depend on one). It replaces SIP.js's web transport so that we own the
 * socket: failures are classified for the user, and a throw inside SIP.js's message handling is
 * contained here instead of unwinding into `ws`, which would leave the phone registered but deaf.
 */
export class WsTransport implements Transport {
  readonly stateChange: Emitter<TransportState>;
  onConnect: (() => void) | undefined;
  onDisconnect: ((error?: Error) => void) | undefined;
  onMessage: ((message: string) => void) | undefined;

  private readonly stateEmitter = new EmitterImpl<TransportState>();
  private _state: TransportState = TransportState.Disconnected;
  private socket: WebSocket | undefined;
  private connecting: Promise<void> | undefined;
  private keepAlive: NodeJS.Timeout | undefined;
  private closingOnPurpose = false;
  /** Checks every incoming message before SIP.js sees it; its counters are `ingressStats()`. */
  readonly ingress: SipIngress;
  private readonly flow: FlowControlOptions;
  private readonly newRequests: RateBucket;
  private queue: InboundQueue | undefined;
  private throwTimes: number[] = [];

  constructor(
    _logger: unknown,
    private readonly options: WsTransportOptions,
  ) {
    this.stateChange = this.stateEmitter;
    this.ingress = new SipIngress({
      ...options.ingress,
      ...(options.dialogs ? { dialogs: options.dialogs } : {}),
      ...(options.onIngressRefusal ? { log: options.onIngressRefusal } : {}),
    });
    this.flow = { ...FLOW_CONTROL_DEFAULTS, ...options.flowControl };
    this.newRequests = new RateBucket(this.flow.newRequestsPerSecond, this.flow.newRequestBurst);
  }

  /** Via's sent-protocol. */
  get protocol(): string {
    return this.options.server.startsWith('wss:') ? 'WSS' : 'WS';
  }

  get state(): TransportState {
    return this._state;
  }

  /** The local port of the current connection: what a registrar's `;alias=` in our Contact names. */
  get localPort(): number | undefined {
    return this.socket ? webSocketLocalPort(this.socket) : undefined;
  }

  isConnected(): boolean {
    return this._state === TransportState.Connected;
  }

  connect(): Promise<void> {
    if (this._state === TransportState.Connected) return Promise.resolve();
    this.connecting ??= this.openSocket().finally(() => {
      this.connecting = undefined;
    });
    return this.connecting;
  }

  async disconnect(): Promise<void> {
    const socket = this.socket;
    if (!socket) return;
    this.closingOnPurpose = true;
    this.transition(TransportState.Disconnecting);
    await new Promise<void>((resolve) => {
      if (socket.readyState === WebSocket.CLOSED) return resolve();
      const timer = setTimeout(() => {
        socket.terminate();
        resolve();
      }, 1000);
      socket.once('close', () => {
        clearTimeout(timer);
        resolve();
      });
      socket.close(1000);
    });
  }

  async dispose(): Promise<void> {
    await this.disconnect();
    this.queue?.dispose();
    this.onConnect = this.onDisconnect = this.onMessage = undefined;
    this.stateEmitter.removeAllListeners();
  }

  send(message: string): Promise<void> {
    const socket = this.socket;
    if (!socket || this._state !== TransportState.Connected) {
      return Promise.reject(new PhoneError('not-registered', 'Not connected to the SIP server.'));
    }
    this.ingress.outbound(message);
    this.options.trace?.('sent', traceText(message));
    return new Promise((resolve, reject) => {
      socket.send(message, (error) => (error ? reject(error) : resolve()));
    });
  }

  private openSocket(): Promise<void> {
    return new Promise((resolve, reject) => {
      this.closingOnPurpose = false;
      this.transition(TransportState.Connecting);
      let socket: WebSocket;
      try {
        socket = new WebSocket(this.options.server, 'sip', {
          handshakeTimeout: this.options.connectTimeoutMs,
          maxPayload: MAX_FRAME_BYTES,
          // The ingress drops a frame that is not UTF-8; `ws` would close the whole connection (1007).
          skipUTF8Validation: true,
          ...(this.options.ca ? { ca: [...this.options.ca] } : {}),
        });
      } catch (cause) {
        this.transition(TransportState.Disconnected);
        const error = new PhoneError('invalid-server-url', `Not a usable server address: ${this.options.server}`, undefined, { cause });
        this.options.onConnectError?.(error);
        reject(error);
        return;
      }
      this.socket = socket;
      this.queue?.dispose();
      const queue = new InboundQueue(
        (data, isBinary, backlog) => this.handleFrame(socket, data, isBinary, backlog),
        this.flow,
        () => this.ingress.stats.refused('shed', 'inbound queue full: frames dropped unread'),
        { begin: () => corkSocket(socket), end: () => uncorkSocket(socket) },
      );
      this.queue = queue;
      let opened = false;
      socket.on('open', () => {
        opened = true;
        this.transition(TransportState.Connected);
        this.startKeepAlive(socket);
        resolve();
        this.onConnect?.();
      });
      socket.on('message', (data, isBinary) => queue.push(toBuffer(data), isBinary));
      socket.on('error', (cause) => {
        if ((cause as { code?: unknown }).code === 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH') {
          this.ingress.stats.refused('frame-too-large', `a frame above ${MAX_FRAME_BYTES} bytes: \`ws\` closed the connection (1009)`);
        }
        if (opened) return; // 'close' follows and reports it
        const error = connectionError(this.options.server, cause);
        this.options.onConnectError?.(error);
        reject(error);
      });
      socket.on('close', (code, reason) => {
        this.stopKeepAlive();
        if (this.socket === socket) this.socket = undefined;
        this.transition(TransportState.Disconnected);
        if (!opened) {
          reject(new PhoneError('server-unreachable', `Connection to ${this.options.server} closed (${code}).`));
          return;
        }
        const onPurpose = this.closingOnPurpose;
        this.closingOnPurpose = false;
        this.onDisconnect?.(onPurpose ? undefined : new Error(`WebSocket closed: ${code} ${reason.toString()}`));
      });
    });
  }

  /**
   * One frame, in its turn: checked by the ingress, then answered, dropped, shed or handed to
   * SIP.js. Frames still queued when their socket closed are handed on all the same (they did
   * arrive) until a new socket opens; answers to them are not sent on a later socket.
   */
  private handleFrame(socket: WebSocket, data: Buffer, isBinary: boolean, backlog: number): void {
    // Before any check, so a message the ingress refuses is in the trace too; binary frames carry SIP as well.
    if (this.options.trace) this.options.trace('received', traceText(data));
    const verdict = this.ingress.inspect(data, isBinary, {
      overloaded: () => backlog > this.flow.shedBacklog || !this.newRequests.available(),
      retryAfterSec: this.flow.retryAfterSec,
    });
    if (verdict.action === 'drop') return;
    if (verdict.action === 'reply') {
      this.sendRaw(socket, verdict.reply);
      return;
    }
    if (verdict.newRequest && (backlog > this.flow.shedBacklog || !this.newRequests.take())) {
      const reply = this.ingress.shed(verdict.message, this.flow.retryAfterSec);
      if (reply) this.sendRaw(socket, reply);
      return;
    }
    this.ingress.delivered(verdict.message);
    try {
      // SIP.js takes the ingress's parse of the values both read (Via, From, To, Contact, …).
      this.ingress.handOver(verdict.message, () => this.onMessage?.(verdict.text));
    } catch (error) {
      // Contained here: unwinding into `ws` would stop it delivering anything more.
      this.ingress.stats.refused('sipjs-threw', `SIP.js threw while handling a message: ${String(error)}`);
      this.options.onInboundError(error);
      this.afterThrow(socket);
    }
  }

  /**
   * For a throw out of SIP.js that surfaces outside `onMessage` — a rejected promise nobody awaits,
   * a timer — which only process-level handlers see: told to the phone and counted with the
   * synchronous ones, so that repeated throws reset the socket the same way.
   */
  reportAsyncThrow(error: unknown): void {
    this.ingress.stats.refused('sipjs-threw', `SIP.js threw outside message handling: ${String(error)}`);
    this.options.onInboundError(error);
    if (this.socket) this.afterThrow(this.socket);
  }

  private afterThrow(socket: WebSocket): void {
    const limit = this.options.resetAfterThrows ?? { count: 3, windowMs: 10_000 };
    const now = Date.now();
    this.throwTimes = [...this.throwTimes.filter((t) => now - t < limit.windowMs), now];
    if (this.throwTimes.length < limit.count || socket !== this.socket) return;
    this.throwTimes = [];
    // Not on purpose: SIP.js hears a disconnect with an error and the phone reconnects and registers.
    socket.terminate();
  }

  /** Our own stateless answers, outside SIP.js's transactions; a failed send is not worth more. */
  private sendRaw(socket: WebSocket, text: string): void {
    if (socket !== this.socket || socket.readyState !== WebSocket.OPEN) return;
    this.options.trace?.('sent', traceText(text));
    socket.send(text, () => {});
  }

  private startKeepAlive(socket: WebSocket): void {
    let alive = true;
    socket.on('pong', () => {
      alive = true;
    });
    this.keepAlive = setInterval(() => {
      if (!alive) {
        socket.terminate();
        return;
      }
      alive = false;
      socket.ping();
    }, this.options.keepAliveMs);
    this.keepAlive.unref();
  }

  private stopKeepAlive(): void {
    if (this.keepAlive) clearInterval(this.keepAlive);
    this.keepAlive = undefined;
  }

  private transition(state: TransportState): void {
    if (this._state === state) return;
    this._state = state;
    this.stateEmitter.emit(state);
  }
}

/**
 * `ws` writes each frame with its own cork/uncork, so each answer is a writev of its own — under a
 * shed burst, one system call per 503 and most of the cost of shedding. Corking the TCP socket
 * under it for a slice of the inbound queue (cork nests) sends the slice's frames in one write.
 */
const corked = new WeakSet<object>();
function corkSocket(socket: WebSocket): void {
  const tcp = webSocketTcpSocket(socket);
  if (!tcp || tcp.destroyed || corked.has(tcp)) return;
  corked.add(tcp);
  tcp.cork();
}
function uncorkSocket(socket: WebSocket): void {
  const tcp = webSocketTcpSocket(socket);
  if (!tcp || !corked.has(tcp)) return;
  corked.delete(tcp);
  tcp.uncork();
}

function toBuffer(data: WebSocket.RawData): Buffer {
  if (Buffer.isBuffer(data)) return data;
  return Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data);
}
