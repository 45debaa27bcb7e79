/**
 * A network blip keeps every call whole. Through the real Kamailio, with and without SIP Outbound
 * (RFC 5626) at the registrar: an agent's connection is lost mid-call — closed (sleep, network
 * change: reconnectNow), black-holed (a relay that stops forwarding without closing anything), or
 * the server restarts — and every established dialog is refreshed over the new connection, so the
 * far end's next request (its BYE, a NOTIFY, a re-INVITE) reaches the agent instead of the dead
 * connection's alias. The customer bot is the same core, so it refreshes its own dialogs too.
 * Audio is checked before and after: who hears whom.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startLab, type Lab, type LabOptions } from '../lab/lab.js';
import { createCustomer, createDesk, type CustomerBot, type Desk } from '../lab/bots.js';
import { connect, createAgent, type AgentOptions, type TestAgent } from '../support/agents.js';
import { TONES, untilHearsNoTone, untilHearsOnly } from '../support/audioOracle.js';
import { startTcpProxy, type TcpProxy } from '../support/tcpProxy.js';
import { waitFor, within } from '../support/waitFor.js';
import type { Call, TargetRefresh } from '../../electron/core/sip/call.js';
import { WsTransport } from '../../electron/core/sip/wsTransport.js';
import type { StartTransfer } from '../../electron/core/transfer/transfers.js';
import { transferPhase } from '../support/transferScene.js';

/** What the issue asks of a far end's hang-up after a blip: the agent's call ends within this. */
const HANG_UP_BOUND_MS = 2000;
/** The black-hole tests' dead-connection bound (provisioning: sip.deadConnectionSec). */
const DEAD_CONNECTION_MS = 2000;

/** The local port of an agent's current WebSocket: what Kamailio's ;alias= in its Contact names. */
function connectionPort(a: TestAgent): number {
  const transport = a.phone.userAgent?.transport;
  const port = transport instanceof WsTransport ? transport.localPort : undefined;
  if (port === undefined) throw new Error(`${a.name} has no connection`);
  return port;
}

/** The alias the far end of `call` would send its next request to (our refresh put it there). */
function aliasPort(call: Call): number | undefined {
  const alias = call.session.dialog?.remoteTarget.getParam('alias');
  const port = typeof alias === 'string' ? Number(alias.split('~')[1]) : NaN;
  return Number.isInteger(port) ? port : undefined;
}

/**
 * A lab for a describe block (`options`), and the parties and relays its tests make: the parties
 * disposed after each test, then the relays closed.
 */
function blipLab(options: LabOptions) {
  let started: Lab | undefined;
  const everyone: TestAgent[] = [];
  const proxies: TcpProxy[] = [];
  beforeAll(async () => {
    started = await startLab({ presence: false, ...options });
  });
  afterEach(async () => {
    await Promise.all(everyone.splice(0).map((a) => a.dispose()));
    await Promise.all(proxies.splice(0).map((p) => p.close()));
  });
  afterAll(async () => started?.stop());
  const lab = (): Lab => {
    if (!started) throw new Error('the lab is read before it started: use it inside a test');
    return started;
  };
  const customer = (): CustomerBot => {
    const bot = createCustomer(lab(), 'customer', { toneHz: TONES.customer });
    everyone.push(bot);
    return bot;
  };
  const agent = (name: 'alice' | 'bob', options: AgentOptions = {}): TestAgent => {
    const a = createAgent(lab(), name, { toneHz: TONES[name], ...options });
    everyone.push(a);
    return a;
  };
  return {
    lab,
    customer,
    desk: (name: 'alice' | 'bob'): Desk => {
      const d = createDesk(lab(), name, { toneHz: TONES[name] });
      everyone.push(d);
      return d;
    },
    /** The customer and alice (with `options`), both registered. */
    customerAndAlice: async (options: AgentOptions = {}): Promise<{ c: CustomerBot; a: TestAgent }> => {
      const c = customer();
      const a = agent('alice', options);
      await Promise.all([c.phone.start(), a.phone.start()]);
      return { c, a };
    },
    /** A relay in front of the lab, to black-hole a connection. */
    proxy: async (): Promise<TcpProxy> => {
      const proxy = await startTcpProxy(lab().port);
      proxies.push(proxy);
      return proxy;
    },
  };
}

