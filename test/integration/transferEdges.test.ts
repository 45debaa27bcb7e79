/**
 * What happens between the scripted transfer paths, through the real Kamailio: who hangs up during
 * a consult, what a failed cold transfer leaves at the recipient, when the initiator leaves the
 * contact's call, and the words each failure reaches the agents' views with.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startLab, type Lab } from '../lab/lab.js';
import { createCustomer, type Desk } from '../lab/bots.js';
import { createTestDesk, labDocument, type TestDesk } from '../support/deskFixture.js';
import { endAgentCalls } from '../support/agents.js';
import { TONES, untilTalking } from '../support/audioOracle.js';
import { waitFor } from '../support/waitFor.js';
import {
  connectContact,
  transferParties,
  transferPhase,
  transferRequest,
  type ContactScene,
  type PartiesOptions,
} from '../support/transferScene.js';
import type { Call } from '../../electron/core/sip/call.js';
import type { StartTransfer } from '../../electron/core/transfer/transfers.js';
import { TRANSFER_STATUS_CONTENT_TYPE } from '../../electron/core/transfer/transferStatus.js';
import type { CommandName, CommandPayload } from '../../shared/ipc.js';
import type { TransferFailureReason } from '../../shared/transfer/transferModel.js';
import { failureText, transferHeadline } from '../../renderer/features/transfer/transferLabels.js';
import { bestEffort } from '../lab/bestEffort.js';

let lab: Lab;
const everyone: Array<{ dispose(): Promise<void> }> = [];

beforeAll(async () => {
  lab = await startLab();
});
afterEach(async () => {
  await Promise.all(
    everyone
      .splice(0)
      .reverse()
      .map((a) => a.dispose()),
  );
});
afterAll(async () => lab?.stop());

// ── bot scenes (Transfers on a bare phone) ──────────────────────────────────────────────────────

interface Scene extends ContactScene {
  /** Transfer status MESSAGEs Bob received, by word. */
  bobHeard: string[];
}

async function scene(options: PartiesOptions = {}): Promise<Scene> {
  const parties = transferParties(lab, options);
  everyone.push(parties.customer, parties.alice, parties.bob);
  const bobHeard: string[] = [];
  parties.bob.phone.events.on('message', (m) => {
    if (m.contentType === TRANSFER_STATUS_CONTENT_TYPE) bobHeard.push((JSON.parse(m.body) as { status: string }).status);
  });
  return { ...(await connectContact(parties)), bobHeard };
}

function request(s: Scene, method: 'cold' | 'warm'): StartTransfer {
  return transferRequest(lab, s, method, { note: 'Wants a refund for order 42', earlierNote: 'order #42' });
}

const phase = transferPhase;

/** `a` and `b` are the two ends of one call, each hearing only the other's party tone. */
async function talking(a: Call, aHears: number, b: Call, bHears: number): Promise<void> {
  await untilTalking(a, aHears, b, bHears);
}

function consultOf(desk: Desk, id: string): Call {
  const callId = desk.transfers.get(id).consultCallId;
  const call = desk.phone.calls().find((c) => c.id === callId);
  if (!call) throw new Error(`${desk.name} has no consult call`);
  return call;
}

/** The customer calls Bob directly, Bob answers: the plain call a failed transfer must not claim. */
async function customerCallsBob(s: Scene): Promise<{ bobSide: Call; customerSide: Call }> {
  const ringing = s.bob.nextIncoming();
  const customerSide = await s.customer.phone.call('bob');
  const bobSide = await ringing;
  await bobSide.answer();
  await talking(customerSide, TONES.bob, bobSide, TONES.customer);
  return { bobSide, customerSide };
}

// ── desk scenes (the whole composition root, commands as the renderer sends them) ───────────────

async function ok<C extends CommandName>(d: TestDesk, command: C, payload: CommandPayload<C>): Promise<unknown> {
  const outcome = await d.desk.handle(command, payload);
  if (!outcome.ok) throw new Error(`${command} refused: ${outcome.error.code} ${outcome.error.message}`);
  return outcome.value;
}

