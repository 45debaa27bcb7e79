/**
 * Agents (WebRTC, the Node engine) and plain-RTP phones through the real Kamailio and rtpengine: the
 * relay turns the agents' DTLS-SRTP/ICE/rtcp-mux into the phones' plain RTP and back, and what it
 * hands the agents is one audio m-line with a=mid and no BUNDLE group — which the engines must take.
 *
 * Every party sends its own tone (test/support/partyTones.ts): the linphone contact 330 Hz, Alice
 * 440, Bob 660, the baresip phone 770. The phones record what they hear; the agents are heard by the
 * audio oracle. Each check says who hears whom, and that nobody else is heard.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startLab, type Lab } from '../lab/lab.js';
import { createDesk, type Desk } from '../lab/bots.js';
import { createLinphone, type LinphoneCall, type LinphonePhone } from '../lab/linphone.js';
import { createBaresip, type BaresipPhone } from '../lab/baresip.js';
import { untilHearsOnly } from '../support/audioOracle.js';
import { TONES } from '../support/partyTones.js';
import { createAgent, endAgentCalls, type TestAgent } from '../support/agents.js';
import { waitFor } from '../support/waitFor.js';
import { transferPhase } from '../support/transferScene.js';
import type { Call } from '../../electron/core/sip/call.js';
import type { StartTransfer, TransferView } from '../../electron/core/transfer/transfers.js';

let lab: Lab;
const agents: TestAgent[] = [];
const phones: Array<LinphonePhone | BaresipPhone> = [];

beforeAll(async () => {
  lab = await startLab({ presence: false, mediaRelay: true });
});
afterEach(async () => {
  await Promise.all(phones.splice(0).map((p) => p.stop()));
  await Promise.all(agents.splice(0).map((a) => a.dispose()));
});
afterAll(async () => lab?.stop());

const PHONE_TONE = TONES.customer;
const BARESIP_TONE = TONES.customer2;

async function linphone(options: { codecs?: readonly string[] } = {}): Promise<LinphonePhone> {
  const phone = createLinphone(lab, { user: 'contact', toneHz: PHONE_TONE, ...options });
  phones.push(phone);
  await phone.start();
  return phone;
}

function desk(name: 'alice' | 'bob'): Desk {
  const d = createDesk(lab, name, { toneHz: TONES[name] });
  agents.push(d);
  return d;
}

/** What the relay gave the agent (offer or answer): one audio m-line, a=mid, no BUNDLE group, DTLS-SRTP. */
function expectRelayedSdp(call: Call): void {
  const sdp = call.sdh()?.lastRemoteSdp ?? '';
  expect(sdp).toMatch(/^m=audio \d+ UDP\/TLS\/RTP\/SAVPF /m);
  expect(sdp.match(/^m=/gm)).toHaveLength(1);
  expect(sdp).toMatch(/^a=mid:/m);
  expect(sdp).not.toMatch(/^a=group:BUNDLE/m);
  expect(sdp).toMatch(/^a=fingerprint:/m);
}

/** The phone's call and the agent's call hear each other, and only each other. */
async function talking(phone: LinphonePhone, phoneCall: LinphoneCall, agentCall: Call, agentTone: number): Promise<void> {
  const others = Object.values(TONES).filter((hz) => hz !== agentTone && hz !== phone.toneHz);
  await phone.untilHears(phoneCall, agentTone, { absent: others });
  await untilHearsOnly(agentCall, phone.toneHz, 8_000);
}

async function hangUpAll(phone: LinphonePhone, ...desks: TestAgent[]): Promise<void> {
  await phone.hangUpAll();
  await endAgentCalls(desks);
  for (const d of desks) expect(d.media.openSessions(), `${d.name} media sessions`).toHaveLength(0);
}

