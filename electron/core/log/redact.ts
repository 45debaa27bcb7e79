/**
 * What must never reach a log file or a SIP trace: digest credentials (Authorization and
 * Proxy-Authorization carry the user name, nonce and response a replay needs), passwords, the
 * per-transfer secret (`;xfer=` tokens, the transfer context's `token`) and what agents type about
 * callers (transfer notes and the context that carries them: customer data, not IT's to read).
 */
import { TRANSFER_CONTEXT_HEADER } from '../../../shared/transfer/context.js';
import { CUT_NOTE } from './traceText.js';

export const REDACTED = '[redacted]';

/** Keys whose values are never logged, at any depth of a logged object (`xferToken`, `apiSecret`, …). */
const SECRET_KEY = /^(note|notes|credentials?|authorization|proxy-authorization)$|passw(or)?d|secret|token/i;
/** Header lines whose value is a secret or carries one (matched per line, any case). */
const SECRET_HEADERS = ['Authorization', 'Proxy-Authorization', TRANSFER_CONTEXT_HEADER];
const HEADER_NAMES = SECRET_HEADERS.map((h) => h.replace(/[-]/g, '\\-')).join('|');
/** A header's value with the continuation lines folded under it (a line starting with a space or tab). */
const FOLDED_VALUE = '[^\\r\\n]*(?:\\r?\\n[ \\t]+[^\\r\\n]*)*';
const HEADER_LINE = new RegExp(`^(${HEADER_NAMES})[ \\t]*:${FOLDED_VALUE}`, 'gim');
/** Also where a header is quoted inside other text (an error message, a JSON string). */
const HEADER_INLINE = new RegExp(`\\b(${HEADER_NAMES})[ \\t]*:${FOLDED_VALUE}`, 'gi');
/** `;xfer=` as a parameter, also percent-encoded inside another URI's header (`?Replaces=…%3Bxfer%3D…`). */
const XFER_PARAM = /((?:[;?&]|%3B)xfer(?:=|%3D))[^;>&%\s"'\\]+/gi;
const JSON_SECRET = /("(?:[A-Za-z_-]{0,40}(?:password|passwd|token|secret)[A-Za-z_-]{0,40}|note|notes)"\s*:\s*)"(?:[^"\\]|\\.)*"/gi;
/**
 * `scheme://user:password@host`: the whole user part goes (a lone user name can be a token too).
 * It stops at what ends a URL's authority, so `https://host/path@x` keeps its path.
 */
const URL_USERINFO = /\b([A-Za-z][A-Za-z0-9+.-]{0,30}:\/\/)[^\s/?#@"'<>\\]{1,512}@/g;
/**
 * Query (or SIP URI) parameters whose value is a secret: `?access_token=`, `&password=`, `&sig=`,
 * AWS-style `X-Amz-Signature=`, the transfer context as a URI header (`?X-Baton-Transfer=`).
 */
const SECRET_PARAM = new RegExp(
  `([?&;](?:[A-Za-z0-9_.-]{0,40}(?:token|passw(?:or)?d|secret|signature|credential|api[-_]?key)[A-Za-z0-9_.-]{0,40}|key|sig|pwd|pass|auth|code|session|sessionid|${TRANSFER_CONTEXT_HEADER.replace(/-/g, '\\-')})=)[^&#;\\s"'<>\\\\]+`,
  'gi',
);
/** `Bearer eyJ…`, wherever an Authorization value is quoted without its name. */
const BEARER_VALUE = /\b(Bearer)[ \t]+[A-Za-z0-9._~+/=-]{8,}/g;
/** A digest answer (`Digest username=…, response=…`) quoted without its header name; a challenge (no `response`) stays. */
const DIGEST_ANSWER = new RegExp(`\\b(Digest)[ \\t]+(?=[^\\r\\n]{0,1024}?\\bresponse[ \\t]*=)${FOLDED_VALUE}`, 'gi');

/** Scrubs free text (a message, an error, a SIP message quoted in one, a URL). */
export function scrubText(text: string, secrets: ReadonlySet<string> = new Set()): string {
  let out = text
    .replace(HEADER_LINE, `$1: ${REDACTED}`)
    .replace(HEADER_INLINE, `$1: ${REDACTED}`)
    .replace(XFER_PARAM, `$1${REDACTED}`)
    .replace(JSON_SECRET, `$1"${REDACTED}"`)
    .replace(URL_USERINFO, `$1${REDACTED}@`)
    .replace(SECRET_PARAM, `$1${REDACTED}`)
    .replace(BEARER_VALUE, `$1 ${REDACTED}`)
    .replace(DIGEST_ANSWER, `$1 ${REDACTED}`);
  for (const secret of secrets) out = replaceAll(out, secret, REDACTED);
  return out;
}

/**
 * A JSON-shaped value (policy, provisioning, versions) with every string scrubbed and secret keys
 * blanked, at any depth and length: what a diagnostics bundle writes as a .json file.
 */
export function scrubJson(value: unknown): unknown {
  if (typeof value === 'string') return scrubText(value);
  if (Array.isArray(value)) return value.map((item) => scrubJson(item));
  if (value === null || typeof value !== 'object') return value;
  const out: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) out[key] = SECRET_KEY.test(key) && mayBeSecret(item) ? REDACTED : scrubJson(item);
  return out;
}

