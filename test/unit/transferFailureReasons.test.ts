import { describe, expect, it } from 'vitest';
import {
  reasonForContextStatus,
  reasonForEnd,
  reasonForStatus,
  reasonForUnansweredReferral,
} from '../../electron/core/transfer/failureReasons.js';
import type { CallEndReason } from '../../shared/phone.js';

describe('what the initiator is told when a transfer fails', () => {
  // A call towards the colleague (the consult, or the contact's new call reported in a NOTIFY).
  it.each([
    [486, false, 'busy'],
    [600, false, 'busy'],
    [603, true, 'declined'],
    [404, false, 'not-signed-in'],
    [604, false, 'not-signed-in'],
    [480, false, 'not-signed-in'],
    [480, true, 'no-answer'],
    [408, true, 'no-answer'],
    [487, true, 'contact-hung-up'],
    [403, false, 'not-connected'],
    [488, true, 'not-connected'],
    [500, false, 'not-connected'],
  ] as const)('final status %i (rang: %s) → %s', (status, rang, reason) => {
    expect(reasonForStatus(status, rang)).toBe(reason);
  });

  // The cold context MESSAGE: a signed-in desk answers it at once, nothing rings.
  it.each([
    [404, 'not-signed-in'],
    [480, 'not-signed-in'],
    [408, 'not-signed-in'],
    [486, 'busy'],
    [603, 'declined'],
    [503, 'not-connected'],
    [500, 'not-connected'],
  ] as const)('context MESSAGE answered %i → %s', (status, reason) => {
    expect(reasonForContextStatus(status)).toBe(reason);
  });

  it.each<[CallEndReason, boolean, string]>([
    ['busy', true, 'busy'],
    ['declined', true, 'declined'],
    ['not-found', false, 'not-signed-in'],
    ['unavailable', false, 'not-signed-in'],
    ['unavailable', true, 'no-answer'],
    ['no-answer', true, 'no-answer'],
    ['cancelled', true, 'no-answer'],
    ['connection-lost', true, 'connection-lost'],
    ['hung-up-local', true, 'not-connected'],
    ['hung-up-remote', true, 'not-connected'],
    ['failed', false, 'not-connected'],
  ])('a consult that ended %s (rang: %s) → %s', (ended, rang, reason) => {
    expect(reasonForEnd({ reason: ended }, rang)).toBe(reason);
  });
});

describe('what the recipient is told when a referred call stops ringing', () => {
  it.each<[CallEndReason, string]>([
    ['declined', 'declined'],
    ['busy', 'busy'],
    ['cancelled', 'contact-hung-up'],
    ['connection-lost', 'connection-lost'],
    ['failed', 'no-answer'],
    ['no-answer', 'no-answer'],
  ])('ended %s → %s', (ended, reason) => {
    expect(reasonForUnansweredReferral({ reason: ended })).toBe(reason);
  });
});
