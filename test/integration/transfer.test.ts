/**
 * Three parties through the real Kamailio: a customer bot (the contact), agent Alice (initiator),
 * agent Bob (recipient). Every test ends by checking who hears whom and that nothing is left behind.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startLab, type Lab } from '../lab/lab.js';
import type { Desk } from '../lab/bots.js';
import { endAgentCalls, type TestAgent } from '../support/agents.js';
import { waitFor } from '../support/waitFor.js';
import {
  connectContact,
  transferParties,
  transferPhase,
  transferRequest,
  type BotDeskOptions,
  type ContactScene,
} from '../support/transferScene.js';
import { TONES, untilHearsNoTone, untilHearsOnly, untilMediaDead, untilTalking } from '../support/audioOracle.js';
import type { Call } from '../../electron/core/sip/call.js';
import { TransferRuleViolation, type StartTransfer } from '../../electron/core/transfer/transfers.js';
import { TransferContextError } from '../../shared/transfer/context.js';

let lab: Lab;
const everyone: TestAgent[] = [];

beforeAll(async () => {
  lab = await startLab({ presence: false });
});
afterEach(async () => {
  await Promise.all(everyone.splice(0).map((a) => a.dispose()));
});
afterAll(async () => lab?.stop());

type Scene = ContactScene;

const NOTE = 'Wants a refund;\r\nsays "order #42" <urgent>, see ticket\nInjected: header';

/** `transfers`: options for both desks. */
async function scene(options: { bobPolicy?: Desk['incomingPolicy']; transfers?: BotDeskOptions } = {}): Promise<Scene> {
  const parties = transferParties(lab, { bobPolicy: options.bobPolicy, alice: options.transfers, bob: options.transfers });
  everyone.push(parties.customer, parties.alice, parties.bob);
  return connectContact(parties);
}

function request(s: Scene, method: 'cold' | 'warm', note = NOTE): StartTransfer {
  return transferRequest(lab, s, method, { note, earlierNote: 'called about order #42' });
}

const phase = transferPhase;

async function expectRefused(promise: Promise<unknown>, code: string): Promise<void> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(TransferRuleViolation);
  expect((error as TransferRuleViolation).code).toBe(code);
}

/** Both ends of a call hear each other. */
/** `a` and `b` are the two ends of one call, each hearing only the other's party tone. */
async function talking(a: Call, aHears: number, b: Call, bHears: number): Promise<void> {
  await untilTalking(a, aHears, b, bHears);
}

async function hangUpAll(...agents: TestAgent[]): Promise<void> {
  await endAgentCalls(agents);
  for (const a of agents) expect(a.media.openSessions(), `${a.name} media sessions`).toHaveLength(0);
}