/** A value made safe to log: secrets by key removed, strings scrubbed, errors kept as text. */
export function toLoggable(value: unknown, secrets: ReadonlySet<string>, depth = 0): unknown {
  if (typeof value === 'string') return scrubText(value, secrets);
  if (value === null || typeof value !== 'object') return typeof value === 'function' || typeof value === 'symbol' ? String(value) : value;
  if (depth > 4) return '[…]';
  if (value instanceof Error) {
    const out: Record<string, unknown> = { type: value.name, message: scrubText(value.message, secrets) };
    if (value.stack) out.stack = scrubText(value.stack, secrets);
    const code = (value as { code?: unknown }).code;
    if (typeof code === 'string' || typeof code === 'number') out.code = code;
    if (value.cause !== undefined) out.cause = toLoggable(value.cause, secrets, depth + 1);
    return out;
  }
  if (Array.isArray(value)) return value.slice(0, 50).map((item) => toLoggable(item, secrets, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value).slice(0, 50)) {
    out[key] = SECRET_KEY.test(key) && mayBeSecret(item) ? REDACTED : toLoggable(item, secrets, depth + 1);
  }
  return out;
}

/**
 * One SIP message as the trace writes it: headers kept (minus the secret ones), SDP kept (IT needs
 * codecs and candidates), the body of a MESSAGE (transfer context and status, with notes and
 * tokens) replaced by its size — its whole size, when traceText.ts already cut it.
 */
export function redactSip(text: string, secrets: ReadonlySet<string> = new Set()): string {
  const split = text.indexOf('\r\n\r\n');
  const head = split < 0 ? text : text.slice(0, split);
  const body = split < 0 ? '' : text.slice(split + 4);
  let keptBody = body;
  if (body.length > 0 && /^\s*MESSAGE /i.test(head)) {
    const cut = CUT_NOTE.exec(body);
    const size = Buffer.byteLength(cut ? body.slice(0, cut.index) : body) + (cut ? Number(cut[1]) : 0);
    keptBody = `[${size} bytes of MESSAGE body not traced]`;
  }
  return scrubText(split < 0 ? head : `${head}\r\n\r\n${keptBody}`, secrets);
}

/** Whether a value under a secret-sounding key is blanked: `savedPassword: true` says nothing secret. */
function mayBeSecret(value: unknown): boolean {
  return value !== null && value !== undefined && typeof value !== 'boolean';
}

function replaceAll(text: string, secret: string, by: string): string {
  if (secret.length < 4) return text; // a short value would blank unrelated text and hide nothing
  return text.split(secret).join(by);
}
