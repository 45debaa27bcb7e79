/**
 * The explorer's real side: three whole desks (the composition root main runs) and two customer
 * bots, through the real Kamailio, with real WebRTC and the audio oracle. `perform` carries out one
 * model action through the same commands a renderer sends; `observe` reads back what the model
 * predicts (every dialog seen from both ends, each desk's transfers and owed wrap-ups) so the two
 * can be compared.
 */
import type { Call } from '../../../electron/core/sip/call.js';
import type { DeskState } from '../../../shared/desk.js';
import type { CommandName, CommandPayload } from '../../../shared/ipc.js';
import type { ProvisioningDocument } from '../../../shared/provisioning/index.js';
import { createCustomer, createPstn, PSTN_NUMBERS, type CustomerBot, type PstnBot } from '../../lab/bots.js';
import type { Lab } from '../../lab/lab.js';
import { bestEffort } from '../../lab/bestEffort.js';
import { untilHearsNoTone, untilHearsOnly, untilMediaDead } from '../audioOracle.js';
import { createTestDesk, type TestDesk } from '../deskFixture.js';
import {
  AGENTS,
  CUSTOMERS,
  PSTN,
  TONE_OF,
  deskLegs,
  expectedHearing,
  isAgent,
  ringingAt,
  transfersAt,
  type Action,
  type Agent,
  type Customer,
  type Model,
  type Party,
  type Verdict,
} from './model.js';

export interface ObservedLeg {
  /** The SIP Call-ID both ends share. */
  readonly sipCallId: string;
  readonly parties: readonly [Party, Party];
  readonly up: boolean;
  readonly heldBy: readonly Agent[];
  /** Each end's Call, to listen to. */
  readonly calls: ReadonlyMap<Party, Call>;
}

export interface Observation {
  readonly legs: readonly ObservedLeg[];
  /** Legs seen from one end only: a dialog still forming or ending. */
  readonly halfLegs: number;
  readonly transfers: Readonly<Record<Agent, readonly string[]>>;
  readonly dues: Readonly<Record<Agent, readonly string[]>>;
  readonly live: Readonly<Record<Agent, number>>;
  /** Dispositions owed twice for one call, anywhere (must never happen). */
  readonly duplicateDues: readonly string[];
}

export class World {
  readonly desks: Record<Agent, TestDesk>;
  readonly bots: Record<Customer, CustomerBot>;
  /** The lab's PSTN gateway: the outside number answers at once. */
  readonly pstn: PstnBot;
  /** Model leg key → the SIP Call-ID of the dialog it was matched to. */
  private readonly dialogOf = new Map<number, string>();
  /** `${model transfer key}:${role}` → the id the desk in that role gave the transfer. */
  private readonly transferIds = new Map<string, string>();

  private constructor(desks: Record<Agent, TestDesk>, bots: Record<Customer, CustomerBot>, pstn: PstnBot) {
    this.desks = desks;
    this.bots = bots;
    this.pstn = pstn;
  }

  static async start(lab: Lab, doc: ProvisioningDocument): Promise<World> {
    const desks = Object.fromEntries(AGENTS.map((a) => [a, createTestDesk(doc, { toneHz: TONE_OF[a] })])) as Record<Agent, TestDesk>;
    const bots = Object.fromEntries(CUSTOMERS.map((c) => [c, createCustomer(lab, c, { toneHz: TONE_OF[c] })])) as Record<
      Customer,
      CustomerBot
    >;
    const world = new World(desks, bots, createPstn(lab, { toneHz: TONE_OF[PSTN] }));
    for (const bot of Object.values(bots)) {
      // A customer answers an agent's call after a short ring.
      bot.phone.events.on(
        'incomingCall',
        (call) => void setTimeout(() => void call.answer().catch(bestEffort('a customer answering')), 80),
      );
    }
    await Promise.all([
      ...Object.values(bots).map((b) => b.phone.start()),
      world.pstn.phone.start(),
      ...AGENTS.map((a) => world.signIn(a)),
    ]);
    return world;
  }

  async signIn(a: Agent): Promise<void> {
    const d = this.desks[a];
    const outcome = await d.desk.handle('session.signIn', { userId: a, password: '' });
    if (!outcome.ok) throw new Error(`${a} could not sign in: ${outcome.error.message}`);
    await d.until(`${a} registered`, (s) => s.session.registration === 'registered');
  }

