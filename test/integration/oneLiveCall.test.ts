/**
 * One live call at a time, decided in main, heard through the real Kamailio with real WebRTC: each
 * party sends its own tone (test/support/partyTones.ts) and the audio oracle says who hears whom.
 * Also: signing out or quitting never hangs up a customer silently, and IT's `appliesTo` and the
 * note limit hold in main whatever the renderer sends.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { createCustomer, type CustomerBot } from '../lab/bots.js';
import { createTestDesk, labDocument, type TestDesk } from '../support/deskFixture.js';
import { ok, signIn } from '../support/deskCommands.js';
import { labForTests } from '../support/labForTests.js';
import { TONES, WINDOW_MS, describeHearing, hearing, noToneHeard, untilHearsNoTone, untilHearsOnly } from '../support/audioOracle.js';
import { waitFor } from '../support/waitFor.js';
import type { Call } from '../../electron/core/sip/call.js';
import type { CallView, DeskState } from '../../shared/desk.js';
import type { CommandName, CommandPayload } from '../../shared/ipc.js';
import type { ProvisioningDocument } from '../../shared/provisioning/index.js';

const suite = labForTests();
let doc: ProvisioningDocument;

beforeAll(() => {
  const base = labDocument(suite.lab, { nonRecommendedTransfer: 'allow', noteMaxLength: 40 });
  doc = {
    ...base,
    outcomes: [...base.outcomes, { id: 'warm-only', label: 'Needs a specialist', appliesTo: { methods: ['warm'] } }],
  };
});

function desk(toneHz: number): TestDesk {
  const d = createTestDesk(doc, { toneHz });
  suite.open.push(d);
  return d;
}

function customer(name: string, toneHz: number): CustomerBot {
  const bot = createCustomer(suite.lab, name, { toneHz });
  suite.open.push(bot);
  return bot;
}

async function refused<C extends CommandName>(
  d: TestDesk,
  command: C,
  payload: CommandPayload<C>,
): Promise<{ code: string; message: string }> {
  const outcome = await d.desk.handle(command, payload);
  if (outcome.ok) throw new Error(`${command} was accepted`);
  return outcome.error;
}

/** `bot` calls the desk's user, which answers through the desk; returns both ends. */
async function callIn(d: TestDesk, bot: CustomerBot, userId: string): Promise<{ callId: string; botCall: Call }> {
  const before = new Set(d.state().calls.map((c) => c.id));
  const botCall = await bot.phone.call(userId);
  const ringing = await d.until('a new ringing call', (s) => s.calls.some((c) => c.state === 'ringing' && !before.has(c.id)));
  const callId = ringing.calls.find((c) => c.state === 'ringing' && !before.has(c.id))?.id ?? '';
  await ok(d, 'call.answer', { callId });
  await d.until('the call connected', (s) => s.calls.some((c) => c.id === callId && c.state === 'established'));
  return { callId, botCall };
}

function callView(state: DeskState, callId: string): CallView | undefined {
  return state.calls.find((c) => c.id === callId);
}

function liveCalls(state: DeskState): string[] {
  return state.calls.filter((c) => c.live).map((c) => c.id);
}

/** The desk-side Call object for a call id (to ask the oracle what it hears). */
function deskCall(d: TestDesk, callId: string): Call {
  const call = d.desk.callById(callId);
  if (!call) throw new Error(`no call ${callId} at the desk`);
  return call;
}

