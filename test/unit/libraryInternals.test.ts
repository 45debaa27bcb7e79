/**
 * The library internals Baton reads (electron/core/sip/libraryInternals.ts) are still where it reads
 * them in the installed SIP.js and ws, on real objects: user agents over an in-memory transport with
 * calls both ways, their INVITE and re-INVITE transactions, and a real WebSocket. An upgrade that
 * moves one fails here, naming the library version and the field, instead of silently turning off
 * what the accessor feeds (orphan checks, write batching, a lost connection's INVITE failed at once,
 * a dialog freed from a lost ACK). Each call-level test also fails on any warning an accessor raised.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { Socket } from 'node:net';
import {
  Core,
  EmitterImpl,
  Invitation,
  Inviter,
  Session,
  SessionState,
  TransportState,
  UserAgent,
  type SessionDescriptionHandler,
  type Transport,
} from 'sip.js';
import WebSocket, { WebSocketServer } from 'ws';
import {
  confirmDialogWithoutAck,
  LIBRARY_MOVED,
  releaseReinviteWithoutAck,
  sessionContact,
  unansweredInvite,
  userAgentDialogs,
  userAgentSessionCount,
  webSocketLocalPort,
  webSocketTcpSocket,
} from '../../electron/core/sip/libraryInternals.js';

const sipjsVersion = (await import('sip.js/package.json', { with: { type: 'json' } })).default.version;
const wsVersion = (await import('ws/package.json', { with: { type: 'json' } })).default.version;

/** A transport that never connects: the user agent is only built, never started. */
class IdleTransport implements Transport {
  readonly protocol = 'WS';
  readonly state = 'Disconnected' as Transport['state'];
  readonly stateChange = {
    addListener: () => {},
    removeListener: () => {},
    on: () => {},
    off: () => {},
    once: () => {},
  } as unknown as Transport['stateChange'];
  onConnect: Transport['onConnect'];
  onDisconnect: Transport['onDisconnect'];
  onMessage: Transport['onMessage'];
  connect(): Promise<void> {
    return Promise.reject(new Error('idle transport'));
  }
  disconnect(): Promise<void> {
    return Promise.resolve();
  }
  dispose(): Promise<void> {
    return Promise.resolve();
  }
  isConnected(): boolean {
    return false;
  }
  send(): Promise<void> {
    return Promise.reject(new Error('idle transport'));
  }
}

