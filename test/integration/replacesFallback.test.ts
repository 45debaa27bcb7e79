/**
 * Warm transfers of customers whose phones do not support Replaces (RFC 3891), through the real
 * Kamailio and rtpengine: a lab bot configured without Replaces that follows a REFER as Debian's
 * baresip does, and baresip itself. The initiator then REFERs the customer to the recipient's end of
 * the consult with the transfer's secret and no Replaces; the recipient links the new call to the
 * transfer by the secret, ends the consult itself and answers with the customer held. A phone that
 * refuses REFER outright ends the transfer. A phone that declares Replaces (the default bot,
 * linphonec) still gets Replaces.
 *
 * Tones (test/support/partyTones.ts): the bot customer 330 Hz, baresip and linphonec 770, Alice 440,
 * Bob 660. Every check after a completion says who hears whom, both ways.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startLab, type Lab } from '../lab/lab.js';
import { createCustomer, createDesk, type CustomerBot, type Desk } from '../lab/bots.js';
import { createBaresip, type BaresipPhone } from '../lab/baresip.js';
import { createLinphone, type LinphonePhone } from '../lab/linphone.js';
import { TONES, untilHearsNoTone, untilHearsOnly } from '../support/audioOracle.js';
import { endAgentCalls, type TestAgent } from '../support/agents.js';
import { waitFor } from '../support/waitFor.js';
import { transferPhase } from '../support/transferScene.js';
import type { Call } from '../../electron/core/sip/call.js';
import type { StartTransfer, TransferView } from '../../electron/core/transfer/transfers.js';
import { transferHeadline } from '../../renderer/features/transfer/transferLabels.js';

let lab: Lab;
const agents: TestAgent[] = [];
const phones: Array<BaresipPhone | LinphonePhone> = [];

beforeAll(async () => {
  lab = await startLab({ presence: false, mediaRelay: true });
});
afterEach(async () => {
  await Promise.all(phones.splice(0).map((p) => p.stop()));
  await Promise.all(agents.splice(0).map((a) => a.dispose()));
});
afterAll(async () => lab?.stop());

const PHONE_TONE = TONES.customer2;

function desk(name: 'alice' | 'bob', incomingPolicy: Desk['incomingPolicy'] = 'accept'): Desk {
  const d = createDesk(lab, name, { toneHz: TONES[name], incomingPolicy });
  agents.push(d);
  return d;
}

function request(contactLeg: Call): StartTransfer {
  return {
    method: 'warm',
    contactCallId: contactLeg.id,
    recipient: { userId: 'bob', name: 'Bob', uri: `sip:bob@${lab.domain}` },
    outcome: { id: 'billing', label: 'Billing question' },
    note: 'Wants a refund',
    contact: { id: 'contact-1', name: 'Dana', number: 'customer' },
    history: [],
  };
}

function phase(d: Desk, id: string, expected: TransferView['state']['phase'], timeoutMs = 10_000): Promise<TransferView> {
  return transferPhase(d, id, expected, timeoutMs);
}

function callOf(d: Desk, id: string | null): Call {
  const call = d.phone.calls().find((c) => c.id === id);
  if (!call) throw new Error(`${d.name} has no call ${String(id)}`);
  return call;
}

/** Starts a warm transfer and waits until Alice and Bob consult (and hear each other, only). */
async function consult(alice: Desk, bob: Desk, contactLeg: Call): Promise<{ id: string; aliceConsult: Call; bobConsult: Call }> {
  const started = await alice.transfers.start(request(contactLeg));
  const consulting = await phase(alice, started.id, 'consulting');
  await phase(bob, started.id, 'consulting');
  const aliceConsult = callOf(alice, consulting.consultCallId);
  const bobConsult = callOf(bob, bob.transfers.get(started.id).consultCallId);
  await untilHearsOnly(aliceConsult, TONES.bob, 8_000);
  await untilHearsOnly(bobConsult, TONES.alice, 8_000);
  expect(contactLeg.held).toBe(true);
  return { id: started.id, aliceConsult, bobConsult };
}

