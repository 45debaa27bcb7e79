import { describe, expect, it } from 'vitest';
import { reasonForEnd, reasonForStatus } from '../../electron/core/transfer/failureReasons.js';
import type { CallEndReason } from '../../shared/phone.js';

describe('what the initiator is told when a transfer fails', () => {
  it.each([
    [486, 'busy'],
    [600, 'busy'],
    [603, 'declined'],
    [404, 'not-found'],
    [604, 'not-found'],
    [480, 'no-answer'],
    [408, 'no-answer'],
    [487, 'no-answer'],
    [403, 'refer-rejected'],
    [500, 'refer-rejected'],
  ] as const)('final status %i → %s', (status, reason) => {
    expect(reasonForStatus(status)).toBe(reason);
  });

  it.each<[CallEndReason, string]>([
    ['busy', 'busy'],
    ['declined', 'declined'],
    ['not-found', 'not-found'],
    ['unavailable', 'no-answer'],
    ['no-answer', 'no-answer'],
    ['cancelled', 'no-answer'],
    ['connection-lost', 'connection-lost'],
    ['hung-up-local', 'refer-rejected'],
    ['hung-up-remote', 'refer-rejected'],
    ['failed', 'refer-rejected'],
  ])('a call that ended %s → %s', (ended, reason) => {
    expect(reasonForEnd({ reason: ended })).toBe(reason);
  });
});
