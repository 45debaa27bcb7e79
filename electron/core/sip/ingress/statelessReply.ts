import { randomBytes } from 'node:crypto';
import { headerValues, singleHeader, splitList, type ScannedMessage } from './sipScanner.js';
import { grammarAccepts, VIA_VALUE } from './sipSyntax.js';

const REASONS: Readonly<Record<number, string>> = {
  400: 'Bad Request',
  405: 'Method Not Allowed',
  413: 'Request Entity Too Large',
  415: 'Unsupported Media Type',
  416: 'Unsupported URI Scheme',
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
  const from = singleHeader(request, 'from');
  const to = singleHeader(request, 'to');
  const callId = singleHeader(request, 'call-id');
  const cseq = singleHeader(request, 'cseq');
  if (!vias.length || !from || !to || !callId || !cseq) return undefined;
  if ([...vias, from, to, callId, cseq].some((v) => /[\r\n]/.test(v))) return undefined;
  // Echoing a broken header would send the peer a response that no one can read: check each with
  // SIP.js's grammar (only on this refusal path, so the cost is not paid by good traffic).
  const echoed: Array<[string, string]> = [
    ...vias.flatMap(splitList).map((via): [string, string] => [via, 'Via']),
    [from, 'From'],
    [to, 'To'],
    [callId, 'Call_ID'],
    [cseq, 'CSeq'],
  ];
  if (!echoed.every(([value, rule]) => (rule !== 'Via' || VIA_VALUE.test(value)) && grammarAccepts(value, rule, request))) return undefined;
  // A final response creates no dialog, but RFC 3261 §8.2.6.2 still wants a To tag on it.
  const toWithTag = /;\s*tag\s*=/i.test(to) ? to : `${to};tag=${randomTag()}`;
  const reason = detail && /^[\x20-\x7e]{1,80}$/.test(detail) ? detail : (REASONS[status] ?? 'Error');
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
