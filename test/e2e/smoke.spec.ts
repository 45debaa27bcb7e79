/**
 * Smoke: the renderer's media engine carries a real call in Chromium. A customer bot (Node, 330 Hz)
 * calls alice, whose desk runs in Node with the page's engine as its media (her page's microphone
 * sends 440 Hz); the page answers through window.baton. Also the bridge's own guards: a wrong token
 * and a malformed payload are refused.
 */
import WebSocket from 'ws';
import type { Call } from '../../electron/core/sip/call.js';
import { TONES, untilHearsNoTone, untilHearsOnly } from '../support/audioOracle.js';
import { waitFor } from '../support/waitFor.js';
import { expect, invoke, invokeRaw, keepScreenshot, mediaHostOf, MICROPHONE_REQUESTS_GLOBAL, test } from './fixtures.js';
import type { MicrophoneRequest } from './harness/fakeMicrophone.js';
import { pageEar } from './harness/pageOracle.js';
import { alicesPage } from './harness/pageCalls.js';

test('a customer call to alice: audio both ways, hold silences her, RFC 4733 DTMF, hang-up leaves nothing', async ({
  agentPage,
  agent,
  customer,
}) => {
  const { page, alice } = await alicesPage({ agentPage, agent });

  const dialing = customer.phone.call('alice');
  const ringing = await alice.until('an incoming call', (s) => s.calls.some((c) => c.direction === 'inbound' && c.state === 'ringing'));
  const callId = ringing.calls[0]?.id ?? '';
  // The ring tone, the call's audio and the microphone live in alice's media host, not her UI page.
  const host = mediaHostOf(page);
  const playing = (kind: 'ringer' | 'call') =>
    host.evaluate(
      (k) => [...document.querySelectorAll<HTMLAudioElement>(`audio[data-baton-audio="${k}"]`)].filter((a) => !a.paused).length,
      kind,
    );
  await expect.poll(() => playing('ringer'), { message: 'the ring tone plays' }).toBe(1);
  await keepScreenshot(page, 'smoke-incoming');

  expect(await invoke(page, 'call.answer', { callId })).toEqual({ ok: true, value: undefined });
  const call: Call = await dialing;
  await waitFor('the customer established', () => call.state === 'established', 5000);
  await alice.until('the call established', (s) => s.calls.some((c) => c.id === callId && c.state === 'established'));

  // Each hears the other and nobody else: the customer hears alice's page, alice's page the customer.
  const ear = pageEar(page, alice);
  await untilHearsOnly(call, TONES.alice, 8000);
  await ear.untilHearsOnly(callId, TONES.customer, 8000);
  expect((await alice.mediaStats()).iceState).toMatch(/^(connected|completed)$/);
  // The tone came through the product's own microphone code: it asked getUserMedia with processing on.
  const asked = await host.evaluate(
    (name) => (window as unknown as Record<string, MicrophoneRequest[]>)[name] ?? [],
    MICROPHONE_REQUESTS_GLOBAL,
  );
  expect(asked.map((r) => r.constraints)).toContainEqual({
    audio: { echoCancellation: true, noiseSuppression: true, autoGainControl: true },
    video: false,
  });
  await expect.poll(() => playing('ringer'), { message: 'the ring tone stopped' }).toBe(0);
  expect(await playing('call')).toBe(1);
  await keepScreenshot(page, 'smoke-established');

  // Hold: the held customer hears none of alice's room (packets, no tone) and alice hears nothing
  // of the customer; off hold, they hear each other again.
  expect(await invoke(page, 'call.hold', { callId })).toEqual({ ok: true, value: undefined });
  await untilHearsNoTone(call, 5000);
  await ear.untilMediaDead(callId, 5000);
  expect(await invoke(page, 'call.unhold', { callId })).toEqual({ ok: true, value: undefined });
  await untilHearsOnly(call, TONES.alice, 5000);
  await ear.untilHearsOnly(callId, TONES.customer, 5000);

  // DTMF goes in-band (RFC 4733 through RTCRtpSender.dtmf), not as SIP INFO.
  const infos: string[] = [];
  call.events.on('dtmf', ({ tone }) => void infos.push(tone));
  expect(await invoke(page, 'call.dtmf', { callId, tones: '12#' })).toEqual({ ok: true, value: undefined });
  expect(alice.replies('sendDtmf').map((e) => e.reply?.value)).toEqual([true]);
  expect(infos).toEqual([]);

  expect(await invoke(page, 'call.hangUp', { callId })).toEqual({ ok: true, value: undefined });
  await waitFor('the customer to see the end', () => call.state === 'ended', 5000);
  await alice.until('no call left', (s) => s.calls.every((c) => c.state === 'ended'));
  await expect.poll(() => alice.openMediaSessions(), { message: 'main closed every media session' }).toEqual([]);
  await expect(host.locator('audio[data-baton-audio="call"]')).toHaveCount(0);
  await expect(page.locator('audio')).toHaveCount(0); // the UI page plays nothing itself
  expect(alice.mediaLog.filter((e) => e.reply && !e.reply.ok).map((e) => `${e.request.op}: ${e.reply?.error}`)).toEqual([]);
  await keepScreenshot(page, 'smoke-after-hang-up');
});

test('the bridge refuses a wrong token, and main refuses a malformed payload', async ({ agentPage, bridge, agent }) => {
  const page = await agentPage('alice', { signedIn: false, waitForMedia: false });
  const alice = await agent('alice');

  const status = await new Promise<number>((resolve, reject) => {
    const socket = new WebSocket(bridge.bridgeUrl(`${alice.token.slice(0, -2)}xx`), { origin: bridge.origin });
    socket.once('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
    socket.once('open', () => reject(new Error('a wrong token was let in')));
    socket.once('error', reject);
  });
  expect(status).toBe(401);
  const stranger = await new Promise<number>((resolve, reject) => {
    const socket = new WebSocket(bridge.bridgeUrl(alice.token), { origin: 'http://evil.example' });
    socket.once('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
    socket.once('open', () => reject(new Error('a foreign origin was let in')));
    socket.once('error', reject);
  });
  expect(stranger).toBe(403);

  const malformed = await invokeRaw(page, 'call.answer', { callId: 42, extra: true });
  expect(malformed.ok).toBe(false);
  expect(!malformed.ok && malformed.error.code).toBe('invalid-payload');
  const unknown = await invokeRaw(page, 'call.teleport', {});
  expect(!unknown.ok && unknown.error.code).toBe('unknown-command');
  // The page still works after both refusals.
  expect(await invoke(page, 'session.signIn', { userId: 'alice', password: '' })).toEqual({ ok: true, value: undefined });
  await alice.until('registered', (s) => s.session.registration === 'registered');
});
