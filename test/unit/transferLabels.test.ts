import { describe, expect, it } from 'vitest';
import { transferHeadline } from '../../renderer/features/transfer/transferLabels.js';
import type { TransferFailureReason } from '../../shared/transfer/transferModel.js';
import type { TransferView } from '../../shared/transfer/view.js';

function recipientFailed(reason: TransferFailureReason): TransferView {
  return {
    id: 't1',
    role: 'recipient',
    state: { role: 'recipient', phase: 'failed', method: 'warm', failure: { reason, during: 'consultRinging' } },
    contactCallId: null,
    consultCallId: 'c1',
    counterpart: { name: 'Cleo Park', uri: 'sip:cleo@127.0.0.1' },
    contact: { id: 'tel:dana', name: 'Dana', number: 'dana' },
    outcome: null,
    note: '',
    history: [],
    contextProblem: null,
    contactHeld: false,
    allowed: [],
  };
}

describe('the recipient’s words for a transfer that did not happen', () => {
  it.each([
    ['declined', 'You declined the transfer from Cleo Park. Dana stays with Cleo Park.'],
    ['busy', 'You declined the transfer from Cleo Park. Dana stays with Cleo Park.'],
    ['no-answer', 'The transfer from Cleo Park rang out. Dana stays with Cleo Park.'],
    ['contact-hung-up', 'Dana hung up. The transfer from Cleo Park is off.'],
    ['connection-lost', 'The transfer from Cleo Park did not go through: the connection was lost.'],
  ] as const)('%s → %s', (reason, text) => {
    expect(transferHeadline(recipientFailed(reason))).toBe(text);
  });

  it('never uses the initiator’s words about "your colleague"', () => {
    for (const reason of ['declined', 'busy', 'no-answer'] as const)
      expect(transferHeadline(recipientFailed(reason))).not.toMatch(/your colleague/);
  });
});
