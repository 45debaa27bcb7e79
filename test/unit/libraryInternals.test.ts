/**
 * The library internals Baton reads (electron/core/sip/libraryInternals.ts) are still where it reads
 * them in the installed SIP.js and ws, on real objects: an upgrade that moves one fails here, by
 * name, instead of silently turning off what the accessor feeds (orphan checks, write batching).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { Socket } from 'node:net';
import { Core, Inviter, Session, UserAgent, type Transport } from 'sip.js';
import WebSocket, { WebSocketServer } from 'ws';
import { userAgentDialogs, userAgentSessionCount, webSocketTcpSocket } from '../../electron/core/sip/libraryInternals.js';

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

describe(`ws ${wsVersion} internals`, () => {
  let server: WebSocketServer | undefined;
  afterEach(async () => {
    await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
    server = undefined;
  });

  it('WebSocket._socket: the TCP socket under an open connection, which can be corked', async () => {
    const listening = new WebSocketServer({ host: '127.0.0.1', port: 0 });
    server = listening;
    await new Promise<void>((resolve) => listening.once('listening', () => resolve()));
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
    } finally {
      client.terminate();
    }
  });
});
