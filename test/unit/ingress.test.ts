/**
 * The ingress in isolation: each rule's verdict and reply, its counters, and fuzzing — mutated
 * valid messages never make it throw, and whatever it hands on, SIP.js can parse without throwing.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { Core } from 'sip.js';
import { SipIngress, type IngressVerdict } from '../../electron/core/sip/ingress/sipIngress.js';
import { FLOW_CONTROL_DEFAULTS, InboundQueue } from '../../electron/core/sip/ingress/inboundQueue.js';
import { scanMessage } from '../../electron/core/sip/ingress/sipScanner.js';
import { canonical, parseInstalled, parseStock } from '../support/stockGrammar.js';
import { tortureCases } from '../fixtures/sip/torture.js';
import {
  CORPUS,
  INVITE_REPLACES,
  INVITE_WITH_SDP,
  MESSAGE_CONTEXT,
  NOTIFY_PIDF,
  NOTIFY_SIPFRAG,
  OK_TO_INVITE,
  REFER,
  sipMessage,
} from '../fixtures/sip/corpus.js';

const logger = { error: () => {}, warn: () => {}, log: () => {}, debug: () => {} } as unknown as Parameters<
  typeof Core.Parser.parseMessage
>[1];

function inspect(ingress: SipIngress, text: string): IngressVerdict {
  return ingress.inspect(Buffer.from(text, 'utf8'), false);
}
function statusOf(verdict: IngressVerdict): number | 'deliver' | 'drop' {
  return verdict.action === 'reply' ? verdict.status : verdict.action;
}
/** `text` with one header line replaced (or removed when `line` is empty). */
function withHeader(text: string, name: string, line: string): string {
  const lines = text.split('\r\n');
  const at = lines.findIndex((l) => l.toLowerCase().startsWith(`${name.toLowerCase()}:`));
  if (at < 0) lines.splice(1, 0, line);
  else if (line) lines[at] = line;
  else lines.splice(at, 1);
  return lines.join('\r\n');
}
const REQUEST = sipMessage('OPTIONS sip:alice@127.0.0.1 SIP/2.0', [
  'Via: SIP/2.0/WS 127.0.0.1:5066;branch=z9hG4bKu1',
  'From: <sip:bob@127.0.0.1>;tag=f1',
  'To: <sip:alice@127.0.0.1>',
  'Call-ID: unit-1',
  'CSeq: 1 OPTIONS',
  'Max-Forwards: 70',
]);

