/**
 * Lab bots on the real core: a customer who calls in and obeys REFER the way common SIP phones do
 * (follows it, keeps its media, never hangs up on the transferor by itself), and colleague desks
 * that receive transfers. Integration tests and the demo use them.
 */
import type { ContactHistoryEntry } from '../../shared/history.js';
import {
  Transfers,
  type HistoryOrigin,
  type TransferHistorySink,
  type TransferView,
  type TransfersOptions,
} from '../../electron/core/transfer/transfers.js';
import type { ColleagueLookup } from '../../electron/core/transfer/colleagues.js';
import { addressOfRecord } from '../../electron/core/transfer/transferStatus.js';
import type { Call } from '../../electron/core/sip/call.js';
import type { IncomingReferral } from '../../electron/core/sip/phone.js';
import { createAgent, type AgentOptions, type TestAgent } from '../support/agents.js';
import type { Lab } from './lab.js';
import { bestEffort } from './bestEffort.js';

export type ReferPolicy =
  /** accept and call the target, like the stacks measured in the lab */
  | 'follow'
  /** 202 then never call (an application that ignores the REFER) */
  | 'ignore'
  | 'reject';

export interface CustomerBot extends TestAgent {
  /** Every REFER received, in order. */
  readonly referrals: IncomingReferral[];
  /** Calls made because of a REFER. */
  readonly followed: Call[];
  referPolicy: ReferPolicy;
  /** Runs before following a REFER (a test can drop the transferor's connection there). */
  beforeFollow: (() => Promise<void>) | undefined;
  /**
   * Delays the final NOTIFY of a followed REFER by this long after the new call is answered, as desk
   * phones do (linphonec sends it only after its new call's ACK); undefined sends it at once.
   * 'never' sends none.
   */
  finalNotifyDelayMs: number | 'never' | undefined;
  /** How the transferor answered each final NOTIFY, or 'not-sent' when our call with it was gone first. */
  readonly finalNotifies: Array<number | 'not-sent'>;
  /** The status of a refused REFER (policy 'reject'): 603 by default; 405 or 501 for a phone without REFER. */
  referRejectStatus: number;
}

export interface CustomerOptions extends AgentOptions {
  /**
   * false: a phone without RFC 3891 Replaces, as Debian's baresip 1.0.0 is (LAB.md). Its Supported
   * lacks `replaces`, and it follows a REFER by calling the Refer-To URI, its parameters kept and
   * never with a Replaces header: a `?Replaces=` is folded into the Request-URI.
   */
  readonly replaces?: boolean;
}

export function createCustomer(lab: Lab, name: string, options: CustomerOptions = {}): CustomerBot {
  const { replaces = true, ...agentOptions } = options;
  const agent = createAgent(lab, name, {
    toneHz: 330,
    ...labPassword(lab, name),
    ...agentOptions,
    ...(replaces ? {} : { phone: { ...agentOptions.phone, replaces: false } }),
  });
  const bot: CustomerBot = Object.assign(agent, {
    referrals: [] as IncomingReferral[],
    followed: [] as Call[],
    referRejectStatus: 603,
    // eslint-disable-next-line @typescript-eslint/no-unnecessary-type-assertion -- needed: Object.assign infers `string` from the bare literal
    referPolicy: 'follow' as ReferPolicy,
    beforeFollow: undefined as (() => Promise<void>) | undefined,
    finalNotifyDelayMs: undefined as number | 'never' | undefined,
    finalNotifies: [] as Array<number | 'not-sent'>,
  });
  agent.phone.events.on('referred', (referral) => {
    bot.referrals.push(referral);
    watchFinalNotify(bot, referral.call);
    void (async () => {
      if (bot.referPolicy === 'reject') return referral.reject(bot.referRejectStatus);
      if (bot.referPolicy === 'ignore') {
        return referral.acceptOnly();
      }
      await bot.beforeFollow?.();
      if (!replaces && referral.replaces) {
        // The whole Refer-To, URI headers and all, becomes the new call's Request-URI; no NOTIFY follows.
        await referral.acceptOnly();
        bot.followed.push(await agent.phone.call(referral.target));
        return;
      }
      bot.followed.push(await referral.follow());
    })().catch(bestEffort(`${name} following a REFER`)); // the scenario checks what the bot followed
  });
  return bot;
}