describe(`SIP.js ${sipjsVersion} internals`, () => {
  it('UserAgent._sessions: counts each session SIP.js holds, from creation to disposal', async () => {
    const uri = UserAgent.makeURI('sip:alice@127.0.0.1');
    const target = UserAgent.makeURI('sip:bob@127.0.0.1');
    if (!uri || !target) throw new Error('SIP.js could not make a URI');
    const ua = new UserAgent({ uri, transportConstructor: IdleTransport, logBuiltinEnabled: false });
    expect(userAgentSessionCount(ua), `SIP.js ${sipjsVersion} no longer keeps UserAgent._sessions`).toBe(0);
    const inviter = new Inviter(ua, target);
    expect(userAgentSessionCount(ua), `SIP.js ${sipjsVersion}: UserAgent._sessions does not hold a new Inviter`).toBe(1);
    await inviter.dispose();
    expect(userAgentSessionCount(ua), `SIP.js ${sipjsVersion}: a disposed session stays in UserAgent._sessions`).toBe(0);
  });

  it('UserAgentCore.dialogs and .subscribers: counts INVITE dialogs and subscription dialogs by event, from creation to disposal', () => {
    const uri = UserAgent.makeURI('sip:alice@127.0.0.1');
    const target = UserAgent.makeURI('sip:bob@127.0.0.1');
    if (!uri || !target) throw new Error('SIP.js could not make a URI');
    const ua = new UserAgent({ uri, transportConstructor: IdleTransport, logBuiltinEnabled: false });
    const core = ua.userAgentCore;
    expect(userAgentDialogs(ua), `SIP.js ${sipjsVersion}: userAgentCore.dialogs or .subscribers is no longer a Map`).toEqual({
      sessions: 0,
      subscriptions: [],
      subscribing: 0,
    });
    const state = (id: string): Core.DialogState => ({
      id,
      early: true,
      callId: id,
      localTag: 'l',
      remoteTag: 'r',
      localSequenceNumber: 1,
      remoteSequenceNumber: undefined,
      localURI: uri,
      remoteURI: target,
      remoteTarget: target,
      routeSet: [],
      secure: false,
    });
    const invite = core.makeOutgoingRequestMessage('INVITE', target, uri, target, {});
    const session = new Core.SessionDialog({ request: invite } as unknown as Core.InviteClientTransaction, core, state('call'));
    const presence = new Core.SubscriptionDialog('presence', 3600, Core.SubscriptionState.Active, core, state('presence'));
    const refer = new Core.SubscriptionDialog('refer', 60, Core.SubscriptionState.Active, core, state('refer'));
    expect(userAgentDialogs(ua), `SIP.js ${sipjsVersion}: dialogs are no longer registered in userAgentCore.dialogs by kind`).toEqual({
      sessions: 1,
      subscriptions: ['presence', 'refer'],
      subscribing: 0,
    });
    for (const dialog of [session, presence, refer]) dialog.dispose();
    expect(userAgentDialogs(ua), `SIP.js ${sipjsVersion}: a disposed dialog stays in userAgentCore.dialogs`).toEqual({
      sessions: 0,
      subscriptions: [],
      subscribing: 0,
    });
  });

  it('Session.replacee is a public getter (what the phone reads for INVITE with Replaces)', () => {
    expect(typeof Object.getOwnPropertyDescriptor(Session.prototype, 'replacee')?.get).toBe('function');
  });
});

/** What the far end's SDP says does not matter here: the accessors read signalling, not media. */
const SDP = ['v=0', 'o=- 1 1 IN IP4 127.0.0.1', 's=-', 'c=IN IP4 127.0.0.1', 't=0 0', 'm=audio 9 RTP/AVP 0', 'a=sendrecv', ''].join('\r\n');

const fixedSdh = (): SessionDescriptionHandler => ({
  close: () => {},
  getDescription: () => Promise.resolve({ body: SDP, contentType: 'application/sdp' }),
  hasDescription: (contentType) => contentType === 'application/sdp',
  setDescription: () => Promise.resolve(),
  sendDtmf: () => false,
});

/** A connected transport in memory: what SIP.js sends is kept in `sent`; `deliver` hands it a message from the far end. */
class Wire implements Transport {
  readonly protocol = 'WS';
  readonly stateChange = new EmitterImpl<TransportState>();
  readonly sent: string[] = [];
  onConnect: Transport['onConnect'];
  onDisconnect: Transport['onDisconnect'];
  onMessage: Transport['onMessage'];
  private current = TransportState.Disconnected;
  get state(): TransportState {
    return this.current;
  }
  connect(): Promise<void> {
    this.current = TransportState.Connected;
    this.stateChange.emit(this.current);
    this.onConnect?.();
    return Promise.resolve();
  }
  disconnect(): Promise<void> {
    this.current = TransportState.Disconnected;
    this.stateChange.emit(this.current);
    return Promise.resolve();
  }
  dispose(): Promise<void> {
    return this.disconnect();
  }
  isConnected(): boolean {
    return this.current === TransportState.Connected;
  }
  send(message: string): Promise<void> {
    this.sent.push(message);
    // The far end takes a BYE (the user agent's stop ends each call with one and waits for the answer).
    if (message.startsWith('BYE ')) queueMicrotask(() => this.deliver(responseTo(message, '200 OK')));
    return Promise.resolve();
  }
  deliver(message: string): void {
    if (!this.onMessage) throw new Error('SIP.js did not take the transport');
    this.onMessage(message);
  }
  /** The last message SIP.js sent whose first line starts with `start` and whose CSeq is `cseq`. */
  last(start: string, cseq: string): string | undefined {
    return this.sent.findLast((m) => m.startsWith(start) && header(m, 'CSeq') === cseq);
  }
}

