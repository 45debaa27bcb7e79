import WebSocket from 'ws';
import { EmitterImpl, TransportState, type Emitter, type Transport } from 'sip.js';
import { connectionError, PhoneError } from './phoneError.js';

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
}

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

  constructor(
    _logger: unknown,
    private readonly options: WsTransportOptions,
  ) {
    this.stateChange = this.stateEmitter;
  }

  /** Via's sent-protocol. */
  get protocol(): string {
    return this.options.server.startsWith('wss:') ? 'WSS' : 'WS';
  }

  get state(): TransportState {
    return this._state;
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
    this.onConnect = this.onDisconnect = this.onMessage = undefined;
    this.stateEmitter.removeAllListeners();
  }

  send(message: string): Promise<void> {
    const socket = this.socket;
    if (!socket || this._state !== TransportState.Connected) {
      return Promise.reject(new PhoneError('not-registered', 'Not connected to the SIP server.'));
    }
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
        socket = new WebSocket(this.options.server, 'sip', { handshakeTimeout: this.options.connectTimeoutMs });
      } catch (cause) {
        this.transition(TransportState.Disconnected);
        const error = new PhoneError('invalid-server-url', `Not a usable server address: ${this.options.server}`, undefined, { cause });
        this.options.onConnectError?.(error);
        reject(error);
        return;
      }
      this.socket = socket;
      let opened = false;
      socket.on('open', () => {
        opened = true;
        this.transition(TransportState.Connected);
        this.startKeepAlive(socket);
        resolve();
        this.onConnect?.();
      });
      socket.on('message', (data, isBinary) => this.deliver(data, isBinary));
      socket.on('error', (cause) => {
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

  private deliver(data: WebSocket.RawData, isBinary: boolean): void {
    // SIP over WebSocket is text frames (RFC 7118); a binary frame is not ours to parse.
    if (isBinary) return;
    const text = Array.isArray(data) ? Buffer.concat(data).toString('utf8') : Buffer.from(data as ArrayBuffer).toString('utf8');
    try {
      this.onMessage?.(text);
    } catch (error) {
      this.options.onInboundError(error);
    }
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