/**
 * Takes over the final NOTIFY SIP.js sends for a followed REFER (in the transferor's dialog) to delay
 * it and record its answer. SIP.js sets its own delegate on the request it gets back, so it gets a
 * stand-in and the real request keeps ours.
 */
function watchFinalNotify(bot: CustomerBot, toTransferor: Call): void {
  const dialog = toTransferor.session.dialog;
  if (!dialog) return;
  type Notify = typeof dialog.notify;
  const send: Notify = dialog.notify.bind(dialog);
  dialog.notify = (...[delegate, options]: Parameters<Notify>): ReturnType<Notify> => {
    const body = options?.body;
    const content = typeof body === 'object' && body !== null && 'content' in body ? String(body.content) : '';
    if (/^SIP\/2\.0 1\d\d/.test(content)) return send(delegate, options);
    const record = (status: number | 'not-sent'): void => void bot.finalNotifies.push(status);
    const go = (): void => {
      if (toTransferor.state !== 'established') return record('not-sent');
      send(
        {
          onAccept: (response) => record(response.message.statusCode ?? 0),
          onReject: (response) => record(response.message.statusCode ?? 0),
        },
        options,
      );
    };
    const delay = bot.finalNotifyDelayMs;
    if (delay === undefined) go();
    else if (delay !== 'never') setTimeout(go, delay);
    return { delegate: undefined } as unknown as ReturnType<Notify>;
  };
}

/** On a lab that authenticates, a bot signs in with its lab password (a test may give another). */
function labPassword(lab: Lab, name: string): { password?: string } {
  const password = lab.passwordOf(name);
  return password ? { password } : {};
}

/** An in-memory history for tests; de-duplicates by id like the store. */
export class MemoryHistory implements TransferHistorySink {
  readonly entries: ContactHistoryEntry[] = [];
  /** Whose account each entry is, by entry id. */
  readonly origins = new Map<string, HistoryOrigin>();
  append(entries: readonly ContactHistoryEntry[], origin: HistoryOrigin): void {
    for (const e of entries) {
      if (this.entries.some((x) => x.id === e.id)) continue;
      this.entries.push(e);
      this.origins.set(e.id, origin);
    }
  }
  forContact(contactId: string): ContactHistoryEntry[] {
    return this.entries.filter((e) => e.contactId === contactId);
  }
}

export type IncomingPolicy = 'accept' | 'decline' | 'busy' | 'manual';

export interface Desk extends TestAgent {
  readonly transfers: Transfers;
  readonly history: MemoryHistory;
  readonly dispositions: Array<{ callId: string; transferId: string; prefill: { id: string; label: string } | null }>;
  readonly toasts: TransferView[];
  incomingPolicy: IncomingPolicy;
  /** The latest view of a transfer, as the desk's UI would show it. */
  latest(transferId: string): TransferView;
}

/**
 * The lab's roster for bot desks: every user of the lab's domain but `self`, named as the bots name
 * themselves (alice → Alice), or only the users listed.
 */
export function labColleagues(lab: Lab, self: string, only?: readonly string[]): ColleagueLookup {
  return (uri) => {
    const aor = addressOfRecord(uri);
    const at = aor?.lastIndexOf('@') ?? -1;
    if (!aor || at < 0 || aor.slice(at + 1) !== lab.domain.toLowerCase()) return undefined;
    const user = aor.slice(0, at);
    if (user === self || (only && !only.includes(user))) return undefined;
    return { id: user, name: displayName(user), uri: `sip:${user}@${lab.domain}` };
  };
}

function displayName(user: string): string {
  return `${user[0]?.toUpperCase() ?? ''}${user.slice(1)}`;
}