describe('hang-ups during a warm transfer', () => {
  it('Bob hanging up the consult is his Cancel: both desks show cancelled, History has it, Bob owes the consult', async () => {
    const doc = labDocument(lab, { nonRecommendedTransfer: 'warn' });
    const alice = createTestDesk(doc, { toneHz: 440 });
    const bob = createTestDesk(doc, { toneHz: 660 });
    const customer = createCustomer(lab, 'customer');
    everyone.push(alice, bob, customer);
    await customer.phone.start();
    for (const [d, user] of [
      [alice, 'alice'],
      [bob, 'bob'],
    ] as const) {
      await ok(d, 'session.signIn', { userId: user, password: '' });
      await ok(d, 'agent.setStatus', { kind: 'Ready' });
    }
    await alice.until('bob ready', (s) => s.directory.some((e) => e.userId === 'bob' && e.status.kind === 'Ready'));
    const customerLeg = await customer.phone.call('alice');
    const ringing = await alice.until('ringing', (s) => s.calls.some((c) => c.state === 'ringing'));
    const callId = ringing.calls.find((c) => c.state === 'ringing')?.id ?? '';
    await ok(alice, 'call.answer', { callId });
    await alice.until('on call', (s) => s.agent.status.kind === 'OnCall');
    const { transferId } = (await ok(alice, 'transfer.start', {
      callId,
      method: 'warm',
      userId: 'bob',
      outcomeId: 'billing-question',
      note: 'n',
    })) as {
      transferId: string;
    };
    await bob.until('bob sees the transfer', (s) => s.transfers.some((t) => t.id === transferId));
    await ok(bob, 'transfer.accept', { transferId });
    const consulting = await bob.until('bob consulting', (s) => s.transfers[0]?.state.phase === 'consulting');
    await alice.until('alice consulting', (s) => s.transfers[0]?.state.phase === 'consulting');
    const bobConsultId = consulting.transfers[0]?.consultCallId ?? '';
    const contactId = consulting.transfers[0]?.contact?.id ?? '';

    // The red button on the consult call, not the transfer's Cancel.
    await ok(bob, 'call.hangUp', { callId: bobConsultId });

    await bob.until('bob shows cancelled', (s) => s.transfers[0]?.state.phase === 'cancelled');
    await alice.until('alice shows cancelled', (s) => s.transfers[0]?.state.phase === 'cancelled');
    expect(bob.state().transfers[0]?.state.failure).toBeNull();
    await bob.until('bob owes the consult', (s) => s.dispositionsDue.some((d) => d.callId === bobConsultId));
    const history = (await ok(bob, 'history.list', { contactId })) as Array<{ kind: string; id: string }>;
    expect(history.map((e) => e.kind)).toContain('transfer-cancelled');
    // The customer stayed with Alice, on hold, and Alice owes nothing yet.
    expect(customerLeg.state).toBe('established');
    expect(alice.state().calls.find((c) => c.id === callId)?.held).toBe(true);
    expect(alice.state().dispositionsDue).toEqual([]);
  });

  it('the customer hangs up mid-consult: both agents are told so, the consult goes on, each owes what the rules say', async () => {
    const s = await scene();
    const started = await s.alice.transfers.start(request(s, 'warm'));
    await phase(s.bob, started.id, 'consulting');
    await phase(s.alice, started.id, 'consulting');
    await s.customerLeg.hangUp();

    const aliceView = await phase(s.alice, started.id, 'failed');
    const bobView = await phase(s.bob, started.id, 'failed');
    expect(aliceView.state.failure).toEqual({ reason: 'contact-hung-up', during: 'consulting' });
    expect(bobView.state.failure).toEqual({ reason: 'contact-hung-up', during: 'consulting' });
    expect(transferHeadline(bobView)).toBe('Dana Customer hung up. The transfer from Alice is off.');
    expect(transferHeadline(aliceView)).toBe('Dana Customer hung up. The transfer to Bob is off.');
    // Bob has no Cancel to press for a transfer that is over; either side may end the consult.
    expect(bobView.allowed).toEqual(['hangUpConsult']);
    // Nor has Alice anything to do with a contact who is gone: no hold, no take-back, no Complete.
    expect(aliceView.allowed).toEqual(['hangUpConsult']);
    expect(aliceView.contactHeld).toBe(false);
    expect(
      await s.alice.transfers.unholdContact(started.id).then(
        () => 'ok',
        (e: unknown) => String(e),
      ),
    ).toMatch(/hung up/);
    const aliceConsult = consultOf(s.alice, started.id);
    const bobConsult = consultOf(s.bob, started.id);
    await talking(aliceConsult, TONES.bob, bobConsult, TONES.alice);
    // Bob's History keeps nothing of a transfer that never connected: the failure is shown, not stored.
    expect(s.bob.history.forContact('contact-1')).toEqual([]);

    // Alice ends the consult: Bob is not told "connection lost".
    expect(await s.alice.transfers.hangUp(aliceConsult.id)).toBe(true);
    await waitFor('bob’s consult ended', () => bobConsult.state === 'ended');
    expect(s.bob.transfers.get(started.id).state.failure?.reason).toBe('contact-hung-up');
    await waitFor('dispositions owed', () => s.bob.dispositions.length === 1 && s.alice.dispositions.length === 1);
    expect(s.alice.dispositions).toEqual([{ callId: s.contactLeg.id, transferId: started.id, prefill: null }]);
    expect(s.bob.dispositions).toEqual([{ callId: bobConsult.id, transferId: started.id, prefill: null }]);
    await endAgentCalls([s.customer, s.alice, s.bob]);
  });

  it('the consult BYE alone tells Bob the customer hung up when the status MESSAGE never arrived', async () => {
    const s = await scene();
    const started = await s.alice.transfers.start(request(s, 'warm'));
    await phase(s.bob, started.id, 'consulting');
    await phase(s.alice, started.id, 'consulting');
    // Bob's desk refuses every status MESSAGE (as if it were lost on the way).
    const lost = s.bob.transfers as unknown as {
      onMessage(m: { contentType: string; reject(code: number): Promise<void>; accept(): Promise<void> }): void;
    };
    const original = lost.onMessage.bind(s.bob.transfers);
    lost.onMessage = (m) =>
      m.contentType === TRANSFER_STATUS_CONTENT_TYPE ? void m.reject(503).catch(bestEffort('refusing a status MESSAGE')) : original(m);
    await s.customerLeg.hangUp();
    const aliceView = await phase(s.alice, started.id, 'failed');
    expect(aliceView.state.failure?.reason).toBe('contact-hung-up');
    expect(s.bob.transfers.get(started.id).state.phase).toBe('consulting');
    await s.alice.transfers.hangUp(consultOf(s.alice, started.id).id);
    const bobView = await phase(s.bob, started.id, 'failed');
    expect(bobView.state.failure?.reason).toBe('contact-hung-up');
    await endAgentCalls([s.customer, s.alice, s.bob]);
  });

  it('the customer hangs up while the consult still rings: Bob’s toast stops, told why, nothing owed', async () => {
    const s = await scene({ bobPolicy: 'manual' });
    const started = await s.alice.transfers.start(request(s, 'warm'));
    await phase(s.bob, started.id, 'consultRinging');
    await s.customerLeg.hangUp();
    const bobView = await phase(s.bob, started.id, 'failed');
    expect(bobView.state.failure).toEqual({ reason: 'contact-hung-up', during: 'consultRinging' });
    expect(bobView.allowed).not.toContain('accept');
    await waitFor('no call left at bob', () => s.bob.phone.calls().length === 0);
    expect((await phase(s.alice, started.id, 'failed')).state.failure?.reason).toBe('contact-hung-up');
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(s.bob.dispositions).toEqual([]);
    await endAgentCalls([s.customer, s.alice, s.bob]);
  });
});

