/**
 * The phone against a hostile peer: a WebSocket SIP server of our own (test/support/hostilePeer.ts)
 * that the core registers with, then feeds torture messages, malformed frames, transfer abuse,
 * throws and bursts. After each, the core must still answer, and at the end still place a call.
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { UserAgent, type Core } from 'sip.js';
import { Phone } from '../../electron/core/sip/phone.js';
import { WsTransport, type WsTransportOptions } from '../../electron/core/sip/wsTransport.js';
import { userAgentDialogIndex } from '../../electron/core/sip/ingress/dialogIndex.js';
import { createWrtcMediaPort, type WrtcMediaPort } from '../lab/wrtcEngine.js';
import { requestTo, startHostilePeer, type HostilePeer } from '../support/hostilePeer.js';
import { startBurstPeer } from '../support/burstPeer.js';
import { waitFor } from '../support/waitFor.js';
import { tortureCases } from '../fixtures/sip/torture.js';
import { INVITE_WITH_SDP } from '../fixtures/sip/corpus.js';
import { bestEffort } from '../lab/bestEffort.js';

const unhandled: unknown[] = [];
const onUnhandled = (reason: unknown): void => void unhandled.push(reason);
let peer: HostilePeer;
let media: WrtcMediaPort;
let phone: Phone;
const problems: string[] = [];

beforeAll(() => {
  process.on('unhandledRejection', onUnhandled);
});
afterAll(() => {
  process.off('unhandledRejection', onUnhandled);
  expect(unhandled).toEqual([]);
});

beforeEach(async () => {
  peer = await startHostilePeer();
  media = createWrtcMediaPort();
  phone = new Phone({ server: peer.url, aor: 'sip:alice@127.0.0.1', media, backoff: { initialMs: 50, maxMs: 200 } });
  phone.events.on('problem', (p) => problems.push(p.message));
  await phone.start();
});

afterEach(async () => {
  await phone.stop().catch(bestEffort('stopping the phone'));
  await media.dispose();
  await peer.close();
});

/** Sends a request and resolves with the status of the core's final answer. */
async function statusOf(text: string, callId: string, timeoutMs = 2000): Promise<number> {
  const answer = peer.responseTo(callId, timeoutMs);
  peer.send(text);
  const response = await answer;
  return response.scanned.startLine.kind === 'response' ? response.scanned.startLine.status : 0;
}

/** The core still answers: an OPTIONS gets 200. */
async function expectAlive(): Promise<void> {
  const { text, callId } = requestTo(peer, 'OPTIONS');
  expect(await statusOf(text, callId)).toBe(200);
}

/** The core places a call through the peer and it becomes established, then hangs it up. */
async function expectPlacesACall(): Promise<void> {
  const call = await phone.call('bob');
  await waitFor('the call established', () => call.state === 'established', 5000);
  await call.hangUp();
  await waitFor('the call ended', () => call.state === 'ended');
}

function transportOf(p: Phone): WsTransport {
  const transport = p.userAgent?.transport;
  if (!(transport instanceof WsTransport)) throw new Error('the phone does not run on WsTransport');
  return transport;
}

describe('torture messages (RFC 4475, RFC 5118)', () => {
  it('answers each as a correct UA would and keeps answering', async () => {
    const port = Number(new URL(peer.url).port);
    const outcomes: string[] = [];
    for (const torture of tortureCases(peer.contactUser(), port)) {
      const answered = peer.responseTo(torture.callId, 600).then(
        (m) => (m.scanned.startLine.kind === 'response' ? m.scanned.startLine.status : 0),
        // No answer within the wait is the outcome a dropped message should have.
        () => 'nothing' as const,
      );
      peer.send(torture.text);
      const got = await answered;
      const expected = 'drop' in torture.expect ? 'nothing' : torture.expect.answer;
      outcomes.push(`${torture.name}: ${String(got)}`);
      if (expected === 'any') expect(typeof got === 'number' && got >= 400, `${torture.name} → ${String(got)}`).toBe(true);
      else expect(got, torture.name).toBe(expected);
      await expectAlive();
    }
    await expectPlacesACall();
  });
});