describe('SipIngress verdicts', () => {
  it('hands every corpus message on, except NOTIFYs for subscriptions we never made', () => {
    const ingress = new SipIngress();
    for (const { kind, text } of CORPUS) {
      const expected = kind.startsWith('NOTIFY') ? 481 : 'deliver';
      expect(statusOf(inspect(ingress, text)), kind).toBe(expected);
    }
  });

  it('lets a NOTIFY through once we subscribed (SUBSCRIBE sent) or referred (REFER sent)', () => {
    let now = 1_000_000;
    const ingress = new SipIngress({ now: () => now });
    ingress.outbound(
      sipMessage('SUBSCRIBE sip:carol@127.0.0.1 SIP/2.0', [
        'Via: SIP/2.0/WS x.invalid;branch=z9hG4bKs1',
        'From: <sip:alice@127.0.0.1>;tag=ahcb4pq3k4',
        'To: <sip:carol@127.0.0.1>',
        'Call-ID: 2oq1b9v8ad3n6hc0k4t7',
        'CSeq: 1 SUBSCRIBE',
        'Event: presence',
        'Expires: 600',
      ]),
    );
    expect(statusOf(inspect(ingress, NOTIFY_PIDF))).toBe('deliver');
    ingress.outbound(
      sipMessage('REFER sip:customer@127.0.0.1 SIP/2.0', [
        'Via: SIP/2.0/WS x.invalid;branch=z9hG4bKr1',
        'From: <sip:alice@127.0.0.1>;tag=i5ts0qmd0c',
        'To: <sip:customer@127.0.0.1>;tag=dcqj7ma5a8',
        'Call-ID: 9lmspl0nroo1ko7vk5tm',
        'CSeq: 4 REFER',
        'Refer-To: <sip:carol@127.0.0.1;xfer=8f3a1c2d>',
      ]),
    );
    const sipfrag = inspect(ingress, NOTIFY_SIPFRAG);
    expect(statusOf(sipfrag)).toBe('deliver');
    if (sipfrag.action === 'deliver') ingress.delivered(sipfrag.message); // "terminated"…
    // …but SIP.js marks its 1xx progress NOTIFYs terminated too, and the final one follows.
    expect(statusOf(inspect(ingress, NOTIFY_SIPFRAG))).toBe('deliver');
    now += 65_000;
    expect(statusOf(inspect(ingress, NOTIFY_SIPFRAG))).toBe(481);
  });

  it.each([
    ['a Request-URI that is tel:', REQUEST.replace('OPTIONS sip:alice@127.0.0.1', 'OPTIONS tel:+123'), 416],
    ['a Request-URI without a scheme', REQUEST.replace('OPTIONS sip:alice@127.0.0.1', 'OPTIONS alice'), 400],
    ['SIP/3.0', REQUEST.replace(' SIP/2.0\r\n', ' SIP/3.0\r\n'), 505],
    ['a CSeq method that differs', withHeader(REQUEST, 'CSeq', 'CSeq: 1 INVITE'), 400],
    // Unanswerable: a response must echo these, and echoing them broken reaches no one.
    // RFC 4475 §3.3.8 multi01: answered 400, from the first value of each.
    ['two Call-IDs', withHeader(REQUEST, 'X', 'Call-ID: other'), 400],
    ['a Via that is not SIP/2.0', withHeader(REQUEST, 'Via', 'Via: SIP/3.0/WS x;branch=z9hG4bK1'), 'drop'],
    ['a From without a URI', withHeader(REQUEST, 'From', 'From: nobody;tag=1'), 'drop'],
    ['a CSeq without a number', withHeader(REQUEST, 'CSeq', 'CSeq: OPTIONS'), 'drop'],
    ['a Max-Forwards that is not a number', withHeader(REQUEST, 'Max-Forwards', 'Max-Forwards: ten'), 400],
    ['Content-Length above the body', withHeader(REQUEST, 'Content-Length', 'Content-Length: 50'), 400],
    ['Content-Length not a number', withHeader(REQUEST, 'Content-Length', 'Content-Length: ten'), 400],
    ['a header line without a colon', withHeader(REQUEST, 'X', 'This is not a header'), 400],
    ['a Require we do not support', withHeader(REQUEST, 'Require', 'Require: 100rel'), 420],
    ['a Require we support', withHeader(REQUEST, 'Require', 'Require: replaces'), 'deliver'],
    ['a gzip body', withHeader(REQUEST, 'Content-Encoding', 'Content-Encoding: gzip'), 415],
    ['PRACK', REQUEST.replace(/OPTIONS/g, 'PRACK'), 481],
    ['PUBLISH', REQUEST.replace(/OPTIONS/g, 'PUBLISH'), 405],
    ['an unknown method', REQUEST.replace(/OPTIONS/g, 'FOO'), 501],
    ['a CANCEL for no INVITE', REQUEST.replace(/OPTIONS/g, 'CANCEL'), 481],
    ['an INVITE with a text/plain body', INVITE_WITH_SDP.replace('Content-Type: application/sdp', 'Content-Type: text/plain'), 415],
    ['an INVITE with garbage Replaces', withHeader(INVITE_REPLACES, 'Replaces', 'Replaces: ;;;'), 400],
    ['an INVITE with two Replaces', withHeader(INVITE_REPLACES, 'X', 'Replaces: a;to-tag=b;from-tag=c'), 400],
    ['a REFER with two Refer-To', withHeader(REFER, 'X', 'Refer-To: <sip:dave@127.0.0.1>'), 400],
    ['a REFER to http:', withHeader(REFER, 'Refer-To', 'Refer-To: <http://example.com/>'), 416],
    ['a REFER with a bad escape', withHeader(REFER, 'Refer-To', 'Refer-To: <sip:car%G1ol@127.0.0.1>'), 400],
    ['a REFER with no Refer-To', withHeader(REFER, 'Refer-To', ''), 400],
    ['a REFER with ;xfer= and a Replaces header', REFER, 'deliver'],
    ['the transfer-context MESSAGE', MESSAGE_CONTEXT, 'deliver'],
    ['a NOTIFY without Event', withHeader(NOTIFY_PIDF, 'Event', ''), 489],
  ] as const)('answers %s with %s', (_label, text, expected) => {
    expect(statusOf(inspect(new SipIngress(), text))).toBe(expected);
  });

  it('answers 481 to an INVITE whose Replaces names no dialog, and lets one naming ours through', () => {
    const dialogs = new Set(['7k2m1q9vh4cqv6d0d1t8|q3m1k8s0|n2c7j5ub']);
    const ingress = new SipIngress({ dialogs: { hasDialog: (c, l, r) => dialogs.has(`${c}|${l}|${r}`) } });
    expect(statusOf(inspect(ingress, INVITE_REPLACES))).toBe('deliver');
    dialogs.clear();
    expect(statusOf(inspect(ingress, INVITE_REPLACES))).toBe(481);
  });

  it('lets a CANCEL through for an INVITE still being answered, and not after its final response', () => {
    const ingress = new SipIngress();
    const verdict = inspect(ingress, INVITE_WITH_SDP);
    if (verdict.action !== 'deliver') throw new Error('INVITE refused');
    ingress.delivered(verdict.message);
    const cancel = sipMessage('CANCEL sip:alice@ur8hvr4m1q2s.invalid;transport=ws SIP/2.0', [
      'Via: SIP/2.0/WS 127.0.0.1:5066;branch=z9hG4bK4b1c.6e0f8d2a7c3e91b54f6a0d2e8c7b1a93.0',
      'To: <sip:alice@127.0.0.1>',
      'From: "Bob Agent" <sip:bob@127.0.0.1>;tag=d7c1o7b1nk',
      'CSeq: 2 CANCEL',
      'Call-ID: 5a1k2lv3g0tmr1tqu4kq',
      'Max-Forwards: 69',
    ]);
    expect(statusOf(inspect(ingress, cancel))).toBe('deliver');
    ingress.outbound(
      sipMessage('SIP/2.0 486 Busy Here', [
        'Via: SIP/2.0/WS 127.0.0.1:5066;branch=z9hG4bK4b1c.6e0f8d2a7c3e91b54f6a0d2e8c7b1a93.0',
        'To: <sip:alice@127.0.0.1>;tag=x',
        'From: "Bob Agent" <sip:bob@127.0.0.1>;tag=d7c1o7b1nk',
        'CSeq: 2 INVITE',
        'Call-ID: 5a1k2lv3g0tmr1tqu4kq',
      ]),
    );
    expect(statusOf(inspect(ingress, cancel))).toBe(481);
  });

  it("answers with the request's own Via, From, Call-ID and CSeq, a To tag, and the extra header", () => {
    const verdict = inspect(new SipIngress(), withHeader(REQUEST, 'Require', 'Require: 100rel, timer'));
    if (verdict.action !== 'reply') throw new Error('expected a reply');
    const reply = scanMessage(verdict.reply, 50);
    if (!reply.ok) throw new Error('unreadable reply');
    const header = (name: string): string | undefined => reply.message.headers.find((h) => h.name === name)?.value;
    expect(reply.message.startLine).toMatchObject({ kind: 'response', status: 420 });
    expect(header('via')).toBe('SIP/2.0/WS 127.0.0.1:5066;branch=z9hG4bKu1');
    expect(header('from')).toBe('<sip:bob@127.0.0.1>;tag=f1');
    expect(header('to')).toMatch(/^<sip:alice@127\.0\.0\.1>;tag=[0-9a-f]+$/);
    expect(header('call-id')).toBe('unit-1');
    expect(header('cseq')).toBe('1 OPTIONS');
    expect(header('unsupported')).toBe('100rel, timer');
    expect(Core.Parser.parseMessage(verdict.reply, logger)).toBeDefined();
  });

  it('drops what it cannot answer, and drops bad responses, counting each and logging each reason once', () => {
    const logged: string[] = [];
    const ingress = new SipIngress({ log: (reason) => logged.push(reason) });
    expect(ingress.inspect(Buffer.from([1, 2, 3]), true)).toEqual({ action: 'drop', reason: 'bad-start-line' });
    expect(ingress.inspect(Buffer.from([0x53, 0xc3, 0x28]), false)).toEqual({ action: 'drop', reason: 'invalid-utf8' });
    expect(inspect(ingress, '\r\n\r\n')).toEqual({ action: 'drop', reason: 'keepalive' });
    expect(statusOf(inspect(ingress, withHeader(REQUEST, 'Call-ID', '')))).toBe('drop'); // nothing to copy into a reply
    expect(statusOf(inspect(ingress, OK_TO_INVITE.replace('CSeq: 1 INVITE', 'CSeq: INVITE')))).toBe('drop');
    expect(statusOf(inspect(ingress, OK_TO_INVITE.replace('CSeq: 1 INVITE', 'CSeq: nonsense')))).toBe('drop');
    expect(ingress.stats.snapshot().refused).toMatchObject({
      'bad-start-line': 1,
      'invalid-utf8': 1,
      'missing-header': 1,
      'bad-response': 2,
    });
    expect(logged.filter((r) => r === 'bad-response')).toHaveLength(1);
  });

  it('answers 513 above the size cap and 413 above the body cap', () => {
    const ingress = new SipIngress({ maxMessageBytes: 1500, maxBodyBytes: 500 });
    expect(statusOf(inspect(ingress, INVITE_WITH_SDP))).toBe(513);
    const small = new SipIngress({ maxBodyBytes: 500 });
    expect(statusOf(inspect(small, INVITE_WITH_SDP))).toBe(413);
  });

  it('cuts bytes beyond Content-Length before SIP.js sees them', () => {
    const verdict = inspect(new SipIngress(), `${MESSAGE_CONTEXT}TRAILING-GARBAGE`);
    expect(verdict.action).toBe('deliver');
    if (verdict.action === 'deliver') expect(verdict.text).toBe(MESSAGE_CONTEXT);
  });
});

