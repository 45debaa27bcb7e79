/**
 * Presence-only lab agents: a real Phone (our SIP.js UA over our transport) with the agent-state
 * desk and the directory, but no media engine (they never call), so a test or a bench can run many.
 */
import type { MediaPort } from '../../shared/media.js';
import type { RosterUser } from '../../shared/provisioning/index.js';
import { Phone } from '../../electron/core/sip/phone.js';
import { AgentStateDesk, PresenceDirectory } from '../../electron/core/presence/index.js';
import type { Lab } from '../lab/lab.js';

export const noMedia: MediaPort = {
  open: () => Promise.reject(new Error('presence-only agent: no media')),
};

export function rosterOf(lab: Pick<Lab, 'domain'>, names: readonly string[]): RosterUser[] {
  return names.map((name) => ({
    id: name,
    displayName: name[0]!.toUpperCase() + name.slice(1),
    sipUri: `sip:${name}@${lab.domain}`,
    team: 'lab',
  }));
}

export interface PresenceAgent {
  readonly name: string;
  readonly phone: Phone;
  readonly desk: AgentStateDesk;
  readonly directory: PresenceDirectory;
  stop(): Promise<void>;
}

export async function startPresenceAgent(
  lab: Pick<Lab, 'wsUrl' | 'domain'>,
  name: string,
  roster: readonly RosterUser[],
  options: { readonly publishExpiresSec?: number; readonly subscribeExpiresSec?: number; readonly watch?: boolean } = {},
): Promise<PresenceAgent> {
  const phone = new Phone({
    server: lab.wsUrl,
    aor: `sip:${name}@${lab.domain}`,
    media: noMedia,
    backoff: { initialMs: 100, maxMs: 1000 },
  });
  const desk = new AgentStateDesk(phone, {
    initial: { kind: 'Ready' },
    agentId: name,
    ...(options.publishExpiresSec ? { publishExpiresSec: options.publishExpiresSec } : {}),
  });
  const directory = new PresenceDirectory(phone, options.watch === false ? [] : roster, {
    selfId: name,
    resubscribeDelayMs: 200,
    ...(options.subscribeExpiresSec ? { subscribeExpiresSec: options.subscribeExpiresSec } : {}),
  });
  await phone.start();
  await desk.published();
  return {
    name,
    phone,
    desk,
    directory,
    async stop() {
      await phone.stop();
      desk.dispose();
      await directory.dispose();
    },
  };
}