function header(message: string, name: string): string {
  const line = message.split('\r\n').find((l) => l.toLowerCase().startsWith(`${name.toLowerCase()}:`));
  if (line === undefined) throw new Error(`no ${name} header in:\n${message}`);
  return line.slice(name.length + 1).trim();
}

function sip(startLine: string, headers: readonly string[], body = ''): string {
  return [startLine, ...headers, `Content-Length: ${Buffer.byteLength(body)}`, '', body].join('\r\n');
}

/** The far end's response to `request`, one SIP.js sent (tag "far" on its To). */
function responseTo(request: string, status: string, extra: readonly string[] = [], body = ''): string {
  const copied = ['Via', 'From', 'Call-ID', 'CSeq'].map((name) => `${name}: ${header(request, name)}`);
  return sip(`SIP/2.0 ${status}`, [...copied, `To: ${header(request, 'To')};tag=far`, ...extra], body);
}

const FAR_CONTACT = 'Contact: <sip:bob@127.0.0.1;transport=ws>';
const WITH_SDP = [FAR_CONTACT, 'Content-Type: application/sdp'];

/** A request from the far end (bob) to alice in call "call-1"; `to` carries alice's tag once there is a dialog. */
function farRequest(method: string, cseq: number, to: string, extra: readonly string[] = [], body = ''): string {
  return sip(
    `${method} sip:alice@127.0.0.1;transport=ws SIP/2.0`,
    [
      `Via: SIP/2.0/WS far.invalid;branch=z9hG4bK-${method}-${cseq}`,
      'Max-Forwards: 70',
      'From: <sip:bob@127.0.0.1>;tag=far',
      `To: ${to}`,
      'Call-ID: call-1',
      `CSeq: ${cseq} ${method}`,
      ...extra,
    ],
    body,
  );
}