/**
 * After a completion without Replaces: Bob has the customer's new call, held, in the same "after
 * completion" view as with Replaces; the consult is over (Bob ends it himself unless Alice, told by
 * the customer's final NOTIFY, left first); Alice left every call and owes the prefilled
 * disposition; Bob owes nothing for the consult.
 */
async function completedWithoutReplaces(alice: Desk, bob: Desk, id: string, bobConsult: Call, bobEndsConsult = false): Promise<Call> {
  await phase(alice, id, 'completed');
  const bobView = await phase(bob, id, 'completed');
  const bobContact = callOf(bob, bobView.contactCallId);
  expect(bobContact.replaces).toBeUndefined();
  expect(bobContact.toParam('xfer')).toBeDefined();
  expect(bobContact.header('Replaces')).toBeUndefined();
  expect(bobContact.held).toBe(true);
  // A phone without Replaces is held by Bob's microphone alone (Call.holdsBySilence): baresip
  // never decodes again once an SDP of ours holds it.
  expect(bobContact.media.localDirection).toBe('sendrecv');
  expect(bobView.allowed).toEqual(['unholdContact', 'hangUpContact']);
  expect(transferHeadline(bobView)).toBe('Dana is yours now.');
  await waitFor('bob ended the consult', () => bobConsult.state === 'ended', 8_000);
  if (bobEndsConsult) expect(bobConsult.end?.reason).toBe('hung-up-local');
  await waitFor('alice left every call', () => alice.phone.calls().length === 0, 8_000);
  expect(alice.dispositions).toEqual([expect.objectContaining({ transferId: id, prefill: { id: 'billing', label: 'Billing question' } })]);
  expect(bob.dispositions).toEqual([]);
  return bobContact;
}

async function hangUpAgents(...desks: TestAgent[]): Promise<void> {
  await endAgentCalls(desks);
  for (const d of desks) expect(d.media.openSessions(), `${d.name} media sessions`).toHaveLength(0);
}