  async dispose(): Promise<void> {
    await Promise.all([
      ...Object.values(this.bots).map((b) => b.dispose()),
      this.pstn.dispose(),
      ...Object.values(this.desks).map((d) => d.dispose()),
    ]);
  }

  /** Carries out `action` as the model describes it; returns main's answer. */
  async perform(model: Model, action: Action): Promise<Verdict> {
    switch (action.type) {
      case 'dial':
        // The bot's call may fail (nobody registered): the model knows; nothing to answer.
        await this.bots[action.from].phone.call(action.to).catch(bestEffort(`${action.from} calling ${action.to}`));
        return { ok: true };
      case 'pstnHangsUp':
        await Promise.all(this.pstn.phone.calls().map((c) => c.hangUp().catch(bestEffort('the PSTN hanging up'))));
        return { ok: true };
      case 'transferOut':
        return this.command(action.agent, 'transfer.start', {
          callId: this.nth(model, action.agent, action.nth),
          method: action.method,
          number: PSTN_NUMBERS.answers,
          outcomeId: 'other',
          note: `explorer: ${action.method} to the outside number`,
        });
      case 'customerHangsUp':
        await Promise.all(
          this.bots[action.customer].phone.calls().map((c) => c.hangUp().catch(bestEffort(`${action.customer} hanging up`))),
        );
        return { ok: true };
      case 'agentDials':
        return this.command(action.agent, 'call.dial', { target: action.to });
      case 'answer':
      case 'decline': {
        const callId = this.callIdOf(model, action.agent, ringingAt(model, action.agent)?.key);
        return this.command(action.agent, action.type === 'answer' ? 'call.answer' : 'call.decline', { callId });
      }
      case 'hold':
      case 'unhold':
        return this.command(action.agent, action.type === 'hold' ? 'call.hold' : 'call.unhold', {
          callId: this.nth(model, action.agent, action.nth),
        });
      case 'mute':
        return this.command(action.agent, 'call.mute', { callId: this.nth(model, action.agent, action.nth), muted: action.muted });
      case 'hangUp':
        return this.command(action.agent, 'call.hangUp', { callId: this.nth(model, action.agent, action.nth) });
      case 'transfer':
        return this.command(action.agent, 'transfer.start', {
          callId: this.nth(model, action.agent, action.nth),
          method: action.method,
          userId: action.to,
          outcomeId: 'other',
          note: `explorer: ${action.method} to ${action.to}`,
        });
      case 'acceptOffer':
      case 'declineOffer':
      case 'complete':
      case 'cancel': {
        const entry = transfersAt(model, action.agent)[action.nth];
        const id = entry ? (this.transferIds.get(`${entry.t.key}:${entry.role}`) ?? 'unmatched') : 'none';
        return this.command(action.agent, TRANSFER_COMMAND[action.type], { transferId: id });
      }
      case 'signOut':
        return this.command(action.agent, 'session.signOut', {});
      case 'quitAttempt':
        // What the quit guard asks the desk before it lets Electron quit (electron/shell/quitGuard.ts).
        return this.desks[action.agent].desk.liveWork() === null ? { ok: true } : { ok: false, code: 'calls-live' };
      case 'signIn':
        await this.signIn(action.agent);
        return { ok: true };
      case 'fileDispositions': {
        for (const due of this.desks[action.agent].state().dispositionsDue) {
          const verdict = await this.command(action.agent, 'disposition.file', {
            callId: due.callId,
            codeId: due.prefill?.id ?? 'resolved',
            note: '',
          });
          if (!verdict.ok) return verdict;
        }
        return { ok: true };
      }
    }
  }

