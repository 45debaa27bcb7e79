/**
 * The calls' media lives in the media host, a page of its own: a UI reload during a call, a held
 * call or a warm consult sends no SIP, asks the engine nothing, and leaves the audio continuous at
 * both ends (no gap over 100 ms, judged on 20 ms frames of what each end receives). The media
 * host's own crash: a new one (as main starts it) takes the calls over and the audio comes back.
 */
import type { Page } from '@playwright/test';
import { TONES, untilHearsNoTone, untilHearsOnly } from '../support/audioOracle.js';
import { expect, invoke, mediaHostOf, RELOAD_PROMISE_MS, test, type AgentEndpoint } from './fixtures.js';
import { startContinuity, stopContinuity, type ContinuityReport } from './harness/continuity.js';
import { aliceAnswersCustomer, alicesPage, warmConsultBetweenPages, warmTransferOfferedToBob } from './harness/pageCalls.js';
import { pageEar } from './harness/pageOracle.js';

/** The longest interruption a listener may get from a UI reload: none they would notice. */
const MAX_GAP_MS = 100;
/** Requests that would change a dialog or its media: none may follow a UI reload. */
const DIALOG_REQUEST = /^(INVITE|BYE|UPDATE|REFER|CANCEL|ACK|PRACK) /;

/** What alice's side sent and asked from `since` on, apart from the oracle's own getStats. */
function activitySince(agent: AgentEndpoint, since: { sip: number; media: number }): { sip: string[]; media: string[] } {
  return {
    sip: agent.sipLog
      .slice(since.sip)
      .filter((m) => m.direction === 'sent' && DIALOG_REQUEST.test(m.firstLine))
      .map((m) => m.firstLine),
    media: agent.mediaLog
      .slice(since.media)
      .filter((e) => e.request.op !== 'getStats')
      .map((e) => e.request.op),
  };
}

const mark = (agent: AgentEndpoint): { sip: number; media: number } => ({ sip: agent.sipLog.length, media: agent.mediaLog.length });

/** Reloads the UI page and waits until it shows the desk again, with some audio after it. */
async function reloadUi(page: Page, agent: AgentEndpoint): Promise<number> {
  const at = Date.now();
  await page.reload();
  await agent.until('the reloaded UI attached', () => agent.uiAttached);
  await expect(page.locator('.topbar__user')).toBeVisible();
  const shownMs = Date.now() - at;
  await new Promise((resolve) => setTimeout(resolve, 1000));
  return shownMs;
}

function expectContinuous(report: ContinuityReport, who: string, spanMs: number): void {
  console.log(`[mediaHost] ${who}: ${report.frames} frames, ${report.heardFrames} with the tone, longest gap ${report.longestGapMs} ms`);
  // The recorder ran through the whole reload: most of its frames exist, and none went unheard for long.
  expect(report.frames, `${who}: frames recorded`).toBeGreaterThan((spanMs / 20) * 0.7);
  expect(report.longestGapMs, `${who}: longest gap`).toBeLessThanOrEqual(MAX_GAP_MS);
}

async function sessionOf(agent: AgentEndpoint, callId: string): Promise<string> {
  const sdh = agent.desk.callById(callId)?.sdh();
  if (!sdh) throw new Error(`${agent.userId}'s call ${callId} has no media`);
  return (await sdh.session()).id;
}