describe('a customer bot without Replaces', () => {
  interface Scene {
    customer: CustomerBot;
    alice: Desk;
    bob: Desk;
    contactLeg: Call;
    customerLeg: Call;
  }

  async function scene(options: { replaces?: boolean; aliceCalls?: boolean } = {}): Promise<Scene> {
    const customer = createCustomer(lab, 'customer', { replaces: options.replaces ?? false, toneHz: TONES.customer });
    agents.push(customer);
    const alice = desk('alice');
    const bob = desk('bob');
    await Promise.all([customer.phone.start(), alice.phone.start(), bob.phone.start()]);
    let contactLeg: Call;
    let customerLeg: Call;
    if (options.aliceCalls) {
      const ringing = customer.nextIncoming();
      contactLeg = await alice.phone.call('customer');
      customerLeg = await ringing;
      await customerLeg.answer();
      await waitFor('alice connected', () => contactLeg.state === 'established');
    } else {
      const ringing = alice.nextIncoming();
      customerLeg = await customer.phone.call('alice');
      contactLeg = await ringing;
      await contactLeg.answer();
    }
    await untilHearsOnly(contactLeg, TONES.customer, 8_000);
    await untilHearsOnly(customerLeg, TONES.alice, 8_000);
    return { customer, alice, bob, contactLeg, customerLeg };
  }

  it.each([
    ['the customer called Alice (its INVITE says what it supports); no final NOTIFY, so Bob ends the consult himself', false, 'never'],
    ['Alice called the customer (its 200 says what it supports)', true, undefined],
  ] as const)(
    '%s: warm completion without Replaces; the customer arrives held at Bob, then they hear each other',
    async (_how, aliceCalls, finalNotify) => {
      const s = await scene({ aliceCalls });
      s.customer.finalNotifyDelayMs = finalNotify;
      expect(s.contactLeg.peerSupportsReplaces).toBe(false);
      expect(s.contactLeg.peer.allow?.has('REFER')).toBe(true);
      expect(s.contactLeg.peer.refer).toEqual({ kind: 'not-tried' });
      const { id, bobConsult } = await consult(s.alice, s.bob, s.contactLeg);

      await s.alice.transfers.complete(id);
      const bobContact = await completedWithoutReplaces(s.alice, s.bob, id, bobConsult, finalNotify === 'never');
      expect(s.contactLeg.peer.refer).toEqual({ kind: 'accepted' });
      // What the customer's phone sent: an INVITE to Bob's end of the consult, the secret kept.
      const referral = s.customer.referrals[0];
      expect(referral?.replaces).toBe(false);
      const customerToBob = await waitFor('the customer’s new call', () => s.customer.followed[0]);
      expect(customerToBob.session.request.getHeader('Replaces')).toBeUndefined();
      // Held: the customer hears nobody until Bob takes it off hold.
      await untilHearsNoTone(customerToBob, 8_000);

      await s.bob.transfers.unholdContact(id);
      expect(s.bob.transfers.get(id).allowed).toEqual(['holdContact', 'hangUpContact']);
      await untilHearsOnly(bobContact, TONES.customer, 8_000);
      await untilHearsOnly(customerToBob, TONES.bob, 8_000);
      await bobContact.hangUp();
      await waitFor('bob owes a disposition for the customer', () => s.bob.dispositions.length === 1);
      expect(s.bob.dispositions[0]).toMatchObject({ callId: bobContact.id, prefill: null });
      await hangUpAgents(s.customer, s.alice, s.bob);
    },
  );

  it('warm cancelled by Bob: no REFER goes out; the customer stays with Alice, who takes it off hold', async () => {
    const s = await scene();
    const { id, bobConsult } = await consult(s.alice, s.bob, s.contactLeg);
    await s.bob.transfers.cancel(id);
    await phase(s.alice, id, 'cancelled');
    expect(s.bob.transfers.get(id).state.phase).toBe('cancelled');
    await waitFor('the consult ended', () => bobConsult.state === 'ended');
    expect(s.customer.referrals).toEqual([]);
    expect(s.contactLeg.held).toBe(true);
    await s.alice.transfers.unholdContact(id);
    await untilHearsOnly(s.contactLeg, TONES.customer, 8_000);
    await untilHearsOnly(s.customerLeg, TONES.alice, 8_000);
    await waitFor('bob owes a disposition for the consult', () => s.bob.dispositions.length === 1);
    expect(s.bob.dispositions[0]).toMatchObject({ callId: bobConsult.id, prefill: null });
    await hangUpAgents(s.customer, s.alice, s.bob);
  });

  it.each([405, 501, 603])(
    'its phone refuses REFER (%i): Alice is told in one sentence, keeps the customer held until she chooses, Bob’s consult ends and he owes its disposition',
    async (status) => {
      const s = await scene();
      const { id, aliceConsult, bobConsult } = await consult(s.alice, s.bob, s.contactLeg);
      s.customer.referPolicy = 'reject';
      s.customer.referRejectStatus = status;
      await s.alice.transfers.complete(id);
      const failed = await phase(s.alice, id, 'failed');
      expect(failed.state.failure).toEqual({ reason: 'refer-unsupported', during: 'completing' });
      expect(transferHeadline(failed)).toBe('Dana’s phone cannot be transferred, so Dana stays with you, on hold until you take them off.');
      expect(s.contactLeg.peer.refer).toEqual({ kind: 'refused-method', status });
      const bobView = await phase(s.bob, id, 'failed');
      expect(bobView.state.failure).toEqual({ reason: 'refer-unsupported', during: 'consulting' });
      expect(transferHeadline(bobView)).toMatch(/^The transfer from .+ did not go through: the contact’s phone cannot be transferred\.$/);
      await waitFor('the consult ended', () => aliceConsult.state === 'ended' && bobConsult.state === 'ended');
      await waitFor('bob owes a disposition for the consult', () => s.bob.dispositions.length === 1);
      expect(s.bob.dispositions[0]).toMatchObject({ callId: bobConsult.id, prefill: null });

      // Still held: nobody hears anybody until Alice chooses.
      expect(s.contactLeg.held).toBe(true);
      expect(s.alice.transfers.get(id).allowed).toEqual(['unholdContact', 'hangUpContact', 'hangUpConsult']);
      await s.alice.transfers.unholdContact(id);
      expect(transferHeadline(s.alice.transfers.get(id))).toBe('Dana’s phone cannot be transferred, so Dana stays with you.');
      await untilHearsOnly(s.contactLeg, TONES.customer, 8_000);
      await untilHearsOnly(s.customerLeg, TONES.alice, 8_000);
      expect(s.alice.dispositions).toEqual([]);
      await s.contactLeg.hangUp();
      await waitFor('alice owes a disposition for the customer', () => s.alice.dispositions.length === 1);
      expect(s.alice.dispositions[0]).toMatchObject({ callId: s.contactLeg.id, prefill: null });
      await hangUpAgents(s.customer, s.alice, s.bob);
    },
  );

  it('a REFER refused for another reason (480) still goes back to the consult, where Alice may try again', async () => {
    const s = await scene();
    const { id } = await consult(s.alice, s.bob, s.contactLeg);
    s.customer.referPolicy = 'reject';
    s.customer.referRejectStatus = 480;
    await s.alice.transfers.complete(id);
    const view = await waitFor('told why', () => {
      const v = s.alice.transfers.get(id);
      return v.state.phase === 'consulting' && v.state.failure ? v : undefined;
    });
    expect(view.state.failure?.reason).toBe('refer-rejected');
    expect(s.contactLeg.peer.refer).toEqual({ kind: 'refused', status: 480 });
    expect(s.bob.transfers.get(id).state.phase).toBe('consulting');
    s.customer.referPolicy = 'follow';
    await s.alice.transfers.complete(id);
    await phase(s.bob, id, 'completed');
    await hangUpAgents(s.customer, s.alice, s.bob);
  });

  it('Bob cancels while Alice completes: the customer’s late call with the spent secret is refused (603); it stays with Alice only', async () => {
    const s = await scene();
    const { id } = await consult(s.alice, s.bob, s.contactLeg);
    let follow: () => void = () => {};
    s.customer.beforeFollow = () => new Promise<void>((resolve) => (follow = resolve));
    // This phone answers the REFER only as it follows it: the Complete resolves after that.
    const completing = s.alice.transfers.complete(id);
    await waitFor('the REFER reached the customer', () => s.customer.referrals.length === 1);
    await s.bob.transfers.cancel(id);
    await phase(s.alice, id, 'cancelled');
    const arrivals: Call[] = [];
    s.bob.phone.events.on('incomingCall', (call) => arrivals.push(call));
    follow();
    const late = await waitFor('the customer’s late call at bob', () => arrivals[0], 8_000);
    await waitFor('the late call refused', () => late.state === 'ended', 8_000);
    expect(late.end).toMatchObject({ reason: 'declined', statusCode: 603 });
    await waitFor('the customer’s late call ended', () => s.customer.followed[0]?.state === 'ended', 8_000);
    expect(s.customer.followed).toHaveLength(1);
    await completing;
    expect(s.bob.transfers.list().map((t) => `${t.id === id ? 'this' : 'another'}:${t.state.phase}`)).toEqual(['this:cancelled']);
    expect(s.bob.phone.calls().map((c) => c.state)).toEqual([]);
    await waitFor('the customer keeps only its call with alice', () => s.customer.phone.calls().length === 1);
    expect(s.customer.phone.calls()[0]).toBe(s.customerLeg);
    expect(s.contactLeg.held).toBe(true);
    await s.alice.transfers.unholdContact(id);
    await untilHearsOnly(s.contactLeg, TONES.customer, 8_000);
    await untilHearsOnly(s.customerLeg, TONES.alice, 8_000);
    await hangUpAgents(s.customer, s.alice, s.bob);
  });

  it('the customer’s new call dies before it reaches Bob: both desks say the customer is still held with Alice; the consult goes on and a second Complete works', async () => {
    const s = await scene();
    const { id, aliceConsult, bobConsult } = await consult(s.alice, s.bob, s.contactLeg);
    // The customer gives up its new call at once: it ends before Bob's desk answers it.
    await s.alice.transfers.complete(id);
    const newCall = await waitFor('the customer’s new call', () => s.customer.followed[0], 8_000, 5);
    await newCall.hangUp();
    const aliceView = await waitFor('alice told why', () => {
      const v = s.alice.transfers.get(id);
      return v.state.phase === 'consulting' && v.state.failure ? v : undefined;
    });
    // The phone's NOTIFY reports its new call's failure; without it in time, Alice's REFER bound does.
    expect(aliceView.state.failure?.during).toBe('completing');
    expect(['not-connected', 'refer-ignored']).toContain(aliceView.state.failure?.reason);
    expect(aliceView.allowed).toContain('complete');
    const bobView = s.bob.transfers.get(id);
    expect(bobView.state).toMatchObject({ phase: 'consulting', failure: null });
    expect(bobView.contactCallId).toBeNull();
    expect(transferHeadline(bobView)).toBe('Talking with Alice. Dana is on hold with Alice.');
    expect(s.contactLeg.held).toBe(true);
    expect(aliceConsult.state).toBe('established');
    expect(bobConsult.state).toBe('established');
    await waitFor('the failed attempt is gone', () => s.bob.phone.calls().length === 1);
    expect(s.bob.dispositions).toEqual([]);

    // Alice completes again: the customer's next call is linked to the same transfer, not a contextless one.
    await s.alice.transfers.complete(id);
    await completedWithoutReplaces(s.alice, s.bob, id, bobConsult);
    expect(s.bob.transfers.list().map((t) => t.id)).toEqual([id]);
    await hangUpAgents(s.customer, s.alice, s.bob);
  });

  it('a customer phone that declares Replaces still gets Replaces: its call takes over the consult', async () => {
    const s = await scene({ replaces: true });
    expect(s.contactLeg.peerSupportsReplaces).toBe(true);
    const { id, bobConsult } = await consult(s.alice, s.bob, s.contactLeg);
    await s.alice.transfers.complete(id);
    const bobView = await phase(s.bob, id, 'completed');
    const bobContact = callOf(s.bob, bobView.contactCallId);
    expect(s.customer.referrals[0]?.replaces).toBe(true);
    expect(bobContact.replaces).toBe(bobConsult);
    expect(bobContact.header('Replaces')).toBeDefined();
    await hangUpAgents(s.customer, s.alice, s.bob);
  });
});

