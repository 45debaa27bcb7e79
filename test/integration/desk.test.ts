/**
 * The desk as the renderer sees it: commands through `handle()` (schema, then rules), state through
 * snapshot + patches. Real Kamailio with presence, real SQLite files, real WebRTC.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { createCustomer, type CustomerBot } from '../lab/bots.js';
import { createTestDesk, labDocument, type TestDesk } from '../support/deskFixture.js';
import { ok, signIn } from '../support/deskCommands.js';
import { labForTests } from '../support/labForTests.js';
import { TONES, untilHearsOnly } from '../support/audioOracle.js';
import { waitFor } from '../support/waitFor.js';
import type { DeskState } from '../../shared/desk.js';
import { applyDeskPatch } from '../../shared/deskPatch.js';
import type { CommandName } from '../../shared/ipc.js';
import type { ProvisioningDocument } from '../../shared/provisioning/index.js';

const suite = labForTests();
let doc: ProvisioningDocument;

beforeAll(() => {
  doc = labDocument(suite.lab, { nonRecommendedTransfer: 'warn' });
});

function desk(toneHz: number): TestDesk {
  const d = createTestDesk(doc, { toneHz });
  suite.open.push(d);
  return d;
}

async function refused<C extends CommandName>(d: TestDesk, command: C, payload: unknown): Promise<string> {
  const outcome = await d.desk.handle(command, payload);
  if (outcome.ok) throw new Error(`${command} was accepted`);
  return outcome.error.code;
}

/** Alice and Bob signed in and Ready, and a customer bot that can call them. */
async function aliceBobAndCustomer(): Promise<{ alice: TestDesk; bob: TestDesk; customer: CustomerBot }> {
  const alice = desk(440);
  const bob = desk(660);
  const customer = createCustomer(suite.lab, 'customer');
  suite.open.push(customer);
  await customer.phone.start();
  await signIn(alice, 'alice');
  await signIn(bob, 'bob');
  return { alice, bob, customer };
}

/** A customer calls `d`, which answers through the desk. */
async function inbound(d: TestDesk, customer: CustomerBot, userId: string): Promise<{ callId: string }> {
  await customer.phone.call(userId);
  const ringing = await d.until('a ringing call', (s) => s.calls.some((c) => c.state === 'ringing'));
  const callId = ringing.calls.find((c) => c.state === 'ringing')?.id ?? '';
  expect(d.notifications.at(-1)?.title).toBe('Incoming call');
  await ok(d, 'call.answer', { callId });
  await d.until('on call', (s) => s.agent.status.kind === 'OnCall');
  return { callId };
}