describe('one live call at a time', () => {
  it('accepting a warm transfer while on a call holds that call first: its customer hears nothing of the consult', async () => {
    const alice = desk(TONES.alice);
    const bob = desk(TONES.bob);
    const first = customer('first', TONES.customer);
    const second = customer('second', TONES.customer2);
    await Promise.all([first.phone.start(), second.phone.start(), signIn(alice, 'alice'), signIn(bob, 'bob')]);

    const bobsCall = await callIn(bob, first, 'bob');
    await untilHearsOnly(bobsCall.botCall, TONES.bob);
    const alicesCall = await callIn(alice, second, 'alice');
    await untilHearsOnly(alicesCall.botCall, TONES.alice);

    const { transferId } = (await ok(alice, 'transfer.start', {
      callId: alicesCall.callId,
      method: 'warm',
      userId: 'bob',
      outcomeId: 'other',
      note: '',
    })) as { transferId: string };
    await bob.until('the offer at bob', (s) => s.transfers.some((t) => t.id === transferId));
    // While the offer rings, Bob's customer is still his live call.
    expect(liveCalls(bob.state())).toEqual([bobsCall.callId]);

    await ok(bob, 'transfer.accept', { transferId });
    const consulting = await bob.until('consulting at bob', (s) =>
      s.transfers.some((t) => t.id === transferId && t.state.phase === 'consulting'),
    );
    const consultId = consulting.transfers.find((t) => t.id === transferId)?.consultCallId ?? '';
    expect(callView(consulting, bobsCall.callId)).toMatchObject({ held: true, live: false });
    expect(liveCalls(consulting)).toEqual([consultId]);
    await waitFor('the first customer told it is held', () => bobsCall.botCall.remoteHeld);

    // Who hears whom: the agents hear each other; both customers hear nobody (packets still flow).
    await untilHearsOnly(deskCall(bob, consultId), TONES.alice);
    const aliceConsult = alice.state().transfers.find((t) => t.id === transferId)?.consultCallId ?? '';
    await untilHearsOnly(deskCall(alice, aliceConsult), TONES.bob);
    await untilHearsNoTone(bobsCall.botCall);
    await untilHearsNoTone(alicesCall.botCall);
  });

  it('answering a second call holds the first; resuming the first holds the second', async () => {
    const bob = desk(TONES.bob);
    const first = customer('first', TONES.customer);
    const second = customer('second', TONES.customer2);
    await Promise.all([first.phone.start(), second.phone.start(), signIn(bob, 'bob')]);

    const a = await callIn(bob, first, 'bob');
    await untilHearsOnly(a.botCall, TONES.bob);
    const b = await callIn(bob, second, 'bob');
    expect(callView(bob.state(), a.callId)).toMatchObject({ held: true, live: false });
    expect(liveCalls(bob.state())).toEqual([b.callId]);
    await untilHearsNoTone(a.botCall);
    await untilHearsOnly(b.botCall, TONES.bob);
    await untilHearsOnly(deskCall(bob, b.callId), TONES.customer2);

    await ok(bob, 'call.unhold', { callId: a.callId });
    const resumed = bob.state();
    expect(callView(resumed, b.callId)).toMatchObject({ held: true, live: false });
    expect(liveCalls(resumed)).toEqual([a.callId]);
    await untilHearsOnly(a.botCall, TONES.bob);
    await untilHearsNoTone(b.botCall);
    await untilHearsOnly(deskCall(bob, a.callId), TONES.customer);
  });

  it('dialing while on a call holds it before the new call goes out', async () => {
    const bob = desk(TONES.bob);
    const first = customer('first', TONES.customer);
    const callee = customer('callee', TONES.customer2);
    await Promise.all([first.phone.start(), callee.phone.start(), signIn(bob, 'bob')]);
    const a = await callIn(bob, first, 'bob');
    await untilHearsOnly(a.botCall, TONES.bob);

    const ringing = callee.nextIncoming();
    const { callId: dialled } = (await ok(bob, 'call.dial', { target: 'callee' })) as { callId: string };
    // Held before the INVITE left: by the time the callee rings, the first call is on hold.
    const calleeCall = await ringing;
    expect(callView(bob.state(), a.callId)).toMatchObject({ held: true });
    // A second call cannot be connected while this one is still ringing out.
    expect((await refused(bob, 'call.unhold', { callId: a.callId })).code).toBe('call-being-placed');
    await calleeCall.answer();
    await bob.until('the dialled call connected', (s) => callView(s, dialled)?.state === 'established');
    expect(liveCalls(bob.state())).toEqual([dialled]);
    await untilHearsOnly(calleeCall, TONES.bob);
    await untilHearsNoTone(a.botCall);
  });
});

describe('mute', () => {
  it('survives a media engine take-over (a reload): the customer hears nothing until the agent unmutes', async () => {
    const bob = desk(TONES.bob);
    const first = customer('first', TONES.customer);
    await Promise.all([first.phone.start(), signIn(bob, 'bob')]);
    const a = await callIn(bob, first, 'bob');
    await untilHearsOnly(a.botCall, TONES.bob);
    await ok(bob, 'call.mute', { callId: a.callId, muted: true });
    await untilHearsNoTone(a.botCall);

    const before = deskCall(bob, a.callId).sdh();
    bob.desk.mediaEngineAttached();
    await waitFor(
      'the call moved to a new engine session',
      async () =>
        (await deskCall(bob, a.callId).stats()).packetsReceived > 0 &&
        deskCall(bob, a.callId).sdh() === before &&
        bob.media.openSessions().length === 1 &&
        bob.media.openSessions()[0]?.id !== a.callId,
    );
    expect(callView(bob.state(), a.callId)?.muted).toBe(true);
    // Media flows on the new session (bob hears the customer again); a whole oracle window later,
    // the customer still hears no one.
    await untilHearsOnly(deskCall(bob, a.callId), TONES.customer);
    await new Promise((resolve) => setTimeout(resolve, 2 * WINDOW_MS));
    const heard = await hearing(a.botCall);
    expect(noToneHeard(heard), describeHearing(heard)).toBe(true);

    await ok(bob, 'call.mute', { callId: a.callId, muted: false });
    await untilHearsOnly(a.botCall, TONES.bob);
  });
});