describe('Debian baresip as the customer (no Replaces) behind rtpengine', () => {
  interface Scene {
    phone: BaresipPhone;
    alice: Desk;
    bob: Desk;
    contactLeg: Call;
  }
  const OTHERS = Object.values(TONES).filter((hz) => hz !== PHONE_TONE);

  async function scene(): Promise<Scene> {
    const alice = desk('alice');
    const bob = desk('bob');
    await Promise.all([alice.phone.start(), bob.phone.start()]);
    const phone = createBaresip(lab, { user: 'deskphone', toneHz: PHONE_TONE });
    phones.push(phone);
    await phone.start();
    const ringing = alice.nextIncoming();
    await phone.dial('alice');
    const contactLeg = await ringing;
    await contactLeg.answer();
    await phone.untilEstablished();
    await phone.untilHears(TONES.alice, { absent: OTHERS.filter((hz) => hz !== TONES.alice) });
    await untilHearsOnly(contactLeg, PHONE_TONE, 8_000);
    return { phone, alice, bob, contactLeg };
  }

  it('warm completed: it calls Bob’s end of the consult with the secret; held at Bob, then Bob hears only it and it receives Bob', async () => {
    const s = await scene();
    expect(s.contactLeg.peerSupportsReplaces).toBe(false);
    const { id, bobConsult } = await consult(s.alice, s.bob, s.contactLeg);
    // baresip names its dumps by the second: a new call's dump opened in the second of the hold's
    // would overwrite that one's file.
    await sleep(1_100);
    await s.alice.transfers.complete(id);
    const bobContact = await completedWithoutReplaces(s.alice, s.bob, id, bobConsult);
    // Held by silence: baresip decodes Bob's silent stream from the start, and nothing of Bob's.
    await s.phone.untilDecodes({ absent: [TONES.bob], since: s.phone.mark() });
    const unheld = s.phone.mark();
    await s.bob.transfers.unholdContact(id);
    await untilHearsOnly(bobContact, PHONE_TONE, 10_000);
    expect(bobContact.media).toEqual({ localDirection: 'sendrecv', remoteDirection: 'sendrecv' });
    // The phone's side, from what baresip itself decoded after the unhold (its sndfile dump growing,
    // and its vumeter): Bob's tone, nobody else's.
    await s.phone.untilHears(TONES.bob, { absent: OTHERS.filter((hz) => hz !== TONES.bob), since: unheld, timeoutMs: 10_000 });
    expect(s.phone.mark().rxReports).toBeGreaterThan(unheld.rxReports);
    await hangUpAgents(s.alice, s.bob);
  });

  it('warm cancelled by Bob: it stays with Alice, who takes it off hold; they hear each other', async () => {
    const s = await scene();
    const { id, bobConsult } = await consult(s.alice, s.bob, s.contactLeg);
    await s.bob.transfers.cancel(id);
    await phase(s.alice, id, 'cancelled');
    await waitFor('the consult ended', () => bobConsult.state === 'ended');
    const unheld = s.phone.mark();
    await s.alice.transfers.unholdContact(id);
    await untilHearsOnly(s.contactLeg, PHONE_TONE, 10_000);
    await s.phone.untilHears(TONES.alice, { absent: OTHERS.filter((hz) => hz !== TONES.alice), since: unheld, timeoutMs: 10_000 });
    expect(s.bob.dispositions).toEqual([expect.objectContaining({ callId: bobConsult.id, prefill: null })]);
    await hangUpAgents(s.alice, s.bob);
  });
});