const unhandled: unknown[] = [];
const onUnhandled = (reason: unknown): void => void unhandled.push(reason);
beforeAll(() => void process.on('unhandledRejection', onUnhandled));
afterAll(() => {
  process.off('unhandledRejection', onUnhandled);
  expect(unhandled).toEqual([]);
});

describe.each([
  { outbound: false, label: 'plain registrar' },
  { outbound: true, label: 'registrar with SIP Outbound' },
])('network blip, $label', ({ outbound }) => {
  const { lab, customer, desk, customerAndAlice, proxy: startProxy } = blipLab({ outbound });

  /** The next refresh a call reports; fails the test when it says the far end refused. */
  async function refreshOf(call: Call, what: string, timeoutMs = 5000): Promise<TargetRefresh> {
    const outcome = await within(`${what}'s target refresh`, call.events.next('refresh'), timeoutMs);
    expect(outcome, `${what}'s refresh`).toMatchObject({ ok: true, status: 200 });
    return outcome;
  }

  /** The far end hangs up; our end must hear its BYE, not leave a ghost call. */
  async function hangUpReaches(from: Call, to: Call): Promise<number> {
    const started = Date.now();
    await from.hangUp();
    await waitFor('the BYE to reach the other end', () => to.state === 'ended', HANG_UP_BOUND_MS);
    expect(to.end?.reason).toBe('hung-up-remote');
    return Date.now() - started;
  }

  async function talking(a: Call, aHears: number, b: Call, bHears: number): Promise<void> {
    await untilHearsOnly(a, aHears);
    await untilHearsOnly(b, bHears);
  }

  it.each(['the customer calls alice', 'alice calls the customer'])(
    'alice’s socket closes mid-call (%s): the dialog is refreshed and the customer’s BYE reaches her',
    async (direction) => {
      const { c, a: alice } = await customerAndAlice();
      // With Outbound the registrar says so; without it the reg-id is ignored.
      expect(alice.phone.outbound).toBe(outbound);
      const pair = direction === 'the customer calls alice' ? await connect(c, alice) : await connect(alice, c);
      const [customerLeg, aliceLeg] = direction === 'the customer calls alice' ? [pair.caller, pair.callee] : [pair.callee, pair.caller];
      await talking(customerLeg, TONES.alice, aliceLeg, TONES.customer);

      const before = connectionPort(alice);
      expect(aliasPort(customerLeg)).toBe(before);
      const refreshed = refreshOf(aliceLeg, 'alice’s call');
      alice.phone.reconnectNow();
      const outcome = await refreshed;
      expect(outcome.method).toBe('INVITE'); // SIP.js does not allow UPDATE: a re-INVITE, same media
      // The customer's side of the dialog now names alice's new connection, not the lost one.
      expect(connectionPort(alice)).not.toBe(before);
      expect(aliasPort(customerLeg)).toBe(connectionPort(alice));
      await waitFor('alice registered again', () => alice.phone.registration === 'registered');
      expect(aliceLeg.held).toBe(false);
      await talking(customerLeg, TONES.alice, aliceLeg, TONES.customer);

      const ms = await hangUpReaches(customerLeg, aliceLeg);
      console.log(`[blip] closed socket (${direction}, outbound ${outbound}): customer's BYE ended alice's call in ${ms} ms`);
    },
  );

  it('alice’s socket is black-holed mid-call: noticed within the bound, refreshed, the customer’s BYE reaches her', async () => {
    const proxy = await startProxy();
    const { c, a: alice } = await customerAndAlice({ phone: { server: proxy.wsUrl, deadConnectionMs: DEAD_CONNECTION_MS } });
    expect(alice.phone.deadConnectionMs).toBe(DEAD_CONNECTION_MS);
    const { caller: customerLeg, callee: aliceLeg } = await connect(c, alice);
    await talking(customerLeg, TONES.alice, aliceLeg, TONES.customer);

    const refreshed = refreshOf(aliceLeg, 'alice’s call', DEAD_CONNECTION_MS + 5000);
    const lostAt = Date.now();
    proxy.blackhole();
    await waitFor('alice to notice the silent connection', () => alice.phone.registration !== 'registered', DEAD_CONNECTION_MS + 1000, 10);
    const noticedMs = Date.now() - lostAt;
    await refreshed;
    const reachableMs = Date.now() - lostAt;
    console.log(`[blip] black hole (outbound ${outbound}): noticed after ${noticedMs} ms, refresh answered after ${reachableMs} ms`);
    expect(noticedMs).toBeLessThanOrEqual(DEAD_CONNECTION_MS + 250); // the stated bound, plus timer slack
    await talking(customerLeg, TONES.alice, aliceLeg, TONES.customer);

    await hangUpReaches(customerLeg, aliceLeg);
  });

  it('Kamailio restarts mid-call: both ends refresh, can still hold and take off hold, and the hang-up arrives', async () => {
    const { c, a: alice } = await customerAndAlice();
    const { caller: customerLeg, callee: aliceLeg } = await connect(c, alice);
    await talking(customerLeg, TONES.alice, aliceLeg, TONES.customer);

    const refreshes = Promise.all([refreshOf(aliceLeg, 'alice’s call', 10_000), refreshOf(customerLeg, 'the customer’s call', 10_000)]);
    await lab().restart();
    await refreshes;
    await waitFor('both registered again', () => alice.phone.registration === 'registered' && c.phone.registration === 'registered', 5000);
    await talking(customerLeg, TONES.alice, aliceLeg, TONES.customer);

    await aliceLeg.hold();
    await untilHearsNoTone(customerLeg);
    await aliceLeg.unhold();
    await talking(customerLeg, TONES.alice, aliceLeg, TONES.customer);
    await customerLeg.hold();
    await untilHearsNoTone(aliceLeg);
    await customerLeg.unhold();
    await talking(customerLeg, TONES.alice, aliceLeg, TONES.customer);

    await hangUpReaches(customerLeg, aliceLeg);
  });

  describe('transfers', () => {
    function request(contactLeg: Call, method: 'cold' | 'warm'): StartTransfer {
      return {
        method,
        contactCallId: contactLeg.id,
        recipient: { userId: 'bob', name: 'Bob', uri: `sip:bob@${lab().domain}` },
        outcome: { id: 'billing', label: 'Billing question' },
        note: 'blip',
        contact: { id: 'contact-1', name: 'Dana Customer', number: 'customer' },
      };
    }
    const phase = transferPhase;
    async function scene(): Promise<{ c: CustomerBot; alice: Desk; bob: Desk; customerLeg: Call; contactLeg: Call }> {
      const c = customer();
      const alice = desk('alice');
      const bob = desk('bob');
      await Promise.all([c.phone.start(), alice.phone.start(), bob.phone.start()]);
      const { caller: customerLeg, callee: contactLeg } = await connect(c, alice);
      await talking(customerLeg, TONES.alice, contactLeg, TONES.customer);
      return { c, alice, bob, customerLeg, contactLeg };
    }

    it('during a warm consult, alice’s and then bob’s sockets close: every leg is refreshed and the transfer completes', async () => {
      const { c, alice, bob, customerLeg, contactLeg } = await scene();
      const started = await alice.transfers.start(request(contactLeg, 'warm'));
      const consulting = await phase(alice, started.id, 'consulting');
      await phase(bob, started.id, 'consulting');
      const aliceConsult = alice.phone.calls().find((call) => call.id === consulting.consultCallId) as Call;
      const bobConsult = bob.phone.calls().find((call) => call.id === bob.transfers.get(started.id).consultCallId) as Call;
      await talking(aliceConsult, TONES.bob, bobConsult, TONES.alice);
      await untilHearsNoTone(customerLeg);

      // Alice: both her legs (the held contact, the consult).
      const aliceRefreshes = Promise.all([refreshOf(contactLeg, 'alice’s contact leg'), refreshOf(aliceConsult, 'alice’s consult')]);
      alice.phone.reconnectNow();
      await aliceRefreshes;
      expect(contactLeg.held).toBe(true);
      // Bob: the consult, from his side.
      const bobRefresh = refreshOf(bobConsult, 'bob’s consult');
      bob.phone.reconnectNow();
      await bobRefresh;
      // Both consult probes keep answering across the blips (500 ms apart here).
      await new Promise((resolve) => setTimeout(resolve, 1500));
      expect(alice.transfers.get(started.id).state.phase).toBe('consulting');
      expect(bob.transfers.get(started.id).state.phase).toBe('consulting');
      await talking(aliceConsult, TONES.bob, bobConsult, TONES.alice);
      await untilHearsNoTone(customerLeg);

      // The customer's INVITE with Replaces goes to bob's refreshed Contact; alice's BYE to the customer.
      await alice.transfers.complete(started.id);
      const done = await phase(bob, started.id, 'completed');
      await phase(alice, started.id, 'completed');
      await waitFor('alice left the call', () => alice.phone.calls().length === 0);
      await bob.transfers.unholdContact(started.id);
      const bobContact = bob.phone.calls().find((call) => call.id === done.contactCallId) as Call;
      const customerToBob = await waitFor('the customer’s replacing call', () => c.followed[0]);
      await talking(customerToBob, TONES.bob, bobContact, TONES.customer);
      await hangUpReaches(customerToBob, bobContact);
    });

    it('while a cold transfer waits for its final NOTIFY, alice’s socket closes: the transfer completes and no call is left behind', async () => {
      const { c, alice, bob, customerLeg, contactLeg } = await scene();
      c.finalNotifyDelayMs = 1500;
      const started = await alice.transfers.start(request(contactLeg, 'cold'));
      const customerToBob = await waitFor('the customer following the REFER', () => c.followed[0]);
      const bobContact = await waitFor('bob’s call with the customer', () =>
        bob.phone.calls().find((call) => call.state === 'established'),
      );
      // The REFER is pending: SIP.js allows no UPDATE, so alice's refresh waits for it to settle.
      alice.phone.reconnectNow();
      await phase(alice, started.id, 'completed');
      await waitFor('alice left the customer', () => contactLeg.state === 'ended' && customerLeg.state === 'ended', 8000);
      await talking(customerToBob, TONES.bob, bobContact, TONES.customer);
      await hangUpReaches(customerToBob, bobContact);
      await waitFor('no call left', () => [c, alice, bob].every((a) => a.phone.calls().length === 0));
    });
  });
});

