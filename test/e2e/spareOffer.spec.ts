/**
 * The early offer in the product's engine (renderer/media/spareOffer.ts), in Chromium's media host:
 * while alice is signed in her media host keeps one spare connection with a gathered offer; her
 * outgoing call's INVITE carries it (the same ICE credentials, and the engine's own counters say no
 * offer waited for gathering), on the microphone she chose, muted when she mutes, and both ends
 * hear each other. Signing out releases the spare; every connection made is closed.
 */
import type { Page } from '@playwright/test';
import type { Call } from '../../electron/core/sip/call.js';
import { TONES, untilHearsNoTone, untilHearsOnly } from '../support/audioOracle.js';
import { waitFor } from '../support/waitFor.js';
import { expect, invoke, mediaHostOf, MICROPHONE_REQUESTS_GLOBAL, test } from './fixtures.js';
import type { MicrophoneRequest } from './harness/fakeMicrophone.js';
import { aliceAnswersCustomer } from './harness/pageCalls.js';
import { pageEar } from './harness/pageOracle.js';

/** renderer/mediaHost/main.ts exposes the engine here where the harness set its options (never in the product). */
const ENGINE_GLOBAL = '__BATON_MEDIA_ENGINE__';

interface Counters {
  readonly spare: { readonly made: number; readonly used: number; readonly discarded: number; readonly ready: number };
  readonly offers: { readonly fromSpare: number; readonly gathered: number };
  readonly peerConnections: { readonly created: number; readonly closed: number };
}

const counters = (host: Page): Promise<Counters> =>
  host.evaluate((name) => (window as unknown as Record<string, { counters(): Counters }>)[name]!.counters(), ENGINE_GLOBAL);
const spareSdp = (host: Page): Promise<string | null> =>
  host.evaluate((name) => (window as unknown as Record<string, { spareSdp(): string | null }>)[name]!.spareSdp(), ENGINE_GLOBAL);
const ufrag = (sdp: string): string => /^a=ice-ufrag:(\S+)/m.exec(sdp)?.[1] ?? '';
const inviteSdp = (call: Call): string => {
  const body = call.session.request.body;
  return typeof body === 'string' ? body : '';
};

test('an outgoing call goes out on the gathered spare, on the chosen microphone, muted when muted, both ends hear each other', async ({
  agentPage,
  agent,
  customer,
}) => {
  // A call first captures the microphone (until then Chromium offers only mDNS names, no use to a SIP
  // far end); from then on a spare is ready between calls.
  const { page, alice, call: firstCall, callId: firstId } = await aliceAnswersCustomer({ agentPage, agent, customer });
  const host = mediaHostOf(page);
  await expect.poll(async () => (await counters(host)).spare.ready, { message: 'a spare is ready', timeout: 10_000 }).toBe(1);
  // The incoming call answered on a connection of its own.
  expect((await counters(host)).spare.used).toBe(0);
  expect(await invoke(page, 'call.hangUp', { callId: firstId })).toMatchObject({ ok: true });
  await waitFor('the customer sees the end', () => firstCall.state === 'ended', 5000);
  const due = await alice.until('the wrap-up', (s) => s.dispositionsDue.some((d) => d.callId === firstId));
  expect(await invoke(page, 'disposition.file', { callId: firstId, codeId: due.dispositionCodes[0]?.id ?? '', note: '' })).toMatchObject({
    ok: true,
  });

  // Alice picks another microphone while the spare waits: the call must capture that one.
  const inputs = await host.evaluate(async () =>
    (await navigator.mediaDevices.enumerateDevices())
      .filter((d) => d.kind === 'audioinput')
      .map((d) => ({ id: d.deviceId, label: d.label })),
  );
  const other = inputs.find((d) => d.id !== 'default' && d.id !== '' && d.id !== inputs[0]?.id) ?? inputs.at(-1);
  expect(other, `a second microphone among ${JSON.stringify(inputs)}`).toBeDefined();
  expect(
    await invoke(page, 'settings.set', { devices: { microphone: { id: other?.id ?? null, label: other?.label || null } } }),
  ).toMatchObject({ ok: true });
  await expect.poll(async () => (await counters(host)).spare.ready, { timeout: 10_000 }).toBe(1);
  const spare = (await spareSdp(host)) ?? '';
  const before = await counters(host);
  const askedBefore = await host.evaluate(
    (name) => ((window as unknown as Record<string, MicrophoneRequest[]>)[name] ?? []).length,
    MICROPHONE_REQUESTS_GLOBAL,
  );

  const incoming = customer.nextIncoming();
  const dialed = await invoke(page, 'call.dial', { target: customer.name });
  expect(dialed).toMatchObject({ ok: true });
  const callId =
    dialed.ok && typeof dialed.value === 'object' && dialed.value !== null && 'callId' in dialed.value ? String(dialed.value.callId) : '';
  const atCustomer = await incoming;
  // The INVITE carried the spare's offer, made before the call; no offer waited for gathering.
  expect(ufrag(inviteSdp(atCustomer))).toBe(ufrag(spare));
  const after = await counters(host);
  expect(after.offers.fromSpare - before.offers.fromSpare).toBe(1);
  expect(after.offers.gathered - before.offers.gathered).toBe(0);
  expect(after.spare.used - before.spare.used).toBe(1);
  // The call captured the microphone alice chose.
  const asked = await host.evaluate(
    (name) => (window as unknown as Record<string, MicrophoneRequest[]>)[name] ?? [],
    MICROPHONE_REQUESTS_GLOBAL,
  );
  expect(asked.slice(askedBefore).map((r) => r.deviceId)).toEqual([other?.id]);

  await atCustomer.answer();
  await alice.until('established', (s) => s.calls.some((c) => c.id === callId && c.state === 'established'));
  const ear = pageEar(page, alice);
  await untilHearsOnly(atCustomer, TONES.alice, 8000);
  await ear.untilHearsOnly(callId, TONES.customer, 8000);

  // Mute holds on the spare's connection: the customer hears no tone from a live alice; unmuted, hears her.
  expect(await invoke(page, 'call.mute', { callId, muted: true })).toMatchObject({ ok: true });
  await untilHearsNoTone(atCustomer, 5000);
  expect(await invoke(page, 'call.mute', { callId, muted: false })).toMatchObject({ ok: true });
  await untilHearsOnly(atCustomer, TONES.alice, 5000);

  expect(await invoke(page, 'call.hangUp', { callId })).toMatchObject({ ok: true });
  await waitFor('the customer sees the end', () => atCustomer.state === 'ended', 5000);
  const dueAgain = await alice.until('the wrap-up', (s) => s.dispositionsDue.some((d) => d.callId === callId));
  expect(await invoke(page, 'disposition.file', { callId, codeId: dueAgain.dispositionCodes[0]?.id ?? '', note: '' })).toMatchObject({
    ok: true,
  });

  // Signing out releases the spare; then every connection the engine made is closed.
  await expect.poll(async () => (await counters(host)).spare.ready, { timeout: 10_000 }).toBe(1);
  expect(await invoke(page, 'session.signOut', {})).toMatchObject({ ok: true });
  await expect.poll(async () => (await counters(host)).spare.ready, { message: 'the spare released', timeout: 10_000 }).toBe(0);
  await expect.poll(async () => alice.openMediaSessions()).toEqual([]);
  const end = await counters(host);
  expect(end.peerConnections.closed).toBe(end.peerConnections.created);
});
