/**
 * Transfers to an external number, from a whole desk (commands through `handle()`, real SQLite):
 * Kamailio routes the lab's +1 555 range to the "PSTN" gateway bot, which answers, is busy or rings
 * out per number and sends its own tone. Each case says who hears whom at the end.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { createCustomer, createPstn, PSTN_NUMBERS, type CustomerBot, type PstnBot } from '../lab/bots.js';
import { createTestDesk, labDocument, type TestDesk } from '../support/deskFixture.js';
import { ok, signIn } from '../support/deskCommands.js';
import { labForTests } from '../support/labForTests.js';
import { TONES, untilHearsOnly } from '../support/audioOracle.js';
import { waitFor } from '../support/waitFor.js';
import type { Call } from '../../electron/core/sip/call.js';
import type { CommandName, CommandPayload } from '../../shared/ipc.js';
import type { ProvisioningDocument } from '../../shared/provisioning/index.js';
import type { TransferView } from '../../shared/transfer/index.js';

const suite = labForTests();
let doc: ProvisioningDocument;

beforeAll(() => {
  doc = labDocument(suite.lab);
});

async function refused(d: TestDesk, command: CommandName, payload: unknown): Promise<{ code: string; message: string }> {
  const outcome = await d.desk.handle(command, payload);
  if (outcome.ok) throw new Error(`${command} was accepted`);
  return outcome.error;
}

interface Scene {
  readonly alice: TestDesk;
  readonly customer: CustomerBot;
  readonly pstn: PstnBot;
  /** The customer's call with Alice. */
  readonly toAlice: Call;
  /** Alice's desk call id for it. */
  readonly callId: string;
}

/** Alice signed in and on a call with a customer; the PSTN gateway up. */
async function scene(customerOptions: { readonly replaces?: boolean } = {}): Promise<Scene> {
  const alice = createTestDesk(doc, { toneHz: TONES.alice });
  suite.open.push(alice);
  const customer = createCustomer(suite.lab, 'customer', { toneHz: TONES.customer, ...customerOptions });
  const pstn = createPstn(suite.lab, { toneHz: TONES.sixth });
  suite.open.push(customer, pstn);
  await Promise.all([customer.phone.start(), pstn.phone.start()]);
  await signIn(alice, 'alice');
  const toAlice = await customer.phone.call('alice');
  const ringing = await alice.until('a ringing call', (s) => s.calls.some((c) => c.state === 'ringing'));
  const callId = ringing.calls.find((c) => c.state === 'ringing')?.id ?? '';
  await ok(alice, 'call.answer', { callId });
  await waitFor('the customer connected', () => toAlice.state === 'established');
  await untilHearsOnly(toAlice, TONES.alice);
  return { alice, customer, pstn, toAlice, callId };
}

function start(s: Scene, method: 'cold' | 'warm', number: string): Promise<unknown> {
  return ok(s.alice, 'transfer.start', { callId: s.callId, method, number, outcomeId: 'billing-question', note: `Order 42, ${method}` });
}

async function settled(s: Scene, phase: TransferView['state']['phase']): Promise<TransferView> {
  const state = await s.alice.until(`the transfer ${phase}`, (st) => st.transfers.some((t) => t.state.phase === phase), 15_000);
  const view = state.transfers.find((t) => t.state.phase === phase);
  if (!view) throw new Error('no transfer');
  return view;
}

async function history(s: Scene): Promise<Array<{ kind: string; detail?: string; note?: string; outcome?: { label: string } }>> {
  const contactId = s.alice.state().transfers[0]?.contact?.id ?? '';
  return (await ok(s.alice, 'history.list', { contactId })) as Array<{
    kind: string;
    detail?: string;
    note?: string;
    outcome?: { label: string };
  }>;
}

/** The PSTN's call for `number` (the newest), once it is up. */
async function pstnCall(s: Scene, number: string): Promise<Call> {
  return waitFor(
    `the PSTN answered ${number}`,
    () => s.pstn.reached.filter((r) => r.number === number && r.call.state === 'established').at(-1)?.call,
  );
}