export function createDesk(
  lab: Lab,
  name: string,
  options: AgentOptions & { readonly transfers?: Partial<TransfersOptions>; readonly incomingPolicy?: IncomingPolicy } = {},
): Desk {
  const agent = createAgent(lab, name, { ...labPassword(lab, name), ...options });
  const history = new MemoryHistory();
  const transfers = new Transfers(agent.phone, {
    agent: { id: name, name: displayName(name) },
    history,
    colleague: labColleagues(lab, name),
    consultPingMs: 500,
    referTimeoutMs: 5000,
    ...options.transfers,
  });
  const desk: Desk = Object.assign(agent, {
    transfers,
    history,
    dispositions: [] as Desk['dispositions'],
    toasts: [] as TransferView[],
    incomingPolicy: options.incomingPolicy ?? 'accept',
    latest: (id: string) => transfers.get(id),
  });
  transfers.events.on('dispositionDue', (d) => desk.dispositions.push({ ...d }));
  transfers.events.on('incoming', ({ transfer }) => {
    desk.toasts.push(transfer);
    // The scenario judges the outcome on both desks; a refused step shows there.
    if (desk.incomingPolicy === 'accept') void transfers.accept(transfer.id).catch(bestEffort('accepting a transfer'));
    if (desk.incomingPolicy === 'decline') void transfers.decline(transfer.id).catch(bestEffort('declining a transfer'));
    // Busy: the phone itself refuses (486), as when the agent is in do-not-disturb.
    if (desk.incomingPolicy === 'busy')
      void desk.phone
        .calls()
        .find((c) => c.state === 'ringing')
        ?.decline(486)
        .catch(bestEffort('refusing a call busy'));
  });
  return desk;
}

/** How the lab's PSTN answers one number. */
export type PstnBehaviour = 'answer' | 'busy' | 'no-answer';

/** Numbers of the lab's PSTN range (Kamailio routes +1 555 xxx xxxx to the gateway user "pstn"). */
export const PSTN_NUMBERS = {
  answers: '+15550100100',
  busy: '+15550100101',
  noAnswer: '+15550100102',
  /** Refused by lab.json's dial plan (deny "+1555019"). */
  denied: '+15550190000',
} as const;

export interface PstnBot extends TestAgent {
  /** Per dialled number (E.164); numbers not listed answer. */
  readonly behaviour: Map<string, PstnBehaviour>;
  /** Every call that reached the gateway, with the number dialled. */
  readonly reached: Array<{ readonly number: string; readonly call: Call }>;
  /** How long a 'no-answer' number rings before the gateway gives up (480). */
  noAnswerMs: number;
}

/**
 * The lab's "PSTN": one gateway registered as "pstn" behind Kamailio's number route, answering, busy
 * or ringing out per dialled number, with its own tone. Like a carrier gateway it takes an INVITE with
 * Replaces for a call of its own (a warm transfer completing) from anyone.
 */
export function createPstn(lab: Lab, options: AgentOptions = {}): PstnBot {
  const agent = createAgent(lab, 'pstn', { ...labPassword(lab, 'pstn'), ...options });
  const bot: PstnBot = Object.assign(agent, {
    behaviour: new Map<string, PstnBehaviour>([
      [PSTN_NUMBERS.busy, 'busy'],
      [PSTN_NUMBERS.noAnswer, 'no-answer'],
    ]),
    reached: [] as Array<{ number: string; call: Call }>,
    noAnswerMs: 2000,
  });
  agent.phone.authorizeReplaces(() => true);
  agent.phone.events.on('incomingCall', (call) => {
    const number = /<?sips?:([^@;>]+)@/.exec(call.header('To') ?? '')?.[1] ?? '';
    bot.reached.push({ number, call });
    // A call replacing one of ours is the same conversation going on with someone else: answer it.
    const behaviour = call.replaces ? 'answer' : (bot.behaviour.get(number) ?? 'answer');
    // The caller's side shows whether the answer or refusal went through; the test checks it there.
    if (behaviour === 'answer') void call.answer().catch(bestEffort('answering'));
    else if (behaviour === 'busy') void call.decline(486).catch(bestEffort('refusing a call busy'));
    else {
      const giveUp = setTimeout(() => {
        if (call.state === 'ringing') void rejectWith(call, 480);
      }, bot.noAnswerMs);
      call.events.on('ended', () => clearTimeout(giveUp));
    }
  });
  return bot;
}

/** A final response the Call API does not offer (480 Temporarily Unavailable: nobody answered). */
function rejectWith(call: Call, statusCode: number): Promise<void> {
  const session = call.session as unknown as { reject?: (options: { statusCode: number }) => Promise<void> };
  // A call that ended meanwhile (the caller gave up) has nothing left to refuse.
  return Promise.resolve()
    .then(() => session.reject?.({ statusCode }))
    .catch(bestEffort(`refusing a call with ${statusCode}`));
}