describe(`SIP.js ${sipjsVersion} internals on a call`, () => {
  let ua: UserAgent | undefined;
  let warnings: Error[] = [];
  const onWarning = (warning: Error): void => {
    if ((warning as Error & { code?: string }).code === LIBRARY_MOVED) warnings.push(warning);
  };
  beforeEach(() => {
    warnings = [];
    process.on('warning', onWarning);
  });
  afterEach(async () => {
    vi.useRealTimers();
    await ua?.stop();
    ua = undefined;
    // An accessor that found a field missing said so: that is the failure, named by its warning.
    await new Promise((resolve) => setImmediate(resolve));
    process.off('warning', onWarning);
    expect(warnings.map((w) => w.message)).toEqual([]);
  });

  async function started(): Promise<{ ua: UserAgent; wire: Wire; invitations: Invitation[] }> {
    const uri = UserAgent.makeURI('sip:alice@127.0.0.1');
    if (!uri) throw new Error('SIP.js could not make a URI');
    const invitations: Invitation[] = [];
    const agent = new UserAgent({
      uri,
      transportConstructor: Wire,
      sessionDescriptionHandlerFactory: fixedSdh,
      logBuiltinEnabled: false,
      delegate: { onInvite: (invitation) => invitations.push(invitation) },
    });
    ua = agent;
    await agent.start();
    if (!(agent.transport instanceof Wire)) throw new Error('SIP.js did not build the transport it was given');
    return { ua: agent, wire: agent.transport, invitations };
  }

  /** An Inviter of ours whose INVITE is on the wire; `rejected` collects the statuses SIP.js hands its onReject. */
  async function calling(): Promise<{ inviter: Inviter; wire: Wire; invite: string; rejected: number[] }> {
    const { ua: agent, wire } = await started();
    const target = UserAgent.makeURI('sip:bob@127.0.0.1');
    if (!target) throw new Error('SIP.js could not make a URI');
    const inviter = new Inviter(agent, target);
    const rejected: number[] = [];
    await inviter.invite({ requestDelegate: { onReject: (response) => rejected.push(response.message.statusCode ?? 0) } });
    const invite = await vi.waitFor(() => wire.last('INVITE ', '1 INVITE') ?? Promise.reject(new Error('no INVITE sent')));
    return { inviter, wire, invite, rejected };
  }

  /** A call from the far end that alice answered 200: the 200 is on the wire, its ACK not delivered. */
  async function answered(): Promise<{ invitation: Invitation; wire: Wire; toAlice: string }> {
    const { wire, invitations } = await started();
    wire.deliver(farRequest('INVITE', 1, '<sip:alice@127.0.0.1>', WITH_SDP, SDP));
    const invitation = await vi.waitFor(
      () => invitations[0] ?? Promise.reject(new Error('SIP.js did not offer the INVITE as an Invitation')),
    );
    await invitation.accept();
    const ok = await vi.waitFor(() => wire.last('SIP/2.0 200', '1 INVITE') ?? Promise.reject(new Error('no 200 sent')));
    return { invitation, wire, toAlice: header(ok, 'To') };
  }

  it("Inviter.outgoingInviteRequest and its transaction's onTransportError: an unanswered INVITE is found and failed with a 503", async () => {
    const { inviter, rejected } = await calling();
    const pending = unansweredInvite(inviter);
    expect(pending?.kind, `SIP.js ${sipjsVersion}: Inviter.outgoingInviteRequest no longer holds the INVITE client transaction`).toBe(
      'initial INVITE',
    );
    pending?.failWithTransportError(new Error('connection lost'));
    expect(rejected, `SIP.js ${sipjsVersion}: InviteClientTransaction.onTransportError no longer hands the Inviter a 503`).toEqual([503]);
    expect(inviter.state).toBe(SessionState.Terminated);
    expect(unansweredInvite(inviter)).toBeUndefined();
  });

  it('InviteUserAgentClient.receiveResponse: an INVITE that had a provisional is failed with a 503 too', async () => {
    const { inviter, wire, invite, rejected } = await calling();
    wire.deliver(responseTo(invite, '180 Ringing', [FAR_CONTACT]));
    const pending = unansweredInvite(inviter);
    expect(pending?.kind, `SIP.js ${sipjsVersion}: a ringing INVITE's transaction is not found`).toBe('initial INVITE');
    pending?.failWithTransportError(new Error('connection lost'));
    expect(rejected, `SIP.js ${sipjsVersion}: a ringing INVITE failed by transport error is not handed a 503`).toEqual([503]);
    expect(inviter.state).toBe(SessionState.Terminated);
  });

  it('SessionDialog.reinviteUserAgentClient: our unanswered re-INVITE is found and failed with a 503; Session._contact is the Contact SIP.js sends', async () => {
    const { inviter, wire, invite } = await calling();
    expect(sessionContact(inviter), `SIP.js ${sipjsVersion}: Session._contact is not the Contact of its INVITE`).toBe(
      header(invite, 'Contact'),
    );
    wire.deliver(responseTo(invite, '200 OK', WITH_SDP, SDP));
    await vi.waitFor(() => expect(inviter.state).toBe(SessionState.Established));
    expect(unansweredInvite(inviter), 'an answered INVITE is not pending').toBeUndefined();
    const rejected: number[] = [];
    await inviter.invite({ requestDelegate: { onReject: (response) => rejected.push(response.message.statusCode ?? 0) } });
    await vi.waitFor(() => wire.last('INVITE ', '2 INVITE') ?? Promise.reject(new Error('no re-INVITE sent')));
    const pending = unansweredInvite(inviter);
    expect(pending?.kind, `SIP.js ${sipjsVersion}: SessionDialog.reinviteUserAgentClient no longer holds our re-INVITE`).toBe('re-INVITE');
    pending?.failWithTransportError(new Error('connection lost'));
    await vi.waitFor(() =>
      expect(rejected, `SIP.js ${sipjsVersion}: a re-INVITE failed by transport error is not handed a 503`).toEqual([503]),
    );
    expect(inviter.state, 'a failed re-INVITE leaves the call up').toBe(SessionState.Established);
    expect(unansweredInvite(inviter)).toBeUndefined();
  });

  it('SessionDialog.ackWait: a call answered 200 whose ACK is missing is confirmed, once', async () => {
    const { invitation } = await answered();
    expect(sessionContact(invitation), `SIP.js ${sipjsVersion}: an Invitation has no Session._contact`).toMatch(/^<sip:/);
    expect(confirmDialogWithoutAck(invitation), `SIP.js ${sipjsVersion}: SessionDialog.ackWait is not set while the ACK is awaited`).toBe(
      true,
    );
    expect(confirmDialogWithoutAck(invitation), 'a confirmed dialog waits for no ACK').toBe(false);
  });

  it('SessionDialog.reinviteUserAgentServer: a re-INVITE answered 200 whose ACK never comes is released when its transaction ends', async () => {
    const { invitation, wire, toAlice } = await answered();
    wire.deliver(farRequest('ACK', 1, toAlice));
    await new Promise((resolve) => setImmediate(resolve)); // SIP.js takes the ACK's answer asynchronously
    vi.useFakeTimers();
    wire.deliver(farRequest('INVITE', 2, toAlice, WITH_SDP, SDP));
    await vi.waitFor(() => wire.last('SIP/2.0 200', '2 INVITE') ?? Promise.reject(new Error('the re-INVITE was not answered 200')));
    let released = 0;
    expect(
      releaseReinviteWithoutAck(invitation, () => (released += 1)),
      `SIP.js ${sipjsVersion}: SessionDialog.reinviteUserAgentServer does not hold the answered re-INVITE`,
    ).toBe(true);
    await vi.advanceTimersByTimeAsync(64 * 500); // Timer L: 64 × T1 after the 2xx
    expect(released, `SIP.js ${sipjsVersion}: the re-INVITE's server transaction did not end at Timer L`).toBe(1);
    expect((invitation.dialog as unknown as { reinviteUserAgentServer?: unknown }).reinviteUserAgentServer).toBeUndefined();
    expect(invitation.state).toBe(SessionState.Established);
  });

  it('a field that is not there is reported once, naming the library version and the field', async () => {
    const { invitation } = await answered();
    delete (invitation.dialog as unknown as { ackWait?: unknown }).ackWait;
    expect(confirmDialogWithoutAck(invitation)).toBe(false);
    expect(confirmDialogWithoutAck(invitation)).toBe(false);
    await new Promise((resolve) => setImmediate(resolve));
    expect(warnings.map((w) => w.message)).toEqual([
      `sip.js ${sipjsVersion}: SessionDialog.ackWait is not where Baton reads it; a call whose ACK was lost is ended by SIP.js 32 s after it was answered`,
    ]);
    warnings = [];
  });
});

