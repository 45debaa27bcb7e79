import { describe, expect, it } from 'vitest';
import {
  addressOfRecord,
  decodeTransferStatus,
  encodeTransferStatus,
  statusIsAuthentic,
  type TransferStatus,
} from '../../electron/core/transfer/transferStatus.js';

const withdrawn: TransferStatus = { transferId: 't-1', status: 'withdrawn', token: 'secret-token-0123456789' };

describe('transfer status messages', () => {
  it.each(['connected', 'withdrawn', 'contact-hung-up'] as const)('%s survives encoding', (status) => {
    const message: TransferStatus = { ...withdrawn, status };
    expect(decodeTransferStatus(encodeTransferStatus(message))).toEqual(message);
  });

  it.each([
    ['no token', JSON.stringify({ transferId: 't-1', status: 'withdrawn' })],
    ['an empty token', JSON.stringify({ transferId: 't-1', status: 'withdrawn', token: '' })],
    ['an unknown word', JSON.stringify({ transferId: 't-1', status: 'gone', token: 'x' })],
    ['no transfer id', JSON.stringify({ status: 'connected', token: 'x' })],
    ['not JSON', '{"transferId":'],
    ['an array', '[]'],
    ['an oversize body', JSON.stringify({ ...withdrawn, pad: 'x'.repeat(600) })],
  ])('refuses a status with %s', (_why, body) => {
    expect(decodeTransferStatus(body)).toBeNull();
  });

  it.each([
    ['the token and the counterpart', withdrawn, 'sip:alice@lab.test', true],
    ['the counterpart with other URI parameters and host case', withdrawn, '<sip:alice@LAB.test;transport=ws>', true],
    ['another token', { ...withdrawn, token: 'secret-token-0123456780' }, 'sip:alice@lab.test', false],
    ['a shorter token', { ...withdrawn, token: 'secret' }, 'sip:alice@lab.test', false],
    ['another sender', withdrawn, 'sip:mallory@lab.test', false],
    ['another domain', withdrawn, 'sip:alice@elsewhere.test', false],
    ['a sender that is no SIP URI', withdrawn, 'alice', false],
  ] as const)('is authentic only with %s', (_why, status, from, expected) => {
    expect(statusIsAuthentic(status, from, { token: withdrawn.token, counterpartUri: 'sip:alice@lab.test' })).toBe(expected);
  });

  it('a transfer without a token accepts no status', () => {
    expect(statusIsAuthentic({ ...withdrawn, token: 'x' }, 'sip:alice@lab.test', { token: '', counterpartUri: 'sip:alice@lab.test' })).toBe(
      false,
    );
  });

  it('addressOfRecord keeps user and host only', () => {
    expect(addressOfRecord('sips:bob@Example.COM:5061;transport=tls')).toBe('bob@example.com');
    expect(addressOfRecord('tel:+15551234')).toBeNull();
  });
});