describe('SipIngress parse hand-over and shedding', () => {
  /** Every header SIP.js parses of `text`, as its own parse gives them, for comparing results. */
  function parsedHeaders(message: Core.IncomingMessage): string {
    return JSON.stringify(
      Object.entries(message.headers).map(([name, values]) => [
        name,
        values.map((h: { raw: string; parsed?: unknown }) => [h.raw, h.parsed ?? null]),
      ]),
    );
  }

  it('gives SIP.js the results of its own grammar, once each, and nothing outside a delivery', () => {
    for (const { kind, text } of CORPUS) {
      const ingress = new SipIngress();
      const verdict = inspect(ingress, text);
      if (verdict.action !== 'deliver') continue;
      const fresh = Core.Parser.parseMessage(verdict.text, logger);
      const handed = ingress.handOver(verdict.message, () => Core.Parser.parseMessage(verdict.text, logger));
      expect(fresh, kind).toBeDefined();
      expect(parsedHeaders(handed as Core.IncomingMessage), kind).toBe(parsedHeaders(fresh as Core.IncomingMessage));
      expect(handed?.from, kind).not.toBe(fresh?.from);
      // The results went with that delivery: a second one parses afresh, objects of its own.
      const again = ingress.handOver(verdict.message, () => Core.Parser.parseMessage(verdict.text, logger));
      expect(again?.from, kind).not.toBe(handed?.from);
      expect(parsedHeaders(again as Core.IncomingMessage), kind).toBe(parsedHeaders(fresh as Core.IncomingMessage));
    }
  });

  it('parses each value both read once: Refer-To, From, To, Via and Contact of a REFER', async () => {
    const { Grammar } = await import('sip.js');
    const parse = Grammar.parse;
    // Every result Grammar.parse gives, by rule: the ingress's parses, then what SIP.js gets.
    const given: Record<string, unknown[]> = {};
    Grammar.parse = (input: string, rule: string): unknown => {
      const result: unknown = parse(input, rule);
      (given[rule] ??= []).push(result);
      return result;
    };
    try {
      const ingress = new SipIngress();
      const verdict = inspect(ingress, REFER);
      expect(verdict.action).toBe('deliver');
      if (verdict.action !== 'deliver') return;
      const message = ingress.handOver(verdict.message, () => Core.Parser.parseMessage(verdict.text, logger));
      expect(message?.referTo).toBeDefined();
    } finally {
      Grammar.parse = parse;
    }
    // SIP.js was given the very objects the ingress's parses made: nothing was parsed twice.
    for (const rule of ['Refer_To', 'From', 'To', 'Via', 'Contact']) {
      const results = given[rule] ?? [];
      expect(results.length, rule).toBe(2);
      expect(typeof results[0], rule).toBe('object');
      expect(results[1], rule).toBe(results[0]);
    }
  });

  it('sheds a new request at once under load (503 Retry-After), never one inside a dialog', () => {
    const ingress = new SipIngress();
    const overload = { overloaded: () => true, retryAfterSec: 7 };
    const shed = ingress.inspect(Buffer.from(REQUEST, 'utf8'), false, overload);
    expect(statusOf(shed)).toBe(503);
    expect(shed.action === 'reply' && shed.reply).toMatch(/\r\nRetry-After: 7\r\n/);
    const inDialog = withHeader(REQUEST, 'To', 'To: <sip:alice@127.0.0.1>;tag=t1');
    expect(statusOf(ingress.inspect(Buffer.from(inDialog, 'utf8'), false, overload))).toBe('deliver');
    // A request that breaks the common rules is still refused for what it is, not shed.
    expect(statusOf(ingress.inspect(Buffer.from(withHeader(REQUEST, 'Max-Forwards', 'Max-Forwards: many'), 'utf8'), false, overload))).toBe(
      400,
    );
    expect(ingress.stats.counts.refused.shed).toBe(1);
  });
});