describe('malformed frames and messages', () => {
  it('drops binary garbage, invalid UTF-8, empty and garbage frames without a reply, and keeps answering', async () => {
    const before = peer.received.length;
    peer.send(Buffer.from([0x00, 0xff, 0x10]), { binary: true });
    peer.send(Buffer.concat([Buffer.from('OPTIONS sip:x@y SIP/2.0\r\n'), Buffer.from([0xc3, 0x28])]));
    peer.send('\r\n\r\n');
    peer.send('this is not SIP at all');
    peer.send('INVITE\r\n\r\n');
    await expectAlive();
    expect(peer.received.length).toBe(before + 1); // only the 200 to our OPTIONS
    const counts = transportOf(phone).ingress.stats.snapshot().refused;
    // The binary frame's bytes are no UTF-8 text where a start line and headers must be.
    expect(counts['invalid-utf8']).toBe(2);
    expect(counts['bad-start-line']).toBe(2);
  });

  it('answers an OPTIONS sent in a binary frame (RFC 7118 §5.1: either frame type carries SIP)', async () => {
    const { text, callId } = requestTo(peer, 'OPTIONS');
    const answer = peer.responseTo(callId, 2000);
    peer.send(Buffer.from(text, 'utf8'), { binary: true });
    const response = await answer;
    expect(response.scanned.startLine).toMatchObject({ kind: 'response', status: 200 });
  });

  it('hands a MESSAGE with a binary S/MIME body, in a binary frame, to the phone byte for byte', async () => {
    // The start of a DER-encoded PKCS#7 enveloped-data (RFC 3261 §23.4.1): bytes that are no UTF-8.
    const smime = Buffer.from([
      0x30, 0x82, 0x01, 0x0a, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x07, 0x03, 0xa0, 0xff, 0x00, 0xc3, 0x28,
    ]);
    const got: Array<{ contentType: string; body: Buffer }> = [];
    phone.events.on('message', (m) => {
      got.push({ contentType: m.contentType, body: Buffer.from(m.body, 'latin1') });
      void m.reject(415);
    });
    const { text, callId } = requestTo(peer, 'MESSAGE', {
      headers: [
        'Content-Type: application/pkcs7-mime;smime-type=enveloped-data;name=smime.p7m',
        'Content-Disposition: attachment;handling=required;filename=smime.p7m',
      ],
    });
    const head = text.replace(/Content-Length: 0\r\n\r\n$/, `Content-Length: ${smime.length}\r\n\r\n`);
    const answer = peer.responseTo(callId, 2000);
    peer.send(Buffer.concat([Buffer.from(head, 'utf8'), smime]), { binary: true });
    expect((await answer).scanned.startLine).toMatchObject({ kind: 'response', status: 415 });
    expect(got).toHaveLength(1);
    expect(got[0]?.contentType).toBe('application/pkcs7-mime');
    expect(got[0]?.body.equals(smime)).toBe(true);
    expect(transportOf(phone).ingress.stats.snapshot().refused['invalid-utf8']).toBeUndefined();
  });

  it('answers a 2 MiB message with 513 and keeps the connection, with every call on it', async () => {
    peer.answerInvites = true;
    const call = await phone.call('bob');
    await waitFor('established', () => call.state === 'established', 5000);
    const connectionsBefore = peer.connections();
    const { text, callId } = requestTo(peer, 'MESSAGE', { headers: ['Content-Type: text/plain'], body: 'x'.repeat(2 * 1024 * 1024) });
    expect(await statusOf(text, callId)).toBe(513);
    expect(peer.connections()).toBe(connectionsBefore);
    expect(transportOf(phone).ingress.stats.snapshot()).toMatchObject({ refused: { 'message-too-large': 1 }, replied: { 513: 1 } });
    await expectAlive();
    expect(call.state).toBe('established');
    await call.hangUp();
    await waitFor('the call ended', () => call.state === 'ended');
  });

  it('counts a frame above what `ws` buffers (8 MiB), which closes the connection, and registers again', async () => {
    const connectionsBefore = peer.connections();
    const registered = peer.next((m) => m.scanned.startLine.kind === 'request' && m.scanned.startLine.method === 'REGISTER', 5000);
    const { text } = requestTo(peer, 'MESSAGE', { headers: ['Content-Type: text/plain'], body: 'x'.repeat(9 * 1024 * 1024) });
    peer.send(text);
    await registered;
    await waitFor('registered again', () => phone.registration === 'registered', 5000);
    expect(peer.connections()).toBe(connectionsBefore + 1);
    expect(transportOf(phone).ingress.stats.snapshot().refused['frame-too-large']).toBe(1);
    await expectAlive();
  });

  it.each([
    ['a Request-URI that is not sip/sips (SIP.js threw)', 'tel', 416],
    ['a PRACK (SIP.js threw)', 'prack', 481],
    ['an unmatched CANCEL (SIP.js threw)', 'cancel', 481],
    ['an unknown Require option-tag', 'require', 420],
    ['an INVITE with a text/plain body', 'textbody', 415],
    ['a body above the cap', 'bigbody', 413],
    ['too many headers', 'headers', 513],
    ['an unknown method', 'method', 501],
    ['PUBLISH, known but not served', 'publish', 405],
  ] as const)('answers %s with the right status', async (_label, kind, status) => {
    const user = peer.contactUser();
    const build = {
      tel: () => requestTo(peer, 'OPTIONS', { requestUri: 'tel:+4930123456' }),
      prack: () => requestTo(peer, 'PRACK', { toTag: 'abc', headers: ['RAck: 1 1 INVITE'] }),
      cancel: () => requestTo(peer, 'CANCEL'),
      require: () => requestTo(peer, 'OPTIONS', { headers: ['Require: timer, 100rel'] }),
      textbody: () => requestTo(peer, 'INVITE', { headers: ['Content-Type: text/plain'], body: 'hello' }),
      bigbody: () => requestTo(peer, 'MESSAGE', { headers: ['Content-Type: text/plain'], body: 'x'.repeat(50_000) }),
      headers: () => requestTo(peer, 'OPTIONS', { headers: Array.from({ length: 200 }, (_, i) => `X-H${i}: ${i}`) }),
      method: () => requestTo(peer, 'FROBNICATE'),
      publish: () => requestTo(peer, 'PUBLISH', { requestUri: `sip:${user}@127.0.0.1` }),
    }[kind];
    const { text, callId } = build();
    expect(await statusOf(text, callId)).toBe(status);
    await expectAlive();
  });

  it('drops a response with a malformed CSeq (SIP.js threw) and keeps answering', async () => {
    peer.send(
      [
        'SIP/2.0 200 OK',
        'Via: SIP/2.0/WS x.invalid;branch=z9hG4bKnope',
        'From: <sip:a@b>;tag=1',
        'To: <sip:c@d>;tag=2',
        'Call-ID: badcseq',
        'CSeq: INVITE',
        'Content-Length: 0',
        '',
        '',
      ].join('\r\n'),
    );
    await expectAlive();
    expect(transportOf(phone).ingress.stats.snapshot().refused['bad-response']).toBe(1);
  });
});

