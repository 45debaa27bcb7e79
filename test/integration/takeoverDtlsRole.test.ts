/**
 * Which DTLS role our new engine takes when it takes a call over (the media host crashed and came
 * back): the client, wherever the far end can give that role up — so the handshake starts on our
 * side the moment our ICE connects, instead of waiting for the far end's ClientHello retransmission.
 *  - rtpengine (the relay in front of a plain-RTP phone) was the client: the take-over offer says
 *    `a=setup:active`, the relay answers `passive`, both hear each other.
 *  - a libwebrtc far end (wrtc M106) that is the client cannot move its role, and one refused offer
 *    breaks its connection for good: the take-over offer stays `actpass`, both hear each other.
 *  - a far end that refuses the role change cleanly (488): offered again as `actpass`, the call keeps
 *    its audio.
 */
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import { startLab, type Lab } from '../lab/lab.js';
import { Phone } from '../../electron/core/sip/phone.js';
import { createLinphone, type LinphoneCall } from '../lab/linphone.js';
import { readWav } from '../lab/recording.js';
import { createWrtcMediaPort, type WrtcMediaPort } from '../lab/wrtcEngine.js';
import { HEARD_AT, TONES, untilHearsOnly } from '../support/audioOracle.js';
import { framedTones } from '../support/goertzel.js';
import { waitFor } from '../support/waitFor.js';
import type { Call } from '../../electron/core/sip/call.js';
import type { AnswerOptions, MediaPort, MediaSession, Sdp } from '../../shared/media.js';

let lab: Lab;
const cleanup: Array<() => Promise<void>> = [];
beforeAll(async () => {
  lab = await startLab({ presence: false, mediaRelay: true });
});
afterEach(async () => {
  for (const c of cleanup.splice(0).reverse()) await c();
});
afterAll(async () => lab?.stop());

/** Main's view of the media host: the same port, a new engine behind it after a crash. */
class SwappableEngine implements MediaPort {
  constructor(public engine: WrtcMediaPort) {}
  open(id: string): Promise<MediaSession> {
    return this.engine.open(id);
  }
}

const setupOf = (sdp: string | undefined): string | undefined => /^a=setup:(\w+)/m.exec(sdp ?? '')?.[1];

async function alicePhone(): Promise<{ alice: Phone; engine: SwappableEngine }> {
  const engine = new SwappableEngine(createWrtcMediaPort({ toneHz: TONES.alice }));
  const alice = new Phone({ server: lab.wsUrl, aor: `sip:alice@${lab.domain}`, media: engine });
  cleanup.push(async () => {
    await alice.stop();
    await engine.engine.dispose();
  });
  await alice.start();
  return { alice, engine };
}

/** The media host crashes (every connection gone) and a new one takes the call over. */
async function crashAndTakeOver(engine: SwappableEngine, call: Call): Promise<void> {
  await engine.engine.dispose();
  engine.engine = createWrtcMediaPort({ toneHz: TONES.alice });
  await call.renegotiateMedia();
}

/**
 * The party tone's mean amplitude in the last second linphonec recorded. After a re-INVITE its new
 * file may hold bare samples with no header yet: read raw then, at the rate where the tone is strongest.
 */
function phoneHeard(call: LinphoneCall, hz: number): number {
  const wav = readWav(call.recording);
  const samples = wav.samples;
  const rates = wav.sampleRate === undefined ? [8000, 16000, 48000] : [wav.sampleRate];
  return Math.max(
    ...rates.map((rate) => {
      const tail = samples.subarray(Math.max(0, samples.length - rate));
      return framedTones(tail, rate, [hz], Math.round(rate / 50)).means.get(hz) ?? 0;
    }),
  );
}

it('a relay that was the DTLS client is offered our engine as client, and both ends hear each other again', async () => {
  const { alice, engine } = await alicePhone();
  const phone = createLinphone(lab, { user: 'contact', toneHz: TONES.customer });
  cleanup.push(() => phone.stop());
  await phone.start();
  const incoming = phone.nextIncoming();
  const call = await alice.call('contact');
  const phoneCall = await incoming;
  await phone.answer(phoneCall);
  await untilHearsOnly(call, TONES.customer, 8000);
  // The relay answered our actpass offer as client: the case where its first flight was lost.
  expect(setupOf(call.sdh()?.lastRemoteSdp)).toBe('active');

  await crashAndTakeOver(engine, call);
  expect(setupOf(call.sdh()?.lastLocalSdp)).toBe('active');
  expect(setupOf(call.sdh()?.lastRemoteSdp)).toBe('passive');
  await untilHearsOnly(call, TONES.customer, 8000);
  await waitFor(
    'the phone hears alice after the take-over',
    () => (phoneHeard(phoneCall, TONES.alice) >= HEARD_AT ? true : undefined),
    8000,
    100,
  );
  expect(call.state).toBe('established');
  await call.hangUp();
  await waitFor('the phone saw the end', () => (phoneCall.state === 'ended' ? true : undefined));
});