describe('InboundQueue slices', () => {
  it('brackets each slice with begin/end (the transport corks its socket there)', async () => {
    const events: string[] = [];
    const queue = new InboundQueue(
      () => events.push('frame'),
      { ...FLOW_CONTROL_DEFAULTS, sliceBudgetMs: 1000 },
      () => {},
      { begin: () => events.push('begin'), end: () => events.push('end') },
    );
    for (let i = 0; i < 3; i += 1) queue.push(Buffer.from('x'), false);
    await new Promise((resolve) => setImmediate(resolve));
    expect(events).toEqual(['begin', 'frame', 'frame', 'frame', 'end']);
    queue.dispose();
  });
});

describe('the last hostile cases, answered as the RFCs say', () => {
  const torture = (name: string): string => {
    const found = tortureCases('alice', 5066).find((t) => t.name.startsWith(`${name}:`));
    if (!found) throw new Error(`no torture case ${name}`);
    return found.text;
  };
  const SDP = INVITE_WITH_SDP.slice(INVITE_WITH_SDP.indexOf('\r\n\r\n') + 4);

  it.each([
    // RFC 4475 §3.1.2.15: SIP/7.0 in the request line and the Via; the 505 echoes that Via.
    ['badvers', 505],
    // RFC 4475 §3.3.8: repeated Call-ID, To, From, CSeq, Max-Forwards.
    ['multi01', 400],
    // RFC 4475 §3.3.15: Accept: text/nobodyKnowsThis on an INVITE with SDP.
    ['sdp01', 406],
    // RFC 3261 §19.1.1 Table 1: no URI headers in a Request-URI.
    ['ruri-headers', 400],
  ] as const)('answers the torture message %s with %s, in a reply SIP.js reads', (name, status) => {
    const verdict = inspect(new SipIngress(), torture(name));
    expect(statusOf(verdict)).toBe(status);
    expectHonestVerdict(verdict);
  });

  it('echoes the first of each repeated header in the 400 to multi01', () => {
    const verdict = inspect(new SipIngress(), torture('multi01'));
    if (verdict.action !== 'reply') throw new Error('expected a reply');
    const reply = parseInstalled(verdict.reply);
    expect(reply?.callId).toBe('multi01.98asdh@192.0.2.1');
    expect(reply?.cseq).toBe(5);
    expect(reply?.getHeader('From')).toBe('sip:caller@example.com;tag=3413415');
  });

  it.each([
    ['no Accept (RFC 3261 §20.1: application/sdp assumed)', undefined, 'deliver'],
    ['Accept: application/sdp', 'Accept: application/sdp', 'deliver'],
    ['Accept: */*', 'Accept: */*', 'deliver'],
    ['Accept: text/html, application/*;q=0.5', 'Accept: text/html, application/*;q=0.5', 'deliver'],
    ['Accept: application/sdp;q=0', 'Accept: application/sdp;q=0', 406],
    ['Accept: text/nobodyKnowsThis', 'Accept: text/nobodyKnowsThis', 406],
    ['an empty Accept (nothing acceptable)', 'Accept:', 406],
  ] as const)('an INVITE with %s: %s', (_label, line, expected) => {
    const text = line ? withHeader(INVITE_WITH_SDP, 'Accept', line) : INVITE_WITH_SDP;
    const verdict = inspect(new SipIngress(), text);
    expect(statusOf(verdict)).toBe(expected);
    expectHonestVerdict(verdict);
  });

  it.each([
    ['a header', 'sip:alice@127.0.0.1?Route=%3Csip:example.com%3E', 400],
    ['the method parameter', 'sip:alice@127.0.0.1;method=INVITE', 400],
    ['a "?" in the user part (allowed: user-unreserved)', 'sip:al?ice@127.0.0.1', 'deliver'],
  ] as const)('a Request-URI with %s: %s', (_label, uri, expected) => {
    const verdict = inspect(new SipIngress(), REQUEST.replace('OPTIONS sip:alice@127.0.0.1', `OPTIONS ${uri}`));
    expect(statusOf(verdict)).toBe(expected);
    expectHonestVerdict(verdict);
  });

  it('takes SIP in a binary frame (RFC 7118 §5.1) as in a text frame', () => {
    const verdict = new SipIngress().inspect(Buffer.from(REQUEST, 'utf8'), true);
    expect(verdict.action === 'deliver' && verdict.text).toBe(REQUEST);
  });

  // The start of a DER-encoded PKCS#7 enveloped-data: bytes that are not UTF-8.
  const SMIME = Buffer.from([
    0x30, 0x82, 0x01, 0x0a, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x07, 0x03, 0xa0, 0xff, 0x00, 0xc3, 0x28, 0x0d, 0x0a,
  ]);
  const smimeMessage = (body: Buffer): Buffer =>
    Buffer.concat([
      Buffer.from(
        sipMessage('MESSAGE sip:alice@127.0.0.1 SIP/2.0', [
          'Via: SIP/2.0/WS 127.0.0.1:5066;branch=z9hG4bKsm1',
          'From: <sip:bob@127.0.0.1>;tag=sm1',
          'To: <sip:alice@127.0.0.1>',
          'Call-ID: smime-1',
          'CSeq: 1 MESSAGE',
          'Max-Forwards: 70',
          'Content-Type: application/pkcs7-mime;smime-type=enveloped-data;name=smime.p7m',
          'Content-Disposition: attachment;handling=required;filename=smime.p7m',
        ]).replace(/Content-Length: 0\r\n\r\n$/, `Content-Length: ${body.length}\r\n\r\n`),
        'utf8',
      ),
      body,
    ]);

  it('hands on a binary S/MIME body from a binary frame byte for byte, and drops it from a text frame', () => {
    const frame = smimeMessage(SMIME);
    const verdict = new SipIngress().inspect(frame, true);
    expect(verdict.action).toBe('deliver');
    if (verdict.action !== 'deliver') return;
    expectHonestVerdict(verdict);
    const parsed = parseInstalled(verdict.text);
    expect(Buffer.from(parsed?.body ?? '', 'latin1').equals(SMIME)).toBe(true);
    // Bytes beyond Content-Length are cut by bytes, not characters.
    const trailing = new SipIngress().inspect(Buffer.concat([frame, Buffer.from([0xfe, 0xfe])]), true);
    expect(trailing.action === 'deliver' && trailing.text).toBe(verdict.text);
    expect(new SipIngress().inspect(frame, false)).toEqual({ action: 'drop', reason: 'invalid-utf8' });
  });

  it('answers a message above the cap 513 from its headers alone, drops an oversized response or one without a header end', () => {
    const logged: string[] = [];
    const ingress = new SipIngress({ log: (reason, detail) => logged.push(`${reason}: ${detail}`) });
    const big = withHeader(REQUEST, 'Content-Type', 'Content-Type: text/plain').replace(
      /Content-Length: 0\r\n\r\n$/,
      `Content-Length: ${2 * 1024 * 1024}\r\n\r\n${'x'.repeat(2 * 1024 * 1024)}`,
    );
    const verdict = inspect(ingress, big);
    expect(statusOf(verdict)).toBe(513);
    expectHonestVerdict(verdict);
    expect(statusOf(inspect(ingress, OK_TO_INVITE + 'x'.repeat(2 * 1024 * 1024)))).toBe('drop');
    expect(statusOf(inspect(ingress, `OPTIONS sip:alice@127.0.0.1 SIP/2.0\r\nX: ${'y'.repeat(70_000)}\r\n\r\n`))).toBe('drop');
    expect(ingress.stats.snapshot()).toMatchObject({ refused: { 'message-too-large': 3 }, replied: { 513: 1 } });
    expect(logged).toEqual([expect.stringMatching(/^message-too-large: OPTIONS refused with 513 \(message-too-large, 2097\d+ bytes\)$/)]);
  });

  it('counts each new refusal under its own reason and logs it once', () => {
    const logged: string[] = [];
    const ingress = new SipIngress({ log: (reason) => logged.push(reason) });
    for (const name of ['badvers', 'multi01', 'sdp01', 'ruri-headers', 'sdp01']) inspect(ingress, torture(name));
    const counts = ingress.stats.snapshot();
    expect(counts.refused).toEqual({ 'sip-version': 1, 'repeated-header': 1, 'not-acceptable': 2, 'request-uri-headers': 1 });
    expect(counts.replied).toEqual({ 505: 1, 400: 2, 406: 2 });
    expect(logged).toEqual(['sip-version', 'repeated-header', 'not-acceptable', 'request-uri-headers']);
  });

  it('keeps the SDP of a delivered INVITE intact', () => {
    const verdict = inspect(new SipIngress(), INVITE_WITH_SDP);
    expect(verdict.action === 'deliver' && parseInstalled(verdict.text)?.body).toBe(SDP);
  });
});

