/**
 * A server certificate this computer does not trust, as the Connect screen tells it: one sentence
 * for the SIP server and the provisioning address alike. Node's TLS code is kept in the sentence
 * (IT reads it back from a screenshot); the cause chain is searched, since a phone error or a fetch
 * failure wraps the socket's error.
 */

const CERTIFICATE_CODES: ReadonlySet<string> = new Set([
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'ERR_TLS_CERT_ALTNAME_INVALID',
  'CERT_UNTRUSTED',
  'CERT_REVOKED',
  'HOSTNAME_MISMATCH',
  'INVALID_PURPOSE',
  'INVALID_CA',
]);

/** Node's certificate error code anywhere in the cause chain, or null. */
export function certificateCode(error: unknown): string | null {
  for (let e: unknown = error, depth = 0; e !== null && typeof e === 'object' && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && CERTIFICATE_CODES.has(code)) return code;
    const message = (e as { message?: unknown }).message;
    if (typeof message === 'string') for (const known of CERTIFICATE_CODES) if (message.includes(known)) return known;
  }
  return null;
}

/** What the agent reads when `host` shows a certificate this computer does not trust. */
export function untrustedCertificateSentence(host: string, code: string, address: 'server address' | 'provisioning address'): string {
  return `This computer does not trust the certificate of ${host} (${code}). Ask IT to install the company's certificate, or check the ${address}.`;
}
