import { readAddress } from './addressHeader.js';
import { refuse, type Refusal } from './ingressReason.js';
import { cseqMethod } from './signallingWatch.js';
import { URI } from 'sip.js';
import { grammarAccepts, grammarParse, REASON_PHRASE, VIA_VALUE } from './sipSyntax.js';
import { headerValues, isToken, singleHeader, splitList, type ScannedMessage } from './sipScanner.js';

/** The methods SIP.js 0.21.2 handles (its AllowedMethods), which our phone answers. */
export const ALLOWED_METHODS = ['ACK', 'BYE', 'CANCEL', 'INFO', 'INVITE', 'MESSAGE', 'NOTIFY', 'OPTIONS', 'REFER', 'SUBSCRIBE'] as const;
/** Methods we know but do not serve: 405 with Allow (RFC 3261 §8.2.1). Anything else unknown: 501. */
const KNOWN_NOT_ALLOWED = new Set(['REGISTER', 'PUBLISH', 'UPDATE']);
const ALLOW_HEADER = `Allow: ${ALLOWED_METHODS.join(', ')}`;

const CSEQ = /^(\d{1,10})[ \t]+([A-Za-z0-9\-.!%*_+`'~]+)$/;
// RFC 3261 §25.1: Call-ID = word ["@" word]; word admits most printable characters, even <>"/.
const CALL_ID = /^[\x21-\x7e]+$/;

/** Headers SIP.js's Parser parses with its grammar besides the ones checked one by one below. */
const PARSED_BY_SIPJS = [
  ['record-route', 'Record_Route', 'bad-record-route', 'Bad Record-Route'],
  ['contact', 'Contact', 'bad-contact', 'Bad Contact'],
  ['refer-to', 'Refer_To', 'bad-refer-to', 'Bad Refer-To'],
  ['www-authenticate', 'WWW_Authenticate', 'bad-challenge', 'Bad WWW-Authenticate'],
  ['proxy-authenticate', 'Proxy_Authenticate', 'bad-challenge', 'Bad Proxy-Authenticate'],
] as const;

/**
 * The checks of RFC 3261 §8.2 and §20 that every message gets, in the order the RFC gives, before
 * SIP.js sees it. Requests get a refusal to answer; a response that fails is dropped by the caller.
 */
export function checkCommon(message: ScannedMessage): Refusal | undefined {
  const start = message.startLine;
  if (start.version !== 'SIP/2.0') return refuse('sip-version', 505);
  if (message.defect) {
    const status = message.defect === 'too-many-headers' ? 513 : 400;
    return refuse(message.defect, status);
  }
  for (const name of ['from', 'to', 'call-id', 'cseq'] as const) {
    const count = headerCount(message, name);
    // Missing: no reply can be built (it would have to copy the header), so the caller drops it.
    if (count === 0) return refuse('missing-header', 400, `Missing ${name}`);
    // RFC 4475 §3.3.8 (multi01): one message, several values of a single-value header → 400.
    if (count > 1) return refuse('repeated-header', 400, `Repeated ${name}`);
  }
  const viaLines = headerValues(message, 'via');
  const vias = viaLines.flatMap(splitList);
  if (!vias.length || !vias.every((via) => VIA_VALUE.test(via))) return refuse('bad-via', 400, 'Bad Via');
  // SIP.js parses the top Via header (the whole line) only, and drops the whole message when it cannot.
  if (!grammarAccepts(viaLines[0] ?? '', 'Via', message)) return refuse('bad-via', 400, 'Bad Via');
  const cseq = CSEQ.exec(singleHeader(message, 'cseq') ?? '');
  if (!cseq || Number(cseq[1]) > 2 ** 31 - 1) return refuse('bad-cseq', 400, 'Bad CSeq');
  const callId = singleHeader(message, 'call-id') ?? '';
  if (!CALL_ID.test(callId) || !grammarAccepts(callId, 'Call_ID', message)) return refuse('bad-call-id', 400, 'Bad Call-ID');
  const from = singleHeader(message, 'from') ?? '';
  if (!readAddress(from) || !grammarAccepts(from, 'From', message)) return refuse('bad-from', 400, 'Bad From');
  const to = singleHeader(message, 'to') ?? '';
  if (!readAddress(to) || !grammarAccepts(to, 'To', message)) return refuse('bad-to', 400, 'Bad To');
  const maxForwards = headerValues(message, 'max-forwards');
  if (maxForwards.length > 1 || (maxForwards[0] !== undefined && !/^\d{1,10}$/.test(maxForwards[0]))) {
    return refuse('bad-max-forwards', 400, 'Bad Max-Forwards');
  }
  // SIP.js parses each of these on every message and drops the whole message when one fails.
  for (const [name, rule, reason, phrase] of PARSED_BY_SIPJS) {
    if (headerValues(message, name).some((value) => !grammarAccepts(value, rule, message))) return refuse(reason, 400, phrase);
  }
  const contentType = headerValues(message, 'content-type');
  if (contentType.length > 1 || (contentType[0] !== undefined && !grammarAccepts(contentType[0], 'Content_Type', message))) {
    return refuse('bad-content-type', 400, 'Bad Content-Type');
  }
  return undefined;
}

export interface RequestRuleOptions {
  /** Option-tags we accept in Require (RFC 3261 §8.2.2.3). */
  readonly supportedOptionTags: ReadonlySet<string>;
}

/** Request-specific checks that need no dialog state. */
export function checkRequest(message: ScannedMessage, options: RequestRuleOptions): Refusal | undefined {
  const start = message.startLine;
  if (start.kind !== 'request') return undefined;
  const method = start.method;
  if (cseqMethod(message) !== method) return refuse('cseq-method-mismatch', 400, 'CSeq method does not match');

  // §8.2.1 method inspection.
  if (!(ALLOWED_METHODS as readonly string[]).includes(method)) {
    if (method === 'PRACK') {
      // RFC 3262 §3: we never send reliable provisional responses, so no PRACK can match one.
      return refuse('prack-unmatched', 481);
    }
    return KNOWN_NOT_ALLOWED.has(method)
      ? refuse('method-not-allowed', 405, undefined, [ALLOW_HEADER])
      : refuse('method-unknown', 501, undefined, [ALLOW_HEADER]);
  }

  // §8.2.2.1 Request-URI: SIP.js throws on anything but a sip URI it can parse.
  const scheme = /^([A-Za-z][A-Za-z0-9+.-]*):/.exec(start.requestUri)?.[1]?.toLowerCase();
  if (!scheme) return refuse('bad-request-uri', 400, 'Bad Request-URI');
  if (scheme !== 'sip' && scheme !== 'sips') return refuse('request-uri-scheme', 416);
  const uri = grammarParse(start.requestUri, 'SIP_URI', message);
  if (!(uri instanceof URI)) return refuse('bad-request-uri', 400, 'Bad Request-URI');
  // RFC 3261 §19.1.1 Table 1: headers and the method parameter are not allowed in a Request-URI
  // (they say how to build a request from a URI; one that arrives with them was built wrongly).
  if (Object.keys(uri.headers).length > 0 || uri.hasParam('method')) {
    return refuse('request-uri-headers', 400, 'Headers or method not allowed in Request-URI');
  }

  if (method === 'ACK' || method === 'CANCEL') return undefined;

  // §8.2.2.3 Require.
  const required = headerValues(message, 'require')
    .flatMap(splitList)
    .map((tag) => tag.toLowerCase());
  const unsupported = required.filter((tag) => !options.supportedOptionTags.has(tag));
  if (unsupported.some((tag) => !isToken(tag))) return refuse('require-unsupported', 400, 'Bad Require');
  if (unsupported.length) return refuse('require-unsupported', 420, undefined, [`Unsupported: ${unsupported.join(', ')}`]);

  // §8.2.3 content processing.
  const encodings = headerValues(message, 'content-encoding')
    .flatMap(splitList)
    .map((e) => e.toLowerCase());
  if (encodings.some((e) => e !== 'identity')) return refuse('content-encoding', 415, undefined, ['Accept-Encoding: identity']);
  if (method === 'INVITE' && message.bodyBytes > 0) {
    const type = (headerValues(message, 'content-type')[0] ?? '').split(';')[0]?.trim().toLowerCase();
    // SIP.js would hand a non-SDP body to WebRTC and end the call; refuse the offer instead.
    if (type !== 'application/sdp') return refuse('not-sdp', 415, undefined, ['Accept: application/sdp']);
  }
  // Our answer to an INVITE carries SDP: a peer whose Accept rules SDP out gets 406 (RFC 3261
  // §21.4.7, §20.1: no Accept means application/sdp; an empty one means nothing is acceptable).
  if (method === 'INVITE') {
    const accept = headerValues(message, 'accept');
    if (accept.length && !acceptsSdp(accept))
      return refuse('not-acceptable', 406, undefined, ['Warning: 399 baton "Only application/sdp can describe the session"']);
  }
  if (method === 'INVITE' || method === 'SUBSCRIBE' || method === 'REFER' || method === 'NOTIFY') {
    const contacts = headerValues(message, 'contact');
    if (contacts.some((c) => !grammarAccepts(c, 'Contact', message))) return refuse('bad-contact', 400, 'Bad Contact');
  }
  return undefined;
}

/** A response SIP.js can match to a transaction without tripping over it; others are dropped. */
export function checkResponse(message: ScannedMessage): boolean {
  const start = message.startLine;
  if (start.kind !== 'response') return false;
  if (start.status < 100 || start.status > 699) return false;
  // SIP.js drops a response whose Reason-Phrase its grammar does not read.
  if (!REASON_PHRASE.test(start.reasonPhrase)) return false;
  const method = cseqMethod(message);
  if (!method || !isToken(method)) return false;
  const contacts = headerValues(message, 'contact');
  return contacts.every((c) => grammarAccepts(c, 'Contact', message));
}

/** How many times a header occurs. */
function headerCount(message: ScannedMessage, name: string): number {
  let count = 0;
  for (const header of message.headers) if (header.name === name) count += 1;
  return count;
}

/** True when one media-range of these Accept values takes application/sdp with a q above 0. */
function acceptsSdp(values: readonly string[]): boolean {
  return values.flatMap(splitList).some((range) => {
    const [type = '', ...params] = range.split(';').map((part) => part.replace(/\s+/g, '').toLowerCase());
    if (type !== 'application/sdp' && type !== 'application/*' && type !== '*/*') return false;
    const q = params.find((param) => param.startsWith('q='));
    return q === undefined || Number(q.slice(2)) > 0;
  });
}
