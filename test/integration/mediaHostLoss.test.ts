/**
 * The media host goes while a call waits for the far end's answer (an outgoing call ringing, a
 * re-INVITE on its way): the call survives, is ACKed as usual, and the engine attached next takes it
 * over, with the hold kept. Main's real MediaPort (RendererMediaPort) drives a Node engine standing
 * in for the media host page, which can crash and be replaced like the page; SIP through Kamailio.
 */
import { expect, it } from 'vitest';
import { labForTests } from '../support/labForTests.js';
import { Phone } from '../../electron/core/sip/phone.js';
import type { Call } from '../../electron/core/sip/call.js';
import { RendererMediaPort } from '../../electron/core/media/rendererMediaPort.js';
import { createAgent, type TestAgent } from '../support/agents.js';
import {
  onlyToneHeard,
  readingOf,
  TONES,
  untilHearsNoTone,
  untilHearsOnly,
  untilReading,
  PARTY_TONES,
  type CallHearing,
} from '../support/audioOracle.js';
import { closedHearing, createWrtcMediaPort, type WrtcMediaPort } from '../lab/wrtcEngine.js';
import { waitFor } from '../support/waitFor.js';
import { audioDirection } from '../../shared/sdp.js';
import type { MediaRequest } from '../../shared/ipc.js';
import type { MediaSession } from '../../shared/media.js';
import { runSessionRequest } from '../../renderer/media/mediaRequests.js';

const suite = labForTests({ presence: false });
const { cleanup } = suite;

/**
 * A media host page as main sees it: requests in, replies out, each session's requests in order.
 * `crash()` is the page going (main detaches it, its engine dies with every connection in it).
 */
class NodeMediaHost {
  readonly engine: WrtcMediaPort = createWrtcMediaPort({ toneHz: TONES.alice });
  private readonly sessions = new Map<string, Promise<MediaSession | undefined>>();
  private alive = true;
  /** Dies right after answering the next request of this kind (a crash while its INVITE leaves). */
  crashAfter: MediaRequest['op'] | undefined;
  /** Fails the next request of this kind with the engine's own error (an answer it refuses). */
  refuseNext: MediaRequest['op'] | undefined;

  constructor(private readonly port: RendererMediaPort) {
    port.attach((requestId, request) => void this.handle(requestId, request));
  }

  async crash(): Promise<void> {
    if (!this.alive) return;
    this.alive = false;
    this.port.detach();
    await this.engine.dispose();
  }

  private async handle(requestId: number, request: MediaRequest): Promise<void> {
    if (request.op === 'checkDevices') return;
    const id = request.sessionId;
    const before = this.sessions.get(id) ?? Promise.resolve(undefined);
    const turn = before.then(async (session) => {
      if (request.op === 'open') return { session: await this.engine.open(id), value: undefined as unknown };
      if (this.refuseNext === request.op) {
        this.refuseNext = undefined;
        throw new Error(`Failed to execute ${request.op}: the engine refused it`);
      }
      if (!session) throw new Error(`no media session ${id}`);
      return { session, value: (await runSessionRequest(session, request)) as unknown };
    });
    this.sessions.set(
      id,
      turn.then(
        (t) => t.session,
        // A failed turn leaves the session as it was; its error reaches the caller through `reply` below.
        () => before,
      ),
    );
    const reply = await turn.then(
      (t) => ({ ok: true, value: t.value, error: undefined }),
      (error: unknown) => ({ ok: false, value: undefined, error: error instanceof Error ? error.message : String(error) }),
    );
    if (!this.alive) return; // a dead page answers nothing
    this.port.reply(requestId, reply.ok, reply.value, reply.error);
    if (this.crashAfter === request.op) {
      this.crashAfter = undefined;
      await this.crash();
    }
  }

  /** What the session `id` hears in this engine (closed when it has none). */
  async hearing(id: string, label: string): Promise<CallHearing> {
    const heard = await this.engine.hearing(id, { tones: PARTY_TONES });
    return readingOf(label, heard ?? closedHearing(PARTY_TONES));
  }
}

interface Scene {
  readonly alice: Phone;
  readonly port: RendererMediaPort;
  readonly bob: TestAgent;
  /** The media host attached now. */
  host: NodeMediaHost;
  /** A new media host attaches (the page restarted): main moves the calls to it, as Desk.mediaEngineAttached does. */
  restart(call: Call): { readonly host: NodeMediaHost; readonly moved: Promise<void> };
  /** SIP requests alice sent, by method. */
  readonly sent: string[];
}

