/**
 * Every TLS failure is a sentence for the agent; OpenSSL's own words and codes stay in the cause,
 * which the phone logs for IT. (Against real servers: test/integration/tls.test.ts.)
 */
import { describe, expect, it } from 'vitest';
import { connectFailure } from '../../electron/core/provisioning/connection.js';
import { connectionError } from '../../electron/core/sip/phoneError.js';

const failure = (code: string, message: string, extra: Record<string, unknown> = {}): Error =>
  Object.assign(new Error(message), { code, ...extra });

describe('TLS failures as the agent reads them', () => {
  it('a certificate not meant for a server (extended key usage) is a certificate sentence', () => {
    const error = connectionError('wss://pbx.example.com', failure('INVALID_PURPOSE', 'unsuitable certificate purpose'));
    expect(error.code).toBe('certificate-untrusted');
    expect(error.message).toBe(
      "The SIP server's certificate is not meant for a server (it was issued for another purpose), so Baton did not connect. Ask IT to check the server's certificate or to add the company's certificate authority to Baton.",
    );
  });

  it.each([
    ['CERT_SIGNATURE_FAILURE', 'certificate signature failure'],
    ['PATH_LENGTH_EXCEEDED', 'path length constraint exceeded'],
  ])('any other verification code (%s) says the certificate could not be verified', (code, message) => {
    const error = connectionError('wss://pbx.example.com', failure(code, message));
    expect(error.code).toBe('certificate-untrusted');
    expect(error.message).toMatch(/^The SIP server's certificate could not be verified, so Baton did not connect\./);
  });

  it.each([
    [
      'plain ws:// behind a wss:// address',
      failure('EPROTO', 'write EPROTO 806CC261187F0000:error:0A00010B:SSL routines:ssl3_get_record:wrong version number', {
        library: 'SSL routines',
        reason: 'wrong version number',
      }),
    ],
    ['no protocol in common', failure('ERR_SSL_UNSUPPORTED_PROTOCOL', 'unsupported protocol')],
    ['an OpenSSL error without a Node code', failure('', 'sslv3 alert handshake failure', { library: 'SSL routines' })],
  ])('%s: one sentence, without OpenSSL’s words, which stay in the cause', (_, cause) => {
    const error = connectionError('wss://pbx.example.com:7443/ws', cause);
    expect(error.code).toBe('secure-connection-failed');
    expect(error.message).toBe(
      'The secure connection to the SIP server wss://pbx.example.com:7443/ws failed, so Baton did not connect. Ask IT to check that the server accepts secure (wss://) connections at this address.',
    );
    expect(error.message).not.toMatch(/SSL|EPROTO|version|alert/);
    expect(error.cause).toBe(cause);
    // The Connect screen shows the same sentence.
    expect(connectFailure(error, { server: 'wss://pbx.example.com:7443/ws', userId: 'alice' })).toBe(error.message);
  });

  it('a socket error that is not TLS keeps its own sentence', () => {
    expect(connectionError('wss://pbx', failure('ECONNRESET', 'socket hang up')).code).toBe('server-unreachable');
  });
});
