import { Phone, type PhoneOptions } from '../../electron/core/sip/phone.js';
import type { Call } from '../../electron/core/sip/call.js';
import { createWrtcMediaPort, type WrtcMediaPort } from '../lab/wrtcEngine.js';
import type { Lab } from '../lab/lab.js';
import { bestEffort } from '../lab/bestEffort.js';
import { waitFor, within } from './waitFor.js';

/** A phone as an agent desk would run it, with the Node media engine standing in for the renderer. */
export interface TestAgent {
  readonly name: string;
  readonly phone: Phone;
  readonly media: WrtcMediaPort;
  readonly incoming: Call[];
  /** Resolves with the next incoming call. */
  nextIncoming(timeoutMs?: number): Promise<Call>;
  /** The desk vanishes as in a crash or a pulled cable: no BYE, no un-REGISTER, media gone. */
  crash(): Promise<void>;
  dispose(): Promise<void>;
}

export interface AgentOptions {
  readonly password?: string;
  readonly toneHz?: number;
  /** The media engine's pre-gathered candidates (WrtcEngineOptions.candidatePoolSize). */
  readonly candidatePoolSize?: number;
  readonly phone?: Partial<PhoneOptions>;
}

export function createAgent(lab: Lab, name: string, options: AgentOptions = {}): TestAgent {
  const media = createWrtcMediaPort({ toneHz: options.toneHz ?? 440, candidatePoolSize: options.candidatePoolSize ?? 0 });
  const phone = new Phone({
    server: lab.wsUrl,
    aor: `sip:${name}@${lab.domain}`,
    ...(options.password ? { password: options.password } : {}),
    media,
    backoff: { initialMs: 100, maxMs: 1000 },
    ...options.phone,
  });
  const incoming: Call[] = [];
  phone.events.on('incomingCall', (call) => incoming.push(call));
  return {
    name,
    phone,
    media,
    incoming,
    nextIncoming: (timeoutMs = 5000) => within(`an incoming call at ${name}`, phone.events.next('incomingCall'), timeoutMs),
    async crash() {
      const transport = phone.userAgent?.transport as unknown as { socket?: { terminate(): void } } | undefined;
      // The socket dies first, so nothing stop() tries to send can leave the machine.
      transport?.socket?.terminate();
      await media.dispose();
      await phone.stop().catch(bestEffort(`stopping ${name}'s crashed phone`));
    },
    async dispose() {
      await phone.stop().catch(bestEffort(`stopping ${name}'s phone`));
      await media.dispose().catch(bestEffort(`disposing ${name}'s media`));
    },
  };
}

/** Places a call from `from` to `to`, answers it, and returns both ends once established. */
export async function connect(from: TestAgent, to: TestAgent): Promise<{ caller: Call; callee: Call }> {
  const ringing = to.nextIncoming();
  const caller = await from.phone.call(to.name);
  const callee = await ringing;
  await callee.answer();
  await waitFor('both ends established', () => caller.state === 'established' && callee.state === 'established');
  return { caller, callee };
}

/**
 * Hangs up every call the agents hold and waits until their phones hold no call and no SIP session.
 * A hang-up may fail on a call already ending on its own; the wait then judges what is left.
 */
export async function endAgentCalls(agents: readonly TestAgent[]): Promise<void> {
  for (const a of agents) await Promise.all(a.phone.calls().map((c) => c.hangUp().catch(bestEffort(`${a.name} hanging up`))));
  await waitFor('every agent call ended', () => agents.every((a) => a.phone.calls().length === 0 && a.phone.sessionCount() === 0), 8000);
}