async function scene(): Promise<Scene> {
  const port = new RendererMediaPort();
  const sent: string[] = [];
  const alice = new Phone({
    server: suite.lab.wsUrl,
    aor: `sip:alice@${suite.lab.domain}`,
    media: port,
    sipTrace: (direction, message) => {
      if (direction === 'sent') sent.push(message.slice(0, message.indexOf(' ')));
    },
  });
  const bob = createAgent(suite.lab, 'bob', { toneHz: TONES.bob });
  const hosts: NodeMediaHost[] = [];
  const s: Scene = {
    alice,
    port,
    bob,
    host: new NodeMediaHost(port),
    sent,
    restart(call) {
      s.host = new NodeMediaHost(port);
      hosts.push(s.host);
      return { host: s.host, moved: call.moveToNewEngine() };
    },
  };
  hosts.push(s.host);
  cleanup.push(
    async () => {
      await alice.stop();
      for (const host of hosts) await host.crash();
    },
    () => bob.dispose(),
  );
  await Promise.all([alice.start(), bob.phone.start()]);
  return s;
}

/** What alice's call hears, in the engine of the media host attached now. */
async function aliceHears(s: Scene, a: Call): Promise<CallHearing> {
  const session = await a.sdh()?.session();
  return s.host.hearing(session?.id ?? '', 'alice’s call with bob');
}

async function talking(s: Scene, a: Call, b: Call): Promise<void> {
  // wrtc↔wrtc: a restarted DTLS handshake rides libwebrtc's retransmit timer (see mediaTakeover.test.ts).
  await untilReading(
    'alice hears bob only',
    () => aliceHears(s, a),
    (h) => onlyToneHeard(h, TONES.bob),
    15_000,
  );
  await untilHearsOnly(b, TONES.alice, 15_000);
}

async function established(s: Scene): Promise<{ a: Call; b: Call }> {
  const ringing = s.bob.nextIncoming();
  const a = await s.alice.call('bob');
  const b = await ringing;
  await b.answer();
  await waitFor('alice established', () => a.state === 'established');
  await talking(s, a, b);
  return { a, b };
}

/**
 * The call survived: both talk, no BYE went out (or exactly `dialog` of INVITE/ACK/BYE), and
 * alice's hang-up reaches bob.
 */
async function keptAndHungUp(s: Scene, a: Call, b: Call, dialog?: readonly string[]): Promise<void> {
  await talking(s, a, b);
  if (dialog) expect(s.sent.filter((m) => m === 'INVITE' || m === 'ACK' || m === 'BYE')).toEqual(dialog);
  else expect(s.sent).not.toContain('BYE');
  await a.hangUp();
  await waitFor('ended', () => b.state === 'ended');
}

it('an outgoing call ringing when the media host restarts is answered, not hung up, and the new host takes it over', async () => {
  const s = await scene();
  const ringing = s.bob.nextIncoming();
  const a = await s.alice.call('bob');
  const b = await ringing;
  await s.host.crash();
  const { moved } = s.restart(a);
  await b.answer();
  await waitFor('alice established', () => a.state === 'established');
  await moved;
  expect(b.state).toBe('established');
  // INVITE, its ACK, the take-over's INVITE and ACK: no BYE.
  await keptAndHungUp(s, a, b, ['INVITE', 'ACK', 'INVITE', 'ACK']);
});

it('an outgoing call answered while no media host is attached stays up until the next host takes it over', async () => {
  const s = await scene();
  const ringing = s.bob.nextIncoming();
  const a = await s.alice.call('bob');
  const b = await ringing;
  await s.host.crash();
  await b.answer();
  await waitFor('alice established', () => a.state === 'established');
  // The answer found no engine: the call waits for one instead of ending.
  await new Promise((resolve) => setTimeout(resolve, 1000));
  expect(a.state).toBe('established');
  expect(b.state).toBe('established');
  await s.restart(a).moved;
  await keptAndHungUp(s, a, b);
});

it('a hold whose 200 arrives after the media host went keeps the call held, and the next host takes it over held', async () => {
  const s = await scene();
  const { a, b } = await established(s);
  s.host.crashAfter = 'createOffer'; // the hold's offer is made, its INVITE leaves, the page dies
  await a.hold();
  expect(a.held).toBe(true);
  expect(b.state).toBe('established');
  await s.restart(a).moved;
  expect(a.held).toBe(true);
  expect(audioDirection(a.sdh()?.lastLocalSdp ?? '')).toBe('sendonly');
  // Held: the new engine sends RTP, without alice's voice in it.
  await untilHearsNoTone(b, 15_000);
  await a.unhold();
  await keptAndHungUp(s, a, b);
});

it('a second crash during the take-over re-INVITE leaves the call to the host after it', async () => {
  const s = await scene();
  const { a, b } = await established(s);
  await s.host.crash();
  const second = s.restart(a);
  second.host.crashAfter = 'createOffer';
  await second.moved;
  expect(b.state).toBe('established');
  await s.restart(a).moved;
  await keptAndHungUp(s, a, b);
});

it('an answer the engine refuses still ends the call, and the hold that got it is not reported done', async () => {
  const s = await scene();
  const { a, b } = await established(s);
  s.host.refuseNext = 'applyAnswer';
  await expect(a.hold()).rejects.toThrow(/answer could not be used/);
  await waitFor('bob’s call ended', () => b.state === 'ended');
  expect(b.remoteReason).toMatch(/cause=488/);
  expect(a.held).toBe(false);
  await waitFor('alice ended', () => a.state === 'ended');
});