  /**
   * Ties each transfer a desk lists to the model's, once the desks agree with the model: a step
   * starts at most one transfer, so a desk's one new transfer in a role is the model's one new
   * transfer in that role there. (Both desks of a transfer know it by the same id.)
   */
  claimTransfers(model: Model): void {
    for (const a of AGENTS) {
      const real = this.desks[a].state().transfers;
      const taken = new Set(
        transfersAt(model, a)
          .map((x) => this.transferIds.get(`${x.t.key}:${x.role}`))
          .filter((id) => id !== undefined),
      );
      for (const entry of transfersAt(model, a)) {
        const key = `${entry.t.key}:${entry.role}`;
        if (this.transferIds.has(key)) continue;
        const found = real.find(
          (r) => !taken.has(r.id) && r.role === entry.role && r.state.method === entry.state.method && r.state.phase === entry.state.phase,
        );
        if (!found) continue;
        this.transferIds.set(key, found.id);
        taken.add(found.id);
      }
    }
  }

  /** Everything the model predicts, read off the desks and bots. */
  observe(): Observation {
    const ends = new Map<string, Array<{ party: Party; call: Call; held: boolean }>>();
    const add = (party: Party, call: Call, held: boolean): void => {
      if (call.state === 'ended') return;
      const list = ends.get(call.sipCallId) ?? [];
      list.push({ party, call, held });
      ends.set(call.sipCallId, list);
    };
    const transfers = {} as Record<Agent, string[]>;
    const dues = {} as Record<Agent, string[]>;
    const live = {} as Record<Agent, number>;
    const duplicateDues: string[] = [];
    for (const a of AGENTS) {
      const state = this.desks[a].state();
      for (const view of state.calls) {
        const call = this.desks[a].desk.callById(view.id);
        if (call) add(a, call, view.held);
      }
      transfers[a] = describeTransfers(state);
      dues[a] = state.dispositionsDue.map((d) => (d.prefill ? 'prefilled' : 'blank')).sort();
      live[a] = state.calls.filter((c) => c.live).length;
      const ids = state.dispositionsDue.map((d) => d.callId);
      if (new Set(ids).size !== ids.length) duplicateDues.push(`${a}: ${ids.join(', ')}`);
    }
    for (const c of CUSTOMERS) for (const call of this.bots[c].phone.calls()) add(c, call, false);
    for (const call of this.pstn.phone.calls()) add(PSTN, call, false);
    const legs: ObservedLeg[] = [];
    let halfLegs = 0;
    for (const [sipCallId, list] of ends) {
      const [x, y] = list;
      if (list.length !== 2 || !x || !y) {
        halfLegs += 1;
        continue;
      }
      legs.push({
        sipCallId,
        parties: [x.party, y.party].sort() as [Party, Party],
        up: x.call.state === 'established' && y.call.state === 'established',
        heldBy: list
          .filter((e) => e.held && isAgent(e.party))
          .map((e) => e.party as Agent)
          .sort(),
        calls: new Map(list.map((e) => [e.party, e.call])),
      });
    }
    return { legs, halfLegs, transfers, dues, live, duplicateDues };
  }

  /**
   * Listens on every leg the model says is up: each end not holding hears the other's tone alone,
   * or silence (packets, no tone) when the other holds or is muted; an end that holds receives
   * nothing at all. So a held customer hears no agent, and no one hears a call not theirs.
   * Resolves with the failures.
   */
  async checkHearing(model: Model, observed: Observation, timeoutMs = 5000): Promise<string[]> {
    const checks: Array<Promise<string | null>> = [];
    const matched = this.match(model, observed);
    for (const leg of model.legs) {
      if (!leg.up) continue;
      const real = matched.get(leg.key);
      if (!real || !real.up) continue; // state mismatches are reported by the comparison
      for (const listener of [leg.from, leg.to]) {
        const expected = expectedHearing(leg, listener);
        const call = real.calls.get(listener);
        if (!call || expected.kind === 'unchecked') continue;
        const wait =
          expected.kind === 'tone'
            ? untilHearsOnly(call, TONE_OF[expected.of], timeoutMs)
            : expected.kind === 'silence'
              ? untilHearsNoTone(call, timeoutMs)
              : untilMediaDead(call, timeoutMs);
        const should =
          expected.kind === 'tone'
            ? `hear ${expected.of} alone`
            : expected.kind === 'silence'
              ? 'hear silence (packets, no tone)'
              : 'receive nothing (it holds the call)';
        checks.push(
          wait.then(
            () => null,
            (error: unknown) =>
              `${listener} on the ${leg.from}–${leg.to} call should ${should}: ${error instanceof Error ? error.message : String(error)}`,
          ),
        );
      }
    }
    return (await Promise.all(checks)).filter((x): x is string => x !== null);
  }