describe('transfer to an external number', () => {
  it('cold: the contact’s phone dials the number; the PSTN and the contact hear each other; History has number, outcome and note', async () => {
    const s = await scene();
    await start(s, 'cold', '+1 (555) 010-0100');
    const done = await settled(s, 'completed');
    expect(done.state.target).toBe('external');
    expect(done.counterpart).toMatchObject({
      name: 'Supplier hotline (lab PSTN)',
      number: PSTN_NUMBERS.answers,
      uri: `sip:${PSTN_NUMBERS.answers}@${suite.lab.domain}`,
    });
    expect(s.customer.referrals[0]?.target.toString()).toContain(PSTN_NUMBERS.answers);
    const atPstn = await pstnCall(s, PSTN_NUMBERS.answers);
    const followed = await waitFor('the customer’s new call', () => s.customer.followed[0]);
    await untilHearsOnly(followed, TONES.sixth);
    await untilHearsOnly(atPstn, TONES.customer);
    // The agent's leg is gone and its wrap-up starts with the outcome.
    await s.alice.until('the wrap-up owed, prefilled', (st) => st.dispositionsDue.some((d) => d.prefill?.id === 'billing-question'));
    await waitFor('alice left the customer', () => s.toAlice.state === 'ended');
    const entries = await history(s);
    const started = entries.find((e) => e.kind === 'transfer-started');
    expect(started).toMatchObject({ note: 'Order 42, cold', outcome: { label: 'Billing question' } });
    expect(started?.detail).toContain(PSTN_NUMBERS.answers);
    expect(entries.find((e) => e.kind === 'transfer-completed')?.detail).toContain(PSTN_NUMBERS.answers);
    // Remembered like the colleague choice, and listed among the recent numbers.
    expect(s.alice.state().external?.remembered).toMatchObject({
      number: PSTN_NUMBERS.answers,
      outcomeId: 'billing-question',
      method: 'cold',
    });
    expect(s.alice.state().external?.recent[0]).toEqual({ number: PSTN_NUMBERS.answers, name: 'Supplier hotline (lab PSTN)' });
  });

  it('warm, completed: the agent talks to the number with the contact held, then the contact takes its place (Replaces)', async () => {
    const s = await scene();
    await start(s, 'warm', PSTN_NUMBERS.answers);
    const consulting = await settled(s, 'consulting');
    expect(consulting.allowed).toEqual(expect.arrayContaining(['complete', 'cancel']));
    const consultAtPstn = await pstnCall(s, PSTN_NUMBERS.answers);
    await untilHearsOnly(consultAtPstn, TONES.alice);
    // Held: the customer hears nobody while Alice talks to the PSTN.
    await waitFor('the customer held', () => s.alice.state().calls.find((c) => c.id === s.callId)?.held === true);
    await ok(s.alice, 'transfer.complete', { transferId: consulting.id });
    await settled(s, 'completed');
    const followed = await waitFor('the customer’s new call', () => s.customer.followed[0]);
    await waitFor('the PSTN took the customer', () =>
      s.pstn.reached.some((r) => r.call.replaces !== undefined && r.call.state === 'established'),
    );
    const replacing = s.pstn.reached.find((r) => r.call.replaces !== undefined)?.call;
    if (!replacing) throw new Error('no replacing call');
    await untilHearsOnly(followed, TONES.sixth);
    await untilHearsOnly(replacing, TONES.customer);
    await s.alice.until('the wrap-up owed, prefilled', (st) => st.dispositionsDue.some((d) => d.prefill?.id === 'billing-question'));
    expect((await history(s)).map((e) => e.kind)).toEqual(expect.arrayContaining(['transfer-started', 'transfer-completed']));
  });

  it('warm, completed for a contact phone without Replaces: the consult ends first, then the contact dials the number', async () => {
    const s = await scene({ replaces: false });
    await start(s, 'warm', PSTN_NUMBERS.answers);
    const consulting = await settled(s, 'consulting');
    const consultAtPstn = await pstnCall(s, PSTN_NUMBERS.answers);
    await ok(s.alice, 'transfer.complete', { transferId: consulting.id });
    await settled(s, 'completed');
    expect(consultAtPstn.state).toBe('ended');
    expect(s.customer.referrals[0]?.replaces).toBeFalsy();
    const followed = await waitFor('the customer’s new call', () => s.customer.followed[0]);
    const atPstn = await waitFor('the PSTN’s second call', () => s.pstn.reached.filter((r) => r.call.state === 'established').at(-1)?.call);
    expect(atPstn).not.toBe(consultAtPstn);
    await untilHearsOnly(followed, TONES.sixth);
    await untilHearsOnly(atPstn, TONES.customer);
  });

  it('warm, cancelled by the initiator: the consult ends and the contact comes back to the agent', async () => {
    const s = await scene();
    await start(s, 'warm', PSTN_NUMBERS.answers);
    const consulting = await settled(s, 'consulting');
    const consultAtPstn = await pstnCall(s, PSTN_NUMBERS.answers);
    await ok(s.alice, 'transfer.cancel', { transferId: consulting.id });
    const cancelled = await settled(s, 'cancelled');
    await waitFor('the PSTN hung up', () => consultAtPstn.state === 'ended');
    expect(cancelled.allowed).toEqual(expect.arrayContaining(['unholdContact', 'hangUpContact']));
    await ok(s.alice, 'transfer.unholdContact', { transferId: consulting.id });
    await untilHearsOnly(s.toAlice, TONES.alice);
    expect(s.customer.referrals).toHaveLength(0);
    expect((await history(s)).find((e) => e.kind === 'transfer-cancelled')?.detail).toContain(PSTN_NUMBERS.answers);
  });

  it('warm, cancelled while the number still rings: the contact is taken back at once and hears the agent', async () => {
    const s = await scene();
    s.pstn.noAnswerMs = 20_000; // rings until called off
    await start(s, 'warm', PSTN_NUMBERS.noAnswer);
    const ringing = await settled(s, 'consultRinging');
    const atPstn = await waitFor('the number rings', () => s.pstn.reached.find((r) => r.number === PSTN_NUMBERS.noAnswer)?.call);
    await waitFor(
      'the consult rings at Alice’s end',
      () => s.alice.state().calls.find((c) => c.id === ringing.consultCallId)?.state === 'ringing',
    );
    await ok(s.alice, 'transfer.cancel', { transferId: ringing.id });
    // At once: the called-off consult is not a call still being placed.
    await ok(s.alice, 'transfer.unholdContact', { transferId: ringing.id });
    await untilHearsOnly(s.toAlice, TONES.alice);
    await waitFor('the number stopped ringing', () => atPstn.state === 'ended');
    expect(s.alice.state().transfers.find((t) => t.id === ringing.id)?.state.phase).toBe('cancelled');
  });

  it('Confirm pressed again: the same transfer is a no-op, another method or number is refused by the rules', async () => {
    const s = await scene();
    const confirm: CommandPayload<'transfer.start'> = {
      callId: s.callId,
      method: 'warm',
      number: PSTN_NUMBERS.answers,
      outcomeId: 'billing-question',
      note: '',
    };
    const first = (await ok(s.alice, 'transfer.start', confirm)) as { transferId: string };
    const again = (await ok(s.alice, 'transfer.start', confirm)) as { transferId: string };
    expect(again.transferId).toBe(first.transferId);
    const otherMethod = await refused(s.alice, 'transfer.start', { ...confirm, method: 'cold' });
    expect(otherMethod.code).toBe('not-in-phase');
    const otherNumber = await refused(s.alice, 'transfer.start', { ...confirm, number: PSTN_NUMBERS.busy });
    expect(otherNumber.code).toBe('not-in-phase');
    await settled(s, 'consulting');
    expect(s.alice.state().transfers).toHaveLength(1);
    expect(s.pstn.reached.map((r) => r.number)).toEqual([PSTN_NUMBERS.answers]);
    expect(s.customer.referrals).toHaveLength(0);
  });

  it('cold: a contact phone that takes the REFER and leaves our call before any final NOTIFY counts as handed over', async () => {
    const s = await scene();
    s.customer.finalNotifyDelayMs = 1500;
    await start(s, 'cold', PSTN_NUMBERS.answers);
    const followed = await waitFor('the customer’s new call', () =>
      s.customer.followed[0]?.state === 'established' ? s.customer.followed[0] : undefined,
    );
    await s.toAlice.hangUp();
    const done = await settled(s, 'completed');
    expect(done.state.failure).toBeNull();
    await untilHearsOnly(followed, TONES.sixth);
    // Her part of the call is done: the wrap-up starts with the outcome, and History says what happened.
    await s.alice.until('the wrap-up owed, prefilled', (st) => st.dispositionsDue.some((d) => d.prefill?.id === 'billing-question'));
    const entries = await history(s);
    expect(entries.map((e) => e.kind)).not.toContain('transfer-failed');
    expect(entries.find((e) => e.kind === 'transfer-completed')?.detail).toMatch(/left before confirming/);
  });

  it('warm: the outside party hangs up just as Complete goes out — the transfer fails, the contact stays held with the agent, who may take it back', async () => {
    const s = await scene();
    await start(s, 'warm', PSTN_NUMBERS.answers);
    const consulting = await settled(s, 'consulting');
    const consultAtPstn = await pstnCall(s, PSTN_NUMBERS.answers);
    s.customer.beforeFollow = async () => {
      await consultAtPstn.hangUp();
      await new Promise((resolve) => setTimeout(resolve, 500));
    };
    await ok(s.alice, 'transfer.complete', { transferId: consulting.id });
    const failed = await settled(s, 'failed');
    // Nothing to go back to: no consult, so no second Complete into a dead dialog.
    expect(failed.consultCallId === null || s.alice.state().calls.every((c) => c.id !== failed.consultCallId || c.state === 'ended')).toBe(
      true,
    );
    expect(failed.allowed).not.toContain('complete');
    expect(failed.allowed).toContain('unholdContact');
    await ok(s.alice, 'transfer.unholdContact', { transferId: consulting.id });
    await untilHearsOnly(s.toAlice, TONES.alice);
  });

  it('busy (cold): reported as busy, the contact stays with the agent', async () => {
    const s = await scene();
    await start(s, 'cold', PSTN_NUMBERS.busy);
    const failed = await settled(s, 'failed');
    expect(failed.state.failure).toMatchObject({ reason: 'busy' });
    expect(s.toAlice.state).toBe('established');
    await untilHearsOnly(s.toAlice, TONES.alice);
    expect((await history(s)).map((e) => e.kind)).toContain('transfer-failed');
  });

  it('no answer (warm): the consult rings out, the contact is still the agent’s', async () => {
    const s = await scene();
    await start(s, 'warm', PSTN_NUMBERS.noAnswer);
    const failed = await settled(s, 'failed');
    expect(failed.state.failure).toMatchObject({ reason: 'no-answer', during: 'consultRinging' });
    await ok(s.alice, 'transfer.unholdContact', { transferId: failed.id });
    await untilHearsOnly(s.toAlice, TONES.alice);
  });

  it('refused by the dial plan: a clear error, nothing sent, the call untouched', async () => {
    const s = await scene();
    for (const [number, code] of [
      [PSTN_NUMBERS.denied, 'dial-plan-denied'],
      ['911', 'dial-plan-emergency'],
      ['+44 20 7946 0018', 'dial-plan-not-allowed'],
      ['555 01', 'dial-plan-not-a-number'],
    ] as const) {
      const error = await refused(s.alice, 'transfer.start', { callId: s.callId, method: 'cold', number, outcomeId: 'other', note: '' });
      expect(error.code).toBe(code);
      expect(error.message).not.toBe('');
    }
    expect(
      await refused(s.alice, 'transfer.start', {
        callId: s.callId,
        method: 'cold',
        number: PSTN_NUMBERS.answers,
        userId: 'bob',
        outcomeId: 'other',
        note: '',
      }),
    ).toMatchObject({ code: 'invalid-payload' });
    expect(s.customer.referrals).toHaveLength(0);
    expect(s.pstn.reached).toHaveLength(0);
    expect(s.alice.state().transfers).toHaveLength(0);
    await untilHearsOnly(s.toAlice, TONES.alice);
  });
});
