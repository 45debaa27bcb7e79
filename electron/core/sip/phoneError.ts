import type { PhoneErrorCode } from '../../../shared/phone.js';

/** A failure the user can meet, typed so the UI can say what to do about it. */
export class PhoneError extends Error {
  override readonly name = 'PhoneError';
  constructor(
    readonly code: PhoneErrorCode,
    message: string,
    readonly statusCode?: number,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** Maps a REGISTER rejection to what it means for the agent. */
export function registrationError(statusCode: number, reasonPhrase: string, hadPassword: boolean): PhoneError {
  if (statusCode === 401 || statusCode === 407) {
    return hadPassword
      ? new PhoneError('auth-failed', 'The server refused the password for this user.', statusCode)
      : new PhoneError('auth-required', 'The server requires a password for this user.', statusCode);
  }
  if (statusCode === 403) return new PhoneError('auth-failed', `The server refused this user: ${reasonPhrase}.`, statusCode);
  if (statusCode === 404) return new PhoneError('unknown-user', 'The server does not know this user.', statusCode);
  return new PhoneError('registration-rejected', `Registration refused: ${statusCode} ${reasonPhrase}.`, statusCode);
}

/** Maps a socket-level failure (Node's error codes) to a user-facing error. */
export function connectionError(server: string, cause: unknown): PhoneError {
  const code = typeof cause === 'object' && cause !== null && 'code' in cause ? String(cause.code) : '';
  if (code === 'ECONNREFUSED') {
    return new PhoneError('connection-refused', `Nothing accepts connections at ${server}.`, undefined, { cause });
  }
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN' || code === 'EHOSTUNREACH' || code === 'ENETUNREACH') {
    return new PhoneError('server-unreachable', `The server ${server} cannot be reached.`, undefined, { cause });
  }
  if (code === 'ETIMEDOUT') {
    return new PhoneError('connection-timeout', `The server ${server} did not answer in time.`, undefined, { cause });
  }
  const certificate = CERTIFICATE_PROBLEMS[code];
  if (certificate !== undefined) {
    return new PhoneError('certificate-untrusted', `The SIP server's certificate ${certificate}, so Baton did not connect. Ask IT to check the server's certificate or to add the company's certificate authority to Baton.`, undefined, { cause });
  }
  const detail = cause instanceof Error ? cause.message : String(cause);
  return new PhoneError('server-unreachable', `Could not connect to ${server}: ${detail}`, undefined, { cause });
}

/** Node's TLS verification failures, as the agent reads them ("The SIP server's certificate …"). */
const CERTIFICATE_PROBLEMS: Readonly<Record<string, string>> = {
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: 'is issued by an authority this computer does not trust',
  UNABLE_TO_GET_ISSUER_CERT_LOCALLY: 'is issued by an authority this computer does not trust',
  UNABLE_TO_GET_ISSUER_CERT: 'is issued by an authority this computer does not trust',
  SELF_SIGNED_CERT_IN_CHAIN: 'is issued by an authority this computer does not trust',
  DEPTH_ZERO_SELF_SIGNED_CERT: 'is self-signed and not trusted on this computer',
  CERT_UNTRUSTED: 'is not trusted on this computer',
  CERT_HAS_EXPIRED: 'has expired',
  CERT_NOT_YET_VALID: 'is not valid yet (check the computer\'s clock)',
  CERT_REVOKED: 'was revoked',
  ERR_TLS_CERT_ALTNAME_INVALID: 'is for another server name',
};