/**
 * Blips at awkward moments — while a call rings, while a re-INVITE is in flight — against a server
 * with the lab's route[STALE_ALIAS] and one without it (Kamailio out of the box: a request to a dead
 * connection's alias is answered 500, an ACK or CANCEL to it is lost).
 */
describe.each([
  { staleAliasRoute: true, label: 'with the stale-alias route' },
  { staleAliasRoute: false, label: 'without the stale-alias route' },
])('network blip at an awkward moment, server $label', ({ staleAliasRoute }) => {
  const { customerAndAlice, proxy: startProxy } = blipLab({ staleAliasRoute });
  async function reconnected(a: TestAgent): Promise<void> {
    a.phone.reconnectNow();
    await waitFor(`${a.name} registered again`, () => a.phone.registration === 'registered', 5000, 10);
  }
  function leftovers(...agents: TestAgent[]): number[] {
    return agents.flatMap((a) => [a.phone.calls().length, a.phone.sessionCount(), a.media.openSessions().length]);
  }

  it('alice blips while the customer’s call rings, then answers: the call is refreshed, both talk, the hang-up reaches her', async () => {
    const { c, a } = await customerAndAlice();
    const ringing = a.nextIncoming();
    const customerLeg = await c.phone.call('alice');
    const aliceLeg = await ringing;
    await waitFor('the customer hears ringing', () => customerLeg.state === 'ringing');
    await reconnected(a);

    const refreshed = within('alice’s refresh', aliceLeg.events.next('refresh'), 5000);
    await aliceLeg.answer();
    expect(await refreshed).toMatchObject({ ok: true, status: 200 });
    // The customer's dialog names alice's new connection, whatever its ACK found.
    expect(aliasPort(customerLeg)).toBe(connectionPort(a));
    await untilHearsOnly(customerLeg, TONES.alice);
    await untilHearsOnly(aliceLeg, TONES.customer);

    await customerLeg.hangUp();
    await waitFor('the BYE to reach alice', () => aliceLeg.state === 'ended', HANG_UP_BOUND_MS);
    expect(aliceLeg.end?.reason).toBe('hung-up-remote');
    await waitFor('nothing left', () => leftovers(a, c).every((n) => n === 0), 2000);
  });

  it('alice blips while her own call rings: it is cancelled and ends “connection-lost” at once, and she can call again', async () => {
    const { c, a } = await customerAndAlice();
    const ringing = c.nextIncoming();
    const aliceLeg = await a.phone.call('customer');
    const customerLeg = await ringing;
    await waitFor('alice hears ringing', () => aliceLeg.state === 'ringing');

    a.phone.reconnectNow();
    await waitFor('alice registered again', () => a.phone.registration === 'registered', 5000, 10);
    const reconnectedAt = Date.now();
    await waitFor('alice’s call to end', () => aliceLeg.state === 'ended', 1000, 10);
    console.log(`[blip] ringing outgoing call ended ${Date.now() - reconnectedAt} ms after the reconnect`);
    expect(aliceLeg.end).toEqual({ reason: 'connection-lost' });
    // Best effort: the CANCEL went out on the new connection and the proxy matched it to the INVITE.
    await waitFor('the customer to stop ringing', () => customerLeg.state === 'ended', 2000);
    expect(customerLeg.end?.reason).toBe('cancelled');

    // Nothing is placed again by itself, and nothing blocks the next call.
    expect(a.phone.calls()).toEqual([]);
    await connect(a, c);
  });

  it('alice blips while the customer’s call rings and the customer gives up: alice stops ringing within the bound', async () => {
    const RINGING_AFTER_RECONNECT_SEC = 2;
    const { c, a } = await customerAndAlice({ phone: { ringingAfterReconnectSec: RINGING_AFTER_RECONNECT_SEC } });
    const ringing = a.nextIncoming();
    const customerLeg = await c.phone.call('alice');
    const aliceLeg = await ringing;
    await waitFor('the customer hears ringing', () => customerLeg.state === 'ringing');
    await reconnected(a);
    const reconnectedAt = Date.now();

    await customerLeg.hangUp();
    // With the route or without, the proxy sends the CANCEL on the branch's lost connection.
    await waitFor('alice to stop ringing', () => aliceLeg.state === 'ended', RINGING_AFTER_RECONNECT_SEC * 1000 + 1000, 20);
    console.log(`[blip] ringing incoming call ended ${Date.now() - reconnectedAt} ms after the reconnect: ${JSON.stringify(aliceLeg.end)}`);
    expect(aliceLeg.end).toEqual({ reason: 'connection-lost', statusCode: 480 });
    await waitFor('the customer’s call to end', () => customerLeg.state === 'ended', 5000);
  });

  it('alice’s hold reaches the customer and its answer is lost with the connection: the hold fails at once, the refresh gets through, both agree, and hold works again', async () => {
    const proxy = await startProxy();
    const { c, a } = await customerAndAlice({ phone: { server: proxy.wsUrl } });
    const { caller: customerLeg, callee: aliceLeg } = await connect(c, a);
    await untilHearsOnly(customerLeg, TONES.alice);

    proxy.dropReplies();
    const holdOutcome = aliceLeg.hold().then(
      () => 'held',
      (error: unknown) => (error instanceof Error ? error.message : String(error)),
    );
    await waitFor('the customer to take the hold', () => customerLeg.remoteHeld, 3000);
    const lostAt = Date.now();
    const refreshed = within('alice’s refresh', aliceLeg.events.next('refresh'), 45_000);
    a.phone.reconnectNow();
    // Failed with the connection, not after Timer B; the refresh is not stuck behind it.
    expect(await holdOutcome).toMatch(/connection to the server was lost.*not on hold/);
    expect(Date.now() - lostAt).toBeLessThan(2500); // the close handshake itself waits 1 s for an answer that is dropped
    expect(aliceLeg.held).toBe(false);

    // The customer waits 64×T1 for an ACK that cannot come, refusing re-INVITEs meanwhile (500); then
    // it lets the transaction go and alice's refresh — same media, not held — is answered.
    const outcome = await refreshed;
    console.log(`[blip] re-INVITE answer lost: refresh ${JSON.stringify(outcome)} after ${Date.now() - lostAt} ms`);
    expect(outcome).toMatchObject({ ok: true, status: 200 });
    expect(aliceLeg.held).toBe(false);
    expect(customerLeg.remoteHeld).toBe(false);
    await untilHearsOnly(customerLeg, TONES.alice);
    await untilHearsOnly(aliceLeg, TONES.customer);

    // Neither dialog is wedged: both ends can hold and resume.
    await aliceLeg.hold();
    await untilHearsNoTone(customerLeg);
    await aliceLeg.unhold();
    await customerLeg.hold();
    await untilHearsNoTone(aliceLeg);
    await customerLeg.unhold();
    await untilHearsOnly(customerLeg, TONES.alice);
    await untilHearsOnly(aliceLeg, TONES.customer);
    await customerLeg.hangUp();
    await waitFor('the BYE to reach alice', () => aliceLeg.state === 'ended', HANG_UP_BOUND_MS);
  }, 90_000);
});