  /** Ends everything left (customers hang up, consults are ended by whoever may), for the final check. */
  async windDown(): Promise<void> {
    for (const bot of [...Object.values(this.bots), this.pstn])
      await Promise.all(bot.phone.calls().map((c) => c.hangUp().catch(bestEffort('a customer or the PSTN hanging up at the end'))));
    for (let round = 0; round < 3; round += 1) {
      for (const a of AGENTS) {
        for (const view of this.desks[a].state().calls) {
          await this.desks[a].desk.handle('call.hangUp', { callId: view.id });
        }
      }
      await new Promise((resolve) => setTimeout(resolve, 300));
    }
  }

  private async command<C extends CommandName>(a: Agent, command: C, payload: CommandPayload<C>): Promise<Verdict> {
    const outcome = await this.desks[a].desk.handle(command, payload);
    return outcome.ok ? { ok: true } : { ok: false, code: outcome.error.code };
  }

  /**
   * Which real dialog each model leg is. Two legs may join the same two parties (a consult that
   * outlived its transfer, and a new one between the same desks), so a leg keeps the dialog it was
   * first matched to; a new leg takes an unclaimed dialog between its parties, one in the same
   * state (up, held by the same agents) first.
   */
  match(model: Model, observed: Observation): Map<number, ObservedLeg> {
    const byId = new Map(observed.legs.map((o) => [o.sipCallId, o]));
    const result = new Map<number, ObservedLeg>();
    const claimed = new Set<string>();
    for (const leg of model.legs) {
      const id = this.dialogOf.get(leg.key);
      const o = id === undefined ? undefined : byId.get(id);
      if (o && !claimed.has(o.sipCallId)) {
        result.set(leg.key, o);
        claimed.add(o.sipCallId);
      }
    }
    const sameState = (leg: Model['legs'][number], o: ObservedLeg): boolean =>
      o.up === leg.up && o.heldBy.join('+') === [...leg.heldBy].sort().join('+');
    for (const pass of [sameState, (leg: Model['legs'][number], o: ObservedLeg) => o.up === leg.up, () => true]) {
      for (const leg of model.legs) {
        if (result.has(leg.key)) continue;
        const o = observed.legs.find((x) => !claimed.has(x.sipCallId) && sameParties(x.parties, [leg.from, leg.to]) && pass(leg, x));
        if (!o) continue;
        result.set(leg.key, o);
        claimed.add(o.sipCallId);
        this.dialogOf.set(leg.key, o.sipCallId);
      }
    }
    return result;
  }

  /** The desk's call id for the agent's n-th call in the model (its order of arrival). */
  private nth(model: Model, a: Agent, n: number): string {
    return this.callIdOf(model, a, deskLegs(model, a)[n]?.key);
  }

  private callIdOf(model: Model, a: Agent, key: number | undefined): string {
    const leg = model.legs.find((l) => l.key === key);
    if (!leg) return 'none';
    const match = key === undefined ? undefined : this.match(model, this.observe()).get(key);
    const call = match?.calls.get(a);
    if (call) return call.id;
    // Still ringing here with the far end's half not seen yet: the desk's only ringing call from there.
    const ringing = this.desks[a].state().calls.find((c) => c.state === 'ringing');
    return ringing?.id ?? 'none';
  }

  private transferIdAt(a: Agent, pick: (t: DeskState['transfers'][number]) => boolean): string | undefined {
    return this.desks[a].state().transfers.find(pick)?.id;
  }
}

const TRANSFER_COMMAND = {
  acceptOffer: 'transfer.accept',
  declineOffer: 'transfer.decline',
  complete: 'transfer.complete',
  cancel: 'transfer.cancel',
} as const;

function sameParties(a: readonly [Party, Party], b: readonly [Party, Party]): boolean {
  const x = [...a].sort();
  const y = [...b].sort();
  return x[0] === y[0] && x[1] === y[1];
}

function describeTransfers(state: DeskState): string[] {
  return state.transfers.map((t) => `${t.role}:${t.state.method ?? '?'}:${t.state.phase}`).sort();
}