describe('a plain-RTP phone behind rtpengine', () => {
  it('calls an agent: the agent takes the relay’s offer (no BUNDLE group) and both hear each other', async () => {
    const alice = desk('alice');
    await alice.phone.start();
    const phone = await linphone();
    const ringing = alice.nextIncoming();
    const phoneCall = await phone.call('alice');
    const aliceCall = await ringing;
    await aliceCall.answer();
    await waitFor('the phone connected', () => phoneCall.state === 'connected');
    expectRelayedSdp(aliceCall);
    await talking(phone, phoneCall, aliceCall, TONES.alice);
    await hangUpAll(phone, alice);
  });

  it('is called by an agent: the agent takes the relay’s answer (no BUNDLE group) and both hear each other', async () => {
    const alice = desk('alice');
    await alice.phone.start();
    const phone = await linphone();
    const aliceCall = await alice.phone.call('contact');
    const phoneCall = await phone.nextIncoming();
    await phone.answer(phoneCall);
    await waitFor('alice connected', () => aliceCall.state === 'established');
    expectRelayedSdp(aliceCall);
    await talking(phone, phoneCall, aliceCall, TONES.alice);
    await hangUpAll(phone, alice);
  });

  it('offering G.711 only: the agent answers PCMU/PCMA and both hear each other', async () => {
    const alice = desk('alice');
    await alice.phone.start();
    const phone = await linphone({ codecs: ['PCMU', 'PCMA'] });
    const ringing = alice.nextIncoming();
    const phoneCall = await phone.call('alice');
    const aliceCall = await ringing;
    await aliceCall.answer();
    await waitFor('the phone connected', () => phoneCall.state === 'connected');
    const offer = aliceCall.sdh()?.lastRemoteSdp ?? '';
    expect(offer).not.toMatch(/opus/i);
    expect(offer).toMatch(/^a=rtpmap:(0 PCMU|8 PCMA)\/8000/m);
    const answer = aliceCall.sdh()?.lastLocalSdp ?? '';
    expect(answer).toMatch(/^m=audio \d+ \S+ (0|8)\b/m);
    expectRelayedSdp(aliceCall);
    await talking(phone, phoneCall, aliceCall, TONES.alice);
    await hangUpAll(phone, alice);
  });
});

