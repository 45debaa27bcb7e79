/**
 * Our INVITE's 2xx is ACKed before the engine has applied the far end's answer (the round trip to the
 * media host no longer holds the ACK back), and an answer the engine cannot apply still ends the
 * call: ACK, then BYE with a Reason, end reason 'failed' — as SIP.js does when it applies the answer
 * itself.
 */
import { expect, it } from 'vitest';
import { labForTests } from '../support/labForTests.js';
import { Phone } from '../../electron/core/sip/phone.js';
import { createWrtcMediaPort } from '../lab/wrtcEngine.js';
import { TONES, untilHearsOnly } from '../support/audioOracle.js';
import { createAgent } from '../support/agents.js';
import { waitFor } from '../support/waitFor.js';
import type { Call } from '../../electron/core/sip/call.js';
import type { MediaPort, MediaSession, Sdp } from '../../shared/media.js';

const suite = labForTests({ presence: false });
const { cleanup } = suite;

interface Gate {
  /** Answers handed to the engine so far. */
  readonly answers: Sdp[];
  /** Lets the held answers through (or fails them with `error`). */
  open(error?: Error): void;
}

/** Alice's engine (the wrtc engine), its applyAnswer held at a gate the test opens. */
function gatedEngine(gate: { release: Promise<Error | undefined> }, answers: Sdp[]): MediaPort {
  const port = createWrtcMediaPort({ toneHz: TONES.alice });
  cleanup.push(() => port.dispose());
  return {
    open: async (id: string): Promise<MediaSession> => {
      // The engine's own session (so the audio oracle still hears it), its applyAnswer shadowed.
      const session = await port.open(id);
      const applyAnswer = session.applyAnswer.bind(session);
      session.applyAnswer = async (answer: Sdp) => {
        answers.push(answer);
        const error = await gate.release;
        if (error) throw error;
        await applyAnswer(answer);
      };
      return session;
    },
  };
}

async function scene(): Promise<{ alice: Phone; gate: Gate; sent: string[]; bobCall: Promise<Call> }> {
  let release: (error: Error | undefined) => void = () => {};
  const released = new Promise<Error | undefined>((resolve) => (release = resolve));
  const answers: Sdp[] = [];
  const sent: string[] = [];
  const alice = new Phone({
    server: suite.lab.wsUrl,
    aor: `sip:alice@${suite.lab.domain}`,
    media: gatedEngine({ release: released }, answers),
    sipTrace: (direction, message) => {
      if (direction === 'sent') sent.push(message);
    },
  });
  const bob = createAgent(suite.lab, 'bob', { toneHz: TONES.bob });
  cleanup.push(
    () => alice.stop(),
    () => bob.dispose(),
  );
  await Promise.all([alice.start(), bob.phone.start()]);
  const bobCall = bob.nextIncoming().then(async (call) => {
    await call.answer();
    return call;
  });
  return { alice, gate: { answers, open: (error) => release(error) }, sent, bobCall };
}

const firstLine = (message: string): string => message.split(/\r?\n/, 1)[0] ?? '';

it('ACKs the 2xx before the answer is applied, then both hear each other', async () => {
  const { alice, gate, sent, bobCall } = await scene();
  const a = await alice.call('bob');
  const b = await bobCall;
  // The answer is with the engine, held there; the far end has its ACK already.
  await waitFor('the answer reached the engine', () => (gate.answers.length === 1 ? true : undefined));
  await waitFor('alice sent the ACK', () => (sent.some((m) => firstLine(m).startsWith('ACK ')) ? true : undefined));
  await waitFor('bob has the ACK', () => (b.state === 'established' ? true : undefined));
  expect(a.state).toBe('established');

  gate.open();
  await untilHearsOnly(a, TONES.bob);
  await untilHearsOnly(b, TONES.alice);
  await a.hangUp();
  await waitFor('bob saw the end', () => (b.state === 'ended' ? true : undefined));
});

it('ends the call with a BYE when the answer cannot be applied: reason failed, the far end hung up on', async () => {
  const { alice, gate, sent, bobCall } = await scene();
  const a = await alice.call('bob');
  const b = await bobCall;
  await waitFor('bob has the ACK', () => (b.state === 'established' ? true : undefined));

  gate.open(new Error('the engine refused the answer'));
  await waitFor('alice’s call ended', () => (a.state === 'ended' ? true : undefined));
  expect(a.end?.reason).toBe('failed');
  await waitFor('bob’s call ended', () => (b.state === 'ended' ? true : undefined));
  expect(b.end?.reason).toBe('hung-up-remote');
  const requests = sent.map(firstLine).filter((line) => /^(ACK|BYE) /.test(line));
  expect(requests.map((line) => line.split(' ')[0])).toEqual(['ACK', 'BYE']);
  const bye = sent.find((m) => firstLine(m).startsWith('BYE ')) ?? '';
  expect(bye).toMatch(/^Reason: SIP;cause=488;text="Not Acceptable Here"\r?$/m);
});
