/**
 * A cheap structural read of one SIP message (RFC 3261 §7): start line, unfolded headers, body.
 * It decides nothing about meaning; it only splits text and never throws, so the rules that follow
 * can be written as plain checks. SIP.js's grammar still does the real parsing afterwards.
 */

export interface SipHeader {
  /** Lower case, compact forms expanded ("v" → "via"). */
  readonly name: string;
  /** Unfolded and trimmed. */
  readonly value: string;
}

export interface ScannedRequest {
  readonly kind: 'request';
  readonly method: string;
  readonly requestUri: string;
  readonly version: string;
}

export interface ScannedResponse {
  readonly kind: 'response';
  readonly status: number;
  readonly version: string;
  readonly reasonPhrase: string;
}

export interface ScannedMessage {
  readonly startLine: ScannedRequest | ScannedResponse;
  readonly headers: readonly SipHeader[];
  /** The body as Content-Length delimits it (the whole rest when the header is absent). */
  readonly body: string;
  readonly bodyBytes: number;
  /** The message to hand on: the input, or the input without bytes beyond Content-Length. */
  readonly text: string;
  /** Set when the header section is broken; the start line and headers read so far are kept. */
  readonly defect?: ScanDefect;
}

export type ScanDefect =
  'no-header-end' | 'malformed-header-line' | 'bad-content-length' | 'body-shorter-than-content-length' | 'too-many-headers';

export type ScanResult =
  { readonly ok: true; readonly message: ScannedMessage } | { readonly ok: false; readonly reason: 'empty' | 'bad-start-line' };

const COMPACT: Readonly<Record<string, string>> = {
  a: 'accept-contact',
  b: 'referred-by',
  c: 'content-type',
  d: 'request-disposition',
  e: 'content-encoding',
  f: 'from',
  i: 'call-id',
  j: 'reject-contact',
  k: 'supported',
  l: 'content-length',
  m: 'contact',
  n: 'identity-info',
  o: 'event',
  r: 'refer-to',
  s: 'subject',
  t: 'to',
  u: 'allow-events',
  v: 'via',
  x: 'session-expires',
  y: 'identity',
};

