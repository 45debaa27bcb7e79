/**
 * The explorer's pure model (test/support/explorer/model.ts) judges the transfer buttons — Accept,
 * Decline, Complete, Cancel — in every phase and role by the shared rules, as main does, and its
 * generation offers them outside their moment too; so every off-phase refusal the explorer meets
 * is compared with the product's.
 */
import { describe, expect, it } from 'vitest';
import { checkAction, TRANSFER_ACTIONS } from '../../shared/transfer/index.js';
import { applicable, randomAction } from '../support/explorer/generation.js';
import { apply, BUTTON, initialModel, transfersAt, type Action, type ButtonAction, type Model } from '../support/explorer/model.js';

function walk(actions: readonly Action[]): Model {
  let m = initialModel();
  for (const action of actions) {
    const step = apply(m, action);
    if (!step.verdict.ok) throw new Error(`${JSON.stringify(action)} refused: ${step.verdict.code}`);
    m = step.model;
  }
  return m;
}

/** Customer calls alice, alice answers and starts a warm transfer to bob: the consult rings. */
const CONSULT_RINGING: readonly Action[] = [
  { type: 'dial', from: 'customer', to: 'alice' },
  { type: 'answer', agent: 'alice' },
  { type: 'transfer', agent: 'alice', nth: 0, method: 'warm', to: 'bob' },
];

const BUTTONS = ['acceptOffer', 'declineOffer', 'complete', 'cancel'] as const;

describe('the explorer model judges transfer buttons by the shared rules', () => {
  it("the initiator's Cancel while a colleague's consult rings is the rules' initiator-cannot-cancel, and it is tried", () => {
    const m = walk(CONSULT_RINGING);
    const cancel: Action = { type: 'cancel', agent: 'alice', nth: 0 };
    expect(apply(m, cancel).verdict).toEqual({ ok: false, code: 'initiator-cannot-cancel' });
    expect(applicable(m, cancel)).toBe(true);
    expect(applicable(m, { type: 'complete', agent: 'alice', nth: 0 })).toBe(true);
  });

  it('every button, in every role, in each phase of a warm transfer, gets the verdict checkAction gives', () => {
    const moments: Array<readonly Action[]> = [
      CONSULT_RINGING,
      [...CONSULT_RINGING, { type: 'acceptOffer', agent: 'bob', nth: 0 }],
      [...CONSULT_RINGING, { type: 'acceptOffer', agent: 'bob', nth: 0 }, { type: 'cancel', agent: 'bob', nth: 0 }],
      [...CONSULT_RINGING, { type: 'acceptOffer', agent: 'bob', nth: 0 }, { type: 'customerHangsUp', customer: 'customer' }],
      [...CONSULT_RINGING, { type: 'acceptOffer', agent: 'bob', nth: 0 }, { type: 'complete', agent: 'alice', nth: 0 }],
      [...CONSULT_RINGING, { type: 'declineOffer', agent: 'bob', nth: 0 }],
    ];
    let refusals = 0;
    for (const moment of moments) {
      const m = walk(moment);
      for (const agent of ['alice', 'bob'] as const) {
        transfersAt(m, agent).forEach((entry, nth) => {
          for (const type of BUTTONS) {
            const action: ButtonAction = { type, agent, nth };
            expect(applicable(m, action), `${JSON.stringify(action)} is generated`).toBe(true);
            const rules = checkAction(entry.role, entry.state.phase, false, BUTTON[type], 'user', 'up');
            const verdict = apply(m, action).verdict;
            if (!rules.ok) {
              refusals += 1;
              // A gone contact only turns acts on the contact into refusals; these four keep their code.
              expect(verdict, `${JSON.stringify(action)} with ${entry.role} ${entry.state.phase}`).toEqual({
                ok: false,
                code: rules.error.code,
              });
            } else expect(verdict.ok || verdict.code === 'live-call-cannot-hold' || verdict.code === 'contact-gone').toBe(true);
          }
        });
      }
    }
    expect(refusals).toBeGreaterThan(20);
  });

  it('random generation offers a refused button in a phase that is not its own', () => {
    const m = walk(CONSULT_RINGING);
    const picked = new Set<string>();
    for (let n = 0; n < 400; n += 1) {
      const action = randomAction(m, n);
      if (action && (BUTTONS as readonly string[]).includes(action.type) && !apply(m, action).verdict.ok) picked.add(action.type);
    }
    expect([...picked].sort()).toEqual([...BUTTONS].sort());
  });

  it('the buttons are exactly the shared rules’ accept, decline, complete and cancel', () => {
    for (const button of Object.values(BUTTON)) expect(TRANSFER_ACTIONS).toContain(button);
  });
});
