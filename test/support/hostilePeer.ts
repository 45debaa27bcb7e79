/**
 * A small SIP server over WebSocket (127.0.0.1 only) that the core registers with and that then
 * sends it whatever a test wants: torture messages, malformed frames, bursts. It answers REGISTER,
 * and answers the core's INVITEs with a 200 and an SDP answer made from the offer (no media flows,
 * which the tests here do not need), so "the core still places a call" can be checked end to end.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';
import WebSocketClient from 'ws';
import { wsText } from './wsText.js';
import { headerValues, scanMessage, singleHeader, type ScannedMessage } from '../../electron/core/sip/ingress/sipScanner.js';

export interface PeerMessage {
  readonly text: string;
  readonly scanned: ScannedMessage;
}

export interface HostilePeer {
  readonly url: string;
  readonly domain: string;
  /** What the core sent us, in order. */
  readonly received: PeerMessage[];
  /** The Contact user the core registered: R-URI user for requests sent to it. */
  contactUser(): string;
  /** Sends one frame to the connected core. */
  send(frame: string | Buffer, options?: { binary?: boolean }): void;
  /** Resolves with the first message from the core (from now on) matching `test`. */
  next(test: (m: PeerMessage) => boolean, timeoutMs?: number): Promise<PeerMessage>;
  /** Resolves with the core's final response to the request whose Call-ID is `callId`. */
  responseTo(callId: string, timeoutMs?: number): Promise<PeerMessage>;
  /** Calls `listener` with every message from the core until the returned function is called. */
  listen(listener: (m: PeerMessage) => void): () => void;
  /** When false, the core's INVITEs are left unanswered (a test answers them itself). */
  answerInvites: boolean;
  connections(): number;
  close(): Promise<void>;
}

const CRLF = '\r\n';

