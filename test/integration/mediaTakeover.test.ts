/**
 * A new media engine takes over live calls (what a renderer reload does in the product): the call
 * is never ended, one re-INVITE restores audio both ways, and the hold state survives.
 */
import { expect, it } from 'vitest';
import { labForTests } from '../support/labForTests.js';
import { Phone } from '../../electron/core/sip/phone.js';
import { createAgent, type TestAgent } from '../support/agents.js';
import { TONES, untilHearsNoTone, untilHearsOnly, untilMediaDead } from '../support/audioOracle.js';
import { createWrtcMediaPort, type WrtcMediaPort } from '../lab/wrtcEngine.js';
import { waitFor } from '../support/waitFor.js';
import { audioDirection, originOf } from '../../shared/sdp.js';
import type { MediaPort, MediaSession } from '../../shared/media.js';

const suite = labForTests({ presence: false });
const { cleanup } = suite;

/** The renderer's engine as main sees it: the same port, a different engine behind it after a reload. */
class SwappableEngine implements MediaPort {
  readonly opened: string[] = [];
  constructor(public engine: WrtcMediaPort) {}
  open(id: string): Promise<MediaSession> {
    this.opened.push(id);
    return this.engine.open(id);
  }
}

/** What makes an offer a fresh ICE and DTLS session to the far end. */
function transportIdentity(sdp: string): { readonly ufrag: string; readonly fingerprint: string } {
  const line = (name: string): string => new RegExp(`^a=${name}:(.+)$`, 'm').exec(sdp)?.[1]?.trim() ?? '';
  return { ufrag: line('ice-ufrag'), fingerprint: line('fingerprint') };
}

async function scene(): Promise<{ alice: Phone; engine: SwappableEngine; bob: TestAgent }> {
  const engine = new SwappableEngine(createWrtcMediaPort({ toneHz: TONES.alice }));
  const alice = new Phone({ server: suite.lab.wsUrl, aor: `sip:alice@${suite.lab.domain}`, media: engine });
  const bob = createAgent(suite.lab, 'bob', { toneHz: TONES.bob });
  cleanup.push(
    async () => {
      await alice.stop();
      await engine.engine.dispose();
    },
    () => bob.dispose(),
  );
  await Promise.all([alice.start(), bob.phone.start()]);
  return { alice, engine, bob };
}

it.each([false, true])('a reload mid-call restores audio both ways (contact held: %s)', async (held) => {
  const { alice, engine, bob } = await scene();
  const ringing = bob.nextIncoming();
  const a = await alice.call('bob');
  const b = await ringing;
  await b.answer();
  await untilHearsOnly(a, TONES.bob);
  await untilHearsOnly(b, TONES.alice);
  if (held) {
    await a.hold();
    await untilHearsNoTone(b);
  }
  const firstOrigin = originOf(a.media.localDirection ? (a.sdh()?.lastLocalSdp ?? '') : '');
  const firstTransport = transportIdentity(a.sdh()?.lastLocalSdp ?? '');

  // The renderer goes away: its engine and every peer connection in it.
  await engine.engine.dispose();
  // No packets reach bob any more (not silence: nobody sends), and alice's call has no live session.
  await untilMediaDead(b);
  await untilMediaDead(a);
  expect(a.state).toBe('established');
  expect(b.state).toBe('established');

  // A new renderer attaches: main hands the live call to its engine.
  engine.engine = createWrtcMediaPort({ toneHz: TONES.alice });
  const t0 = performance.now();
  await a.renegotiateMedia();
  if (held) {
    // Held: the new engine sends RTP again, without alice's room in it. (Dead media would not pass.)
    await untilHearsNoTone(b, 15_000);
    expect(a.held).toBe(true);
    expect(audioDirection(a.sdh()?.lastLocalSdp ?? '')).toBe('sendonly');
    expect(b.media.localDirection).toBe('recvonly');
    await a.unhold();
  }
  // wrtc↔wrtc: the restarted DTLS handshake rides libwebrtc's retransmit timer (1 s, 2 s, 4 s…), so
  // this takes 3–7 s here; Chromium as the new engine is back in under a second (test/e2e/reload).
  await untilHearsOnly(a, TONES.bob, 15_000);
  await untilHearsOnly(b, TONES.alice, 15_000);
  console.log(`[takeover] re-INVITE → audio both ways: ${(performance.now() - t0).toFixed(0)} ms (held: ${held})`);
  // A second session was opened for the call, and its offer restarted ICE and DTLS for the far end.
  expect(engine.opened).toHaveLength(2);
  const transport = transportIdentity(a.sdh()?.lastLocalSdp ?? '');
  expect(transport.ufrag).not.toBe('');
  expect(transport.fingerprint).not.toBe('');
  expect(transport.ufrag).not.toBe(firstTransport.ufrag);
  expect(transport.fingerprint).not.toBe(firstTransport.fingerprint);
  // Same SDP session, higher version (RFC 3264 §8).
  const origin = originOf(a.sdh()?.lastLocalSdp ?? '');
  expect(origin?.sessionId).toBe(firstOrigin?.sessionId);
  expect((origin?.version ?? 0n) > (firstOrigin?.version ?? 0n)).toBe(true);
  await a.hangUp();
  await waitFor('ended', () => b.state === 'ended');
});