describe('the desk', () => {
  it('mirrors state: a renderer applying snapshot + patches ends with main’s state', async () => {
    const alice = desk(440);
    let mirror: DeskState = alice.state();
    alice.desk.events.on('patch', (patch) => {
      expect(patch.version).toBe(mirror.version + 1);
      mirror = applyDeskPatch(mirror, patch);
    });
    await signIn(alice, 'alice');
    await alice.until('ready', (s) => s.agent.status.kind === 'Ready');
    expect(mirror).toEqual(alice.state());
    expect(alice.trayTexts.at(-1)).toBe('Ready');
  });

  it('refuses malformed payloads and unknown users with typed errors', async () => {
    const alice = desk(440);
    expect(await refused(alice, 'session.signIn', { userId: 'alice' })).toBe('invalid-payload');
    expect(await refused(alice, 'session.signIn', { userId: 'mallory', password: '' })).toBe('unknown-user');
    expect(await refused(alice, 'call.dial', { target: 'bob' })).toBe('not-signed-in');
    expect(await refused(alice, 'call.dtmf', { callId: 'x', tones: '1\r\nINVITE' })).toBe('invalid-payload');
    expect(
      await refused(alice, 'transfer.start', { callId: 'x', method: 'warm', userId: 'bob', outcomeId: 'other', note: 'n', extra: 1 }),
    ).toBe('invalid-payload');
  });

  it('a colleague’s state reaches the directory; a non-recommended target needs confirming', async () => {
    const { alice, bob, customer } = await aliceBobAndCustomer();
    await alice.until('bob ready in the directory', (s) =>
      s.directory.some((e) => e.userId === 'bob' && e.status.kind === 'Ready' && e.recommended),
    );
    await ok(bob, 'agent.setStatus', { kind: 'NotReady', reason: 'Lunch' });
    await alice.until('bob not ready', (s) =>
      s.directory.some((e) => e.userId === 'bob' && e.status.kind === 'NotReady' && !e.recommended),
    );
    // Ready and Dispositioning first.
    const { callId } = await inbound(alice, customer, 'alice');
    const code = await refused(alice, 'transfer.start', { callId, method: 'cold', userId: 'bob', outcomeId: 'other', note: '' });
    expect(code).toBe('target-not-recommended-unconfirmed');
    expect(customer.referrals).toHaveLength(0);
  });

  it('warm transfer by commands: rules refused in main, remembered choice, dispositions, history', async () => {
    const { alice, bob, customer } = await aliceBobAndCustomer();
    await alice.until('bob ready', (s) => s.directory.some((e) => e.userId === 'bob' && e.status.kind === 'Ready'));
    const { callId } = await inbound(alice, customer, 'alice');

    await ok(alice, 'transfer.prepare', { callId });
    await ok(alice, 'draft.save', { key: `transfer:${callId}`, fields: { userId: 'bob', note: 'half-typed' } });
    expect(alice.state().drafts[`transfer:${callId}`]).toEqual({ userId: 'bob', note: 'half-typed' });
    const { transferId } = (await ok(alice, 'transfer.start', {
      callId,
      method: 'warm',
      userId: 'bob',
      outcomeId: 'billing-question',
      note: 'Refund for order 42',
    })) as { transferId: string };
    expect(alice.state().drafts[`transfer:${callId}`]).toBeUndefined();
    expect(alice.state().remembered).toEqual({ userId: 'bob', outcomeId: 'billing-question', method: 'warm' });

    // Bob: the toast (OS notification) and the transfer in his desk, with the contact's note.
    const bobState = await bob.until('bob sees the transfer', (s) => s.transfers.some((t) => t.id === transferId));
    expect(bob.notifications.at(-1)?.title).toBe('Alice (lab)');
    expect(bobState.transfers[0]?.note).toBe('Refund for order 42');
    await ok(bob, 'transfer.accept', { transferId });
    await alice.until('consulting', (s) => s.transfers[0]?.state.phase === 'consulting');

    // The rules hold in main whatever the renderer sends.
    expect(await refused(alice, 'transfer.cancel', { transferId })).toBe('initiator-cannot-cancel');
    expect(await refused(alice, 'transfer.unholdContact', { transferId })).toBe('contact-held-during-transfer');
    expect(await refused(alice, 'call.unhold', { callId })).toBe('contact-held-during-transfer');
    expect(await refused(alice, 'call.hangUp', { callId })).toBe('contact-in-transfer');
    expect(await refused(bob, 'transfer.complete', { transferId })).toBe('recipient-cannot-complete');

    await ok(alice, 'transfer.complete', { transferId });
    const bobDone = await bob.until('completed at bob', (s) => s.transfers[0]?.state.phase === 'completed' && s.calls.some((c) => c.held));
    await alice.until(
      'alice owes a prefilled disposition',
      (s) => s.dispositionsDue.length === 1 && s.agent.status.kind === 'Dispositioning',
    );
    expect(alice.state().dispositionsDue[0]?.prefill).toEqual({ id: 'billing-question', label: 'Billing question' });
    await ok(alice, 'disposition.file', { callId, codeId: 'resolved', note: 'handed to Bob' });
    await alice.until('alice ready again', (s) => s.agent.status.kind === 'Ready' && s.dispositionsDue.length === 0);
    expect(alice.store.dispositions.get(callId)).toMatchObject({ code: 'resolved', note: 'handed to Bob' });

    const bobContactId = bobDone.transfers[0]?.contactCallId ?? '';
    await ok(bob, 'transfer.unholdContact', { transferId });
    const customerToBob = await waitFor('customer’s new call', () => customer.followed[0]);
    await untilHearsOnly(customerToBob, TONES.bob);
    const bobsCall = bob.desk.callById(bobContactId);
    if (!bobsCall) throw new Error('bob has no call with the customer');
    await untilHearsOnly(bobsCall, TONES.customer);
    await ok(bob, 'call.hangUp', { callId: bobContactId });
    await bob.until('bob dispositions', (s) => s.dispositionsDue.some((d) => d.callId === bobContactId));

    // History at Bob's desk: the transfer entries, stored in his SQLite file.
    const history = (await ok(bob, 'history.list', { contactId: bobDone.transfers[0]?.contact?.id ?? '' })) as Array<{ kind: string }>;
    expect(history.map((e) => e.kind)).toEqual(expect.arrayContaining(['transfer-started', 'transfer-completed']));
  });
});
