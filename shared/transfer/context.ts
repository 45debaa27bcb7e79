/**
 * The transfer context: everything the recipient's desk shows about a contact being handed over.
 * One versioned JSON document, sent by the initiator straight to the recipient (a header on the
 * warm consult INVITE, the body of a MESSAGE for cold) — never through the contact's phone, which
 * may drop what it does not understand (ARCHITECTURE.md, SIP mapping).
 *
 * Decoding treats the document as hostile: the call must work whatever arrives, so every failure is
 * a value ("context unreadable"), never a throw.
 */
import { isContactHistoryKind, type ContactHistoryEntry } from '../history.js';
import type { TransferMethod } from './transferModel.js';
import { MAX_NOTE_CHARS, MAX_NOTE_JSON_BYTES, noteChars, noteProblem } from '../notes.js';

export const TRANSFER_CONTEXT_VERSION = 1;
/** Encoded size cap: keeps every SIP message we send far below Kamailio's 16 kB read buffer. */
export const MAX_ENCODED_CONTEXT = 4096;
export { MAX_NOTE_CHARS, MAX_NOTE_JSON_BYTES, noteProblem };
const MAX_HISTORY = 20;
const MAX_TEXT = 200;

/** The SIP header carrying the context on a warm consult INVITE (base64url). */
export const TRANSFER_CONTEXT_HEADER = 'X-Baton-Transfer';
/** The MESSAGE content type carrying the context for a cold transfer (JSON). */
export const TRANSFER_CONTEXT_CONTENT_TYPE = 'application/vnd.baton.transfer-context+json';

export interface TransferContext {
  readonly v: typeof TRANSFER_CONTEXT_VERSION;
  readonly transferId: string;
  /** Cold: links the contact's INVITE (a `;xfer=` URI parameter) to this context. */
  readonly token: string;
  readonly method: TransferMethod;
  readonly contact: { readonly id: string; readonly name: string; readonly number: string };
  readonly outcome: { readonly id: string; readonly label: string };
  readonly note: string;
  readonly initiator: { readonly id: string; readonly name: string; readonly uri: string };
  readonly sentAt: string;
  readonly history: readonly ContactHistoryEntry[];
}

export type ContextProblem = 'oversize' | 'encoding' | 'json' | 'version' | 'shape';

export type DecodedContext =
  { readonly ok: true; readonly context: TransferContext } | { readonly ok: false; readonly problem: ContextProblem };

export class TransferContextError extends Error {
  override readonly name = 'TransferContextError';
  constructor(
    readonly code: 'note-too-long' | 'context-too-large',
    message: string,
  ) {
    super(message);
  }
}

/**
 * Short fields (names, numbers, labels) as the decoder accepts them: no control or line-separator
 * characters, at most MAX_TEXT UTF-16 units. A caller's display name is the contact's own input.
 */
export function cleanText(value: string): string {
  // eslint-disable-next-line no-control-regex -- control and line-separator characters are what this replaces
  const cleaned = value.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g, ' ');
  if (cleaned.length <= MAX_TEXT) return cleaned;
  // Do not cut a surrogate pair in half.
  const cut = /[\ud800-\udbff]/.test(cleaned[MAX_TEXT - 1] ?? '') ? MAX_TEXT - 1 : MAX_TEXT;
  return cleaned.slice(0, cut);
}

function cleanContext(context: TransferContext): TransferContext {
  return {
    ...context,
    transferId: cleanText(context.transferId),
    token: cleanText(context.token),
    contact: { id: cleanText(context.contact.id), name: cleanText(context.contact.name), number: cleanText(context.contact.number) },
    outcome: { id: cleanText(context.outcome.id), label: cleanText(context.outcome.label) },
    initiator: { id: cleanText(context.initiator.id), name: cleanText(context.initiator.name), uri: cleanText(context.initiator.uri) },
    sentAt: cleanText(context.sentAt),
  };
}