/** Bob, a desk on wrtc (libwebrtc M106); `media` wraps his engine when given. */
async function bobPhone(wrap?: (port: MediaPort) => MediaPort): Promise<Phone> {
  const port = createWrtcMediaPort({ toneHz: TONES.bob });
  const bob = new Phone({ server: lab.wsUrl, aor: `sip:bob@${lab.domain}`, media: wrap ? wrap(port) : port });
  cleanup.push(async () => {
    await bob.stop();
    await port.dispose();
  });
  await bob.start();
  return bob;
}

async function aliceCallsBob(alice: Phone, bob: Phone): Promise<{ a: Call; b: Call }> {
  const ringing = new Promise<Call>((resolve) => bob.events.on('incomingCall', resolve));
  const a = await alice.call('bob');
  const b = await ringing;
  await b.answer();
  await untilHearsOnly(a, TONES.bob);
  await untilHearsOnly(b, TONES.alice);
  return { a, b };
}

it('a libwebrtc far end that is the DTLS client is offered actpass, and both ends hear each other again', async () => {
  const { alice, engine } = await alicePhone();
  const bob = await bobPhone();
  const { a, b } = await aliceCallsBob(alice, bob);
  expect(setupOf(a.sdh()?.lastRemoteSdp)).toBe('active');

  await crashAndTakeOver(engine, a);
  expect(setupOf(a.sdh()?.lastLocalSdp)).toBe('actpass');
  await untilHearsOnly(a, TONES.bob, 15_000);
  await untilHearsOnly(b, TONES.alice, 15_000);
  await a.hangUp();
  await waitFor('bob saw the end', () => (b.state === 'ended' ? true : undefined));
});

/**
 * A far end that hides its browser engine (no a=msid-semantic) and refuses, before touching its
 * connection, an offer that would move it off the DTLS client role — as a stack that cannot do it
 * but checks first would.
 */
function refusingRoleChange(port: MediaPort, refused: Sdp[]): MediaPort {
  const hide = (sdp: Sdp): Sdp => sdp.replace(/^a=msid-semantic:.*\r\n/gm, '');
  return {
    open: async (id: string): Promise<MediaSession> => {
      // The engine's own session, its two SDP steps shadowed: the audio oracle still hears it.
      const session = await port.open(id);
      const createOffer = session.createOffer.bind(session);
      const acceptOffer = session.acceptOffer.bind(session);
      let client = false;
      session.createOffer = async (options) => hide(await createOffer(options));
      session.acceptOffer = async (offer: Sdp, options: AnswerOptions) => {
        if (client && setupOf(offer) === 'active') {
          refused.push(offer);
          throw new Error('this far end cannot give up its DTLS client role');
        }
        const answer = await acceptOffer(offer, options);
        client = setupOf(answer) === 'active';
        return hide(answer);
      };
      return session;
    },
  };
}

it('a far end that refuses to become the DTLS server gets our actpass offer next, and the call keeps its audio', async () => {
  const { alice, engine } = await alicePhone();
  const refused: Sdp[] = [];
  const bob = await bobPhone((port) => refusingRoleChange(port, refused));
  const { a, b } = await aliceCallsBob(alice, bob);

  await crashAndTakeOver(engine, a);
  expect(refused.map(setupOf)).toEqual(['active']);
  expect(setupOf(a.sdh()?.lastLocalSdp)).toBe('actpass');
  await untilHearsOnly(a, TONES.bob, 15_000);
  await untilHearsOnly(b, TONES.alice, 15_000);
  expect(a.state).toBe('established');
  // A later take-over of the same call does not ask this far end again.
  await crashAndTakeOver(engine, a);
  expect(refused).toHaveLength(1);
  await untilHearsOnly(a, TONES.bob, 15_000);
  await a.hangUp();
  await waitFor('bob saw the end', () => (b.state === 'ended' ? true : undefined));
});
