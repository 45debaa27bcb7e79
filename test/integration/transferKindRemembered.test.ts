/**
 * Which kind of transfer the panel opens on, from a whole desk (commands through `handle()`, real
 * SQLite, the lab's Kamailio and "PSTN"): the last transfer's kind, whichever it was, each kind
 * keeping its own remembered target, method and outcome.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { createCustomer, createPstn, PSTN_NUMBERS } from '../lab/bots.js';
import { createTestDesk, labDocument } from '../support/deskFixture.js';
import { ok, signIn } from '../support/deskCommands.js';
import { labForTests } from '../support/labForTests.js';
import { TONES } from '../support/audioOracle.js';
import { waitFor } from '../support/waitFor.js';
import type { ProvisioningDocument } from '../../shared/provisioning/index.js';

const suite = labForTests();
let doc: ProvisioningDocument;

beforeAll(() => {
  doc = labDocument(suite.lab);
});

describe('the kind of the last transfer', () => {
  it('a number busy, then a colleague: the panel’s kind follows, each kind keeps its own choice', async () => {
    const alice = createTestDesk(doc, { toneHz: TONES.alice });
    const bob = createTestDesk(doc, { toneHz: TONES.bob });
    const customer = createCustomer(suite.lab, 'customer', { toneHz: TONES.customer });
    const pstn = createPstn(suite.lab, { toneHz: TONES.sixth });
    suite.open.push(alice, bob, customer, pstn);
    await Promise.all([customer.phone.start(), pstn.phone.start()]);
    await signIn(alice, 'alice');
    await signIn(bob, 'bob');
    expect(alice.state().external?.lastKind).toBe('user');

    const toAlice = await customer.phone.call('alice');
    const ringing = await alice.until('a ringing call', (s) => s.calls.some((c) => c.state === 'ringing'));
    const callId = ringing.calls.find((c) => c.state === 'ringing')?.id ?? '';
    await ok(alice, 'call.answer', { callId });
    await waitFor('the customer connected', () => toAlice.state === 'established');

    // To a number first: it is busy, the contact stays with Alice, the choice is remembered.
    await ok(alice, 'transfer.start', { callId, method: 'cold', number: PSTN_NUMBERS.busy, outcomeId: 'other', note: '' });
    expect(alice.state().external).toMatchObject({
      lastKind: 'external',
      remembered: { number: PSTN_NUMBERS.busy, outcomeId: 'other', method: 'cold' },
    });
    await alice.until('the transfer failed, busy', (s) => s.transfers.some((t) => t.state.phase === 'failed'), 15_000);
    await alice.until('bob ready in the directory', (s) => s.directory.some((e) => e.userId === 'bob' && e.status.kind === 'Ready'));

    // Then to a colleague: the panel now opens on User; the number's choice is still there.
    await ok(alice, 'transfer.start', { callId, method: 'warm', userId: 'bob', outcomeId: 'billing-question', note: '' });
    expect(alice.state().remembered).toEqual({ userId: 'bob', outcomeId: 'billing-question', method: 'warm' });
    expect(alice.state().external).toMatchObject({
      lastKind: 'user',
      remembered: { number: PSTN_NUMBERS.busy, outcomeId: 'other', method: 'cold' },
    });
  });
});