/**
 * JSON of the context, dropping the oldest history entries until it fits the cap. Throws
 * TransferContextError when even the context without history is too large (the note is checked
 * against MAX_NOTE_CHARS first, so this means a caller ignored that limit).
 */
export function contextJson(input: TransferContext): string {
  const problem = noteProblem(input.note);
  if (problem) throw new TransferContextError('note-too-long', problem);
  const context = cleanContext(input);
  let history = input.history.slice(-MAX_HISTORY).filter((entry) => readHistoryEntry(entry) !== null);
  for (;;) {
    const json = JSON.stringify({ ...context, history });
    if (base64UrlLength(utf8Length(json)) <= MAX_ENCODED_CONTEXT) return json;
    if (history.length === 0) throw new TransferContextError('context-too-large', 'The transfer details are too large to send.');
    history = history.slice(1);
  }
}

/** The header value: base64url of the JSON, so no user text ever reaches a SIP header raw. */
export function encodeContextHeader(context: TransferContext): string {
  return base64UrlEncode(new TextEncoder().encode(contextJson(context)));
}

export function decodeContextHeader(value: string | undefined): DecodedContext {
  if (value === undefined) return { ok: false, problem: 'shape' };
  if (value.length > MAX_ENCODED_CONTEXT) return { ok: false, problem: 'oversize' };
  const bytes = base64UrlDecode(value.trim());
  if (!bytes) return { ok: false, problem: 'encoding' };
  return decodeContextBytes(bytes);
}

/** The MESSAGE body (UTF-8 JSON). */
export function decodeContextJson(body: string): DecodedContext {
  if (body.length > MAX_ENCODED_CONTEXT) return { ok: false, problem: 'oversize' };
  return decodeContextBytes(new TextEncoder().encode(body));
}

function decodeContextBytes(bytes: Uint8Array): DecodedContext {
  if (bytes.length > MAX_ENCODED_CONTEXT) return { ok: false, problem: 'oversize' };
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    // Which check failed is all a caller can act on, and the problem code carries it.
    return { ok: false, problem: 'encoding' };
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    // Which check failed is all a caller can act on, and the problem code carries it.
    return { ok: false, problem: 'json' };
  }
  if (!isRecord(raw)) return { ok: false, problem: 'shape' };
  if (raw.v !== TRANSFER_CONTEXT_VERSION) return { ok: false, problem: 'version' };
  const context = readContext(raw);
  return context ? { ok: true, context } : { ok: false, problem: 'shape' };
}

/** Builds a context from untrusted data, field by field; null if any required field is wrong. */
function readContext(raw: Record<string, unknown>): TransferContext | null {
  const contact = record(raw.contact);
  const outcome = record(raw.outcome);
  const initiator = record(raw.initiator);
  const method = raw.method === 'warm' || raw.method === 'cold' ? raw.method : null;
  const note = typeof raw.note === 'string' && noteChars(raw.note) <= MAX_NOTE_CHARS ? raw.note : null;
  if (!contact || !outcome || !initiator || !method || note === null || !Array.isArray(raw.history)) return null;
  const fields = [
    text(raw.transferId),
    text(raw.token),
    text(contact.id),
    text(contact.name),
    text(contact.number),
    text(outcome.id),
    text(outcome.label),
    text(initiator.id),
    text(initiator.name),
    text(initiator.uri),
    text(raw.sentAt),
  ];
  if (fields.some((f) => f === null)) return null;
  const [
    transferId,
    token,
    contactId,
    contactName,
    contactNumber,
    outcomeId,
    outcomeLabel,
    initiatorId,
    initiatorName,
    initiatorUri,
    sentAt,
  ] = fields as string[];
  const history: ContactHistoryEntry[] = [];
  for (const item of raw.history.slice(-MAX_HISTORY)) {
    const entry = readHistoryEntry(item);
    if (entry) history.push(entry); // one bad entry costs that entry, not the context
  }
  return {
    v: TRANSFER_CONTEXT_VERSION,
    transferId: transferId ?? '',
    token: token ?? '',
    method,
    contact: { id: contactId ?? '', name: contactName ?? '', number: contactNumber ?? '' },
    outcome: { id: outcomeId ?? '', label: outcomeLabel ?? '' },
    note,
    initiator: { id: initiatorId ?? '', name: initiatorName ?? '', uri: initiatorUri ?? '' },
    sentAt: sentAt ?? '',
    history,
  };
}

