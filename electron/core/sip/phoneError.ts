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
  const certificate = CERTIFICATE_PROBLEMS[code] ?? (OTHER_VERIFY_FAILURES.has(code) ? 'could not be verified' : undefined);
  if (certificate !== undefined) {
    return new PhoneError(
      'certificate-untrusted',
      `The SIP server's certificate ${certificate}, so Baton did not connect. Ask IT to check the server's certificate or to add the company's certificate authority to Baton.`,
      undefined,
      { cause },
    );
  }
  if (isTlsFailure(code, cause)) {
    // OpenSSL's own words (`wrong version number`, …) are for IT: they stay in the cause, which the phone logs.
    return new PhoneError(
      'secure-connection-failed',
      `The secure connection to the SIP server ${server} failed, so Baton did not connect. Ask IT to check that the server accepts secure (wss://) connections at this address.`,
      undefined,
      { cause },
    );
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
  CERT_NOT_YET_VALID: "is not valid yet (check the computer's clock)",
  CERT_REVOKED: 'was revoked',
  ERR_TLS_CERT_ALTNAME_INVALID: 'is for another server name',
  HOSTNAME_MISMATCH: 'is for another server name',
  INVALID_PURPOSE: 'is not meant for a server (it was issued for another purpose)',
  INVALID_CA: 'is issued through a certificate that is not a certificate authority',
};

/** The rest of OpenSSL's verification codes as Node reports them (see Node's tls docs): one sentence for all. */
const OTHER_VERIFY_FAILURES: ReadonlySet<string> = new Set([
  'UNABLE_TO_GET_CRL',
  'UNABLE_TO_DECRYPT_CERT_SIGNATURE',
  'UNABLE_TO_DECRYPT_CRL_SIGNATURE',
  'UNABLE_TO_DECODE_ISSUER_PUBLIC_KEY',
  'CERT_SIGNATURE_FAILURE',
  'CRL_SIGNATURE_FAILURE',
  'CRL_NOT_YET_VALID',
  'CRL_HAS_EXPIRED',
  'ERROR_IN_CERT_NOT_BEFORE_FIELD',
  'ERROR_IN_CERT_NOT_AFTER_FIELD',
  'ERROR_IN_CRL_LAST_UPDATE_FIELD',
  'ERROR_IN_CRL_NEXT_UPDATE_FIELD',
  'CERT_CHAIN_TOO_LONG',
  'PATH_LENGTH_EXCEEDED',
  'CERT_REJECTED',
]);

/** A failure of TLS itself (handshake, protocol): Node's EPROTO, ERR_SSL_… and ERR_TLS_… codes, or an error from OpenSSL itself. */
function isTlsFailure(code: string, cause: unknown): boolean {
  if (code === 'EPROTO' || code.startsWith('ERR_SSL_') || code.startsWith('ERR_TLS_')) return true;
  const library = typeof cause === 'object' && cause !== null && 'library' in cause ? String(cause.library) : '';
  return library === 'SSL routines';
}
