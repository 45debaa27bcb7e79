/**
 * The early offer (renderer/media/spareOffer.ts) in the Node engine, through the lab Kamailio: an
 * outgoing call's INVITE carries the spare's offer, gathered before the call was placed (the
 * engine's own counters say no offer waited for gathering); the call's own microphone goes on the
 * spare, mute included; audio flows both ways; an incoming call never takes the spare; signing out
 * releases it; every connection made is closed.
 */
import { expect, it } from 'vitest';
import { Phone } from '../../electron/core/sip/phone.js';
import type { Call } from '../../electron/core/sip/call.js';
import { labForTests } from '../support/labForTests.js';
import { createWrtcMediaPort, peerConnectionCounts, type WrtcMediaPort } from '../lab/wrtcEngine.js';
import { isDead, noToneHeard, onlyToneHeard, TONES, untilSessionHearing, untilTalking } from '../support/audioOracle.js';
import { waitFor, within } from '../support/waitFor.js';

const suite = labForTests({ presence: false });
const { cleanup } = suite;

interface Desk {
  readonly name: string;
  readonly phone: Phone;
  readonly media: WrtcMediaPort;
  nextIncoming(): Promise<Call>;
}

async function desk(name: string, toneHz: number, spareOffer: boolean): Promise<Desk> {
  const media = createWrtcMediaPort({ toneHz, spareOffer, spareRefillDelayMs: 50 });
  const phone = new Phone({
    server: suite.lab.wsUrl,
    aor: `sip:${name}@${suite.lab.domain}`,
    media,
    backoff: { initialMs: 100, maxMs: 1000 },
  });
  cleanup.push(async () => {
    await phone.stop().catch((error: unknown) => console.warn('cleanup:', error));
    await media.dispose();
  });
  await phone.start();
  return { name, phone, media, nextIncoming: () => within(`an incoming call at ${name}`, phone.events.next('incomingCall'), 5000) };
}

const ufrag = (sdp: string): string => /^a=ice-ufrag:(\S+)/m.exec(sdp)?.[1] ?? '';
const inviteSdp = (call: Call): string => {
  const body = call.session.request.body;
  return typeof body === 'string' ? body : '';
};
const spareReady = async (d: Desk): Promise<void> => {
  await waitFor(`${d.name}'s spare`, () => d.media.spareCounts().ready === 1, 5000);
};

it('an outgoing call sends the gathered spare offer, waits for no gathering, and both ends hear each other', async () => {
  const before = peerConnectionCounts();
  const alice = await desk('spare-alice', TONES.alice, true);
  const bob = await desk('spare-bob', TONES.bob, false);
  await spareReady(alice);
  const spare = alice.media.spareSdp();
  expect(spare).not.toBeNull();

  const ringing = bob.nextIncoming();
  const caller = await alice.phone.call(bob.name);
  const callee = await ringing;
  // The INVITE left with the spare's own ICE credentials: the offer gathered before the call existed.
  expect(ufrag(inviteSdp(callee))).toBe(ufrag(spare ?? ''));
  expect(alice.media.offerCounts()).toEqual({ fromSpare: 1, gathered: 0 });
  expect(alice.media.spareCounts()).toMatchObject({ made: 1, used: 1 });

  await callee.answer();
  await untilTalking(caller, TONES.bob, callee, TONES.alice);

  // The next spare is made for the consult that may follow; a second call uses it.
  await spareReady(alice);
  const second = alice.media.spareSdp() ?? '';
  const ringingAgain = bob.nextIncoming();
  const consult = await alice.phone.call(bob.name);
  const consultAtBob = await ringingAgain;
  expect(ufrag(inviteSdp(consultAtBob))).toBe(ufrag(second));
  expect(alice.media.offerCounts()).toEqual({ fromSpare: 2, gathered: 0 });
  await consultAtBob.answer();
  await untilTalking(consult, TONES.bob, consultAtBob, TONES.alice);
  await consult.hangUp();
  await caller.hangUp();
  await waitFor('calls ended', () => alice.phone.calls().length === 0 && bob.phone.calls().length === 0);

  // Never two spares, and nothing leaks: every connection made is closed once the desks are gone.
  await spareReady(alice);
  expect(alice.media.spareCounts()).toMatchObject({ ready: 1, used: 2, made: 3 });
  await suite.cleanUp();
  const after = peerConnectionCounts();
  expect(after.created - before.created).toBe(after.closed - before.closed);
});

it('a session muted before its first offer (a take-over of a muted call) sends silence on the spare until unmuted', async () => {
  // Mute reaches an outgoing session before its offer only when main re-opens a muted call in a new
  // engine (BridgedSdh.session); negotiated here engine to engine, the SIP layer adds nothing to it.
  const alice = createWrtcMediaPort({ toneHz: TONES.alice, spareOffer: true, spareRefillDelayMs: 50 });
  const bob = createWrtcMediaPort({ toneHz: TONES.bob });
  cleanup.push(async () => {
    await alice.dispose();
    await bob.dispose();
  });
  await waitFor('the spare', () => alice.spareCounts().ready === 1, 5000);
  const a = await alice.open('muted-a');
  await a.setMuted(true);
  const offer = await a.createOffer({ direction: 'sendrecv' });
  expect(alice.offerCounts()).toEqual({ fromSpare: 1, gathered: 0 });
  const b = await bob.open('muted-b');
  await a.applyAnswer(await b.acceptOffer(offer, { direction: 'sendrecv' }));
  await untilSessionHearing('Alice hears only Bob', a, 'alice', (h) => onlyToneHeard(h, TONES.bob));
  await untilSessionHearing('Bob hears silence from a live Alice', b, 'bob', (h) => noToneHeard(h) && !isDead(h));
  await a.setMuted(false);
  await untilSessionHearing('Bob hears only Alice', b, 'bob', (h) => onlyToneHeard(h, TONES.alice));
});

it('an incoming call answers on a connection of its own and leaves the spare for the next outgoing call', async () => {
  const alice = await desk('in-alice', TONES.alice, true);
  const bob = await desk('in-bob', TONES.bob, false);
  await spareReady(alice);
  const spare = alice.media.spareSdp() ?? '';
  const ringing = alice.nextIncoming();
  const fromBob = await bob.phone.call(alice.name);
  const atAlice = await ringing;
  await atAlice.answer();
  await untilTalking(fromBob, TONES.alice, atAlice, TONES.bob);
  expect(alice.media.spareCounts()).toMatchObject({ ready: 1, used: 0 });
  expect(alice.media.spareSdp()).toBe(spare);
  await fromBob.hangUp();
});

it('signing out releases the spare; a call then gathers its own offer; a network change replaces the spare', async () => {
  const alice = await desk('out-alice', TONES.alice, true);
  await spareReady(alice);
  const first = alice.media.spareSdp() ?? '';
  alice.media.invalidateSpare();
  expect(alice.media.spareCounts().ready).toBe(0);
  await spareReady(alice);
  expect(ufrag(alice.media.spareSdp() ?? '')).not.toBe(ufrag(first));

  alice.media.keepSpare(false);
  expect(alice.media.spareCounts()).toMatchObject({ ready: 0, made: 2, discarded: 2, used: 0 });
  const bob = await desk('out-bob', TONES.bob, false);
  const ringing = bob.nextIncoming();
  const caller = await alice.phone.call(bob.name);
  const callee = await ringing;
  expect(alice.media.offerCounts()).toEqual({ fromSpare: 0, gathered: 1 });
  await callee.answer();
  await untilTalking(caller, TONES.bob, callee, TONES.alice);
  await caller.hangUp();
});
