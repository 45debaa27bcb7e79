import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createServer } from 'node:net';
import { startLab, type Lab } from '../lab/lab.js';
import { connect, createAgent, type TestAgent } from '../support/agents.js';
import {
  describeHearing,
  hearing,
  hearsNoTone,
  hearsOnly,
  hearsTone,
  mediaDead,
  onlyToneHeard,
  TONES,
  untilHearsNoTone,
  untilHearsOnly,
  untilMediaDead,
} from '../support/audioOracle.js';
import { waitFor } from '../support/waitFor.js';
import { Phone } from '../../electron/core/sip/phone.js';
import { PhoneError } from '../../electron/core/sip/phoneError.js';
import type { Call } from '../../electron/core/sip/call.js';
import { createWrtcMediaPort } from '../lab/wrtcEngine.js';

const unhandled: unknown[] = [];
const onUnhandled = (reason: unknown): void => void unhandled.push(reason);

let lab: Lab;
const agents: TestAgent[] = [];
function agent(name: string, toneHz: number): TestAgent {
  const a = createAgent(lab, name, { toneHz });
  agents.push(a);
  return a;
}

beforeAll(async () => {
  process.on('unhandledRejection', onUnhandled);
  lab = await startLab();
});

afterEach(async () => {
  await Promise.all(agents.splice(0).map((a) => a.dispose()));
});

afterAll(async () => {
  await lab?.stop();
  process.off('unhandledRejection', onUnhandled);
  expect(unhandled).toEqual([]);
});

/** Asserts that a finished test left no SIP.js session and no media session behind. */
function expectNothingLeft(...list: TestAgent[]): void {
  for (const a of list) {
    expect(a.phone.sessionCount(), `${a.name} SIP sessions`).toBe(0);
    expect(a.phone.calls(), `${a.name} calls`).toHaveLength(0);
    expect(a.media.openSessions(), `${a.name} media sessions`).toHaveLength(0);
  }
}

describe('registration', () => {
  it('registers, then unregisters on stop', async () => {
    const alice = agent('alice', 440);
    const states: string[] = [];
    alice.phone.events.on('registration', (e) => states.push(e.state));
    await alice.phone.start();
    expect(alice.phone.registration).toBe('registered');
    await alice.phone.stop();
    expect(states).toEqual(['connecting', 'registering', 'registered', 'unregistered']);
  });

  it('refuses a server address that is not ws:// or wss://, before any network use', () => {
    const media = createWrtcMediaPort();
    for (const server of ['http://127.0.0.1:5060', 'not a url', '']) {
      const attempt = (): Phone => new Phone({ server, aor: 'sip:alice@127.0.0.1', media });
      expect(attempt).toThrow(PhoneError);
      try {
        attempt();
      } catch (error) {
        expect((error as PhoneError).code).toBe('invalid-server-url');
      }
    }
    return media.dispose();
  });

  it('says "connection refused" when nothing listens, without crashing or leaking a rejection', async () => {
    const port = await freePort();
    const phone = new Phone({ server: `ws://127.0.0.1:${port}`, aor: 'sip:alice@127.0.0.1', media: createWrtcMediaPort() });
    const error = await phone.start().then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(PhoneError);
    expect((error as PhoneError).code).toBe('connection-refused');
    expect(phone.registration).toBe('failed');
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(unhandled).toEqual([]);
  });

  it('re-registers after Kamailio is killed and restarted, leaving no orphan session', async () => {
    const alice = agent('alice', 440);
    const bob = agent('bob', 660);
    await alice.phone.start();
    await bob.phone.start();
    const seen: string[] = [];
    alice.phone.events.on('registration', (e) => seen.push(e.state));
    await lab.kill();
    await waitFor('alice to notice the drop', () => alice.phone.registration === 'reconnecting', 5000);
    await lab.restart();
    const restartedAt = Date.now();
    await waitFor('alice registered again', () => alice.phone.registration === 'registered', 5000);
    await waitFor('bob registered again', () => bob.phone.registration === 'registered', 5000);
    const reRegisterMs = Date.now() - restartedAt;
    console.log(`[phone] registered again ${reRegisterMs} ms after Kamailio accepted connections`);
    expect(reRegisterMs).toBeLessThan(5000); // the stated bound: backoff ceiling (1 s here) + one REGISTER
    expect(seen[0]).toBe('reconnecting');
    expect(alice.phone.sessionCount()).toBe(0);
    // The fresh binding works: a call reaches alice through the restarted server.
    const { caller, callee } = await connect(bob, alice);
    await caller.hangUp();
    await waitFor('callee ended', () => callee.state === 'ended');
    expectNothingLeft(alice, bob);
  });
});

