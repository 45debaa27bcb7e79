/**
 * The agents' words to each other about a transfer, as small out-of-dialog MESSAGEs:
 * - recipient → initiator `connected`: the contact arrived. Sent beside the NOTIFY sipfrag, because
 *   the NOTIFY travels through the contact's phone and is lost when the initiator's connection drops
 *   at that moment (or when a contact's stack never sends it);
 * - initiator → recipient `withdrawn`: a cold transfer failed or was abandoned, so the context waiting
 *   at the recipient must not be matched to a later plain call from the same contact;
 * - initiator → recipient `contact-hung-up`: the contact left during the consult, which may go on.
 *
 * Every status carries the transfer's token, which only the two agents (and the contact's phone, in
 * the Refer-To) were given, and must come from the transfer's counterpart: `statusIsAuthentic` is
 * the one place that decides whether a status may act on a transfer.
 */
import { timingSafeEqual } from 'node:crypto';

export const TRANSFER_STATUS_CONTENT_TYPE = 'application/vnd.baton.transfer-status+json';

export const TRANSFER_STATUS_WORDS = ['connected', 'withdrawn', 'contact-hung-up'] as const;
export type TransferStatusWord = (typeof TRANSFER_STATUS_WORDS)[number];

export interface TransferStatus {
  readonly transferId: string;
  readonly status: TransferStatusWord;
  /** The transfer's token (the per-transfer secret the context carried). */
  readonly token: string;
}

const MAX_BODY = 512;
const MAX_FIELD = 128;

export function encodeTransferStatus(status: TransferStatus): string {
  return JSON.stringify(status);
}

export function decodeTransferStatus(body: string): TransferStatus | null {
  if (body.length > MAX_BODY) return null;
  try {
    const raw: unknown = JSON.parse(body);
    if (typeof raw !== 'object' || raw === null) return null;
    const { transferId, status, token } = raw as Record<string, unknown>;
    if (typeof transferId !== 'string' || transferId.length === 0 || transferId.length > MAX_FIELD) return null;
    if (typeof token !== 'string' || token.length === 0 || token.length > MAX_FIELD) return null;
    if (!isStatusWord(status)) return null;
    return { transferId, status, token };
  } catch {
    // Not JSON: null is this parser's "not a status message", which routeMessage answers with 400.
    return null;
  }
}

function isStatusWord(value: unknown): value is TransferStatusWord {
  return typeof value === 'string' && (TRANSFER_STATUS_WORDS as readonly string[]).includes(value);
}

/** What a status must match: the transfer's token and the SIP address of the other agent. */
export interface StatusExpectation {
  readonly token: string;
  readonly counterpartUri: string;
}

/** True when the status names the transfer's token and its sender is the transfer's counterpart. */
export function statusIsAuthentic(status: TransferStatus, from: string, expected: StatusExpectation): boolean {
  if (expected.token === '' || !sameSecret(status.token, expected.token)) return false;
  const sender = addressOfRecord(from);
  return sender !== null && sender === addressOfRecord(expected.counterpartUri);
}

/** Constant-time comparison of a received secret with ours. */
export function sameSecret(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/** `user@host` of a SIP URI (host case-insensitive, parameters dropped), or null. */
export function addressOfRecord(uri: string): string | null {
  const match = /^sips?:([^@;?>]+)@([^;?>:]+)/i.exec(uri.trim().replace(/^</, ''));
  if (!match?.[1] || !match[2]) return null;
  return `${match[1]}@${match[2].toLowerCase()}`;
}