test('UI reload during a call and during a held call: no SIP sent, no media asked, audio continuous at both ends', async ({
  agentPage,
  agent,
}) => {
  const bobPage = await agentPage('bob');
  const bob = await agent('bob');
  const { page, alice } = await alicesPage({ agentPage, agent });
  expect(await invoke(page, 'call.dial', { target: 'bob' })).toMatchObject({ ok: true });
  const ringing = await bob.until('bob rings', (s) => s.calls.some((c) => c.state === 'ringing'));
  expect(await invoke(bobPage, 'call.answer', { callId: ringing.calls[0]?.id ?? '' })).toMatchObject({ ok: true });
  const aliceEar = pageEar(page, alice);
  const bobEar = pageEar(bobPage, bob);
  const aliceCall = await aliceEar.callWith('bob');
  const bobCall = await bobEar.callWith('alice');
  await aliceEar.untilHearsOnly(aliceCall, TONES.bob, 8000);
  await bobEar.untilHearsOnly(bobCall, TONES.alice, 8000);

  // An active call: both ends record through alice's UI reload.
  const since = mark(alice);
  const aliceHears = await startContinuity(mediaHostOf(page), await sessionOf(alice, aliceCall), TONES.bob);
  const bobHears = await startContinuity(mediaHostOf(bobPage), await sessionOf(bob, bobCall), TONES.alice);
  const startedAt = Date.now();
  const shownMs = await reloadUi(page, alice);
  const spanMs = Date.now() - startedAt;
  console.log(`[mediaHost] UI reload → desk shown again: ${shownMs} ms`);
  expectContinuous(await stopContinuity(mediaHostOf(page), aliceHears), 'alice hears bob across her UI reload', spanMs);
  expectContinuous(await stopContinuity(mediaHostOf(bobPage), bobHears), 'bob hears alice across her UI reload', spanMs);
  expect(activitySince(alice, since)).toEqual({ sip: [], media: [] });
  await expect(page.getByRole('region', { name: /^Call with: / })).toBeVisible();

  // A held call: still held after the reload, nothing sent, and off hold the audio is there at once.
  expect(await invoke(page, 'call.hold', { callId: aliceCall })).toMatchObject({ ok: true });
  await bobEar.untilHearsNoTone(bobCall, 5000);
  await aliceEar.untilMediaDead(aliceCall, 5000);
  const sinceHeld = mark(alice);
  await reloadUi(page, alice);
  expect(activitySince(alice, sinceHeld)).toEqual({ sip: [], media: [] });
  expect(alice.state().calls.find((c) => c.id === aliceCall)).toMatchObject({ state: 'established', held: true });
  await bobEar.untilHearsNoTone(bobCall, 2000);
  expect(await invoke(page, 'call.unhold', { callId: aliceCall })).toMatchObject({ ok: true });
  await aliceEar.untilHearsOnly(aliceCall, TONES.bob, RELOAD_PROMISE_MS);
  await bobEar.untilHearsOnly(bobCall, TONES.alice, RELOAD_PROMISE_MS);

  // The disposition screen: the call ends, alice types her note, the UI reloads: nothing sent, the note is back.
  expect(await invoke(page, 'call.hangUp', { callId: aliceCall })).toMatchObject({ ok: true });
  const note = page.getByLabel(/note/i).first();
  await expect(page.getByLabel('Disposition code')).toBeVisible({ timeout: 8000 });
  await note.fill('Called bob about the rota');
  await expect.poll(() => JSON.stringify(alice.state().drafts)).toContain('Called bob about the rota');
  const sinceWrapUp = mark(alice);
  await reloadUi(page, alice);
  await expect(page.getByLabel(/note/i).first()).toHaveValue('Called bob about the rota');
  expect(activitySince(alice, sinceWrapUp)).toEqual({ sip: [], media: [] });
});

test('UI reload during a warm consult: no SIP sent, the consult audio continuous at both ends, the contact still held', async ({
  agentPage,
  agent,
  customer,
}) => {
  const { page, alice, bobPage, bob, contact, callId, aliceEar, bobEar, consultId, bobsConsultId } = await warmConsultBetweenPages({
    agentPage,
    agent,
    customer,
  });
  await bobEar.untilHearsOnly(bobsConsultId, TONES.alice, 8000);
  const before = alice.state().transfers[0]?.state;

  const since = mark(alice);
  const aliceHears = await startContinuity(mediaHostOf(page), await sessionOf(alice, consultId), TONES.bob);
  const bobHears = await startContinuity(mediaHostOf(bobPage), await sessionOf(bob, bobsConsultId), TONES.alice);
  const startedAt = Date.now();
  await reloadUi(page, alice);
  const spanMs = Date.now() - startedAt;
  expectContinuous(await stopContinuity(mediaHostOf(page), aliceHears), 'alice hears bob on the consult across her UI reload', spanMs);
  expectContinuous(await stopContinuity(mediaHostOf(bobPage), bobHears), 'bob hears alice on the consult across her UI reload', spanMs);
  expect(activitySince(alice, since)).toEqual({ sip: [], media: [] });
  expect(alice.state().transfers[0]?.state).toEqual(before);
  await untilHearsNoTone(contact, 3000);
  await aliceEar.untilMediaDead(callId, 3000);
  await expect(page.getByRole('region', { name: 'Warm transfer to Bob (lab)', exact: true })).toBeVisible();
});

/**
 * The media host's page goes away at once, as main sees a crash (its webContents gone, every
 * pending media request failed). CDP's Page.crash is not used: in one browser context it takes the
 * agent's UI page (same site, same renderer process) down with it, which in Electron, with two
 * windows, it would not.
 */
async function crashMediaHost(page: Page, desk: AgentEndpoint): Promise<void> {
  await mediaHostOf(page).close({ runBeforeUnload: false });
  await desk.until('the crashed media host let go of the engine', () => !desk.mediaAttached, 5000);
}

test('the media host crashes during a call: a new one takes the call over, audio back both ways', async ({
  agentPage,
  agent,
  customer,
  openMediaHost,
}) => {
  const { page, alice, call, callId } = await aliceAnswersCustomer({ agentPage, agent, customer });

  const crashedAt = Date.now();
  await crashMediaHost(page, alice);
  expect(call.state).toBe('established');
  await openMediaHost('alice');
  const ear = pageEar(page, alice);
  await ear.untilHearsOnly(callId, TONES.customer, RELOAD_PROMISE_MS);
  await untilHearsOnly(call, TONES.alice, RELOAD_PROMISE_MS);
  console.log(`[mediaHost] media host crash → audio both ways (customer far end): ${Date.now() - crashedAt} ms`);
  // The UI page never noticed: it still shows the call.
  await expect(page.getByRole('region', { name: /^Call with: / })).toBeVisible();
});