describe('cold transfer', () => {
  it('hands the contact to Bob with the context; Alice owes a disposition prefilled with the outcome', async () => {
    const s = await scene();
    const started = await s.alice.transfers.start(request(s, 'cold'));
    expect(started.state).toMatchObject({ role: 'initiator', phase: 'referring', method: 'cold' });

    await phase(s.alice, started.id, 'completed');
    const toast = s.bob.toasts[0];
    expect(toast?.contact).toEqual({ id: 'contact-1', name: 'Dana Customer', number: 'customer' });
    expect(toast?.note).toBe(NOTE);
    expect(toast?.outcome).toEqual({ id: 'billing', label: 'Billing question' });
    expect(toast?.contextProblem).toBeNull();
    expect(toast?.counterpart.name).toBe('Alice');
    await phase(s.bob, started.id, 'completed');

    const customerToBob = await waitFor('the customer’s new call', () => s.customer.followed[0]);
    const bobSide = await waitFor('bob’s call', () => s.bob.phone.calls()[0]);
    await talking(customerToBob, TONES.bob, bobSide, TONES.customer);
    await waitFor('alice’s leg ended', () => s.contactLeg.state === 'ended');
    expect(s.contactLeg.end?.reason).toBe('hung-up-local');
    // Alice left only once the customer's phone had its final NOTIFY answered.
    await waitFor('the final NOTIFY answered', () => s.customer.finalNotifies.length > 0);
    expect(s.customer.finalNotifies).toEqual([200]);
    expect(s.alice.dispositions).toEqual([
      { callId: s.contactLeg.id, transferId: started.id, prefill: { id: 'billing', label: 'Billing question' } },
    ]);
    // History on both desks: the earlier entry travelled, and both wrote the same transfer entries.
    expect(s.bob.history.forContact('contact-1').map((e) => e.id)).toEqual(
      expect.arrayContaining(['ctx:alice:earlier-1', `${started.id}:transfer-started`, `${started.id}:transfer-completed`]),
    );
    expect(s.alice.history.forContact('contact-1').find((e) => e.kind === 'transfer-started')?.note).toBe(NOTE);
    await hangUpAll(s.customer, s.alice, s.bob);
  });

  it.each([
    ['decline', 'declined'],
    ['busy', 'busy'],
    ['manual', 'no-answer'],
  ] as const)('Bob’s %s leaves the contact with Alice, who is told why (%s)', async (policy, reason) => {
    const s = await scene({ bobPolicy: policy, transfers: { phone: { noAnswerTimeoutSec: 1 } } });
    const started = await s.alice.transfers.start(request(s, 'cold'));
    const failed = await phase(s.alice, started.id, 'failed');
    expect(failed.state.failure?.reason).toBe(reason);
    expect(s.contactLeg.state).toBe('established');
    await talking(s.customerLeg, TONES.alice, s.contactLeg, TONES.customer);
    expect(s.alice.dispositions).toEqual([]);
    await hangUpAll(s.customer, s.alice, s.bob);
  });

  it('a recipient who is not signed in fails before the contact is touched', async () => {
    const s = await scene();
    await s.bob.phone.stop();
    const started = await s.alice.transfers.start(request(s, 'cold'));
    const failed = await phase(s.alice, started.id, 'failed');
    expect(failed.state.failure?.reason).toBe('not-signed-in');
    expect(s.customer.referrals).toHaveLength(0);
    await talking(s.customerLeg, TONES.alice, s.contactLeg, TONES.customer);
    await hangUpAll(s.customer, s.alice);
  });

  it('a contact phone that accepts the REFER but never calls: timeout, contact kept', async () => {
    const s = await scene({ transfers: { transfers: { referTimeoutMs: 800 } } });
    s.customer.referPolicy = 'ignore';
    const started = await s.alice.transfers.start(request(s, 'cold'));
    const failed = await phase(s.alice, started.id, 'failed');
    expect(failed.state.failure?.reason).toBe('refer-ignored');
    await talking(s.customerLeg, TONES.alice, s.contactLeg, TONES.customer);
    await hangUpAll(s.customer, s.alice, s.bob);
  });

  it('Alice’s connection drops right after the REFER: Bob’s word arrives once she is back', async () => {
    const s = await scene();
    s.customer.beforeFollow = async () => {
      // The REFER was accepted; Alice's socket dies before any NOTIFY can reach her.
      const transport = s.alice.phone.userAgent?.transport as unknown as { socket?: { terminate(): void } };
      transport.socket?.terminate();
      await waitFor('alice reconnecting', () => s.alice.phone.registration === 'reconnecting');
    };
    const started = await s.alice.transfers.start(request(s, 'cold'));
    await phase(s.bob, started.id, 'completed');
    await waitFor('alice registered again', () => s.alice.phone.registration === 'registered', 8000);
    await phase(s.alice, started.id, 'completed', 10_000);
    const customerToBob = await waitFor('the customer’s new call', () => s.customer.followed[0]);
    await talking(customerToBob, TONES.bob, s.bob.phone.calls()[0] as Call, TONES.customer);
    await waitFor('alice’s leg ended', () => s.contactLeg.state === 'ended');
    await hangUpAll(s.customer, s.alice, s.bob);
  });

  it('a note over the limit is refused before anything is sent, and nothing is lost', async () => {
    const s = await scene();
    const long = 'x'.repeat(1001);
    await expect(s.alice.transfers.start(request(s, 'cold', long))).rejects.toBeInstanceOf(TransferContextError);
    expect(s.alice.transfers.list()).toHaveLength(0);
    expect(s.customer.referrals).toHaveLength(0);
    await hangUpAll(s.customer, s.alice, s.bob);
  });
});