export async function startHostilePeer(): Promise<HostilePeer> {
  const server = new WebSocketServer({ host: '127.0.0.1', port: 0, handleProtocols: () => 'sip' });
  await new Promise<void>((resolve) => server.once('listening', () => resolve()));
  const port = (server.address() as AddressInfo).port;
  let client: WebSocket | undefined;
  let registeredContactUser = '';
  let connectionCount = 0;
  const received: PeerMessage[] = [];
  const waiters: Array<{ test: (m: PeerMessage) => boolean; resolve: (m: PeerMessage) => void }> = [];
  const listeners = new Set<(m: PeerMessage) => void>();

  const peer: HostilePeer = {
    url: `ws://127.0.0.1:${port}`,
    domain: '127.0.0.1',
    received,
    answerInvites: true,
    contactUser: () => registeredContactUser,
    send(frame, options = {}) {
      if (!client) throw new Error('no core connected');
      client.send(frame, { binary: options.binary ?? false });
    },
    next(test, timeoutMs = 3000) {
      return new Promise((resolve, reject) => {
        const waiter = { test, resolve: (m: PeerMessage) => (clearTimeout(timer), resolve(m)) };
        const timer = setTimeout(() => {
          waiters.splice(waiters.indexOf(waiter), 1);
          reject(new Error('the core sent nothing matching in time'));
        }, timeoutMs);
        waiters.push(waiter);
      });
    },
    responseTo(callId, timeoutMs) {
      return peer.next(
        (m) =>
          m.scanned.startLine.kind === 'response' && m.scanned.startLine.status >= 200 && singleHeader(m.scanned, 'call-id') === callId,
        timeoutMs,
      );
    },
    connections: () => connectionCount,
    listen(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    async close() {
      for (const ws of server.clients) ws.terminate();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };

  server.on('connection', (ws) => {
    client = ws;
    connectionCount += 1;
    ws.on('message', (data, isBinary) => {
      if (isBinary) return;
      const text = wsText(data);
      const scanned = scanMessage(text, 200);
      if (!scanned.ok) return;
      const message = { text, scanned: scanned.message };
      received.push(message);
      for (const listener of listeners) listener(message);
      for (const waiter of [...waiters]) {
        if (waiter.test(message)) {
          waiters.splice(waiters.indexOf(waiter), 1);
          waiter.resolve(message);
        }
      }
      answer(ws, message.scanned);
    });
  });

  function answer(ws: WebSocket, message: ScannedMessage): void {
    const start = message.startLine;
    if (start.kind !== 'request') return;
    const reply = (status: string, extra: string[] = [], body = ''): void => {
      const to = singleHeader(message, 'to') ?? '';
      ws.send(
        [
          `SIP/2.0 ${status}`,
          ...headerValues(message, 'via').map((v) => `Via: ${v}`),
          `From: ${singleHeader(message, 'from') ?? ''}`,
          `To: ${/;tag=/.test(to) ? to : `${to};tag=${randomBytes(4).toString('hex')}`}`,
          `Call-ID: ${singleHeader(message, 'call-id') ?? ''}`,
          `CSeq: ${singleHeader(message, 'cseq') ?? ''}`,
          ...extra,
          `Content-Length: ${Buffer.byteLength(body)}`,
          '',
          body,
        ].join(CRLF),
      );
    };
    switch (start.method) {
      case 'REGISTER': {
        const contact = singleHeader(message, 'contact') ?? '';
        registeredContactUser = /sip:([^@;>]+)@/.exec(contact)?.[1] ?? '';
        reply('200 OK', [`Contact: ${contact};expires=600`]);
        return;
      }
      case 'INVITE':
        if (!peer.answerInvites) return;
        reply('200 OK', ['Contact: <sip:peer@127.0.0.1;transport=ws>', 'Content-Type: application/sdp'], answerFor(message.body));
        return;
      case 'BYE':
      case 'OPTIONS':
      case 'MESSAGE':
      case 'INFO':
        reply('200 OK');
        return;
      default:
        return;
    }
  }

  return peer;
}

/** An SDP answer accepted by WebRTC for `offer`: same media, our own ICE credentials, DTLS active. */
function answerFor(offer: string): string {
  return offer
    .replace(/^o=.*$/m, 'o=- 1 1 IN IP4 127.0.0.1')
    .replace(/^a=setup:actpass$/m, 'a=setup:active')
    .replace(/^a=ice-ufrag:.*$/m, 'a=ice-ufrag:hstl')
    .replace(/^a=ice-pwd:.*$/m, 'a=ice-pwd:hostilepeerpassword0123')
    .replace(/^a=candidate:.*\r\n/gm, '')
    .replace(/^a=ice-options:.*\r\n/m, '');
}

/** A request to the core with the mandatory headers; `lines` override or add headers. */
export function requestTo(
  peer: HostilePeer,
  method: string,
  options: {
    callId?: string;
    cseq?: string;
    toTag?: string;
    headers?: readonly string[];
    body?: string;
    requestUri?: string;
    omit?: readonly string[];
  } = {},
): { text: string; callId: string } {
  const callId = options.callId ?? `hostile-${randomBytes(6).toString('hex')}`;
  const omit = new Set((options.omit ?? []).map((h) => h.toLowerCase()));
  const body = options.body ?? '';
  const headers = [
    `Via: SIP/2.0/WS 127.0.0.1:${new URL(peer.url).port};branch=z9hG4bK${randomBytes(6).toString('hex')}`,
    `From: <sip:mallory@127.0.0.1>;tag=${randomBytes(4).toString('hex')}`,
    `To: <sip:alice@127.0.0.1>${options.toTag ? `;tag=${options.toTag}` : ''}`,
    `Call-ID: ${callId}`,
    `CSeq: ${options.cseq ?? `1 ${method}`}`,
    'Max-Forwards: 70',
    'Contact: <sip:mallory@127.0.0.1;transport=ws>',
  ].filter((h) => !omit.has(h.slice(0, h.indexOf(':')).toLowerCase()));
  const text = [
    `${method} ${options.requestUri ?? `sip:${peer.contactUser()}@127.0.0.1;transport=ws`} SIP/2.0`,
    ...headers,
    ...(options.headers ?? []),
    `Content-Length: ${Buffer.byteLength(body)}`,
    '',
    body,
  ].join(CRLF);
  return { text, callId };
}

/**
 * A hand-written SIP user agent client over WebSocket, for talking to the core through a real
 * server (the lab Kamailio): it sends what a test builds, byte for byte, and records every reply.
 * It does not register; Kamailio relays its requests to registered users and routes the responses
 * back over the same connection (force_rport).
 */
export interface SipClient {
  /** Host of our Via and Contact: unroutable, as browsers' WebSocket clients use. */
  readonly host: string;
  /** Every message from the server, in order. */
  readonly received: PeerMessage[];
  send(text: string): void;
  /** Resolves with the first message from now on matching `test`. */
  next(test: (m: PeerMessage) => boolean, timeoutMs?: number): Promise<PeerMessage>;
  /** Responses received so far for `callId` (optionally one CSeq method), in order. */
  responsesTo(callId: string, method?: string): PeerMessage[];
  close(): Promise<void>;
}

export async function connectSipClient(url: string): Promise<SipClient> {
  const ws = new WebSocketClient(url, 'sip');
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
  const received: PeerMessage[] = [];
  const waiters: Array<{ test: (m: PeerMessage) => boolean; resolve: (m: PeerMessage) => void }> = [];
  ws.on('message', (data, isBinary) => {
    if (isBinary) return;
    const text = wsText(data);
    const scanned = scanMessage(text, 200);
    if (!scanned.ok) return;
    const message = { text, scanned: scanned.message };
    received.push(message);
    for (const waiter of [...waiters]) {
      if (waiter.test(message)) {
        waiters.splice(waiters.indexOf(waiter), 1);
        waiter.resolve(message);
      }
    }
  });
  return {
    host: `${randomBytes(4).toString('hex')}.invalid`,
    received,
    send: (text) => ws.send(text),
    next(test, timeoutMs = 5000) {
      return new Promise((resolve, reject) => {
        const waiter = { test, resolve: (m: PeerMessage) => (clearTimeout(timer), resolve(m)) };
        const timer = setTimeout(() => {
          waiters.splice(waiters.indexOf(waiter), 1);
          reject(new Error('the server sent nothing matching in time'));
        }, timeoutMs);
        waiters.push(waiter);
      });
    },
    responsesTo: (callId, method) =>
      received.filter(
        (m) =>
          m.scanned.startLine.kind === 'response' &&
          singleHeader(m.scanned, 'call-id') === callId &&
          (method === undefined || (singleHeader(m.scanned, 'cseq') ?? '').split(/\s+/)[1] === method),
      ),
    close: () =>
      new Promise<void>((resolve) => {
        if (ws.readyState === ws.CLOSED) return resolve();
        ws.once('close', () => resolve());
        ws.close();
      }),
  };
}

/** An initial INVITE sent by a SipClient: what its ACK (to a non-2xx) and CANCEL must repeat. */
export interface ClientInvite {
  readonly text: string;
  readonly callId: string;
  readonly requestUri: string;
  readonly via: string;
  readonly from: string;
  readonly to: string;
}

/** An initial INVITE from sip:<fromUser>@<domain> to sip:<user>@<domain>; no body is a late offer. */
export function clientInvite(
  client: SipClient,
  options: {
    readonly user: string;
    readonly domain: string;
    readonly fromUser?: string;
    readonly sdp?: string;
    readonly headers?: readonly string[];
  },
): ClientInvite {
  const callId = `offer-${randomBytes(6).toString('hex')}`;
  const requestUri = `sip:${options.user}@${options.domain}`;
  const via = `SIP/2.0/WS ${client.host};branch=z9hG4bK${randomBytes(6).toString('hex')};rport`;
  const from = `<sip:${options.fromUser ?? 'caller'}@${options.domain}>;tag=${randomBytes(4).toString('hex')}`;
  const to = `<${requestUri}>`;
  const body = options.sdp ?? '';
  const text = [
    `INVITE ${requestUri} SIP/2.0`,
    `Via: ${via}`,
    'Max-Forwards: 70',
    `From: ${from}`,
    `To: ${to}`,
    `Call-ID: ${callId}`,
    'CSeq: 1 INVITE',
    `Contact: <sip:${options.fromUser ?? 'caller'}@${client.host};transport=ws>`,
    'Allow: INVITE, ACK, CANCEL, BYE, OPTIONS',
    ...(body ? ['Content-Type: application/sdp'] : []),
    ...(options.headers ?? []),
    `Content-Length: ${Buffer.byteLength(body)}`,
    '',
    body,
  ].join(CRLF);
  return { text, callId, requestUri, via, from, to };
}

/** The ACK for a non-2xx final response to `invite` (RFC 3261 §17.1.1.3): same branch, the response's To. */
export function clientAck(invite: ClientInvite, response: PeerMessage): string {
  return [
    `ACK ${invite.requestUri} SIP/2.0`,
    `Via: ${invite.via}`,
    'Max-Forwards: 70',
    `From: ${invite.from}`,
    `To: ${singleHeader(response.scanned, 'to') ?? invite.to}`,
    `Call-ID: ${invite.callId}`,
    'CSeq: 1 ACK',
    'Content-Length: 0',
    '',
    '',
  ].join(CRLF);
}

/** CANCEL for a pending `invite` (RFC 3261 §9.1). */
export function clientCancel(invite: ClientInvite): string {
  return [
    `CANCEL ${invite.requestUri} SIP/2.0`,
    `Via: ${invite.via}`,
    'Max-Forwards: 70',
    `From: ${invite.from}`,
    `To: ${invite.to}`,
    `Call-ID: ${invite.callId}`,
    'CSeq: 1 CANCEL',
    'Content-Length: 0',
    '',
    '',
  ].join(CRLF);
}

/** A lab user's digest credentials, for a SipClient on a server that authenticates. */
export interface ClientCredentials {
  readonly user: string;
  readonly password: string;
}

/** An out-of-dialog request a SipClient sends; the From may claim any user in any domain. */
export interface ClientRequestOptions {
  readonly method: string;
  readonly requestUri: string;
  /** The From URI, claimed as is (e.g. sip:ghost@evil.example). */
  readonly from: string;
  /** Default: the request URI. */
  readonly to?: string;
  readonly headers?: readonly string[];
  readonly contentType?: string;
  readonly body?: string;
}

/** One request as sent: what an ACK to its non-2xx final response must repeat. */
export interface SentRequest {
  readonly text: string;
  readonly method: string;
  readonly callId: string;
  readonly cseq: number;
  readonly requestUri: string;
  readonly via: string;
  readonly from: string;
  readonly to: string;
}

function buildRequest(
  client: SipClient,
  options: ClientRequestOptions,
  callId: string,
  cseq: number,
  fromTag: string,
  extra: readonly string[],
): SentRequest {
  const via = `SIP/2.0/WS ${client.host};branch=z9hG4bK${randomBytes(6).toString('hex')};rport`;
  const from = `<${options.from}>;tag=${fromTag}`;
  const to = `<${options.to ?? options.requestUri}>`;
  const body = options.body ?? '';
  const user = /^sips?:([^@;>]+)@/.exec(options.from)?.[1] ?? 'client';
  const text = [
    `${options.method} ${options.requestUri} SIP/2.0`,
    `Via: ${via}`,
    'Max-Forwards: 70',
    `From: ${from}`,
    `To: ${to}`,
    `Call-ID: ${callId}`,
    `CSeq: ${cseq} ${options.method}`,
    `Contact: <sip:${user}@${client.host};transport=ws>`,
    ...(options.method === 'REGISTER' ? ['Expires: 300'] : []),
    ...(body ? [`Content-Type: ${options.contentType ?? 'text/plain'}`] : []),
    ...(options.headers ?? []),
    ...extra,
    `Content-Length: ${Buffer.byteLength(body)}`,
    '',
    body,
  ].join(CRLF);
  return { text, method: options.method, callId, cseq, requestUri: options.requestUri, via, from, to };
}

/** The ACK for a non-2xx final response to an INVITE (RFC 3261 §17.1.1.3). */
function ackFor(sent: SentRequest, response: PeerMessage): string {
  return [
    `ACK ${sent.requestUri} SIP/2.0`,
    `Via: ${sent.via}`,
    'Max-Forwards: 70',
    `From: ${sent.from}`,
    `To: ${singleHeader(response.scanned, 'to') ?? sent.to}`,
    `Call-ID: ${sent.callId}`,
    `CSeq: ${sent.cseq} ACK`,
    'Content-Length: 0',
    '',
    '',
  ].join(CRLF);
}

/** RFC 2617 / 3261 §22.4 digest (MD5, qop=auth when offered) answering one challenge header. */
export function digestAnswer(challenge: string, credentials: ClientCredentials, method: string, uri: string): string {
  const field = (name: string): string | undefined => new RegExp(`${name}="?([^",]*)"?`, 'i').exec(challenge)?.[1];
  const realm = field('realm') ?? '';
  const nonce = field('nonce') ?? '';
  const opaque = field('opaque');
  const qop = /qop="?[^"]*\bauth\b/i.test(challenge) ? 'auth' : undefined;
  const md5 = (text: string): string => createHash('md5').update(text).digest('hex');
  const ha1 = md5(`${credentials.user}:${realm}:${credentials.password}`);
  const ha2 = md5(`${method}:${uri}`);
  const nc = '00000001';
  const cnonce = randomBytes(8).toString('hex');
  const response = qop ? md5(`${ha1}:${nonce}:${nc}:${cnonce}:${qop}:${ha2}`) : md5(`${ha1}:${nonce}:${ha2}`);
  return [
    `Digest username="${credentials.user}"`,
    `realm="${realm}"`,
    `nonce="${nonce}"`,
    `uri="${uri}"`,
    'algorithm=MD5',
    ...(qop ? [`qop=${qop}`, `nc=${nc}`, `cnonce="${cnonce}"`] : []),
    ...(opaque !== undefined ? [`opaque="${opaque}"`] : []),
    `response="${response}"`,
  ].join(', ');
}

/**
 * Sends an out-of-dialog request and resolves with its final response. A 401/407 challenge is
 * answered once when `credentials` are given (as a registered user would); a non-2xx final
 * response to an INVITE is ACKed.
 */
export async function clientSend(
  client: SipClient,
  options: ClientRequestOptions,
  credentials?: ClientCredentials,
  timeoutMs = 5000,
): Promise<PeerMessage> {
  const callId = `client-${randomBytes(6).toString('hex')}`;
  const fromTag = randomBytes(4).toString('hex');
  const finalTo = (sent: SentRequest): Promise<PeerMessage> => {
    const reply = client.next(
      (m) =>
        m.scanned.startLine.kind === 'response' &&
        m.scanned.startLine.status >= 200 &&
        singleHeader(m.scanned, 'call-id') === callId &&
        (singleHeader(m.scanned, 'cseq') ?? '').startsWith(`${sent.cseq} `),
      timeoutMs,
    );
    client.send(sent.text);
    return reply.then((response) => {
      const status = response.scanned.startLine.kind === 'response' ? response.scanned.startLine.status : 0;
      if (sent.method === 'INVITE' && status >= 300) client.send(ackFor(sent, response));
      return response;
    });
  };
  const first = buildRequest(client, options, callId, 1, fromTag, []);
  const response = await finalTo(first);
  const status = response.scanned.startLine.kind === 'response' ? response.scanned.startLine.status : 0;
  if ((status !== 401 && status !== 407) || !credentials) return response;
  const challenge = singleHeader(response.scanned, status === 401 ? 'www-authenticate' : 'proxy-authenticate') ?? '';
  const authorization = `${status === 401 ? 'Authorization' : 'Proxy-Authorization'}: ${digestAnswer(challenge, credentials, options.method, options.requestUri)}`;
  return finalTo(buildRequest(client, options, callId, 2, fromTag, [authorization]));
}

/** Registers the client as sip:<user>@<domain> (with credentials when the server asks); resolves with the final status. */
export async function clientRegister(client: SipClient, user: string, domain: string, credentials?: ClientCredentials): Promise<number> {
  const aor = `sip:${user}@${domain}`;
  const response = await clientSend(client, { method: 'REGISTER', requestUri: `sip:${domain}`, from: aor, to: aor }, credentials);
  return statusOf(response);
}

/** The status code of a response (0 for a request). */
export function statusOf(message: PeerMessage): number {
  return message.scanned.startLine.kind === 'response' ? message.scanned.startLine.status : 0;
}

/** Answers a request the server relayed to the client (a MESSAGE, say) with a bare final response. */
export function clientReply(client: SipClient, request: PeerMessage, status: string): void {
  const to = singleHeader(request.scanned, 'to') ?? '';
  client.send(
    [
      `SIP/2.0 ${status}`,
      ...headerValues(request.scanned, 'via').map((v) => `Via: ${v}`),
      `From: ${singleHeader(request.scanned, 'from') ?? ''}`,
      `To: ${/;tag=/.test(to) ? to : `${to};tag=${randomBytes(4).toString('hex')}`}`,
      `Call-ID: ${singleHeader(request.scanned, 'call-id') ?? ''}`,
      `CSeq: ${singleHeader(request.scanned, 'cseq') ?? ''}`,
      'Content-Length: 0',
      '',
      '',
    ].join(CRLF),
  );
}
