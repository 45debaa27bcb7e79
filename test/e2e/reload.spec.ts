/**
 * A renderer reload during a call loses no call: main keeps the dialog, the new page's engine takes
 * the call over with one re-INVITE (fresh ICE and DTLS), and audio flows again both ways.
 */
import type { Call } from '../../electron/core/sip/call.js';
import { hearsAudio, hearsSilence } from '../support/agents.js';
import { waitFor } from '../support/waitFor.js';
import { expect, invoke, keepScreenshot, test } from './fixtures.js';

test('reload during an active call: no BYE, audio back both ways; a held call stays held', async ({ agentPage, agent, customer }) => {
  const page = await agentPage('alice');
  const alice = await agent('alice');
  const dialing = customer.phone.call('alice');
  const ringing = await alice.until('an incoming call', (s) => s.calls.some((c) => c.state === 'ringing'));
  const callId = ringing.calls[0]?.id ?? '';
  await invoke(page, 'call.answer', { callId });
  const call: Call = await dialing;
  await waitFor('the customer hears alice', () => hearsAudio(call), 8000);

  await invoke(page, 'call.hold', { callId });
  const reloadedAt = Date.now();
  await page.reload();
  // Meanwhile main kept the call: the customer's side never saw a BYE.
  expect(call.state).toBe('established');
  await alice.until('the new page attached', (s) => s.calls.some((c) => c.id === callId && c.state === 'established'));
  await expect.poll(() => alice.openMediaSessions().length, { timeout: 10_000, message: 'the call moved to the new engine' }).toBeGreaterThan(0);
  // Held before the reload, held after it: the customer still hears nothing of alice's room.
  expect(alice.state().calls.find((c) => c.id === callId)?.held).toBe(true);
  await waitFor('the held customer hears silence', () => hearsSilence(call), 5000);
  await invoke(page, 'call.unhold', { callId });
  await waitFor('the customer hears alice again', () => hearsAudio(call), 15_000);
  await expect
    .poll(async () => ((await alice.mediaStats()).inboundLevel ?? 0) > 0.01, { timeout: 15_000, message: 'alice hears the customer again' })
    .toBe(true);
  console.log(`[reload] reload → audio both ways: ${Date.now() - reloadedAt} ms`);
  await keepScreenshot(page, 'reload-after');
  expect(await invoke(page, 'call.hangUp', { callId })).toEqual({ ok: true, value: undefined });
  await waitFor('the customer sees the end', () => call.state === 'ended', 5000);
});
