import { randomBytes } from 'node:crypto';
import { headerValues, splitList, type ScannedMessage } from './sipScanner.js';
import { grammarAccepts, REASON_PHRASE, VIA_VALUE } from './sipSyntax.js';

const ANY_VERSION_VIA = /^SIP\s*\/\s*\d+\.\d+\s*\/\s*[A-Za-z0-9\-.!%*_+`'~]+\s+[^\s;,]+/i;

const REASONS: Readonly<Record<number, string>> = {
  400: 'Bad Request',
  405: 'Method Not Allowed',
  413: 'Request Entity Too Large',
  415: 'Unsupported Media Type',
  416: 'Unsupported URI Scheme',
  406: 'Not Acceptable',
  420: 'Bad Extension',
  481: 'Call/Transaction Does Not Exist',
  489: 'Bad Event',
  501: 'Not Implemented',
  503: 'Service Unavailable',
  505: 'Version Not Supported',
  513: 'Message Too Large',
};

// To tags (RFC 3261 §19.3: cryptographically random, ≥ 32 bits) cut from a pool of random bytes:
// one randomBytes call per 400 answers instead of one per answer, which under a shed burst counts.
const TAG_BYTES = 5;
let tagPool = Buffer.alloc(0);
let tagOffset = 0;
function randomTag(): string {
  if (tagOffset + TAG_BYTES > tagPool.length) {
    tagPool = randomBytes(TAG_BYTES * 400);
    tagOffset = 0;
  }
  const tag = tagPool.toString('hex', tagOffset, tagOffset + TAG_BYTES);
  tagOffset += TAG_BYTES;
  return tag;
}

/**
 * A final response to `request` built from its own headers (RFC 3261 §8.2.6), for requests the
 * ingress refuses before SIP.js sees them. Undefined when the request lacks what a response must
 * copy (Via, From, To, Call-ID, CSeq) — such a request cannot be answered, only dropped — and for
 * ACK, which is never answered.
 */
export function statelessReply(
  request: ScannedMessage,
  status: number,
  detail?: string,
  extraHeaders: readonly string[] = [],
): string | undefined {
  if (request.startLine.kind !== 'request' || request.startLine.method === 'ACK') return undefined;
  const vias = headerValues(request, 'via');
  // A request with two From (or To, Call-ID, CSeq) values is answered all the same (RFC 4475 §3.3.8
  // multi01 wants its 400): with the first of each, as the sender wrote it first.
  const from = headerValues(request, 'from')[0];
  const to = headerValues(request, 'to')[0];
  const callId = headerValues(request, 'call-id')[0];
  const cseq = headerValues(request, 'cseq')[0];
  if (!vias.length || !from || !to || !callId || !cseq) return undefined;
  if ([...vias, from, to, callId, cseq].some((v) => /[\r\n]/.test(v))) return undefined;
  // Echoing a broken header would send the peer a response that no one can read: check each with
  // SIP.js's grammar (only on this refusal path, so the cost is not paid by good traffic). Each Via
  // line is echoed whole, so each is checked whole; a version other than 2.0 is echoed only in the
  // 505 that refuses that version (RFC 4475 §3.1.2.15 badvers sends SIP/7.0 in its Via too).
  const viaShape = status === 505 ? ANY_VERSION_VIA : VIA_VALUE;
  if (!vias.every((via) => splitList(via).every((part) => viaShape.test(part)) && grammarAccepts(via, 'Via', request))) return undefined;
  const echoed: Array<[string, string]> = [
    [from, 'From'],
    [to, 'To'],
    [callId, 'Call_ID'],
    [cseq, 'CSeq'],
  ];
  if (!echoed.every(([value, rule]) => grammarAccepts(value, rule, request))) return undefined;
  // A final response creates no dialog, but RFC 3261 §8.2.6.2 still wants a To tag on it.
  const toWithTag = /;\s*tag\s*=/i.test(to) ? to : `${to};tag=${randomTag()}`;
  const reason = detail && REASON_PHRASE.test(detail) ? detail : (REASONS[status] ?? 'Error');
  return [
    `SIP/2.0 ${status} ${reason}`,
    ...vias.map((via) => `Via: ${via}`),
    `From: ${from}`,
    `To: ${toWithTag}`,
    `Call-ID: ${callId}`,
    `CSeq: ${cseq}`,
    ...extraHeaders,
    'Content-Length: 0',
    '',
    '',
  ].join('\r\n');
}