describe('linphonec as the customer (declares Replaces) behind rtpengine', () => {
  it('keeps Replaces as the first choice: its replacing call takes over the consult', async () => {
    const alice = desk('alice');
    const bob = desk('bob');
    await Promise.all([alice.phone.start(), bob.phone.start()]);
    const phone = createLinphone(lab, { user: 'contact', toneHz: PHONE_TONE });
    phones.push(phone);
    await phone.start();
    const ringing = alice.nextIncoming();
    const phoneLeg = await phone.call('alice');
    const contactLeg = await ringing;
    await contactLeg.answer();
    await waitFor('the phone connected', () => phoneLeg.state === 'connected');
    expect(contactLeg.peerSupportsReplaces).toBe(true);
    const { id, bobConsult } = await consult(alice, bob, contactLeg);
    await alice.transfers.complete(id);
    const bobView = await phase(bob, id, 'completed');
    const bobContact = callOf(bob, bobView.contactCallId);
    expect(bobContact.replaces).toBe(bobConsult);
    expect(bobContact.header('Replaces')).toBeDefined();
    await bob.transfers.unholdContact(id);
    await untilHearsOnly(bobContact, PHONE_TONE, 10_000);
    await phone.hangUpAll();
    await hangUpAgents(alice, bob);
  });
});
