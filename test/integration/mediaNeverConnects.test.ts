/**
 * A call that is up in SIP but whose audio can never connect does not look fine: a bound after it is
 * established the desk says no audio is reaching it (with the hint the desk was given), while a
 * normal call gets no such notice. Through the real Kamailio and real WebRTC; the customer's answer
 * carries an ICE password its engine does not use, so none of the desk's connectivity checks is
 * ever answered — as with a browser that refuses WebRTC on 127.0.0.1.
 */
import { describe, expect, it } from 'vitest';
import { labForTests } from '../support/labForTests.js';
import { createCustomer } from '../lab/bots.js';
import { TONES, untilHearsOnly } from '../support/audioOracle.js';
import { createTestDesk, labDocument } from '../support/deskFixture.js';
import { ok, signIn } from '../support/deskCommands.js';
import { waitFor } from '../support/waitFor.js';
import type { MediaPort, Sdp } from '../../shared/media.js';
import { answerRewritingPort } from '../support/answerRewritingPort.js';

const suite = labForTests({ presence: false });
const CHECK_AFTER_MS = 1500;
const HINT = 'Open the link in Chromium started with --allow-loopback-in-peer-connection.';

/** `answer` with another ICE password: the desk's checks, signed with it, are refused by the customer's engine. */
function wrongIcePassword(answer: Sdp): Sdp {
  return answer.replace(/^a=ice-pwd:(.*)$/gm, (_line, pwd: string) => `a=ice-pwd:${'x'.repeat(pwd.trim().length)}`);
}

/** The customer's engine, its answers given a wrong ICE password while `broken.on`. */
function customerPort(broken: { on: boolean }): MediaPort {
  const { port, engine } = answerRewritingPort(TONES.customer, broken, wrongIcePassword);
  suite.cleanup.push(() => engine.dispose());
  return port;
}

async function scene(broken: boolean) {
  const customer = createCustomer(suite.lab, 'customer', { phone: { media: customerPort({ on: broken }) } });
  suite.open.push(customer);
  const alice = createTestDesk(labDocument(suite.lab), { toneHz: TONES.alice, mediaCheck: { afterMs: CHECK_AFTER_MS, hint: HINT } });
  suite.open.push(alice);
  await customer.phone.start();
  await signIn(alice, 'alice');
  const ringing = customer.nextIncoming();
  const { callId } = (await ok(alice, 'call.dial', { target: 'customer' })) as { callId: string };
  const far = await ringing;
  await far.answer();
  await alice.until('the call is live', (st) => st.calls.some((c) => c.id === callId && c.state === 'established'));
  return { alice, callId, far };
}

describe('a call whose audio never connects', () => {
  it('gets a notice on the desk saying no audio is reaching it, with the hint', async () => {
    const { alice, callId } = await scene(true);
    const state = await alice.until('the notice', (st) => st.notices.length > 0, CHECK_AFTER_MS + 8000);
    expect(state.notices.map((n) => n.text)).toEqual([
      `No audio is reaching the call with customer: Baton's audio could not connect (no network path to the other side was found; ICE is ${
        /ICE is (\w+)\)/.exec(state.notices[0]?.text ?? '')?.[1] ?? '?'
      }). ${HINT}`,
    ]);
    expect(state.notices[0]?.text).toMatch(/ICE is (checking|failed|disconnected|new)\)/);
    // The call itself goes on: the agent decides what to do with it.
    expect(state.calls.find((c) => c.id === callId)?.state).toBe('established');
    await ok(alice, 'call.hangUp', { callId });
  });

  it('a normal call: both hear each other, and no notice after the bound', async () => {
    const { alice, callId, far } = await scene(false);
    const call = alice.desk.callById(callId);
    if (!call) throw new Error('no call');
    await untilHearsOnly(call, TONES.customer);
    await untilHearsOnly(far, TONES.alice);
    // Past the check (and its getStats round trip): still no notice.
    await new Promise((resolve) => setTimeout(resolve, CHECK_AFTER_MS + 1500));
    expect(alice.state().notices).toEqual([]);
    await ok(alice, 'call.hangUp', { callId });
    await waitFor('no media session left', () => alice.media.openSessions().length === 0);
  });
});