describe('a failed cold transfer leaves nothing at the recipient', () => {
  it.each([
    ['refuses', 'reject', 'refer-rejected'],
    ['ignores', 'ignore', 'refer-ignored'],
  ] as const)(
    'the customer’s phone %s the REFER: the context is withdrawn, a later plain call is only a call',
    async (_what, policy, reason) => {
      const s = await scene({ alice: { transfers: { referTimeoutMs: 800 } } });
      s.customer.referPolicy = policy;
      const started = await s.alice.transfers.start(request(s, 'cold'));
      const failed = await phase(s.alice, started.id, 'failed');
      expect(failed.state.failure?.reason).toBe(reason);
      await waitFor('bob got the withdrawal', () => s.bobHeard.includes('withdrawn'));

      // Within the context's 60 s, the same customer calls Bob himself.
      const { bobSide } = await customerCallsBob(s);
      expect(s.bob.transfers.forCall(bobSide.id)).toBeNull();
      expect(s.bob.transfers.list()).toEqual([]);
      expect(s.bob.toasts).toEqual([]);
      expect(s.bob.history.entries).toEqual([]);
      // Alice heard nothing back: no "connected" for a transfer that failed.
      expect(s.alice.transfers.get(started.id).state.phase).toBe('failed');
      expect(s.contactLeg.state).toBe('established');
      await endAgentCalls([s.customer, s.alice, s.bob]);
    },
  );

  it('a context nobody withdrew expires: past the bound a call from the same customer is only a call', async () => {
    // The customer's phone takes the REFER and never calls; Alice's own bound is far away.
    const s = await scene({ alice: { transfers: { referTimeoutMs: 30_000 } }, bob: { transfers: { pendingContextMs: 400 } } });
    s.customer.referPolicy = 'ignore';
    const started = await s.alice.transfers.start(request(s, 'cold'));
    await waitFor('the REFER reached the customer', () => s.customer.referrals.length === 1);
    await new Promise((resolve) => setTimeout(resolve, 600));
    const { bobSide } = await customerCallsBob(s);
    expect(s.bob.transfers.forCall(bobSide.id)).toBeNull();
    expect(s.bob.history.entries).toEqual([]);
    expect(s.alice.transfers.get(started.id).state.phase).toBe('referring');
    await endAgentCalls([s.customer, s.alice, s.bob]);
  });

  it('a withdrawal is refused without the transfer’s token or from anyone but its initiator', async () => {
    const s = await scene({ alice: { transfers: { referTimeoutMs: 30_000 } } });
    s.customer.referPolicy = 'ignore';
    const started = await s.alice.transfers.start(request(s, 'cold'));
    await waitFor('the REFER reached the customer', () => s.customer.referrals.length === 1);
    const forged = (token: string): string => JSON.stringify({ transferId: started.id, status: 'withdrawn', token });
    // The right id with a guessed token, from Alice; and from the customer, with a guessed token.
    expect(await s.alice.phone.sendMessage('sip:bob@' + lab.domain, TRANSFER_STATUS_CONTENT_TYPE, forged('guessed'))).toBe(403);
    expect(await s.customer.phone.sendMessage('sip:bob@' + lab.domain, TRANSFER_STATUS_CONTENT_TYPE, forged('guessed'))).toBe(403);
    expect(await s.alice.phone.sendMessage('sip:bob@' + lab.domain, TRANSFER_STATUS_CONTENT_TYPE, '{"status":"withdrawn"}')).toBe(400);
    await endAgentCalls([s.customer, s.alice, s.bob]);
  });
});

