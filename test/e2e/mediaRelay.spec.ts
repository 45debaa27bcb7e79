/**
 * The product's own media engine (the renderer bundle's WebRTC in Chromium) through a media relay:
 * a plain-RTP phone (Debian's linphonec) behind rtpengine calls an agent's page, and the page calls
 * it. What rtpengine sends WebRTC has one audio m-line with a=mid and no BUNDLE group; Chromium with
 * `max-bundle` refused both the offer and the answer. Audio is checked both ways, by party tone: the
 * page hears the phone (330 Hz) and no one else, the phone hears alice's page (440 Hz) and no one
 * else — its own tone included, so an echo or a loop through the relay fails too.
 */
import type { Page } from '@playwright/test';
import { startLab, type Lab } from '../lab/lab.js';
import { createLinphone, type LinphoneCall, type LinphonePhone } from '../lab/linphone.js';
import { PARTY_TONES, TONES } from '../support/partyTones.js';
import { expect, invoke, keepScreenshot, test, type AgentEndpoint } from './fixtures.js';
import { pageEar } from './harness/pageOracle.js';

const relayTest = test.extend<{ phone: LinphonePhone }, { lab: Lab }>({
  lab: [
    // eslint-disable-next-line no-empty-pattern -- Playwright reads a fixture's dependencies from this destructuring: it must be an object pattern, and this fixture needs none
    async ({}, use) => {
      const lab = await startLab({ mediaRelay: true });
      await use(lab);
      await lab.stop();
    },
    { scope: 'worker', timeout: 30_000 },
  ],
  phone: async ({ lab }, use) => {
    const phone = createLinphone(lab, { user: 'deskphone', toneHz: TONES.customer });
    await phone.start();
    await use(phone);
    await phone.stop();
  },
});

/** Alice's page hears the phone's tone and no other party's. */
async function pageHearsPhone(page: Page, alice: AgentEndpoint, callId: string): Promise<void> {
  await pageEar(page, alice).untilHearsOnly(callId, TONES.customer, 10_000);
}

/** The phone's recording holds alice's tone and no other party's (its own included). */
async function phoneHearsPage(phone: LinphonePhone, call: LinphoneCall): Promise<void> {
  await phone.untilHears(call, TONES.alice, { absent: PARTY_TONES.filter((hz) => hz !== TONES.alice), timeoutMs: 10_000 });
}

async function answerOnPage(page: Page, alice: AgentEndpoint): Promise<string> {
  const ringing = await alice.until('a ringing call', (s) => s.calls.some((c) => c.state === 'ringing'));
  const callId = ringing.calls.find((c) => c.state === 'ringing')?.id ?? '';
  await page
    .getByRole('button', { name: /^Answer/ })
    .first()
    .click();
  await alice.until('connected', (s) => s.calls.some((c) => c.id === callId && c.state === 'established'));
  return callId;
}

relayTest(
  'a plain-RTP phone behind rtpengine calls the page: Chromium takes the one-m-line offer without BUNDLE, audio both ways',
  async ({ agentPage, agent, phone }) => {
    const page = await agentPage('alice');
    const alice = await agent('alice');
    const call = await phone.call('alice');
    const callId = await answerOnPage(page, alice);

    const offer = alice.replies('acceptOffer').at(-1);
    expect(offer?.reply?.ok, 'the page engine answered the relay’s offer').toBe(true);
    const offered = offer?.request.op === 'acceptOffer' ? offer.request.sdp : '';
    expect(offered).toMatch(/a=mid:/);
    expect(offered).not.toMatch(/a=group:BUNDLE/);

    await pageHearsPhone(page, alice, callId);
    await phoneHearsPage(phone, call);
    await keepScreenshot(page, 'relay-call-from-phone');
    await invoke(page, 'call.hangUp', { callId });
  },
);

relayTest(
  'the page calls the phone: Chromium takes the relay’s answer without BUNDLE, audio both ways',
  async ({ agentPage, agent, phone }) => {
    const page = await agentPage('alice');
    const alice = await agent('alice');
    const dialled = await invoke(page, 'call.dial', { target: 'deskphone' });
    expect(dialled.ok).toBe(true);
    const call = await phone.nextIncoming();
    await phone.answer(call);
    const callId =
      (await alice.until('connected', (s) => s.calls.some((c) => c.state === 'established'))).calls.find((c) => c.state === 'established')
        ?.id ?? '';

    // The call is established once SIP.js has ACKed; the answer is applied just after, in the page.
    await expect
      .poll(() => alice.replies('applyAnswer').at(-1)?.reply?.ok, { message: 'the page engine applied the relay’s answer', timeout: 5000 })
      .toBe(true);
    const answer = alice.replies('applyAnswer').at(-1);
    const answered = answer?.request.op === 'applyAnswer' ? answer.request.sdp : '';
    expect(answered).toMatch(/a=mid:/);
    expect(answered).not.toMatch(/a=group:BUNDLE/);

    await pageHearsPhone(page, alice, callId);
    await phoneHearsPage(phone, call);
    await phone.hangUpAll();
  },
);