/**
 * Counterexamples long fuzz runs found (FUZZ_RUNS=20000, seeds 1–8), each cut down to its cause and
 * written by hand: a request gets a reply SIP.js reads, or nothing; a response is delivered only
 * when SIP.js reads it as the stock grammar does.
 */
describe('SipIngress fuzz regressions', () => {
  const BASE = REQUEST.replace(/OPTIONS/g, 'REFER').replace('Max-Forwards: 70', 'Max-Forwards: 70\r\nRefer-To: <sip:carol@127.0.0.1>');
  const RESPONSE = sipMessage('SIP/2.0 401 Unauthorized', [
    'Via: SIP/2.0/WS 127.0.0.1:5066;branch=z9hG4bKr1',
    'From: <sip:alice@127.0.0.1>;tag=f1',
    'To: <sip:alice@127.0.0.1>;tag=t1',
    'Call-ID: fz-1',
    'CSeq: 1 REGISTER',
  ]);

  it.each([
    // A 400 for the broken line would copy a Via that ends in an empty list element, which SIP.js cannot read: dropped instead.
    ['a Via ending in "," before a broken line', withHeader(BASE, 'Via', 'Via: SIP/2.0/WS 127.0.0.1,\r\n:5066;branch=z9hG4bKu1'), 'drop'],
    // …and an empty Via whose value had fallen onto a line of its own.
    [
      'an empty Via before a broken line',
      withHeader(BASE, 'Via', 'Via:\r\nSIP/2.0/WS 127.0.0.1:5066;branch=z9hG4bKu1\r\nVia: SIP/2.0/WS 127.0.0.2;branch=z9hG4bKu2'),
      'drop',
    ],
    // A fold whose continuation starts with a bare LF: SIP.js keeps it in the value and fails.
    ['a folded Via with a bare LF', withHeader(BASE, 'Via', 'Via: SIP/2.0\r\n \n/WS 127.0.0.1:5066;branch=z9hG4bKu1'), 'drop'],
    // A bare CR between the CSeq number and method passed a \s+ check; SIP.js's LWS has no bare CR.
    ['a CSeq with a bare CR', withHeader(BASE, 'CSeq', 'CSeq: 1\r REFER'), 'drop'],
    ['a response CSeq with a bare CR', withHeader(RESPONSE, 'CSeq', 'CSeq: 1\r REGISTER'), 'drop'],
    // RFC 3261 §25.1 Reason-Phrase has no '"'; SIP.js drops the response at its first line.
    ['a response Reason-Phrase with a quote', RESPONSE.replace('401 Unauthorized', '401 "Unauthorized'), 'drop'],
    ['a response without the SP after its status', RESPONSE.replace('401 Unauthorized', '401'), 'drop'],
    ['a response with an empty Reason-Phrase', RESPONSE.replace('401 Unauthorized', '401 '), 'deliver'],
    // A fold onto a blank line: two CRLFs in one LWS, which SIP.js's grammar refuses.
    ['a Via folded over a blank line', withHeader(BASE, 'Via', 'Via: SIP/2.0/WS 127.0.0.1:5066;\r\n \r\n branch=z9hG4bKu1'), 400],
    [
      'a Via list whose second value SIP.js cannot read',
      withHeader(BASE, 'Via', 'Via: SIP/2.0/WS 127.0.0.1;branch=z9hG4bKu1, SIP/2.0/WS b;branch=;;'),
      'drop',
    ],
  ] as const)('%s: %s', (_label, text, expected) => {
    const verdict = inspect(new SipIngress(), text);
    expect(statusOf(verdict)).toBe(expected);
    expectHonestVerdict(verdict);
  });
});

