/**
 * A renderer that reloads, closes or is absent loses nothing: the disposition form's typed fields
 * come back after a UI reload; a media host closed and another opened for the same agent takes the
 * call over with audio both ways; a far end that refuses the re-INVITE after a media host reload is
 * retried until audio returns, and reported when it never does; with no page at all, an incoming warm transfer still
 * raises the OS notification through main's notifier port.
 */
import type { Page } from '@playwright/test';
import type { Call } from '../../electron/core/sip/call.js';
import { TONES, untilHearsNoTone, untilHearsOnly } from '../support/audioOracle.js';
import { waitFor } from '../support/waitFor.js';
import { expect, invoke, keepScreenshot, mediaHostOf, RELOAD_PROMISE_MS, test, type AgentEndpoint } from './fixtures.js';
import { aliceAnswersCustomer } from './harness/pageCalls.js';
import { callWith, pageEar } from './harness/pageOracle.js';
import { refuseReinvites } from './harness/reinviteFaults.js';

/**
 * The promise when the far end refuses the take-over re-INVITE once with 491 and once with 500:
 * main retries within the round after 200–1000 ms and 50–250 ms (electron/core/sip/call.ts).
 */
const RELOAD_WITH_TWO_REFUSALS_MS = RELOAD_PROMISE_MS + 1250;

/** Audio both ways on an active call: the customer hears alice and alice's page the customer, and no one else. */
async function audioBothWays(page: Page, alice: AgentEndpoint, call: Call, callId: string, ms: number): Promise<void> {
  await untilHearsOnly(call, TONES.alice, ms);
  await pageEar(page, alice).untilHearsOnly(callId, TONES.customer, ms);
}

/** Media sessions main opened in the page after `since` (an index into mediaLog). */
function sessionsOpenedSince(alice: AgentEndpoint, since: number): string[] {
  return alice.mediaLog.slice(since).flatMap((e) => (e.request.op === 'open' && e.reply?.ok ? [e.request.sessionId] : []));
}

/** The page's engine answered a re-INVITE offer of main's since `since` (the renegotiation finished). */
function answerApplied(alice: AgentEndpoint, since: number): boolean {
  return alice.mediaLog.slice(since).some((e) => e.request.op === 'applyAnswer' && e.reply?.ok === true);
}

test('reload on the disposition screen: the chosen code and the typed note come back, and file', async ({ agentPage, agent, customer }) => {
  const { page, alice, call, callId } = await aliceAnswersCustomer({ agentPage, agent, customer });
  await page.getByRole('button', { name: 'Hang up' }).click();
  await waitFor('the customer sees the end', () => call.state === 'ended', 5000);

  const form = page.getByRole('form', { name: /^Disposition:/ });
  await expect(form).toBeVisible();
  await form.getByLabel('Disposition code').selectOption({ label: 'Resolved' });
  await form.getByLabel('Wrap-up note').fill('Asked for a callback on Tuesday aft');
  await expect
    .poll(() => alice.state().drafts[`disposition:${callId}`], { message: 'the disposition draft in main' })
    .toMatchObject({ codeId: 'resolved', note: 'Asked for a callback on Tuesday aft' });

  await page.reload();
  await alice.until('the new page attached', () => alice.mediaAttached);
  expect(alice.state().dispositionsDue.map((d) => d.callId)).toEqual([callId]);
  await expect(form).toBeVisible();
  await expect(form.getByLabel('Disposition code')).toHaveValue('resolved');
  await expect(form.getByLabel('Wrap-up note')).toHaveValue('Asked for a callback on Tuesday aft');
  await keepScreenshot(page, 'reload-disposition-restored');

  const note = form.getByLabel('Wrap-up note');
  await note.focus();
  await note.press('Control+End');
  await note.pressSequentially('ernoon');
  await form.getByRole('button', { name: 'File disposition' }).click();
  await expect(form).toBeHidden();
  await alice.until('filed', (s) => s.dispositionsDue.length === 0);
  // What was filed is the whole note, typed across the reload.
  expect(alice.state().drafts[`disposition:${callId}`]).toBeUndefined();
});

test('the media host closed, then a new one opened for the same agent: the call continues and audio returns both ways', async ({
  agentPage,
  agent,
  customer,
  openMediaHost,
}) => {
  const { page, alice, call, callId } = await aliceAnswersCustomer({ agentPage, agent, customer });

  await mediaHostOf(page).close();
  await alice.until('the closed media host let go of the engine', () => !alice.mediaAttached, 5000);
  // No page: main keeps the call, no BYE went out, the desk still says On call.
  await new Promise((resolve) => setTimeout(resolve, 500));
  expect(call.state).toBe('established');
  expect(alice.state().calls.find((c) => c.id === callId)?.state).toBe('established');

  const since = alice.mediaLog.length;
  const openedAt = Date.now();
  await openMediaHost('alice');
  const next = page;
  const attachedAt = Date.now();
  await expect
    .poll(() => sessionsOpenedSince(alice, since).length, {
      timeout: RELOAD_PROMISE_MS,
      message: 'the call moved to the new media host within the promise',
    })
    .toBe(1);
  await waitFor('the renegotiation finished within the promise', () => answerApplied(alice, since), RELOAD_PROMISE_MS);
  await audioBothWays(next, alice, call, callId, RELOAD_PROMISE_MS);
  console.log(
    `[reload-resilience] new media host → audio both ways: ${Date.now() - openedAt} ms (${Date.now() - attachedAt} ms after it attached)`,
  );
  await expect(next.getByRole('region', { name: /^Call with: / })).toBeVisible();
  expect(await invoke(next, 'call.hangUp', { callId })).toEqual({ ok: true, value: undefined });
  await waitFor('the customer sees the end', () => call.state === 'ended', 5000);
});

