/**
 * The browser fallback's second audio tab: during a call alice opens another media host page. Main
 * moves the call to it (one re-INVITE) and tells the first page it was replaced; that page lets go
 * of everything — every RTCPeerConnection it made (the call's and the spare's) closed, no live
 * microphone track, no audio element (the call's, the ringer's) — and says it was replaced. The
 * customer and alice hear each other through the new page, so nobody hears the conversation twice.
 */
import type { Page } from '@playwright/test';
import { TONES, untilHearsOnly } from '../support/audioOracle.js';
import { expect, mediaHostOf, test } from './fixtures.js';
import { customerCallsAlice } from './harness/pageCalls.js';
import { pageEar } from './harness/pageOracle.js';

/** renderer/mediaHost/main.ts exposes the engine here where the harness set its options (never in the product). */
const ENGINE_GLOBAL = '__BATON_MEDIA_ENGINE__';
/** Where this spec's recorder keeps what the page made (installed in every page of alice's context). */
const MADE_GLOBAL = '__BATON_TEST_MADE__';

interface Made {
  readonly connections: RTCPeerConnection[];
  readonly tracks: MediaStreamTrack[];
}

/**
 * Runs in each page before its scripts (serialised: nothing from outside its body): keeps every
 * RTCPeerConnection the page creates and every microphone track it captures or clones, so the
 * test can see what is still open without trusting the engine's own bookkeeping.
 */
function recordWhatIsMade(name: string): void {
  const made = { connections: [] as RTCPeerConnection[], tracks: [] as MediaStreamTrack[] };
  Object.defineProperty(window, name, { value: made });
  const Native = window.RTCPeerConnection;
  const Recorded = function (this: unknown, ...args: ConstructorParameters<typeof RTCPeerConnection>): RTCPeerConnection {
    const pc = new Native(...args);
    made.connections.push(pc);
    return pc;
  } as unknown as typeof RTCPeerConnection;
  Recorded.prototype = Native.prototype;
  Object.defineProperty(Recorded, 'generateCertificate', { value: Native.generateCertificate.bind(Native) });
  Object.defineProperty(window, 'RTCPeerConnection', { value: Recorded, configurable: true, writable: true });
  const devices = navigator.mediaDevices as MediaDevices | undefined;
  // A page with no media devices (the first about:blank) has no microphone to record.
  if (!devices) return;
  const capture = devices.getUserMedia.bind(devices);
  Object.defineProperty(devices, 'getUserMedia', {
    value: async (constraints?: MediaStreamConstraints) => {
      const stream = await capture(constraints);
      made.tracks.push(...stream.getAudioTracks());
      return stream;
    },
    configurable: true,
    writable: true,
  });
  const clone = Object.getOwnPropertyDescriptor(MediaStreamTrack.prototype, 'clone')?.value as (this: MediaStreamTrack) => MediaStreamTrack;
  MediaStreamTrack.prototype.clone = function (this: MediaStreamTrack): MediaStreamTrack {
    const copy = clone.call(this);
    // Clones of what the page captured (the per-call microphone tracks); remote tracks are not cloned.
    if (made.tracks.includes(this) || this.kind === 'audio') made.tracks.push(copy);
    return copy;
  };
}

interface Held {
  readonly openConnections: number;
  readonly engineOpen: number;
  readonly liveTracks: number;
  /** Every <audio> of the page: the calls' and the ringer's. */
  readonly audioElements: number;
  readonly callAudio: number;
}

const held = (host: Page): Promise<Held> =>
  host.evaluate(
    ([made, engine]) => {
      const m = (window as unknown as Record<string, Made>)[made]!;
      const e = (window as unknown as Record<string, { counters(): { peerConnections: { created: number; closed: number } } }>)[engine]!;
      const pcs = e.counters().peerConnections;
      return {
        openConnections: m.connections.filter((pc) => pc.signalingState !== 'closed').length,
        engineOpen: pcs.created - pcs.closed,
        liveTracks: m.tracks.filter((t) => t.readyState === 'live').length,
        audioElements: document.querySelectorAll('audio').length,
        callAudio: document.querySelectorAll('audio[data-baton-audio="call"]').length,
      };
    },
    [MADE_GLOBAL, ENGINE_GLOBAL] as const,
  );

test('a second audio tab takes the call over; the replaced tab closes its connections, stops the microphone, says it was replaced', async ({
  pages,
  agentPage,
  agent,
  customer,
  openMediaHost,
}) => {
  const { context } = await pages.context('alice', true);
  await context.addInitScript(recordWhatIsMade, MADE_GLOBAL);
  const page = await agentPage('alice');
  const alice = await agent('alice');
  const first = mediaHostOf(page);
  const { call, callId } = await customerCallsAlice(page, alice, customer);
  // The first tab holds what the report found: the call's connection and a spare, the microphone, the call's audio.
  await expect.poll(async () => (await held(first)).openConnections, { message: 'the call and a spare', timeout: 10_000 }).toBe(2);
  const before = await held(first);
  console.log(`[mediaHostReplaced] the first tab before the second opened: ${JSON.stringify(before)}`);
  expect(before).toMatchObject({ engineOpen: 2, callAudio: 1 });
  expect(before.liveTracks).toBeGreaterThan(0);

  const second = await openMediaHost('alice');
  await expect(first.getByRole('alert')).toHaveText(/replaced by another Baton audio tab/);
  const released: Held = { openConnections: 0, engineOpen: 0, liveTracks: 0, audioElements: 0, callAudio: 0 };
  await expect.poll(() => held(first), { message: 'the replaced tab lets go', timeout: 5000 }).toEqual(released);
  await expect(second.getByRole('alert')).toHaveCount(0);

  // The call goes on through the new tab, both ways.
  await untilHearsOnly(call, TONES.alice, 8000);
  await pageEar(page, alice).untilHearsOnly(callId, TONES.customer, 8000);
  expect(await held(second)).toMatchObject({ callAudio: 1 });
  expect((await held(second)).liveTracks).toBeGreaterThan(0);
  // Nothing came back to the old tab meanwhile.
  expect(await held(first)).toEqual(released);
});