describe('SipIngress fuzzing', () => {
  const seeds = [...CORPUS.map((c) => c.text), REQUEST, ...tortureCases('alice', 5066).map((t) => t.text)];
  const pieces = fc.constantFrom(
    '\r\n',
    '\r\n ',
    ':',
    ';',
    '<',
    '>',
    '"',
    '%',
    '%0',
    ',',
    '=',
    '\0',
    '\uFFFD',
    'é',
    '\r',
    '\n',
    'SIP/2.0',
    'tag=',
    'Replaces: ',
    'Refer-To: <',
    'CSeq: ',
    'Content-Length: 99999',
    ' ',
  );
  const mutation = fc.record({
    at: fc.nat(),
    cut: fc.nat({ max: 40 }),
    insert: fc.array(pieces, { maxLength: 4 }).map((p) => p.join('')),
  });

  it('never throws on mutated valid messages, and whatever it hands on SIP.js parses without throwing', () => {
    fc.assert(
      // RFC 7118 §5.1: text or binary frame, the same message must get the same verdict.
      fc.property(
        fc.constantFrom(...seeds),
        fc.array(mutation, { minLength: 1, maxLength: 4 }),
        fc.boolean(),
        (seed, mutations, binary) => {
          let text = seed;
          for (const m of mutations) {
            const at = text.length ? m.at % text.length : 0;
            text = text.slice(0, at) + m.insert + text.slice(at + m.cut);
          }
          expectHonestVerdict(new SipIngress().inspect(Buffer.from(text, 'utf8'), binary));
        },
      ),
      { numRuns: Number(process.env.FUZZ_RUNS ?? 2500), seed: Number(process.env.FUZZ_SEED ?? 4475) },
    );
  }, 60_000);

  it('answers arbitrary bytes with a verdict it can stand by', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 600 }), fc.boolean(), (bytes, binary) => {
        expectHonestVerdict(new SipIngress().inspect(Buffer.from(bytes), binary));
      }),
      { numRuns: 2000, seed: 5118 },
    );
  }, 60_000);

  it('the verdict check itself fails on a delivered message SIP.js cannot parse', () => {
    const unparseable: IngressVerdict = {
      action: 'deliver',
      text: 'INVITE nonsense\r\n\r\n',
      message: scanMessageOrThrow(REQUEST),
      newRequest: true,
    };
    expect(() => expectHonestVerdict(unparseable)).toThrow();
  });
});

/**
 * What the ingress hands SIP.js parses — with the installed grammar, to the very object the
 * published grammar gives — and what it answers itself is a well-formed error response.
 */
function expectHonestVerdict(verdict: IngressVerdict): void {
  switch (verdict.action) {
    case 'deliver': {
      const parsed = parseInstalled(verdict.text);
      expect(parsed, 'a delivered message SIP.js can parse').toBeDefined();
      expect(canonical(parsed)).toBe(canonical(parseStock(verdict.text)));
      return;
    }
    case 'reply': {
      const reply = parseInstalled(verdict.reply);
      expect(reply).toBeInstanceOf(Core.IncomingResponseMessage);
      expect((reply as Core.IncomingResponseMessage).statusCode).toBe(verdict.status);
      expect(verdict.status).toBeGreaterThanOrEqual(400);
      return;
    }
    case 'drop':
      expect(verdict.reason.length).toBeGreaterThan(0);
      return;
  }
}

function scanMessageOrThrow(text: string) {
  const scanned = scanMessage(text, 500);
  if (!scanned.ok) throw new Error('not a message');
  return scanned.message;
}
