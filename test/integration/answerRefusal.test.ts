/**
 * A far end whose answer to our offer shares no voice codec with it (a G.729-only gateway) ends the
 * call at once instead of leaving a call that looks live with nobody heard: ACK, then BYE with
 * Reason 488 and the sentence that says why, the call's end carrying that sentence, a notice on the
 * desk, and no media session left. Through the real Kamailio, with the customer bot's answers (its
 * 200 OK, or its 200 OK to our re-INVITE) rewritten to G.729 only on the wire.
 */
import { describe, expect, it } from 'vitest';
import { labForTests } from '../support/labForTests.js';
import { createAgent, type TestAgent } from '../support/agents.js';
import { createCustomer, type CustomerBot } from '../lab/bots.js';
import { TONES, untilHearsOnly } from '../support/audioOracle.js';
import { createTestDesk, labDocument } from '../support/deskFixture.js';
import { ok, signIn } from '../support/deskCommands.js';
import { waitFor } from '../support/waitFor.js';
import { onlyFormats } from '../fixtures/sdp/answers.js';
import { PhoneError } from '../../electron/core/sip/phoneError.js';
import type { Call } from '../../electron/core/sip/call.js';
import type { MediaPort, Sdp } from '../../shared/media.js';
import { answerRewritingPort } from '../support/answerRewritingPort.js';

const suite = labForTests({ presence: false });

const NO_CODEC =
  /^The other side answered with no audio codec Baton can use \(answered: G729\/8000; offered: opus\/48000\/2, G722\/8000, PCMU\/8000, PCMA\/8000\)\.$/;

/** `answer` as a G.729-only gateway would send it: payload type 18 alone. */
function g729Only(answer: Sdp): Sdp {
  return onlyFormats(answer, ['18']).replace(/^a=mid:.*\r\n/m, (mid) => `${mid}a=rtpmap:18 G729/8000\r\n`);
}

/**
 * The customer's engine, its answers rewritten to G.729 only while `rewrite.on`. Its own session is
 * patched (not wrapped), so the audio oracle still hears it; the engine itself answered normally.
 */
function rewritingPort(rewrite: { on: boolean }): MediaPort {
  const { port, engine } = answerRewritingPort(TONES.customer, rewrite, g729Only);
  suite.cleanup.push(() => engine.dispose());
  return port;
}

interface Scene {
  alice: TestAgent;
  customer: CustomerBot;
  rewrite: { on: boolean };
  /** What alice's phone sent, in order. */
  sent: string[];
  /** Errors alice's phone logged. */
  logged: unknown[];
}

async function scene(): Promise<Scene> {
  const rewrite = { on: false };
  const sent: string[] = [];
  const logged: unknown[] = [];
  const alice = createAgent(suite.lab, 'alice', {
    toneHz: TONES.alice,
    phone: {
      sipTrace: (direction, message) => {
        if (direction === 'sent') sent.push(message);
      },
      log: (_level, _message, detail) => void logged.push(detail),
    },
  });
  const customer = createCustomer(suite.lab, 'customer', { phone: { media: rewritingPort(rewrite) } });
  suite.open.push(alice, customer);
  await Promise.all([alice.phone.start(), customer.phone.start()]);
  return { alice, customer, rewrite, sent, logged };
}

/** Alice calls the customer, who answers; resolves with both ends once the customer has answered. */
async function aliceCalls(s: Scene): Promise<{ a: Call; c: Call }> {
  const ringing = s.customer.nextIncoming();
  const a = await s.alice.phone.call('customer');
  const c = await ringing;
  await c.answer();
  return { a, c };
}

const firstLine = (message: string): string => message.split(/\r?\n/, 1)[0] ?? '';
const callIdOf = (message: string): string | undefined => /^Call-ID:\s*(.*?)\r?$/im.exec(message)?.[1];

/** The requests alice sent within the call, by method, and its BYE. */
function requestsIn(sent: readonly string[], call: Call): { methods: string[]; bye: string } {
  const own = sent.filter((m) => callIdOf(m) === call.sipCallId && !m.startsWith('SIP/2.0'));
  return { methods: own.map((m) => firstLine(m).split(' ')[0] ?? ''), bye: own.find((m) => firstLine(m).startsWith('BYE ')) ?? '' };
}

