import { describe, expect, it } from 'vitest';
import { connectionError, registrationError } from '../../electron/core/sip/phoneError.js';
import { endReasonForStatus } from '../../electron/core/sip/statusReasons.js';
import { parseSipfrag } from '../../electron/core/sip/call.js';

describe('what a failure means to the agent', () => {
  it.each([
    [401, true, 'auth-failed'],
    [407, true, 'auth-failed'],
    [401, false, 'auth-required'],
    [403, true, 'auth-failed'],
    [404, true, 'unknown-user'],
    [500, true, 'registration-rejected'],
  ] as const)('REGISTER %i (password given: %s) → %s', (status, hadPassword, code) => {
    expect(registrationError(status, 'x', hadPassword).code).toBe(code);
  });

  it.each([
    ['ECONNREFUSED', 'connection-refused'],
    ['ENOTFOUND', 'server-unreachable'],
    ['EHOSTUNREACH', 'server-unreachable'],
    ['ETIMEDOUT', 'connection-timeout'],
    ['EWHATEVER', 'server-unreachable'],
  ])('socket error %s → %s', (code, expected) => {
    expect(connectionError('wss://pbx', Object.assign(new Error(code), { code })).code).toBe(expected);
  });

  it.each([
    [486, 'busy'],
    [600, 'busy'],
    [603, 'declined'],
    [404, 'not-found'],
    [604, 'not-found'],
    [480, 'unavailable'],
    [408, 'no-answer'],
    [487, 'cancelled'],
    [500, 'failed'],
  ] as const)('INVITE answered %i ends as %s', (status, reason) => {
    expect(endReasonForStatus(status)).toBe(reason);
  });

  it.each([
    ['SIP/2.0 100 Trying', { kind: 'trying', status: 100 }],
    ['SIP/2.0 180 Ringing\r\n', { kind: 'trying', status: 180 }],
    ['SIP/2.0 200 OK', { kind: 'succeeded' }],
    ['  SIP/2.0 603 Decline', { kind: 'failed', status: 603 }],
    ['SIP/2.0 486 Busy Here\r\nVia: x', { kind: 'failed', status: 486 }],
    ['garbage', null],
    ['', null],
    [undefined, null],
  ] as const)('sipfrag %j → %j', (body, progress) => {
    expect(parseSipfrag(body)).toEqual(progress);
  });
});
