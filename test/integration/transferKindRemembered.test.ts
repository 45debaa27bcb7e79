/**
 * Which kind of transfer the panel opens on, from a whole desk (commands through `handle()`, real
 * SQLite, the lab's Kamailio and "PSTN"): the last transfer's kind, whichever it was, each kind
 * keeping its own remembered target, method and outcome.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startLab, type Lab } from '../lab/lab.js';
import { createCustomer, createPstn, PSTN_NUMBERS } from '../lab/bots.js';
import { createTestDesk, labDocument, type TestDesk } from '../support/deskFixture.js';
import { TONES } from '../support/audioOracle.js';
import { waitFor } from '../support/waitFor.js';
import type { CommandName, CommandPayload } from '../../shared/ipc.js';
import type { ProvisioningDocument } from '../../shared/provisioning/index.js';

let lab: Lab;
let doc: ProvisioningDocument;
const open: Array<{ dispose(): Promise<void> }> = [];

beforeAll(async () => {
  lab = await startLab();
  doc = labDocument(lab);
});
afterEach(async () => {
  await Promise.all(
    open
      .splice(0)
      .reverse()
      .map((o) => o.dispose()),
  );
});
afterAll(async () => lab?.stop());

async function ok<C extends CommandName>(d: TestDesk, command: C, payload: CommandPayload<C>): Promise<unknown> {
  const outcome = await d.desk.handle(command, payload);
  if (!outcome.ok) throw new Error(`${command} refused: ${outcome.error.code} ${outcome.error.message}`);
  return outcome.value;
}

async function signIn(d: TestDesk, userId: string): Promise<void> {
  await ok(d, 'session.signIn', { userId, password: '' });
  await ok(d, 'agent.setStatus', { kind: 'Ready' });
}

describe('the kind of the last transfer', () => {
  it('a number busy, then a colleague: the panel’s kind follows, each kind keeps its own choice', async () => {
    const alice = createTestDesk(doc, { toneHz: TONES.alice });
    const bob = createTestDesk(doc, { toneHz: TONES.bob });
    const customer = createCustomer(lab, 'customer', { toneHz: TONES.customer });
    const pstn = createPstn(lab, { toneHz: TONES.sixth });
    open.push(alice, bob, customer, pstn);
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