describe('calls', () => {
  it.each([
    ['alice', TONES.alice, 'bob', TONES.bob],
    ['bob', TONES.bob, 'alice', TONES.alice],
    // 660 Hz is 330 Hz's second harmonic: each end still hears only the other's tone.
    ['customer', TONES.customer, 'bob', TONES.bob],
  ])('%s (%i Hz) calls %s (%i Hz): ringing, answer, each hears the other and no one else', async (fromName, fromTone, toName, toTone) => {
    const from = agent(fromName, fromTone);
    const to = agent(toName, toTone);
    await Promise.all([from.phone.start(), to.phone.start()]);
    const ringing = to.nextIncoming();
    const caller = await from.phone.call(toName);
    const callee = await ringing;
    expect(callee.direction).toBe('inbound');
    expect(callee.state).toBe('ringing');
    expect(callee.remoteUri).toContain(fromName);
    await waitFor('caller hears ringing', () => caller.state === 'ringing');
    await callee.answer();
    await waitFor('established', () => caller.state === 'established' && callee.state === 'established');
    await untilHearsOnly(caller, toTone);
    await untilHearsOnly(callee, fromTone);
    await caller.hangUp();
    await waitFor('callee sees the hang-up', () => callee.state === 'ended');
    expect(caller.end?.reason).toBe('hung-up-local');
    expect(callee.end?.reason).toBe('hung-up-remote');
    expectNothingLeft(from, to);
  });

  it('two calls at one desk: each call hears its own party, and the held customer hears none of the other call', async () => {
    const alice = agent('alice', TONES.alice);
    const bob = agent('bob', TONES.bob);
    const customer = agent('customer', TONES.customer);
    await Promise.all([alice.phone.start(), bob.phone.start(), customer.phone.start()]);
    const first = await connect(customer, alice);
    await untilHearsOnly(first.callee, TONES.customer);
    await untilHearsOnly(first.caller, TONES.alice);
    await first.callee.hold();
    const second = await connect(alice, bob);
    // One engine, two sessions: alice's second call hears bob alone, not the customer it holds.
    await untilHearsOnly(second.caller, TONES.bob);
    await untilHearsOnly(second.callee, TONES.alice);
    await untilHearsNoTone(first.caller);
    await untilMediaDead(first.callee);
    await first.callee.unhold();
    await untilHearsOnly(first.caller, TONES.alice);
    await untilHearsOnly(first.callee, TONES.customer);
    // Alice's voice now goes to both calls; each call still hears only its own far end.
    expect(await hearsOnly(second.caller, TONES.bob)).toBe(true);
    for (const call of [second.caller, first.callee]) await call.hangUp();
    await waitFor('every leg ended', () => [first.caller, second.callee].every((c) => c.state === 'ended'));
    expectNothingLeft(alice, bob, customer);
  });

  it.each([
    [486, 'busy'],
    [603, 'declined'],
  ] as const)('a call declined with %i ends as "%s" at the caller', async (status, reason) => {
    const alice = agent('alice', 440);
    const bob = agent('bob', 660);
    await Promise.all([alice.phone.start(), bob.phone.start()]);
    const ringing = bob.nextIncoming();
    const caller = await alice.phone.call('bob');
    await (await ringing).decline(status);
    await waitFor('caller ended', () => caller.state === 'ended');
    expect(caller.end).toEqual({ reason, statusCode: status });
    expectNothingLeft(alice, bob);
  });

  it('a call to nobody ends as "not-found"', async () => {
    const alice = agent('alice', 440);
    await alice.phone.start();
    const call = await alice.phone.call('nobody');
    await waitFor('ended', () => call.state === 'ended');
    expect(call.end?.reason).toBe('not-found');
    expectNothingLeft(alice);
  });

  it('the caller can cancel a call that is still ringing', async () => {
    const alice = agent('alice', 440);
    const bob = agent('bob', 660);
    await Promise.all([alice.phone.start(), bob.phone.start()]);
    const ringing = bob.nextIncoming();
    const caller = await alice.phone.call('bob');
    const callee = await ringing;
    await waitFor('caller hears ringing', () => caller.state === 'ringing');
    await caller.hangUp();
    await waitFor('both ended', () => caller.state === 'ended' && callee.state === 'ended');
    expect(callee.end?.reason).toBe('cancelled');
    expectNothingLeft(alice, bob);
  });

  describe('in a connected call', () => {
    let alice: TestAgent;
    let bob: TestAgent;
    let a: Call;
    let b: Call;

    async function setUp(): Promise<void> {
      alice = agent('alice', TONES.alice);
      bob = agent('bob', TONES.bob);
      await Promise.all([alice.phone.start(), bob.phone.start()]);
      ({ caller: a, callee: b } = await connect(alice, bob));
      await bothHearEachOther();
    }

    async function bothHearEachOther(): Promise<void> {
      await untilHearsOnly(a, TONES.bob);
      await untilHearsOnly(b, TONES.alice);
    }

    it('hold and unhold: SDP direction at both ends, and who hears whom', async () => {
      await setUp();
      const remoteHold: boolean[] = [];
      b.events.on('remoteHold', (held) => remoteHold.push(held));
      await a.hold();
      expect(a.held).toBe(true);
      expect(a.media).toEqual({ localDirection: 'sendonly', remoteDirection: 'recvonly' });
      expect(b.media).toEqual({ localDirection: 'recvonly', remoteDirection: 'sendonly' });
      // Bob learns of the hold once SIP.js has handled the re-INVITE, possibly just after our 200.
      await waitFor('bob sees the hold', () => b.remoteHeld);
      // The holder receives nothing (bob answered recvonly); the held party gets RTP without the
      // holder's room in it (MediaSession's contract).
      await untilMediaDead(a);
      await untilHearsNoTone(b);
      await a.unhold();
      expect(a.media).toEqual({ localDirection: 'sendrecv', remoteDirection: 'sendrecv' });
      expect(b.media).toEqual({ localDirection: 'sendrecv', remoteDirection: 'sendrecv' });
      await waitFor('bob sees the unhold', () => remoteHold.length === 2);
      expect(remoteHold).toEqual([true, false]);
      await bothHearEachOther();
    });

    it('the callee can hold too, right after answering (waits for the ACK)', async () => {
      await setUp();
      await b.hold();
      expect(b.media.localDirection).toBe('sendonly');
      expect(a.media.localDirection).toBe('recvonly');
      await untilHearsNoTone(a);
      await untilMediaDead(b);
      await b.unhold();
      expect(b.media.localDirection).toBe('sendrecv');
      await bothHearEachOther();
    });

    it('hold and unhold requested back to back are serialized, and end unheld', async () => {
      await setUp();
      await Promise.all([a.hold(), a.unhold(), a.hold(), a.unhold()]);
      expect(a.held).toBe(false);
      expect(b.media.localDirection).toBe('sendrecv');
      await bothHearEachOther();
    });

    it('mute silences what the far end hears; unmute restores it', async () => {
      await setUp();
      await a.setMuted(true);
      expect(a.muted).toBe(true);
      await untilHearsNoTone(b, 3000);
      const aliceHears = await hearing(a);
      expect(onlyToneHeard(aliceHears, TONES.bob), describeHearing(aliceHears)).toBe(true);
      await a.setMuted(false);
      await untilHearsOnly(b, TONES.alice, 3000);
    });

    it('the oracle can fail: a wrong party, silence and dead media are each told apart', async () => {
      await setUp();
      // Bob hears alice: not himself, not the customer, not silence, not dead media.
      expect(await hearsOnly(b, TONES.alice)).toBe(true);
      expect(await hearsOnly(b, TONES.bob)).toBe(false);
      expect(await hearsOnly(b, TONES.customer)).toBe(false);
      expect(await hearsTone(b, TONES.bob)).toBe(false);
      expect(await hearsNoTone(b)).toBe(false);
      expect(await mediaDead(b)).toBe(false);
      // A wait for the wrong party fails, and says whom the call heard instead.
      await expect(untilHearsOnly(b, TONES.customer, 600)).rejects.toThrow(
        /waiting for bob's call with alice to hear only 330 Hz: Error: bob's call with alice hears 440 Hz \(0\.\d\d\); \d+ packets in \d+ ms$/,
      );

      // Held: bob gets packets that carry no tone, which is silence, not dead media.
      await a.hold();
      await untilHearsNoTone(b);
      expect(await hearsTone(b, TONES.alice)).toBe(false);
      expect(await mediaDead(b)).toBe(false);
      const held = await hearing(b);
      expect(held.packetsFlowing).toBe(true);
      console.log(`[oracle] held: ${describeHearing(held)}`);

      // Hung up: the media is closed, which is dead media and never silence.
      await a.hangUp();
      await waitFor('bob sees the hang-up', () => b.state === 'ended');
      expect(await mediaDead(b)).toBe(true);
      expect(await hearsNoTone(b)).toBe(false);
      expect(describeHearing(await hearing(b))).toMatch(/dead media$/);
      expectNothingLeft(alice, bob);
    });

    it('DTMF tones reach the far end (SIP INFO, as the Node engine has no RFC 4733 sender)', async () => {
      await setUp();
      const heard: string[] = [];
      b.events.on('dtmf', (d) => heard.push(d.tone));
      expect(await a.sendDtmf('12*#A')).toBe('info');
      await waitFor('five tones', () => heard.length === 5);
      expect(heard.join('')).toBe('12*#A');
      await expect(a.sendDtmf('12x')).rejects.toMatchObject({ code: 'dtmf-invalid' });
    });

    it('either side can hang up', async () => {
      await setUp();
      await b.hangUp();
      await waitFor('alice sees it', () => a.state === 'ended');
      expect(a.end?.reason).toBe('hung-up-remote');
      expect(b.end?.reason).toBe('hung-up-local');
      expectNothingLeft(alice, bob);
    });
  });
});

describe('digest authentication', () => {
  let authLab: Lab;
  beforeAll(async () => {
    authLab = await startLab({ auth: { users: [{ user: 'carol', password: 'right-horse-battery' }] } });
  });
  afterAll(async () => authLab?.stop());

  it('registers with the right password', async () => {
    const carol = createAgent(authLab, 'carol', { password: 'right-horse-battery' });
    agents.push(carol);
    await carol.phone.start();
    expect(carol.phone.registration).toBe('registered');
  });

  it.each([
    ['carol', 'wrong', 'auth-failed'],
    ['carol', undefined, 'auth-required'],
    ['mallory', 'anything', 'unknown-user'],
  ] as const)('%s with password %s fails with %s', async (user, password, code) => {
    const a = createAgent(authLab, user, password ? { password } : {});
    agents.push(a);
    await expect(a.phone.start()).rejects.toMatchObject({ code });
    expect(a.phone.registration).toBe('failed');
    expect(a.phone.sessionCount()).toBe(0);
  });
});

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
    server.on('error', reject);
  });
}
