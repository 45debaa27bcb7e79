/**
 * What the phone tells its users (the desk, the UI) — plain data, no SIP.js types, so a SIP.js
 * upgrade never reaches the renderer.
 */

export type RegistrationState =
  | 'unregistered'
  | 'connecting'
  | 'registering'
  | 'registered'
  /** The connection dropped; calls are kept and the phone is trying again with backoff. */
  | 'reconnecting'
  /** A failure that retrying will not fix (wrong password, unknown user, bad URL). */
  | 'failed';

/** Every failure a user can meet, each with one stable code the UI can explain. */
export type PhoneErrorCode =
  | 'invalid-server-url'
  | 'invalid-address'
  | 'connection-refused'
  | 'server-unreachable'
  | 'connection-timeout'
  /** wss:// only: the server's certificate is not one this computer trusts (unknown CA, expired, wrong name). */
  | 'certificate-untrusted'
  /** wss:// only: TLS itself failed (no TLS at that address, no protocol or cipher in common). */
  | 'secure-connection-failed'
  | 'auth-failed'
  | 'auth-required'
  | 'unknown-user'
  | 'registration-rejected'
  | 'not-registered'
  | 'call-failed'
  | 'invalid-state'
  | 'dtmf-invalid'
  | 'media-failed';

export type CallDirection = 'inbound' | 'outbound';

export type CallState =
  /** outbound: INVITE sent, no ringing yet */
  | 'calling'
  /** outbound: far end rings (18x); inbound: we ring, waiting for answer or decline */
  | 'ringing'
  | 'established'
  | 'ended';

/** Why a call ended, in the words a user needs. */
export type CallEndReason =
  | 'hung-up-local'
  | 'hung-up-remote'
  | 'declined'
  | 'busy'
  | 'not-found'
  | 'unavailable'
  | 'no-answer'
  | 'cancelled'
  | 'failed'
  | 'connection-lost';

export interface CallEnd {
  readonly reason: CallEndReason;
  /** The SIP status that ended it, when there was one. */
  readonly statusCode?: number;
  /** Why, in a sentence for the agent, when the reason alone would not say (e.g. no audio codec in common). */
  readonly detail?: string;
}

export const DTMF_TONES = /^[0-9A-D*#]+$/;

/** The user part of a SIP URI (a number, or a name), or the URI itself. */
export function userOf(uri: string): string {
  return /^sips?:([^@;>]+)@/.exec(uri)?.[1] ?? uri;
}