describe('transfer guards', () => {
  it('refuses an INVITE whose Replaces is garbage with 400, and creates no call', async () => {
    let calls = 0;
    phone.events.on('incomingCall', () => (calls += 1));
    const { text, callId } = requestTo(peer, 'INVITE', {
      headers: ['Replaces: ;;;to-tag', 'Content-Type: application/sdp'],
      body: sdpOf(INVITE_WITH_SDP),
    });
    expect(await statusOf(text, callId)).toBe(400);
    const two = requestTo(peer, 'INVITE', { headers: ['Replaces: a;to-tag=b;from-tag=c', 'Replaces: d;to-tag=e;from-tag=f'] });
    expect(await statusOf(two.text, two.callId)).toBe(400);
    expect(calls).toBe(0);
  });

  it('refuses a REFER with two Refer-To, an http: Refer-To, or a bad escape, and sends no INVITE', async () => {
    // A REFER outside a dialog, then inside one: neither may lead to an INVITE.
    const cases = [
      [['Refer-To: <sip:carol@127.0.0.1>', 'Refer-To: <sip:dave@127.0.0.1>'], 400],
      [['Refer-To: <sip:carol@127.0.0.1>, <sip:dave@127.0.0.1>'], 400],
      [['Refer-To: <http://evil.example.com/>'], 416],
      [['Refer-To: <sip:car%ZZol@127.0.0.1>'], 400],
      [['Refer-To: <sip:carol@127.0.0.1?Replaces=nonsense%3B%3B>'], 400],
    ] as const;
    const invitesBefore = peer.received.filter(
      (m) => m.scanned.startLine.kind === 'request' && m.scanned.startLine.method === 'INVITE',
    ).length;
    for (const [headers, status] of cases) {
      const { text, callId } = requestTo(peer, 'REFER', { toTag: 'deadbeef', headers: [...headers] });
      expect(await statusOf(text, callId), headers.join(' | ')).toBe(status);
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
    const invitesAfter = peer.received.filter(
      (m) => m.scanned.startLine.kind === 'request' && m.scanned.startLine.method === 'INVITE',
    ).length;
    expect(invitesAfter).toBe(invitesBefore);
  });

  it('lets a well-formed REFER with ;xfer= and an embedded Replaces reach SIP.js (481 there: no such dialog)', async () => {
    const { text, callId } = requestTo(peer, 'REFER', {
      toTag: 'deadbeef',
      headers: [
        'Refer-To: <sip:carol@127.0.0.1;xfer=8f3a1c2d?Replaces=abc%3Bto-tag%3Dx%3Bfrom-tag%3Dy>',
        'Referred-By: <sip:alice@127.0.0.1>',
      ],
    });
    expect(await statusOf(text, callId)).toBe(481); // SIP.js's own answer: the dialog is unknown
    expect(transportOf(phone).ingress.stats.snapshot().refused['bad-refer-to']).toBeUndefined();
  });

  it('answers a NOTIFY for no subscription with 481, in or out of a dialog', async () => {
    const out = requestTo(peer, 'NOTIFY', { headers: ['Event: message-summary', 'Subscription-State: active'] });
    expect(await statusOf(out.text, out.callId)).toBe(481);
    const inside = requestTo(peer, 'NOTIFY', {
      toTag: 'nosuchtag',
      headers: ['Event: refer', 'Subscription-State: active', 'Content-Type: message/sipfrag'],
      body: 'SIP/2.0 200 OK\r\n',
    });
    expect(await statusOf(inside.text, inside.callId)).toBe(481);
    const noEvent = requestTo(peer, 'NOTIFY', { toTag: 'x' });
    expect(await statusOf(noEvent.text, noEvent.callId)).toBe(489);
  });

  it('lets the out-of-dialog transfer-context MESSAGE through', async () => {
    const got: Array<{ contentType: string; body: string }> = [];
    phone.events.on('message', (m) => {
      got.push({ contentType: m.contentType, body: m.body });
      void m.accept();
    });
    const { text, callId } = requestTo(peer, 'MESSAGE', {
      headers: ['Content-Type: application/vnd.baton.transfer-context+json'],
      body: '{"v":1,"id":"8f3a1c2d","method":"cold"}',
    });
    expect(await statusOf(text, callId)).toBe(200);
    expect(got).toEqual([{ contentType: 'application/vnd.baton.transfer-context+json', body: '{"v":1,"id":"8f3a1c2d","method":"cold"}' }]);
  });

  it('answers a re-INVITE with a text/plain body with 415 and the call goes on', async () => {
    peer.answerInvites = true;
    const call = await phone.call('bob');
    await waitFor('established', () => call.state === 'established', 5000);
    const invite = peer.received.find((m) => m.scanned.startLine.kind === 'request' && m.scanned.startLine.method === 'INVITE');
    const ok = [...peer.received].reverse().find((m) => m.scanned.startLine.kind === 'request' && m.scanned.startLine.method === 'ACK');
    expect(invite && ok).toBeTruthy();
    const fromTag = /tag=([^;>\s]+)/.exec(/From:.*$/m.exec(invite?.text ?? '')?.[0] ?? '')?.[1] ?? '';
    const toTag = /tag=([^;>\s]+)/.exec(/^To:.*$/m.exec(ok?.text ?? '')?.[0] ?? '')?.[1] ?? '';
    const sipCallId = call.sipCallId;
    const reinvite = [
      `INVITE ${/^INVITE (\S+)/.exec(invite?.text ?? '')?.[1] ?? ''} SIP/2.0`.replace(
        /^INVITE \S+/,
        `INVITE sip:${peer.contactUser()}@127.0.0.1;transport=ws`,
      ),
      `Via: SIP/2.0/WS 127.0.0.1;branch=z9hG4bKreinv1`,
      `From: <sip:bob@127.0.0.1>;tag=${toTag}`,
      `To: <sip:alice@127.0.0.1>;tag=${fromTag}`,
      `Call-ID: ${sipCallId}`,
      'CSeq: 100 INVITE',
      'Max-Forwards: 70',
      'Contact: <sip:peer@127.0.0.1;transport=ws>',
      'Content-Type: text/plain',
      'Content-Length: 5',
      '',
      'hello',
    ].join('\r\n');
    expect(await statusOf(reinvite, sipCallId)).toBe(415);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(call.state).toBe('established');
    await call.hangUp();
  });
});

describe('isolation', () => {
  it('a throw inside SIP.js neither ends the process nor silences the socket; repeated throws reset it and the phone registers again', async () => {
    const ua = phone.userAgent;
    if (!ua) throw new Error('no user agent');
    const core: Core.UserAgentCore = ua.userAgentCore;
    const original = core.receiveIncomingRequestFromTransport.bind(core);
    core.receiveIncomingRequestFromTransport = (message) => {
      if (message.callId.startsWith('throw-')) throw new Error('injected');
      original(message);
    };
    const connectionsBefore = peer.connections();
    peer.send(requestTo(peer, 'OPTIONS', { callId: 'throw-1' }).text);
    await expectAlive();
    expect(problems.some((p) => p.includes('SIP.js threw'))).toBe(true);
    expect(peer.connections()).toBe(connectionsBefore);

    // Two more within the window: SIP.js's state is now in doubt → reset, reconnect, register.
    const registered = peer.next((m) => m.scanned.startLine.kind === 'request' && m.scanned.startLine.method === 'REGISTER', 5000);
    peer.send(requestTo(peer, 'OPTIONS', { callId: 'throw-2' }).text);
    peer.send(requestTo(peer, 'OPTIONS', { callId: 'throw-3' }).text);
    await registered;
    await waitFor('registered again', () => phone.registration === 'registered', 5000);
    expect(peer.connections()).toBe(connectionsBefore + 1);
    await expectAlive();
    await expectPlacesACall();
  });

  it('throws out of SIP.js reported from elsewhere (a rejected promise, a timer) count the same: repeated ones reset the socket', async () => {
    const connectionsBefore = peer.connections();
    const registered = peer.next((m) => m.scanned.startLine.kind === 'request' && m.scanned.startLine.method === 'REGISTER', 5000);
    // What main's process-level handlers do with a throw whose stack is in SIP.js.
    for (let i = 0; i < 3; i += 1) expect(phone.containAsyncThrow(new Error(`async ${i}`))).toBe(true);
    expect(problems.some((p) => p.includes('SIP.js threw'))).toBe(true);
    await registered;
    await waitFor('registered again', () => phone.registration === 'registered', 5000);
    expect(peer.connections()).toBe(connectionsBefore + 1);
    await expectAlive();
  });
});

describe('flow control', () => {
  it('sheds a bounded burst of new INVITEs with 503 Retry-After; the loop is never stalled for long; a call in progress carries on', async () => {
    // The burst comes from a peer in its own thread: only the phone's work is on this event loop.
    const burstPeer = await startBurstPeer();
    const burstMedia = createWrtcMediaPort();
    const agent = new Phone({ server: burstPeer.url, aor: 'sip:alice@127.0.0.1', media: burstMedia });
    try {
      await agent.start();
      const call = await agent.call('bob');
      await waitFor('established', () => call.state === 'established', 5000);
      // A first, small burst warms the code paths (JIT); the stall measured is the steady state's.
      await burstPeer.burst(30, sdpOf(INVITE_WITH_SDP));
      const histogram = monitorEventLoopDelay({ resolution: 5 });
      histogram.enable();
      const result = await burstPeer.burst(1500, sdpOf(INVITE_WITH_SDP));
      histogram.disable();
      const maxStallMs = histogram.max / 1e6;
      console.log(`[hostile] burst of 1500 INVITEs: ${JSON.stringify(result)}; longest stall ${maxStallMs.toFixed(1)} ms`);
      expect(result.unanswered).toBe(0);
      expect(result.statuses['503'] ?? 0).toBeGreaterThan(1000);
      // Most turns stay far below 50 ms. A delivered INVITE costs SIP.js and the phone ≈ 1 ms of CPU
      // and a shed one ≈ 0.1 ms; each slice's answers leave in one corked write (one writev each had
      // been most of the cost). What remains above the 5 ms slice is the OS's scheduling when other
      // work shares the two cores (vitest runs other files beside this one), so the max is only
      // guarded against gross regressions (stock: seconds); the p99 goal (≤ 50 ms) is the sip-ingress
      // bench's to measure and print, on a machine running nothing else.
      console.log(`[hostile] event loop delay during the burst: p99 ${(histogram.percentile(99) / 1e6).toFixed(1)} ms`);
      expect(maxStallMs).toBeLessThanOrEqual(250);
      expect(call.state).toBe('established');
      await call.hangUp();
      await waitFor('the call in progress still ends cleanly (BYE answered)', () => call.state === 'ended');
    } finally {
      await agent.stop().catch(bestEffort('stopping the agent'));
      await burstMedia.dispose();
      await burstPeer.close();
    }
  }, 40_000);
});

/** The SDP body of a corpus message. */
function sdpOf(message: string): string {
  return message.slice(message.indexOf('\r\n\r\n') + 4);
}

// The dialog index is what phone.ts will pass to its transport; this checks the port works with a
// real SIP.js user agent (Replaces naming no dialog → 481 from the ingress, before SIP.js).
describe('dialog index port', () => {
  it('answers an INVITE whose Replaces names no dialog with 481', async () => {
    // The user agent is made with these options, so the index reads it from here once it exists.
    const current: { ua?: UserAgent } = {};
    const transportOptions: WsTransportOptions = {
      server: peer.url,
      connectTimeoutMs: 2000,
      keepAliveMs: 15_000,
      onInboundError: () => {},
      dialogs: userAgentDialogIndex(() => current.ua),
    };
    const ua = new UserAgent({
      uri: UserAgent.makeURI('sip:alice@127.0.0.1'),
      transportConstructor: WsTransport,
      transportOptions,
      logBuiltinEnabled: false,
    });
    current.ua = ua;
    await phone.stop(); // the peer talks to one client at a time
    await ua.start();
    try {
      const { text, callId } = requestTo(peer, 'INVITE', {
        requestUri: 'sip:alice@127.0.0.1',
        headers: ['Replaces: nosuchcall;to-tag=a;from-tag=b', 'Content-Type: application/sdp'],
        body: sdpOf(INVITE_WITH_SDP),
      });
      expect(await statusOf(text, callId)).toBe(481);
      expect((ua.transport as WsTransport).ingress.stats.snapshot().refused['replaces-no-dialog']).toBe(1);
    } finally {
      await ua.stop();
    }
  });
});