describe('the initiator leaves the contact only after its final NOTIFY', () => {
  it.each(['cold', 'warm'] as const)('%s: a desk phone’s late final NOTIFY is answered 200, then Alice hangs up', async (method) => {
    const s = await scene();
    // Like linphonec: the final NOTIFY goes out well after the new call's ACK (and Bob's word).
    s.customer.finalNotifyDelayMs = 1000;
    const started = await s.alice.transfers.start(request(s, method));
    if (method === 'warm') {
      await phase(s.alice, started.id, 'consulting');
      await s.alice.transfers.complete(started.id);
    }
    await phase(s.alice, started.id, 'completed');
    await waitFor('the final NOTIFY answered', () => s.customer.finalNotifies.length === 1, 5000);
    expect(s.customer.finalNotifies).toEqual([200]);
    await waitFor('alice’s leg ended', () => s.contactLeg.state === 'ended');
    expect(s.contactLeg.end?.reason).toBe('hung-up-local');
    const bobView = await phase(s.bob, started.id, 'completed');
    // A warm transfer's contact arrives on hold at Bob's.
    if (method === 'warm') await s.bob.transfers.unholdContact(started.id);
    const customerToBob = await waitFor('the customer’s new call', () => s.customer.followed[0]);
    await talking(customerToBob, TONES.bob, s.bob.phone.calls().find((c) => c.id === bobView.contactCallId) as Call, TONES.customer);
    expect(s.alice.dispositions).toEqual([
      { callId: s.contactLeg.id, transferId: started.id, prefill: { id: 'billing', label: 'Billing question' } },
    ]);
    await endAgentCalls([s.customer, s.alice, s.bob]);
  });

  it('no final NOTIFY at all: Alice leaves a bounded time after Bob’s word', async () => {
    const s = await scene({ alice: { transfers: { handoverGraceMs: 1500 } } });
    s.customer.finalNotifyDelayMs = 'never';
    const started = await s.alice.transfers.start(request(s, 'cold'));
    await phase(s.alice, started.id, 'completed');
    const completedAt = Date.now();
    expect(s.contactLeg.state).toBe('established');
    await waitFor('alice’s leg ended', () => s.contactLeg.state === 'ended', 5000);
    // Loose lower bound only: the leg must not end on the word itself.
    expect(Date.now() - completedAt).toBeGreaterThan(1000);
    expect(s.customer.finalNotifies).toEqual([]);
    await endAgentCalls([s.customer, s.alice, s.bob]);
  });
});