describe('sign-out and quit with calls up', () => {
  it('sign-out is refused with a sentence naming the live calls, and the calls go on', async () => {
    const bob = desk(TONES.bob);
    const first = customer('first', TONES.customer);
    const second = customer('second', TONES.customer2);
    await Promise.all([first.phone.start(), second.phone.start(), signIn(bob, 'bob')]);
    const a = await callIn(bob, first, 'bob');
    const b = await callIn(bob, second, 'bob');

    const refusal = await refused(bob, 'session.signOut', {});
    expect(refusal.code).toBe('calls-live');
    expect(refusal.message).toBe('You are on a held call with first and a call with second. End them before signing out.');
    expect(bob.state().session.registration).toBe('registered');
    await untilHearsOnly(b.botCall, TONES.bob);
    expect(a.botCall.state).toBe('established');

    await ok(bob, 'call.hangUp', { callId: a.callId });
    await ok(bob, 'call.hangUp', { callId: b.callId });
    await bob.until('both calls over', (s) => s.calls.length === 0);
    await ok(bob, 'session.signOut', {});
    expect(bob.state().session.user).toBeNull();
  });

  it('quitting (confirmed) during a consult ends the recipient’s side as a cancel: the customer stays with the initiator', async () => {
    const alice = desk(TONES.alice);
    const bob = desk(TONES.bob);
    const caller = customer('caller', TONES.customer);
    await Promise.all([caller.phone.start(), signIn(alice, 'alice'), signIn(bob, 'bob')]);
    const c = await callIn(alice, caller, 'alice');
    const { transferId } = (await ok(alice, 'transfer.start', {
      callId: c.callId,
      method: 'warm',
      userId: 'bob',
      outcomeId: 'other',
      note: '',
    })) as { transferId: string };
    await bob.until('the offer at bob', (s) => s.transfers.some((t) => t.id === transferId));
    await ok(bob, 'transfer.accept', { transferId });
    await alice.until('consulting', (s) => s.transfers.some((t) => t.id === transferId && t.state.phase === 'consulting'));

    expect(bob.desk.liveWork()).toBe('You are on a call with Alice (lab).');
    await bob.desk.dispose();

    const cancelled = await alice.until('cancelled at alice', (s) =>
      s.transfers.some((t) => t.id === transferId && t.state.phase === 'cancelled'),
    );
    expect(callView(cancelled, c.callId)).toMatchObject({ state: 'established', held: true });
    expect(c.botCall.state).toBe('established');
    await ok(alice, 'call.unhold', { callId: c.callId });
    await untilHearsOnly(c.botCall, TONES.alice);
  });
});

describe('IT’s appliesTo and the note limit, enforced in main', () => {
  it('refuses an outcome reserved for warm transfers in a cold one, a code not for this kind of call, and an overlong note', async () => {
    const alice = desk(TONES.alice);
    const caller = customer('caller', TONES.customer);
    await Promise.all([caller.phone.start(), signIn(alice, 'alice')]);
    expect(alice.state().outcomes.find((o) => o.id === 'warm-only')?.methods).toEqual(['warm']);
    const c = await callIn(alice, caller, 'alice');

    const outcome = await refused(alice, 'transfer.start', {
      callId: c.callId,
      method: 'cold',
      userId: 'bob',
      outcomeId: 'warm-only',
      note: '',
    });
    expect(outcome.code).toBe('outcome-not-applicable');
    expect(caller.referrals).toHaveLength(0);

    await ok(alice, 'call.hangUp', { callId: c.callId });
    const due = await alice.until('a wrap-up due', (s) => s.dispositionsDue.some((d) => d.callId === c.callId));
    expect(due.dispositionsDue[0]?.callKind).toBe('inbound');
    expect((await refused(alice, 'disposition.file', { callId: c.callId, codeId: 'consult-only', note: '' })).code).toBe(
      'code-not-applicable',
    );
    expect((await refused(alice, 'disposition.file', { callId: c.callId, codeId: 'resolved', note: 'x'.repeat(41) })).code).toBe(
      'note-too-long',
    );
    expect(alice.store.dispositions.get(c.callId)).toBeUndefined();
    await ok(alice, 'disposition.file', { callId: c.callId, codeId: 'resolved', note: 'x'.repeat(40) });
    expect(alice.store.dispositions.get(c.callId)).toMatchObject({ code: 'resolved' });
  });
});