/** The call ended over the G.729-only answer: the sentence at both ends and in alice's log, nothing left open. */
async function endedOverTheAnswer(s: Scene, a: Call, c: Call): Promise<void> {
  await waitFor('alice’s call ended', () => a.state === 'ended');
  expect(a.end).toEqual({ reason: 'failed', detail: expect.stringMatching(NO_CODEC) as unknown });
  await waitFor('the customer got the BYE', () => c.state === 'ended');
  expect(c.end?.reason).toBe('hung-up-remote');
  expect(c.remoteReason).toMatch(/^SIP;cause=488;text="The other side answered with no audio codec Baton can use \(answered: G729\/8000;/);
  expect(s.logged.some((e) => e instanceof PhoneError && e.statusCode === 488 && NO_CODEC.test(e.message))).toBe(true);
  await waitFor('no media session left on alice’s engine', () => s.alice.media.openSessions().length === 0);
  await waitFor('no SIP session left', () => s.alice.phone.sessionCount() === 0 && s.customer.phone.sessionCount() === 0);
}

/** A good call right after: each hears the other, and only the other. */
async function goodCallAfter(s: Scene): Promise<void> {
  s.rewrite.on = false;
  const { a, c } = await aliceCalls(s);
  await waitFor('both established', () => a.state === 'established' && c.state === 'established');
  await untilHearsOnly(a, TONES.customer);
  await untilHearsOnly(c, TONES.alice);
  await a.hangUp();
  await waitFor('the good call ended', () => a.state === 'ended' && c.state === 'ended');
  await waitFor('no media session left', () => s.alice.media.openSessions().length === 0);
}

describe('an answer with no voice codec in common', () => {
  it('in the 200 OK to our INVITE: ACK, BYE with Reason 488 and why, end carries why; a good call after has audio both ways', async () => {
    const s = await scene();
    s.rewrite.on = true;
    const { a, c } = await aliceCalls(s);
    await endedOverTheAnswer(s, a, c);
    // Never heard as live: ACK for the 2xx (RFC 3261 wants it), then the BYE, nothing else.
    const { methods, bye } = requestsIn(s.sent, a);
    expect(methods).toEqual(['INVITE', 'ACK', 'BYE']);
    expect(bye).toMatch(/^Reason: SIP;cause=488;text="The other side answered with no audio codec Baton can use \(.*\)\."\r?$/m);
    await goodCallAfter(s);
  });

  it('in the 200 OK to our re-INVITE (hold): the call ends the same way; a good call after has audio both ways', async () => {
    const s = await scene();
    const { a, c } = await aliceCalls(s);
    await waitFor('both established', () => a.state === 'established' && c.state === 'established');
    await untilHearsOnly(a, TONES.customer);
    s.rewrite.on = true;
    // The hold itself was answered (2xx); what ends the call is that the answer carries no voice.
    await a.hold().catch(() => undefined);
    await endedOverTheAnswer(s, a, c);
    const { methods } = requestsIn(s.sent, a);
    expect(methods).toEqual(['INVITE', 'ACK', 'INVITE', 'ACK', 'BYE']);
    await goodCallAfter(s);
  });
});

describe('a whole desk', () => {
  it('tells the agent why the call ended, in a notice', async () => {
    const rewrite = { on: true };
    const customer = createCustomer(suite.lab, 'customer', { phone: { media: rewritingPort(rewrite) } });
    suite.open.push(customer);
    const alice = createTestDesk(labDocument(suite.lab), { toneHz: TONES.alice });
    suite.open.push(alice);
    await customer.phone.start();
    await signIn(alice, 'alice');
    const ringing = customer.nextIncoming();
    const { callId } = (await ok(alice, 'call.dial', { target: 'customer' })) as { callId: string };
    await (await ringing).answer();
    const state = await alice.until('the notice', (st) => st.notices.length > 0);
    expect(state.notices.map((n) => n.text)).toEqual([
      expect.stringMatching(
        /^The call with customer ended: The other side answered with no audio codec Baton can use \(answered: G729\/8000;/,
      ),
    ]);
    await alice.until('the call ended', (st) => st.calls.every((call) => call.id !== callId || call.state === 'ended'));
    await waitFor('no media session left on the desk’s engine', () => alice.media.openSessions().length === 0);
  });
});
