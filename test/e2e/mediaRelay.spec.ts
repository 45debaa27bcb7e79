/**
 * The product's own media engine (the renderer bundle's WebRTC in Chromium) through a media relay:
 * a plain-RTP phone (Debian's linphonec) behind rtpengine calls an agent's page, and the page calls
 * it. What rtpengine sends WebRTC has one audio m-line with a=mid and no BUNDLE group; Chromium with
 * `max-bundle` refused both the offer and the answer. Audio is checked both ways: the page hears the
 * phone (the engine's level meter), the phone hears the page (its recording holds the page
 * microphone's melody, and not the phone's own tone).
 */
import type { Page } from '@playwright/test';
import { startLab, type Lab } from '../lab/lab.js';
import { createLinphone, type LinphoneCall, type LinphonePhone } from '../lab/linphone.js';
import { waitFor } from '../support/waitFor.js';
import { FAKE_MIC_HZ } from './harness/paths.js';
import { expect, invoke, keepScreenshot, test, type AgentEndpoint } from './fixtures.js';

const relayTest = test.extend<{ phone: LinphonePhone }, { lab: Lab }>({
  lab: [
    async ({}, use) => {
      const lab = await startLab({ mediaRelay: true });
      await use(lab);
      await lab.stop();
    },
    { scope: 'worker', timeout: 30_000 },
  ],
  phone: async ({ lab }, use) => {
    const phone = createLinphone(lab, { user: 'deskphone', toneHz: 330 });
    await phone.start();
    await use(phone);
    await phone.stop();
  },
});

/** The pitches of the page microphone's melody (test/e2e/harness/fakeMicrophone.ts). */
const PAGE_MELODY = [1, 0.8, 1.25, 0.9, 1.1, 0.75, 1.2, 0.95].map((f) => FAKE_MIC_HZ * f);

async function pageHearsPhone(alice: AgentEndpoint): Promise<void> {
  await expect.poll(async () => ((await alice.mediaStats()).inboundLevel ?? 0) > 0.01, { timeout: 10_000, message: 'the page hears the phone' }).toBe(true);
}

/** The phone's recording holds the page's voice (its melody's pitches together), not its own tone. */
async function phoneHearsPage(phone: LinphonePhone, call: LinphoneCall): Promise<void> {
  await waitFor(
    'the phone hears the page',
    () => {
      const heard = phone.heard(call, [...PAGE_MELODY, 330], 2);
      const melody = PAGE_MELODY.reduce((sum, hz) => sum + (heard.tones.get(hz) ?? 0), 0);
      return melody > 0.08 && (heard.tones.get(330) ?? 1) < 0.02;
    },
    10_000,
    200,
  );
}

async function answerOnPage(page: Page, alice: AgentEndpoint): Promise<string> {
  const ringing = await alice.until('a ringing call', (s) => s.calls.some((c) => c.state === 'ringing'));
  const callId = ringing.calls.find((c) => c.state === 'ringing')?.id ?? '';
  await page.getByRole('button', { name: /^Answer/ }).first().click();
  await alice.until('connected', (s) => s.calls.some((c) => c.id === callId && c.state === 'established'));
  return callId;
}

relayTest('a plain-RTP phone behind rtpengine calls the page: Chromium takes the one-m-line offer without BUNDLE, audio both ways', async ({ agentPage, agent, phone }) => {
  const page = await agentPage('alice');
  const alice = await agent('alice');
  const call = await phone.call('alice');
  const callId = await answerOnPage(page, alice);

  const offer = alice.replies('acceptOffer').at(-1);
  expect(offer?.reply?.ok, 'the page engine answered the relay’s offer').toBe(true);
  const offered = offer?.request.op === 'acceptOffer' ? offer.request.sdp : '';
  expect(offered).toMatch(/a=mid:/);
  expect(offered).not.toMatch(/a=group:BUNDLE/);

  await pageHearsPhone(alice);
  await phoneHearsPage(phone, call);
  await keepScreenshot(page, 'relay-call-from-phone');
  await invoke(page, 'call.hangUp', { callId });
});

relayTest('the page calls the phone: Chromium takes the relay’s answer without BUNDLE, audio both ways', async ({ agentPage, agent, phone }) => {
  const page = await agentPage('alice');
  const alice = await agent('alice');
  const dialled = await invoke(page, 'call.dial', { target: 'deskphone' });
  expect(dialled.ok).toBe(true);
  const call = await phone.nextIncoming();
  await phone.answer(call);
  await alice.until('connected', (s) => s.calls.some((c) => c.state === 'established'));

  const answer = alice.replies('applyAnswer').at(-1);
  expect(answer?.reply?.ok, 'the page engine applied the relay’s answer').toBe(true);
  const answered = answer?.request.op === 'applyAnswer' ? answer.request.sdp : '';
  expect(answered).toMatch(/a=mid:/);
  expect(answered).not.toMatch(/a=group:BUNDLE/);

  await pageHearsPhone(alice);
  await phoneHearsPage(phone, call);
  await phone.hangUpAll();
});