// RFC 3261 token; methods and header names are tokens.
const TOKEN = /^[A-Za-z0-9\-.!%*_+`'~]+$/;
const REQUEST_LINE = /^([A-Za-z0-9\-.!%*_+`'~]+) (\S+) ([Ss][Ii][Pp]\/\d+\.\d+)$/;
// RFC 3261 §7.2: the SP before the Reason-Phrase is there even when the phrase is empty.
const STATUS_LINE = /^([Ss][Ii][Pp]\/\d+\.\d+) (\d{3}) (.*)$/;

const BLANK = /^[ \t]*$/;

export function isToken(text: string): boolean {
  return TOKEN.test(text);
}

/**
 * `bodyEncoding` says how the body's characters map to bytes: 'utf8' for a text frame, 'latin1'
 * when a binary frame's body (S/MIME, RFC 3261 §23) was read one character per byte.
 */
export function scanMessage(input: string, maxHeaders: number, bodyEncoding: 'utf8' | 'latin1' = 'utf8'): ScanResult {
  // RFC 3261 §7.5: CRLFs before the start line are ignored (and a frame of only CRLFs is a keep-alive).
  let start = 0;
  while (input.startsWith('\r\n', start)) start += 2;
  if (start >= input.length) return { ok: false, reason: 'empty' };

  const headEnd = input.indexOf('\r\n\r\n', start);
  const lineEnd = input.indexOf('\r\n', start);
  const startLineText = input.slice(start, lineEnd === -1 ? input.length : lineEnd);
  const startLine = readStartLine(startLineText);
  if (!startLine) return { ok: false, reason: 'bad-start-line' };

  const headerText = lineEnd === -1 ? '' : input.slice(lineEnd + 2, headEnd === -1 ? input.length : headEnd);
  const headers: SipHeader[] = [];
  let defect: ScanDefect | undefined = headEnd === -1 ? 'no-header-end' : undefined;
  const lines = headerText.length ? headerText.split('\r\n') : [];
  // Each value is what SIP.js will parse — the text after the colon, folds included, trimmed —
  // less only the CRLF of each fold: CRLF 1*WSP and 1*WSP are the same LWS to the grammar, and
  // trimming each line instead would hide characters (a bare LF, a no-break space) SIP.js chokes on.
  let raw: string | undefined;
  for (const line of lines) {
    if (line.startsWith(' ') || line.startsWith('\t')) {
      // Folded continuation (RFC 3261 §7.3.1): part of the previous header's value.
      // A fold onto a blank line puts two CRLFs in one LWS, which the grammar does not allow.
      const previous = headers[headers.length - 1];
      if (raw === undefined || !previous || BLANK.test(line)) {
        defect ??= 'malformed-header-line';
        continue;
      }
      raw += line;
      headers[headers.length - 1] = { name: previous.name, value: raw.trim() };
      continue;
    }
    raw = undefined;
    const colon = line.indexOf(':');
    const name = colon > 0 ? line.slice(0, colon).trimEnd() : '';
    if (!name || !TOKEN.test(name)) {
      defect ??= 'malformed-header-line';
      continue;
    }
    if (headers.length >= maxHeaders) {
      defect ??= 'too-many-headers';
      break;
    }
    const lower = name.toLowerCase();
    raw = line.slice(colon + 1);
    headers.push({ name: COMPACT[lower] ?? lower, value: raw.trim() });
  }

  const bodyStart = headEnd === -1 ? input.length : headEnd + 4;
  const rest = input.slice(bodyStart);
  const restBytes = bodyEncoding === 'latin1' ? rest.length : Buffer.byteLength(rest, 'utf8');
  let body = rest;
  let bodyBytes = restBytes;
  let text = start === 0 ? input : input.slice(start);
  const lengths = headers.filter((h) => h.name === 'content-length');
  if (lengths.length > 1 || (lengths[0] && !/^\d{1,9}$/.test(lengths[0].value))) {
    defect ??= 'bad-content-length';
  } else if (lengths[0]) {
    const declared = Number(lengths[0].value);
    if (declared > restBytes) {
      defect ??= 'body-shorter-than-content-length';
    } else if (declared < restBytes) {
      // RFC 3261 §18.3: bytes beyond Content-Length are discarded. Cut them here so SIP.js, which
      // counts characters rather than bytes, sees exactly the declared body.
      body = bodyEncoding === 'latin1' ? rest.slice(0, declared) : Buffer.from(rest, 'utf8').subarray(0, declared).toString('utf8');
      bodyBytes = declared;
      text = input.slice(start, bodyStart) + body;
    }
  }
  const message: ScannedMessage = defect
    ? { startLine, headers, body, bodyBytes, text, defect }
    : { startLine, headers, body, bodyBytes, text };
  return { ok: true, message };
}

function readStartLine(line: string): ScannedRequest | ScannedResponse | undefined {
  const status = STATUS_LINE.exec(line);
  if (status)
    return { kind: 'response', version: (status[1] ?? '').toUpperCase(), status: Number(status[2]), reasonPhrase: status[3] ?? '' };
  const request = REQUEST_LINE.exec(line);
  if (request) {
    return { kind: 'request', method: request[1] ?? '', requestUri: request[2] ?? '', version: (request[3] ?? '').toUpperCase() };
  }
  return undefined;
}

/** Every value of a header, in order. */
export function headerValues(message: ScannedMessage, name: string): string[] {
  const values: string[] = [];
  for (const header of message.headers) if (header.name === name) values.push(header.value);
  return values;
}

/** The value of a header that must appear exactly once; undefined when absent or repeated. */
export function singleHeader(message: ScannedMessage, name: string): string | undefined {
  let found: string | undefined;
  for (const header of message.headers) {
    if (header.name !== name) continue;
    if (found !== undefined) return undefined;
    found = header.value;
  }
  return found;
}

/**
 * Splits a header value at commas that separate values (not inside quotes or angle brackets).
 * RFC 3261 §7.3.1: several values of a list header may share one line.
 */
export function splitList(value: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let quoted = false;
  let from = 0;
  for (let i = 0; i < value.length; i += 1) {
    const ch = value[i];
    if (quoted) {
      if (ch === '\\') i += 1;
      else if (ch === '"') quoted = false;
    } else if (ch === '"') quoted = true;
    else if (ch === '<') depth += 1;
    else if (ch === '>') depth = Math.max(0, depth - 1);
    else if (ch === ',' && depth === 0) {
      parts.push(value.slice(from, i).trim());
      from = i + 1;
    }
  }
  parts.push(value.slice(from).trim());
  return parts.filter((p) => p.length > 0);
}