describe('warm transfer', () => {
  it('consult with the contact held, rules enforced, completion hands the held contact to Bob', async () => {
    const s = await scene({ bobPolicy: 'manual' });
    // The panel opened: the consult's media is prepared while Alice chooses.
    s.alice.transfers.prepare(s.contactLeg.id);
    await waitFor('prepared media', () => s.alice.media.openSessions().length === 2);
    const started = await s.alice.transfers.start(request(s, 'warm'));
    expect(started.state.phase).toBe('consultRinging');
    expect(s.contactLeg.held).toBe(true);
    await waitFor('customer sees hold', () => s.customerLeg.remoteHeld);

    const toast = await waitFor('bob’s toast', () => s.bob.toasts[0]);
    expect(toast.state).toMatchObject({ role: 'recipient', phase: 'consultRinging', method: 'warm' });
    expect(toast.note).toBe(NOTE);
    expect(toast.allowed).toEqual(expect.arrayContaining(['accept', 'decline']));
    await s.bob.transfers.accept(toast.id);
    const consulting = await phase(s.alice, started.id, 'consulting');
    await phase(s.bob, started.id, 'consulting');
    expect(consulting.allowed).toContain('complete');
    expect(consulting.allowed).not.toContain('cancel');
    expect(consulting.allowed).not.toContain('unholdContact');
    expect(s.bob.transfers.get(started.id).allowed).toEqual(['cancel']);

    const aliceConsult = s.alice.phone.calls().find((c) => c.id === consulting.consultCallId) as Call;
    const bobConsult = s.bob.phone.calls()[0] as Call;
    await talking(aliceConsult, TONES.bob, bobConsult, TONES.alice);
    // The contact is held: Alice hears nothing from the customer... and the rules hold in main.
    await expectRefused(s.alice.transfers.cancel(started.id), 'initiator-cannot-cancel');
    await expectRefused(s.alice.transfers.unholdContact(started.id), 'contact-held-during-transfer');
    expect(() => s.alice.transfers.guardCallCommand(s.contactLeg.id, 'unhold')).toThrow(TransferRuleViolation);
    expect(() => s.alice.transfers.guardCallCommand(s.contactLeg.id, 'hangUp')).toThrow(TransferRuleViolation);
    await expectRefused(s.bob.transfers.complete(started.id), 'recipient-cannot-complete');
    expect(s.contactLeg.held).toBe(true);

    await s.alice.transfers.complete(started.id);
    await s.alice.transfers.complete(started.id); // a double click is a no-op
    await phase(s.alice, started.id, 'completed');
    const bobView = await phase(s.bob, started.id, 'completed');
    const bobContact = s.bob.phone.calls().find((c) => c.id === bobView.contactCallId) as Call;
    expect(bobContact.held).toBe(true);
    expect(bobContact.media.localDirection).toBe('sendonly');
    expect(bobView.allowed).toContain('unholdContact');
    await waitFor('alice left the call', () => s.alice.phone.calls().length === 0);
    await waitFor('the final NOTIFY answered', () => s.customer.finalNotifies.length > 0);
    expect(s.customer.finalNotifies).toEqual([200]);
    expect(s.alice.dispositions).toEqual([
      { callId: s.contactLeg.id, transferId: started.id, prefill: { id: 'billing', label: 'Billing question' } },
    ]);

    await s.bob.transfers.unholdContact(started.id);
    const customerToBob = await waitFor('customer’s replacing call', () => s.customer.followed[0]);
    await talking(customerToBob, TONES.bob, bobContact, TONES.customer);
    await bobContact.hangUp();
    await waitFor('bob owes a disposition', () => s.bob.dispositions.length === 1);
    expect(s.bob.dispositions[0]).toMatchObject({ callId: bobContact.id, prefill: null });
    await hangUpAll(s.customer, s.alice, s.bob);
  });

  it('Bob cancels: the contact stays held with Alice, who takes it back; Bob owes a disposition', async () => {
    const s = await scene();
    const started = await s.alice.transfers.start(request(s, 'warm'));
    await phase(s.bob, started.id, 'consulting');
    await phase(s.alice, started.id, 'consulting');
    const bobConsultId = s.bob.transfers.get(started.id).consultCallId;
    await s.bob.transfers.cancel(started.id);
    await s.bob.transfers.cancel(started.id); // idempotent
    await phase(s.alice, started.id, 'cancelled');
    expect(s.contactLeg.state).toBe('established');
    expect(s.contactLeg.held).toBe(true);
    expect(s.bob.dispositions).toEqual([{ callId: bobConsultId, transferId: started.id, prefill: null }]);
    expect(s.alice.dispositions).toEqual([]);
    await s.alice.transfers.unholdContact(started.id);
    await talking(s.customerLeg, TONES.alice, s.contactLeg, TONES.customer);
    expect(s.customer.referrals).toHaveLength(0);
    await hangUpAll(s.customer, s.alice, s.bob);
  });

  it.each([
    ['decline', 'declined'],
    ['busy', 'busy'],
    ['manual', 'no-answer'],
  ] as const)('Bob’s %s of the consult: failed(%s), Alice may take the contact off hold', async (policy, reason) => {
    const s = await scene({ bobPolicy: policy, transfers: { phone: { noAnswerTimeoutSec: 1 } } });
    const started = await s.alice.transfers.start(request(s, 'warm'));
    const failed = await phase(s.alice, started.id, 'failed');
    expect(failed.state.failure?.reason).toBe(reason);
    expect(failed.allowed).toContain('unholdContact');
    await s.alice.transfers.unholdContact(started.id);
    await talking(s.customerLeg, TONES.alice, s.contactLeg, TONES.customer);
    expect(s.bob.dispositions).toEqual([]);
    await hangUpAll(s.customer, s.alice, s.bob);
  });

  it('the contact hangs up during the consult: failed(contact-hung-up), the consult goes on', async () => {
    const s = await scene();
    const started = await s.alice.transfers.start(request(s, 'warm'));
    await phase(s.alice, started.id, 'consulting');
    await s.customerLeg.hangUp();
    const failed = await phase(s.alice, started.id, 'failed');
    expect(failed.state.failure?.reason).toBe('contact-hung-up');
    const consult = s.alice.phone.calls().find((c) => c.id === failed.consultCallId);
    expect(consult?.state).toBe('established');
    expect(failed.allowed).toContain('hangUpConsult');
    await hangUpAll(s.customer, s.alice, s.bob);
  });

  it('Bob’s connection drops mid-consult: Alice gets the contact back', async () => {
    const s = await scene();
    const started = await s.alice.transfers.start(request(s, 'warm'));
    await phase(s.alice, started.id, 'consulting');
    // Bob's desk vanishes without a BYE: socket gone, media gone, no reconnect.
    await s.bob.crash();
    // No BYE told Alice: her consult probe (every 500 ms here) finds Bob gone, as soon as during crash().
    const failed = await phase(s.alice, started.id, 'failed', 10_000);
    expect(failed.state.failure?.reason).toBe('connection-lost');
    await s.alice.transfers.unholdContact(started.id);
    await talking(s.customerLeg, TONES.alice, s.contactLeg, TONES.customer);
    await hangUpAll(s.customer, s.alice);
    // Each wait above has its own bound and says what it waited for; together they may pass the
    // file's 30 s, which would fail the test without saying which one was slow.
  }, 60_000);

  it('starting twice for the same call returns the transfer under way', async () => {
    const s = await scene({ bobPolicy: 'manual' });
    const first = await s.alice.transfers.start(request(s, 'warm'));
    const again = await s.alice.transfers.start(request(s, 'warm'));
    expect(again.id).toBe(first.id);
    await waitFor('one toast', () => s.bob.toasts.length === 1);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(s.bob.toasts).toHaveLength(1);
    await hangUpAll(s.customer, s.alice, s.bob);
  });
});

describe('what the contact hears', () => {
  it('a held contact hears nothing of the consult between Alice and Bob', async () => {
    const s = await scene();
    const started = await s.alice.transfers.start(request(s, 'warm'));
    await phase(s.alice, started.id, 'consulting');
    // The customer hears no one (packets of silence from Alice, no tone); Alice asked the customer
    // to send nothing while held, and the consult is the only call she hears.
    await untilHearsNoTone(s.customerLeg);
    await untilMediaDead(s.contactLeg);
    const consult = s.alice.phone.calls().find((c) => c.id === s.alice.transfers.get(started.id).consultCallId);
    if (!consult) throw new Error('no consult at alice');
    await untilHearsOnly(consult, TONES.bob);
    await hangUpAll(s.customer, s.alice, s.bob);
  });
});