describe('transfers of a plain-RTP phone between desks', () => {
  interface Scene {
    phone: LinphonePhone;
    alice: Desk;
    bob: Desk;
    /** Alice's call with the phone. */
    contactLeg: Call;
    /** The phone's call with Alice. */
    phoneLeg: LinphoneCall;
  }

  async function scene(): Promise<Scene> {
    const alice = desk('alice');
    const bob = desk('bob');
    await Promise.all([alice.phone.start(), bob.phone.start()]);
    const phone = await linphone();
    const ringing = alice.nextIncoming();
    const phoneLeg = await phone.call('alice');
    const contactLeg = await ringing;
    await contactLeg.answer();
    await talking(phone, phoneLeg, contactLeg, TONES.alice);
    return { phone, alice, bob, contactLeg, phoneLeg };
  }

  function request(s: Scene, method: 'cold' | 'warm'): StartTransfer {
    return {
      method,
      contactCallId: s.contactLeg.id,
      recipient: { userId: 'bob', name: 'Bob', uri: `sip:bob@${lab.domain}` },
      outcome: { id: 'billing', label: 'Billing question' },
      note: 'Desk phone customer, wants a refund',
      contact: { id: 'contact-1', name: 'Dana Customer', number: 'contact' },
      history: [],
    };
  }

  function phase(d: Desk, id: string, expected: TransferView['state']['phase'], timeoutMs = 10_000): Promise<TransferView> {
    return transferPhase(d, id, expected, timeoutMs);
  }

  it('cold: the phone follows the REFER to Bob; phone and Bob hear each other, Alice is out', async () => {
    const s = await scene();
    const started = await s.alice.transfers.start(request(s, 'cold'));
    await phase(s.bob, started.id, 'completed');
    await phase(s.alice, started.id, 'completed');
    const phoneToBob = await waitFor('the phone’s call to bob', () => s.phone.callWith('bob'));
    const bobCall = await waitFor('bob’s call', () => s.bob.phone.calls()[0]);
    await waitFor('the phone connected to bob', () => phoneToBob.state === 'connected');
    expectRelayedSdp(bobCall);
    await talking(s.phone, phoneToBob, bobCall, TONES.bob);
    await waitFor('alice’s leg ended', () => s.contactLeg.state === 'ended', 8_000);
    expect(s.alice.dispositions).toEqual([
      { callId: s.contactLeg.id, transferId: started.id, prefill: { id: 'billing', label: 'Billing question' } },
    ]);
    await waitFor('the phone’s leg with alice ended', () => s.phoneLeg.state === 'ended', 8_000);
    await hangUpAll(s.phone, s.alice, s.bob);
  });

  it('warm: Alice and Bob consult with the phone held, then it replaces the consult with Bob; phone and Bob hear each other', async () => {
    const s = await scene();
    const started = await s.alice.transfers.start(request(s, 'warm'));
    await phase(s.alice, started.id, 'consulting');
    await phase(s.bob, started.id, 'consulting');
    const consulting = s.alice.transfers.get(started.id);
    const aliceConsult = s.alice.phone.calls().find((c) => c.id === consulting.consultCallId) as Call;
    const bobConsult = s.bob.phone.calls()[0] as Call;
    await untilHearsOnly(aliceConsult, TONES.bob, 8_000);
    await untilHearsOnly(bobConsult, TONES.alice, 8_000);
    // The contact is held by Alice meanwhile. What it hears then cannot be read from linphonec: while
    // "paused by remote" its recording repeats the last audio it had (measured: Alice held AND muted,
    // the recording still held her 440 Hz at full level). The wrtc customer of transfer.test.ts proves
    // a held contact hears nothing; here the hold is checked as signalled.
    expect(s.contactLeg.held).toBe(true);
    expect(s.contactLeg.media.localDirection).toBe('sendonly');

    await s.alice.transfers.complete(started.id);
    await phase(s.alice, started.id, 'completed');
    const bobView = await phase(s.bob, started.id, 'completed');
    const bobContact = s.bob.phone.calls().find((c) => c.id === bobView.contactCallId) as Call;
    expect(bobContact).toBeDefined();
    expectRelayedSdp(bobContact);
    await waitFor('alice left every call', () => s.alice.phone.calls().length === 0, 8_000);
    // The contact arrives held at Bob (the transfer rules); Bob takes it off hold.
    await s.bob.transfers.unholdContact(started.id);
    // It dials Bob's Contact (the Replaces target), so it names the call by that, not by sip:bob@.
    const phoneToBob = await waitFor('the phone’s replacing call', () =>
      [...s.phone.calls.values()].find((c) => c.id !== s.phoneLeg.id && c.state !== 'ended'),
    );
    await talking(s.phone, phoneToBob, bobContact, TONES.bob);
    await hangUpAll(s.phone, s.alice, s.bob);
  });
});

describe('baresip, a plain-RTP phone without Replaces', () => {
  it('calls an agent through rtpengine: both hear each other', async () => {
    const alice = createAgent(lab, 'alice', { toneHz: TONES.alice });
    agents.push(alice);
    await alice.phone.start();
    const phone = createBaresip(lab, { user: 'deskphone', toneHz: BARESIP_TONE });
    phones.push(phone);
    await phone.start();
    const ringing = alice.nextIncoming();
    await phone.dial('alice');
    const aliceCall = await ringing;
    await aliceCall.answer();
    await phone.untilEstablished();
    expectRelayedSdp(aliceCall);
    const others = Object.values(TONES).filter((hz) => hz !== TONES.alice && hz !== BARESIP_TONE);
    await phone.untilHears(TONES.alice, { absent: others });
    await untilHearsOnly(aliceCall, BARESIP_TONE, 8_000);
    await phone.hangUp();
    await waitFor('alice’s call ended', () => alice.phone.calls().length === 0, 8_000);
  });
});
