/**
 * The transfer panel's starting choice and what switching between User and External number brings:
 * each kind its own remembered method and outcome, the panel opening on the last transfer's kind.
 */
import { describe, expect, it } from 'vitest';
import type { ExternalTransferView, OutcomeView, RememberedTransfer } from '../../shared/desk.js';
import { initialChoice, switchKind, type ChoiceSources } from '../../renderer/features/transfer/transferChoice.js';

const OUTCOMES: readonly OutcomeView[] = [
  { id: 'sales', label: 'Sales', methods: ['warm', 'cold'] },
  { id: 'billing-question', label: 'Billing question', methods: ['warm', 'cold'] },
  { id: 'escalation', label: 'Escalation', methods: ['warm'] },
];

const COLLEAGUE: RememberedTransfer = { userId: 'bob', outcomeId: 'sales', method: 'warm' };

function external(overrides: Partial<ExternalTransferView> = {}): ExternalTransferView {
  return {
    dialPlan: { defaultRegion: 'US', allow: ['+1555'], deny: [], emergency: [], speedDial: [] },
    remembered: { number: '+15550100100', name: 'Supplier hotline', outcomeId: 'billing-question', method: 'cold' },
    recent: [{ number: '+15550100100', name: 'Supplier hotline' }],
    lastKind: 'external',
    ...overrides,
  };
}

function sources(ext: ExternalTransferView | undefined, remembered: RememberedTransfer = COLLEAGUE): ChoiceSources {
  return { remembered, external: ext, outcomes: OUTCOMES };
}

describe('the panel opens on the kind of the last transfer', () => {
  it('after a transfer to a number: External number, with its number, method and outcome', () => {
    expect(initialChoice(null, sources(external()))).toEqual({
      targetKind: 'external',
      userId: 'bob',
      number: '+15550100100',
      method: 'cold',
      outcomeId: 'billing-question',
      note: '',
    });
  });

  it('after a transfer to a colleague: User, with the colleague’s method and outcome', () => {
    expect(initialChoice(null, sources(external({ lastKind: 'user' })))).toMatchObject({
      targetKind: 'user',
      userId: 'bob',
      method: 'warm',
      outcomeId: 'sales',
    });
  });

  it('on User when IT set no dial plan', () => {
    expect(initialChoice(null, sources(undefined))).toMatchObject({ targetKind: 'user', number: null, method: 'warm' });
  });

  it('with nothing remembered: User, Warm, no outcome', () => {
    const nothing: RememberedTransfer = { userId: null, outcomeId: null, method: null };
    expect(initialChoice(null, sources(external({ remembered: null, lastKind: 'user' }), nothing))).toEqual({
      targetKind: 'user',
      userId: null,
      number: null,
      method: 'warm',
      outcomeId: null,
      note: '',
    });
  });

  it('without a number the dial plan no longer allows (main sends none), the method and outcome still remembered', () => {
    const denied = external({ remembered: { number: null, name: null, outcomeId: 'billing-question', method: 'cold' } });
    expect(initialChoice(null, sources(denied))).toMatchObject({
      targetKind: 'external',
      number: null,
      method: 'cold',
      outcomeId: 'billing-question',
    });
  });

  it('the draft of this call wins over the remembered choice', () => {
    const draft = { targetKind: 'user', userId: 'carol', method: 'cold', outcomeId: 'sales', number: '', note: 'half typed' };
    expect(initialChoice(draft, sources(external()))).toEqual({
      targetKind: 'user',
      userId: 'carol',
      number: '+15550100100',
      method: 'cold',
      outcomeId: 'sales',
      note: 'half typed',
    });
  });

  it('drops a remembered outcome IT no longer offers for the method', () => {
    const colleague: RememberedTransfer = { userId: 'bob', outcomeId: 'retired', method: 'warm' };
    expect(initialChoice(null, sources(external({ lastKind: 'user' }), colleague)).outcomeId).toBeNull();
  });
});

describe('switching kind brings that kind’s remembered method and outcome', () => {
  it('User to External number: the number’s method and outcome replace the colleague’s', () => {
    expect(switchKind('external', { method: 'warm', outcomeId: 'sales' }, sources(external({ lastKind: 'user' })))).toEqual({
      method: 'cold',
      outcomeId: 'billing-question',
    });
  });

  it('External number to User: the colleague’s method and outcome replace the number’s', () => {
    expect(switchKind('user', { method: 'cold', outcomeId: 'billing-question' }, sources(external()))).toEqual({
      method: 'warm',
      outcomeId: 'sales',
    });
  });

  it('a kind never used keeps the agent’s choice, the outcome only where it applies to the method', () => {
    const nothing: RememberedTransfer = { userId: null, outcomeId: null, method: null };
    expect(switchKind('user', { method: 'cold', outcomeId: 'billing-question' }, sources(external(), nothing))).toEqual({
      method: 'cold',
      outcomeId: 'billing-question',
    });
    expect(switchKind('external', { method: 'warm', outcomeId: 'escalation' }, sources(external({ remembered: null })))).toEqual({
      method: 'warm',
      outcomeId: 'escalation',
    });
    const coldOnly = external({ remembered: { number: null, name: null, outcomeId: null, method: 'cold' } });
    expect(switchKind('external', { method: 'warm', outcomeId: 'escalation' }, sources(coldOnly))).toEqual({
      method: 'cold',
      outcomeId: null,
    });
  });
});