describe('every failure reaches the view in its own words', () => {
  const seen = new Map<TransferFailureReason, string>();
  afterAll(() => {
    // One wording per cause: no two causes read the same.
    expect(new Set(seen.values()).size).toBe(seen.size);
  });

  async function failedWith(s: Scene, id: string, reason: TransferFailureReason): Promise<void> {
    const view = await waitFor(`failure ${reason}`, () => {
      const v = s.alice.transfers.get(id);
      return v.state.failure ? v : undefined;
    });
    expect(view.state.failure?.reason).toBe(reason);
    expect(transferHeadline(view)).toContain(failureText(reason));
    seen.set(reason, failureText(reason));
  }

  it.each([
    ['cold', 'decline', 'declined'],
    ['cold', 'busy', 'busy'],
    ['cold', 'manual', 'no-answer'],
    ['warm', 'decline', 'declined'],
    ['warm', 'busy', 'busy'],
    ['warm', 'manual', 'no-answer'],
  ] as const)('%s, Bob’s %s → %s', async (method, policy, reason) => {
    const s = await scene({ bobPolicy: policy, bob: { phone: { noAnswerTimeoutSec: 1 } } });
    const started = await s.alice.transfers.start(request(s, method));
    await failedWith(s, started.id, reason);
    await endAgentCalls([s.customer, s.alice, s.bob]);
  });

  it.each(['cold', 'warm'] as const)('%s, Bob not signed in → not-signed-in', async (method) => {
    const s = await scene();
    await s.bob.phone.stop();
    const started = await s.alice.transfers.start(request(s, method));
    await failedWith(s, started.id, 'not-signed-in');
    await endAgentCalls([s.customer, s.alice]);
  });

  it('cold, the customer’s phone refuses the REFER → refer-rejected, not the colleague’s "declined"', async () => {
    const s = await scene();
    s.customer.referPolicy = 'reject';
    const started = await s.alice.transfers.start(request(s, 'cold'));
    await failedWith(s, started.id, 'refer-rejected');
    expect(s.alice.transfers.get(started.id).state.failure?.reason).not.toBe('declined');
    await endAgentCalls([s.customer, s.alice, s.bob]);
  });

  it('warm, the customer’s phone refuses the REFER for now (480) → back to the consult, told refer-rejected', async () => {
    const s = await scene();
    const started = await s.alice.transfers.start(request(s, 'warm'));
    await phase(s.alice, started.id, 'consulting');
    s.customer.referPolicy = 'reject';
    s.customer.referRejectStatus = 480;
    await s.alice.transfers.complete(started.id);
    const view = await waitFor('told why', () => {
      const v = s.alice.transfers.get(started.id);
      return v.state.phase === 'consulting' && v.state.failure ? v : undefined;
    });
    expect(view.state.failure?.reason).toBe('refer-rejected');
    await endAgentCalls([s.customer, s.alice, s.bob]);
  });

  it('cold, the customer’s phone ignores the REFER → refer-ignored', async () => {
    const s = await scene({ alice: { transfers: { referTimeoutMs: 800 } } });
    s.customer.referPolicy = 'ignore';
    const started = await s.alice.transfers.start(request(s, 'cold'));
    await failedWith(s, started.id, 'refer-ignored');
    await endAgentCalls([s.customer, s.alice, s.bob]);
  });

  it('warm, the customer hangs up → contact-hung-up', async () => {
    const s = await scene();
    const started = await s.alice.transfers.start(request(s, 'warm'));
    await phase(s.alice, started.id, 'consulting');
    await s.customerLeg.hangUp();
    const view = await phase(s.alice, started.id, 'failed');
    expect(view.state.failure?.reason).toBe('contact-hung-up');
    seen.set('contact-hung-up', failureText('contact-hung-up'));
    await endAgentCalls([s.customer, s.alice, s.bob]);
  });
});