function readHistoryEntry(item: unknown): ContactHistoryEntry | null {
  const raw = record(item);
  if (!raw) return null;
  const actor = record(raw.actor);
  const id = text(raw.id);
  const contactId = text(raw.contactId);
  const at = text(raw.at);
  const kind = typeof raw.kind === 'string' && isContactHistoryKind(raw.kind) ? raw.kind : null;
  const actorId = actor ? text(actor.id) : null;
  const actorName = actor ? text(actor.name) : null;
  if (!id || !contactId || !at || !kind || actorId === null || actorName === null) return null;
  const outcome = record(raw.outcome);
  const outcomeId = outcome ? text(outcome.id) : null;
  const outcomeLabel = outcome ? text(outcome.label) : null;
  const note = typeof raw.note === 'string' && noteChars(raw.note) <= MAX_NOTE_CHARS ? raw.note : undefined;
  const detail = text(raw.detail) ?? undefined;
  return {
    id,
    contactId,
    at,
    kind,
    actor: { id: actorId, name: actorName },
    ...(outcomeId !== null && outcomeLabel !== null ? { outcome: { id: outcomeId, label: outcomeLabel } } : {}),
    ...(note !== undefined ? { note } : {}),
    ...(detail !== undefined ? { detail } : {}),
  };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
function record(value: unknown): Record<string, unknown> | null {
  return isRecord(value) ? value : null;
}
/** A short single-line string: identifiers and labels never carry CR/LF or control characters. */
function text(value: unknown): string | null {
  // eslint-disable-next-line no-control-regex -- control and line-separator characters are what this refuses
  return typeof value === 'string' && value.length <= MAX_TEXT && !/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/.test(value) ? value : null;
}

function utf8Length(text: string): number {
  return new TextEncoder().encode(text).length;
}
function base64UrlLength(bytes: number): number {
  return Math.ceil((bytes * 4) / 3);
}

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

/** base64url without padding, written out because shared/ runs where Buffer does not. */
export function base64UrlEncode(bytes: Uint8Array): string {
  let out = '';
  for (let i = 0; i < bytes.length; i += 3) {
    const a = bytes[i] ?? 0;
    const b = bytes[i + 1] ?? 0;
    const c = bytes[i + 2] ?? 0;
    const n = (a << 16) | (b << 8) | c;
    out += ALPHABET[(n >> 18) & 63];
    out += ALPHABET[(n >> 12) & 63];
    if (i + 1 < bytes.length) out += ALPHABET[(n >> 6) & 63];
    if (i + 2 < bytes.length) out += ALPHABET[n & 63];
  }
  return out;
}

/** Strict: any character outside the alphabet, or an impossible length, is refused (null). */
export function base64UrlDecode(text: string): Uint8Array | null {
  if (text.length % 4 === 1) return null;
  const values: number[] = [];
  for (const ch of text) {
    const v = ALPHABET.indexOf(ch);
    if (v < 0) return null;
    values.push(v);
  }
  const out = new Uint8Array(Math.floor((values.length * 3) / 4));
  let o = 0;
  for (let i = 0; i < values.length; i += 4) {
    const n = ((values[i] ?? 0) << 18) | ((values[i + 1] ?? 0) << 12) | ((values[i + 2] ?? 0) << 6) | (values[i + 3] ?? 0);
    if (o < out.length) out[o++] = (n >> 16) & 255;
    if (o < out.length) out[o++] = (n >> 8) & 255;
    if (o < out.length) out[o++] = n & 255;
  }
  return out;
}
