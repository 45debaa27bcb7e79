/**
 * What must never reach a log file or a SIP trace: digest credentials (Authorization and
 * Proxy-Authorization carry the user name, nonce and response a replay needs), passwords, the
 * per-transfer secret (`;xfer=` tokens, the transfer context's `token`) and what agents type about
 * callers (transfer notes and the context that carries them: customer data, not IT's to read).
 */
import { TRANSFER_CONTEXT_HEADER } from '../../../shared/transfer/context.js';

export const REDACTED = '[redacted]';

/** Keys whose values are never logged, at any depth of a logged object. */
const SECRET_KEY = /^(password|passwd|secret|token|authorization|proxy-authorization|note|notes|credentials?)$/i;
/** Header lines whose value is a secret or carries one (matched per line, any case). */
const SECRET_HEADERS = ['Authorization', 'Proxy-Authorization', TRANSFER_CONTEXT_HEADER];
const HEADER_LINE = new RegExp(`^(${SECRET_HEADERS.map((h) => h.replace(/[-]/g, '\\-')).join('|')})[ \\t]*:.*$`, 'gim');
/** Also where a header is quoted inside other text (an error message, a JSON string). */
const HEADER_INLINE = new RegExp(`\\b(${SECRET_HEADERS.map((h) => h.replace(/[-]/g, '\\-')).join('|')})[ \\t]*:[^\\r\\n]*`, 'gi');
const XFER_PARAM = /([;?&]xfer=)[^;>&\s"'\\]+/gi;
const JSON_SECRET = /("(?:password|token|note|secret)"\s*:\s*)"(?:[^"\\]|\\.)*"/gi;

/** Scrubs free text (a message, an error, a SIP message quoted in one). */
export function scrubText(text: string, secrets: ReadonlySet<string> = new Set()): string {
  let out = text.replace(HEADER_LINE, `$1: ${REDACTED}`).replace(HEADER_INLINE, `$1: ${REDACTED}`).replace(XFER_PARAM, `$1${REDACTED}`).replace(JSON_SECRET, `$1"${REDACTED}"`);
  for (const secret of secrets) out = replaceAll(out, secret, REDACTED);
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
    out[key] = SECRET_KEY.test(key) ? REDACTED : toLoggable(item, secrets, depth + 1);
  }
  return out;
}

/**
 * One SIP message as the trace writes it: headers kept (minus the secret ones), SDP kept (IT needs
 * codecs and candidates), the body of a MESSAGE (transfer context and status, with notes and
 * tokens) replaced by its size.
 */
export function redactSip(text: string, secrets: ReadonlySet<string> = new Set()): string {
  const split = text.indexOf('\r\n\r\n');
  const head = split < 0 ? text : text.slice(0, split);
  const body = split < 0 ? '' : text.slice(split + 4);
  const keptBody = body.length > 0 && /^MESSAGE /.test(head) ? `[${Buffer.byteLength(body)} bytes of MESSAGE body not traced]` : body;
  return scrubText(split < 0 ? head : `${head}\r\n\r\n${keptBody}`, secrets);
}

function replaceAll(text: string, secret: string, by: string): string {
  if (secret.length < 4) return text; // a short value would blank unrelated text and hide nothing
  return text.split(secret).join(by);
}
