/** The dial plan's verdicts: what an agent may type, what is sent, and why a number is refused. */
import { describe, expect, it } from 'vitest';
import { checkNumber, externalUri, type DialPlan } from '../../shared/transfer/dialPlan.js';

const GB: DialPlan = { defaultRegion: 'GB', allow: ['+44'], deny: ['+449'], emergency: ['101'], speedDial: [] };
const LAB: DialPlan = { defaultRegion: 'US', allow: ['+1555'], deny: ['+1555019'], emergency: [], speedDial: [] };

describe('checkNumber', () => {
  it.each([
    [GB, '020 7946 0018', '+442079460018', '+44 20 7946 0018'],
    [GB, '+44 (0)20 7946-0018', '+442079460018', '+44 20 7946 0018'],
    [LAB, '(555) 010-0100', '+15550100100', '+1 555 010 0100'],
    [LAB, '+1.555.010.0101', '+15550100101', '+1 555 010 0101'],
  ])('reads %j as the default region says: %s → %s', (plan, typed, e164, display) => {
    expect(checkNumber(typed, plan)).toEqual({ ok: true, e164, display });
  });
  it.each([
    [GB, '999', 'emergency'],
    [GB, '112', 'emergency'],
    [GB, '101', 'emergency'],
    [LAB, '911', 'emergency'],
    [LAB, '+1 911', 'emergency'],
    [GB, '+33 1 23 45 67 89', 'not-allowed'],
    [GB, '0909 879 0000', 'denied'],
    [LAB, '+1 555 019 0000', 'denied'],
    [GB, '020 79', 'not-a-number'],
    [GB, 'sip:evil@example.com', 'not-a-number'],
    [GB, '020 7946 0018;xfer=1', 'not-a-number'],
    [GB, '   ', 'empty'],
    [undefined, '020 7946 0018', 'no-dial-plan'],
  ] as const)('refuses under %j: %j (%s), with a message', (plan, typed, code) => {
    const verdict = checkNumber(typed, plan);
    expect(verdict).toMatchObject({ ok: false, code });
    expect(verdict.ok ? '' : verdict.message).not.toBe('');
  });
  it('allows every country with "+"', () => {
    expect(checkNumber('+33 1 23 45 67 89', { ...GB, allow: ['+'] })).toMatchObject({ ok: true, e164: '+33123456789' });
  });
  it('dials through the SIP server in E.164', () => {
    expect(externalUri('+15550100100', 'sip.example.com')).toBe('sip:+15550100100@sip.example.com');
  });
});