describe(`ws ${wsVersion} internals`, () => {
  let server: WebSocketServer | undefined;
  afterEach(async () => {
    await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
    server = undefined;
  });

  it('WebSocket._socket: the TCP socket under an open connection, which can be corked and names its local port', async () => {
    const listening = new WebSocketServer({ host: '127.0.0.1', port: 0 });
    server = listening;
    await new Promise<void>((resolve) => listening.once('listening', () => resolve()));
    const peerPort = new Promise<number | undefined>((resolve) =>
      listening.once('connection', (_socket, request) => resolve(request.socket.remotePort)),
    );
    const address = listening.address();
    if (!address || typeof address === 'string') throw new Error('expected a TCP address');
    const client = new WebSocket(`ws://127.0.0.1:${address.port}`);
    await new Promise<void>((resolve, reject) => {
      client.once('open', () => resolve());
      client.once('error', reject);
    });
    try {
      const tcp = webSocketTcpSocket(client);
      expect(tcp, `ws ${wsVersion} no longer exposes the TCP socket as WebSocket._socket`).toBeInstanceOf(Socket);
      expect(tcp?.destroyed).toBe(false);
      expect(webSocketLocalPort(client), `ws ${wsVersion}: WebSocket._socket.localPort is not the port the server sees`).toBe(
        await peerPort,
      );
    } finally {
      client.terminate();
    }
  });
});