test('the media host crashes during a warm consult: both legs come back, the contact still held', async ({
  agentPage,
  agent,
  customer,
  openMediaHost,
}) => {
  const {
    page,
    alice,
    bobEar,
    contact,
    callId,
    aliceEar: ear,
    consultId,
    bobsConsultId,
  } = await warmConsultBetweenPages({
    agentPage,
    agent,
    customer,
  });

  const crashedAt = Date.now();
  await crashMediaHost(page, alice);
  await openMediaHost('alice');
  await ear.untilHearsOnly(consultId, TONES.bob, RELOAD_PROMISE_MS);
  await bobEar.untilHearsOnly(bobsConsultId, TONES.alice, RELOAD_PROMISE_MS);
  await ear.untilMediaDead(callId, RELOAD_PROMISE_MS);
  await untilHearsNoTone(contact, RELOAD_PROMISE_MS);
  console.log(`[mediaHost] media host crash → consult audio both ways (Baton desk far end): ${Date.now() - crashedAt} ms`);
  expect(alice.state().transfers[0]?.state.phase).toBe('consulting');
  expect(alice.state().calls.find((c) => c.id === callId)).toMatchObject({ state: 'established', held: true });
});

test('the media host crashes while alice’s call rings: answered, the call lives on in the new host with audio both ways', async ({
  agentPage,
  agent,
  customer,
  openMediaHost,
}) => {
  const { page, alice } = await alicesPage({ agentPage, agent });
  const incoming = customer.nextIncoming();
  const dialed = await invoke(page, 'call.dial', { target: customer.name });
  if (!dialed.ok) throw new Error(`dial refused: ${dialed.error.message}`);
  const callId = dialed.value.callId;
  const atCustomer = await incoming;
  await crashMediaHost(page, alice);
  await openMediaHost('alice');
  const since = mark(alice);
  await atCustomer.answer();
  await alice.until('the call established', (s) => s.calls.some((c) => c.id === callId && c.state === 'established'));
  const ear = pageEar(page, alice);
  await ear.untilHearsOnly(callId, TONES.customer, RELOAD_PROMISE_MS);
  await untilHearsOnly(atCustomer, TONES.alice, RELOAD_PROMISE_MS);
  // The answer ACKed, then the take-over: never a BYE.
  expect(activitySince(alice, since).sip.map((line) => line.split(' ')[0])).toEqual(['ACK', 'INVITE', 'ACK']);
  expect(atCustomer.state).toBe('established');
});

test('the media host crashes while the warm consult rings at bob: bob accepts, the consult lives on in the new host, the contact still held', async ({
  agentPage,
  agent,
  customer,
  openMediaHost,
}) => {
  const { page, alice, bobPage, bob, contact, callId, transferId } = await warmTransferOfferedToBob({ agentPage, agent, customer });
  await crashMediaHost(page, alice);
  await openMediaHost('alice');
  expect(await invoke(bobPage, 'transfer.accept', { transferId })).toMatchObject({ ok: true });
  const aliceEar = pageEar(page, alice);
  const bobEar = pageEar(bobPage, bob);
  const consultId = await aliceEar.callWith('bob');
  const bobsConsultId = await bobEar.callWith('alice');
  await aliceEar.untilHearsOnly(consultId, TONES.bob, RELOAD_PROMISE_MS);
  await bobEar.untilHearsOnly(bobsConsultId, TONES.alice, RELOAD_PROMISE_MS);
  await untilHearsNoTone(contact, RELOAD_PROMISE_MS);
  expect(alice.state().transfers[0]?.state.phase).toBe('consulting');
  expect(alice.state().calls.find((c) => c.id === callId)).toMatchObject({ state: 'established', held: true });
  expect(alice.sipLog.some((m) => m.direction === 'sent' && m.firstLine.startsWith('BYE '))).toBe(false);
});

test('Answer while no media host is attached: refused with a sentence, the call keeps ringing, and is answered once a host is back', async ({
  agentPage,
  agent,
  customer,
  openMediaHost,
}) => {
  const { page, alice } = await alicesPage({ agentPage, agent });
  await crashMediaHost(page, alice);
  const dialing = customer.phone.call('alice');
  const ringing = await alice.until('an incoming call', (s) => s.calls.some((c) => c.state === 'ringing'));
  const callId = ringing.calls[0]?.id ?? '';
  const refused = await invoke(page, 'call.answer', { callId });
  expect(refused).toMatchObject({ ok: false, error: { code: 'no-audio-engine' } });
  if (!refused.ok) expect(refused.error.message).toMatch(/keeps ringing/);
  await new Promise((resolve) => setTimeout(resolve, 500));
  expect(alice.state().calls.find((c) => c.id === callId)?.state).toBe('ringing');
  expect(alice.sipLog.some((m) => m.direction === 'sent' && /^SIP\/2\.0 [3-6]\d\d /.test(m.firstLine))).toBe(false);
  await openMediaHost('alice');
  expect(await invoke(page, 'call.answer', { callId })).toMatchObject({ ok: true });
  const call = await dialing;
  await untilHearsOnly(call, TONES.alice, 8000);
  await pageEar(page, alice).untilHearsOnly(callId, TONES.customer, RELOAD_PROMISE_MS);
});