describe('what an independent attempt to break the transfers found', () => {
  it('Confirm pressed again for a colleague: the same transfer is a no-op, another method or colleague is refused', async () => {
    const s = await scene({ bobPolicy: 'manual' });
    const first = await s.alice.transfers.start(request(s, 'warm'));
    expect((await s.alice.transfers.start(request(s, 'warm'))).id).toBe(first.id);
    await expect(s.alice.transfers.start(request(s, 'cold'))).rejects.toMatchObject({ code: 'not-in-phase' });
    const toCarol = { ...request(s, 'warm'), recipient: { userId: 'carol', name: 'Carol', uri: `sip:carol@${lab.domain}` } };
    await expect(s.alice.transfers.start(toCarol)).rejects.toMatchObject({ code: 'not-in-phase' });
    expect(s.alice.transfers.list()).toHaveLength(1);
    expect(s.alice.transfers.get(first.id).state).toMatchObject({ phase: 'consultRinging', method: 'warm' });
    await endAgentCalls([s.alice, s.bob, s.customer]);
  });

  it('a second transfer of a call whose first attempt failed is guarded by its own rules, and alone owes the wrap-up', async () => {
    const s = await scene();
    s.customer.referPolicy = 'reject';
    const first = await s.alice.transfers.start(request(s, 'cold'));
    await phase(s.alice, first.id, 'failed');
    s.customer.referPolicy = 'follow';
    const second = await s.alice.transfers.start(request(s, 'warm'));
    await phase(s.alice, second.id, 'consulting');

    expect(s.alice.transfers.forCall(s.contactLeg.id)?.id).toBe(second.id);
    const refusal = (command: 'unhold' | 'hangUp'): string | undefined => {
      try {
        s.alice.transfers.guardCallCommand(s.contactLeg.id, command);
        return undefined;
      } catch (error) {
        return (error as { code?: string }).code;
      }
    };
    expect(refusal('unhold')).toBe('contact-held-during-transfer');
    expect(refusal('hangUp')).toBe('contact-in-transfer');

    await s.alice.transfers.complete(second.id);
    await phase(s.alice, second.id, 'completed');
    await waitFor('alice owes the contact’s wrap-up', () => s.alice.dispositions.some((d) => d.callId === s.contactLeg.id));
    const owed = s.alice.dispositions.filter((d) => d.callId === s.contactLeg.id);
    expect(owed).toHaveLength(1);
    expect(owed[0]?.transferId).toBe(second.id);
    await endAgentCalls([s.customer, s.alice, s.bob]);
  });

  it('the customer hangs up after Complete, before its phone acted on the REFER: Bob is told, not left consulting', async () => {
    const s = await scene();
    const started = await s.alice.transfers.start(request(s, 'warm'));
    await phase(s.alice, started.id, 'consulting');
    await phase(s.bob, started.id, 'consulting');
    s.customer.referPolicy = 'ignore';
    await s.alice.transfers.complete(started.id);
    await phase(s.alice, started.id, 'completing');
    await s.customerLeg.hangUp();
    const bobView = await phase(s.bob, started.id, 'failed');
    expect(bobView.state.failure?.reason).toBe('contact-hung-up');
    expect(s.bobHeard).toContain('contact-hung-up');
    await endAgentCalls([s.customer, s.alice, s.bob]);
  });

  it('the initiator’s desk going away mid-consult is not "the customer hung up" for either agent', async () => {
    const s = await scene();
    const started = await s.alice.transfers.start(request(s, 'warm'));
    await phase(s.bob, started.id, 'consulting');
    await s.alice.phone.stop();
    const bobView = await phase(s.bob, started.id, 'failed');
    expect(bobView.state.failure?.reason).toBe('connection-lost');
    expect(s.bobHeard).not.toContain('contact-hung-up');
    expect(s.alice.history.entries.filter((e) => e.kind === 'transfer-failed').map((e) => e.detail)).toEqual(['ended when the agent left']);
    expect(s.alice.transfers.get(started.id).state.phase).toBe('failed');
    await endAgentCalls([s.customer, s.bob]);
  });

  it('the consult ends on Alice’s own side mid-consult (its media failed): she is not left consulting, the customer comes back to her', async () => {
    const s = await scene();
    const started = await s.alice.transfers.start(request(s, 'warm'));
    await phase(s.alice, started.id, 'consulting');
    await phase(s.bob, started.id, 'consulting');
    // What main does when an answer on the consult cannot be used: ACK, then BYE with Reason 488.
    consultOf(s.alice, started.id).answerFailed(new Error('the media engine refused the answer'));

    const aliceView = await phase(s.alice, started.id, 'failed');
    expect(aliceView.state.failure).toMatchObject({ reason: 'not-connected', during: 'consulting' });
    expect(s.alice.transfers.forCall(s.contactLeg.id)?.state.phase).toBe('failed');
    // Settled: the customer may be taken off hold again, and both hear each other.
    s.alice.transfers.guardCallCommand(s.contactLeg.id, 'unhold');
    await s.contactLeg.unhold();
    await talking(s.contactLeg, TONES.customer, s.customerLeg, TONES.alice);
    await phase(s.bob, started.id, 'failed');
    // As after a Cancel, the consult owes Alice no wrap-up of its own: her call with the customer goes on.
    expect(s.alice.dispositions).toEqual([]);
    await endAgentCalls([s.customer, s.alice, s.bob]);
  });

  it('cold: while the customer’s new call rings at Bob, the REFER bound does not call the transfer failed', async () => {
    const s = await scene({ bobPolicy: 'manual', alice: { transfers: { referTimeoutMs: 600 } } });
    const started = await s.alice.transfers.start(request(s, 'cold'));
    const offer = await waitFor('the referred call rings at bob', () => s.bob.toasts.find((t) => t.id === started.id));
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect(s.alice.transfers.get(started.id).state.phase).toBe('referring');
    await s.bob.transfers.accept(offer.id);
    await phase(s.alice, started.id, 'completed');
    expect(s.alice.history.entries.some((e) => e.kind === 'transfer-failed')).toBe(false);
    await endAgentCalls([s.customer, s.alice, s.bob]);
  });

  it('cold: the customer calls off its new call while it rings at Bob → both agents say the customer hung up', async () => {
    const s = await scene({ bobPolicy: 'manual' });
    const started = await s.alice.transfers.start(request(s, 'cold'));
    await waitFor('the referred call rings at bob', () => s.bob.toasts.find((t) => t.id === started.id));
    const followed = await waitFor('the customer’s new call', () => s.customer.followed[0]);
    await followed.hangUp();
    const aliceView = await phase(s.alice, started.id, 'failed');
    expect(aliceView.state.failure?.reason).toBe('contact-hung-up');
    expect((await phase(s.bob, started.id, 'failed')).state.failure?.reason).toBe('contact-hung-up');
    await endAgentCalls([s.customer, s.alice, s.bob]);
  });
});