test('the far end refuses the re-INVITE after a media host reload: main retries, audio returns; refused for good, the agent is told, and the next reload restores it', async ({
  agentPage,
  agent,
  customer,
}) => {
  const { page, alice, call, callId } = await aliceAnswersCustomer({ agentPage, agent, customer });
  // The media host reloads (its engine is what a take-over replaces); the UI page shows the outcome.
  const host = mediaHostOf(page);

  // Refused once with 491 (glare) and once with 500 (an unseen ACK): retried, no notice.
  const faults = refuseReinvites(call, [491, 500]);
  let since = alice.mediaLog.length;
  let reloadedAt = Date.now();
  await host.reload();
  await alice.until('the reloaded media host attached', () => alice.mediaAttached);
  await waitFor(
    'the renegotiation finished, two refusals included, within the promise',
    () => answerApplied(alice, since),
    RELOAD_WITH_TWO_REFUSALS_MS,
  );
  await audioBothWays(page, alice, call, callId, RELOAD_PROMISE_MS);
  console.log(`[reload-resilience] reload with two refusals → audio both ways: ${Date.now() - reloadedAt} ms`);
  expect(faults.refused).toEqual([491, 500]);
  expect(faults.accepted).toBe(1);
  expect(call.state).toBe('established');
  expect(alice.state().notices).toEqual([]);

  // Refused every time: main gives up after its retries, keeps the call, and says so.
  faults.refuseAll(500);
  since = alice.mediaLog.length;
  await host.reload();
  const told = await alice.until('a notice about the lost audio', (s) => s.notices.length > 0, 15_000);
  expect(told.notices.map((n) => n.text)).toEqual([expect.stringMatching(/Audio could not be restored for the call with/)]);
  expect(faults.refused.length).toBeGreaterThan(2);
  expect(call.state).toBe('established');
  expect(alice.state().calls[0]?.state).toBe('established');
  await expect(page.getByText(/Audio could not be restored/)).toBeVisible();
  await keepScreenshot(page, 'reinvite-refused-notice');

  // The far end recovers; the agent reloads once more and the audio comes back.
  faults.restore();
  since = alice.mediaLog.length;
  reloadedAt = Date.now();
  await host.reload();
  await alice.until('the reloaded media host attached', () => alice.mediaAttached);
  await waitFor('the renegotiation finished within the promise', () => answerApplied(alice, since), RELOAD_PROMISE_MS);
  await audioBothWays(page, alice, call, callId, RELOAD_PROMISE_MS);
  console.log(`[reload-resilience] reload after recovery → audio both ways: ${Date.now() - reloadedAt} ms`);
  expect(call.state).toBe('established');
});

test('no page attached: an incoming warm transfer still raises the OS notification and the tray shows the state', async ({
  agent,
  nodeDesk,
  customer,
  agentPage,
}) => {
  const alice = await agent('alice', { signIn: true });
  expect(await alice.desk.handle('agent.setStatus', { kind: 'Ready' })).toMatchObject({ ok: true });
  expect(alice.mediaAttached).toBe(false);
  const bob = await nodeDesk('bob');
  await bob.until('alice ready in bob’s directory', (s) => s.directory.some((e) => e.userId === 'alice' && e.status.kind === 'Ready'));

  const dialing = customer.phone.call('bob');
  const ringing = await bob.until('an incoming call at bob', (s) => s.calls.some((c) => c.state === 'ringing'));
  const contactCallId = ringing.calls[0]?.id ?? '';
  expect(await bob.desk.handle('call.answer', { callId: contactCallId })).toMatchObject({ ok: true });
  const contact = await dialing;
  const shownBefore = alice.notifications.length;
  expect(
    await bob.desk.handle('transfer.start', {
      callId: contactCallId,
      method: 'warm',
      userId: 'alice',
      outcomeId: 'other',
      note: 'Needs a supervisor',
      acknowledgedWarning: false,
    }),
  ).toMatchObject({ ok: true });

  // Main raised it through the notifier port, with no page to show a toast.
  const shown = await waitFor('alice’s OS notification', () => alice.notifications[shownBefore], 8000);
  expect(shown.title).toMatch(/Bob/);
  expect(alice.state().transfers[0]).toMatchObject({ role: 'recipient', note: 'Needs a supervisor' });
  expect(alice.state().transfers[0]?.state.phase).toBe('consultRinging');
  expect(alice.trayTexts.at(-1)).toMatch(/Ready/);

  // Clicking it brings a page up, which shows the offer and can accept it: the consult has audio.
  const page = await agentPage('alice');
  shown.click();
  await expect(page.getByRole('region', { name: 'Warm transfer from Bob (lab)', exact: true })).toContainText('Needs a supervisor');
  expect(await invoke(page, 'transfer.accept', { transferId: alice.state().transfers[0]?.id ?? '' })).toMatchObject({ ok: true });
  await alice.until('consulting', (s) => s.transfers[0]?.state.phase === 'consulting');
  // The consult: alice's page and bob hear each other only; the customer, on hold at bob's, neither.
  const ear = pageEar(page, alice);
  await ear.untilHearsOnly(await ear.callWith('bob'), TONES.bob, 8000);
  await untilHearsOnly(await callWith(bob, 'alice'), TONES.alice, 8000);
  await untilHearsNoTone(contact, 5000);
});
