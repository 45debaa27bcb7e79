/**
 * A media host reload during a call loses no call: main keeps the dialog, the reloaded media host's
 * new engine takes the call over with one re-INVITE (fresh ICE and DTLS), and alice and the customer
 * hear each other again, within the product's promise. (A UI reload touches no media at all:
 * mediaHost.spec.ts.)
 */
import { TONES, untilHearsNoTone, untilHearsOnly } from '../support/audioOracle.js';
import { waitFor } from '../support/waitFor.js';
import { expect, invoke, keepScreenshot, mediaHostOf, RELOAD_PROMISE_MS, test } from './fixtures.js';
import { aliceAnswersCustomer } from './harness/pageCalls.js';
import { pageEar } from './harness/pageOracle.js';

test('media host reload during an active call: no BYE, audio back both ways; a held call stays held', async ({
  agentPage,
  agent,
  customer,
}) => {
  const { page, alice, call, callId } = await aliceAnswersCustomer({ agentPage, agent, customer });
  const ear = pageEar(page, alice);

  await invoke(page, 'call.hold', { callId });
  const reloadedAt = Date.now();
  const mark = (what: string): void => console.log(`[reload] ${what}: ${Date.now() - reloadedAt} ms after the reload`);
  await mediaHostOf(page).reload();
  // Meanwhile main kept the call: the customer's side never saw a BYE.
  expect(call.state).toBe('established');
  await alice.until('the reloaded media host attached', () => alice.mediaAttached);
  mark('attached');
  await expect
    .poll(() => alice.openMediaSessions().length, {
      timeout: RELOAD_PROMISE_MS,
      message: 'the call moved to the new engine within the promise',
    })
    .toBeGreaterThan(0);
  mark('the call on the new engine');
  // Held before the reload, held after it: the customer still hears nothing of alice's room, and
  // alice (holding) receives nothing.
  expect(alice.state().calls.find((c) => c.id === callId)).toMatchObject({ state: 'established', held: true });
  await untilHearsNoTone(call, RELOAD_PROMISE_MS);
  await ear.untilMediaDead(callId, RELOAD_PROMISE_MS);
  mark('still held');
  const unheldAt = Date.now();
  await invoke(page, 'call.unhold', { callId });
  // Off hold on the new engine: they hear each other, and only each other, as promptly as any unhold.
  await untilHearsOnly(call, TONES.alice, RELOAD_PROMISE_MS);
  await ear.untilHearsOnly(callId, TONES.customer, RELOAD_PROMISE_MS);
  console.log(`[reload] unhold → audio both ways: ${Date.now() - unheldAt} ms`);
  await keepScreenshot(page, 'reload-after');
  expect(await invoke(page, 'call.hangUp', { callId })).toEqual({ ok: true, value: undefined });
  await waitFor('the customer sees the end', () => call.state === 'ended', 5000);
});
