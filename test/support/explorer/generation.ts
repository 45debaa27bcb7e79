/**
 * How the explorer picks its next action. Pure: it reads only the model.
 *
 * A sequence is a list of moves, each one of two kinds:
 * - `random`: any action worth trying in the current state. The choice first picks a kind of
 *   action by weight among the kinds that are possible now (so a transfer, an accept or a complete
 *   is as likely as a dial whenever it can happen, however few instances it has), then one instance.
 * - `drive`: the next step of a planned path towards one transfer ending (a call in, the answer, the
 *   transfer, the accept, then the ending the goal names), taken from wherever the state is now.
 *   Random moves interleave with these, so planned paths are disturbed by second calls, holds,
 *   hang-ups and sign-outs at any point.
 * Both kinds resolve to a plain model action, so what is played, printed and replayed is always a
 * flat list of actions. Shrinking makes moves fewer and their numbers smaller, towards the first
 * kinds and instances listed.
 */
import fc from 'fast-check';
import { isSettled } from '../../../shared/transfer/index.js';
import {
  AGENTS,
  CUSTOMERS,
  deskLegs,
  isAgent,
  legsOf,
  offerAt,
  otherEnd,
  ringingAt,
  type Action,
  type Agent,
  type Leg,
  type Model,
  type ModelTransfer,
} from './model.js';

/** The endings a drive steers towards. */
export const GOALS = [
  'warmComplete',
  'coldComplete',
  'recipientCancels',
  'recipientHangsUpConsult',
  'warmDeclined',
  'coldDeclined',
  'customerLeavesMidConsult',
  'customerLeavesWhileOffered',
  'initiatorHangsUpMidConsult',
] as const;
export type Goal = (typeof GOALS)[number];

export type Move = { readonly kind: 'drive'; readonly goal: Goal; readonly n: number } | { readonly kind: 'random'; readonly n: number };

/** A sequence of up to `maxActions` moves; planned steps a little likelier than random ones. */
export function movesArbitrary(maxActions: number): fc.Arbitrary<Move[]> {
  const drive = fc.record({ kind: fc.constant('drive' as const), goal: fc.constantFrom(...GOALS), n: fc.nat({ max: 1000 }) });
  const random = fc.record({ kind: fc.constant('random' as const), n: fc.nat({ max: 1000 }) });
  return fc.array(fc.oneof({ arbitrary: drive, weight: 3 }, { arbitrary: random, weight: 2 }), {
    minLength: Math.min(maxActions, Math.max(1, Math.ceil(maxActions * 0.6))),
    maxLength: maxActions,
  });
}

/** The action a move stands for in state `m`, or undefined when nothing at all can be done. */
export function actionFor(m: Model, move: Move): Action | undefined {
  if (move.kind === 'drive') {
    const planned = driveToward(m, move.goal, move.n);
    if (planned && applicable(m, planned)) return planned;
  }
  return randomAction(m, move.n);
}

// ── what may be tried ──────────────────────────────────────────────────────────────────────────

/** Worth trying now: the parties exist in the needed state (refusals are still tried and checked). */
export function applicable(m: Model, action: Action): boolean {
  const agentIn = (a: Agent): boolean => m.signedIn[a];
  switch (action.type) {
    case 'dial':
      return legsOf(m, action.from).length === 0;
    case 'agentDials':
      return agentIn(action.agent) && legsOf(m, action.to).length === 0;
    case 'answer':
    case 'decline':
      return agentIn(action.agent) && ringingAt(m, action.agent) !== undefined;
    case 'hold':
    case 'unhold':
    case 'mute':
    case 'hangUp':
      return agentIn(action.agent) && deskLegs(m, action.agent)[action.nth] !== undefined;
    case 'customerHangsUp':
      return legsOf(m, action.customer).length > 0;
    case 'transfer': {
      const leg = deskLegs(m, action.agent)[action.nth];
      return agentIn(action.agent) && action.to !== action.agent && leg !== undefined && leg.up && !isAgent(otherEnd(leg, action.agent));
    }
    case 'acceptOffer':
    case 'declineOffer':
      return agentIn(action.agent) && offerAt(m, action.agent) !== undefined;
    case 'complete':
    case 'cancel':
      return (
        agentIn(action.agent) &&
        m.transfers.some(
          (t) =>
            (t.initiator === action.agent && t.init.phase === 'consulting') ||
            (t.recipient === action.agent && t.rec?.phase === 'consulting'),
        )
      );
    case 'signOut':
    case 'quitAttempt':
      return agentIn(action.agent);
    case 'signIn':
      return !agentIn(action.agent);
    case 'fileDispositions':
      return agentIn(action.agent) && m.dues.some((d) => d.agent === action.agent);
  }
}

/** How likely each kind of action is, among the kinds possible now. */
const WEIGHT: Readonly<Record<Action['type'], number>> = {
  dial: 4,
  agentDials: 2,
  answer: 5,
  decline: 1,
  hold: 2,
  unhold: 2,
  mute: 1,
  hangUp: 2,
  customerHangsUp: 1,
  transfer: 5,
  acceptOffer: 5,
  declineOffer: 2,
  complete: 5,
  cancel: 3,
  signOut: 1,
  quitAttempt: 1,
  signIn: 2,
  fileDispositions: 1,
};

/** Every instance of every kind of action, in a fixed order. */
function everyAction(): Action[] {
  const all: Action[] = [];
  for (const c of CUSTOMERS) {
    for (const a of AGENTS) all.push({ type: 'dial', from: c, to: a }, { type: 'agentDials', agent: a, to: c });
    all.push({ type: 'customerHangsUp', customer: c });
  }
  for (const a of AGENTS) {
    all.push({ type: 'answer', agent: a }, { type: 'decline', agent: a });
    for (let n = 0; n < 3; n += 1) {
      all.push({ type: 'hold', agent: a, nth: n }, { type: 'unhold', agent: a, nth: n }, { type: 'hangUp', agent: a, nth: n });
      all.push({ type: 'mute', agent: a, nth: n, muted: true }, { type: 'mute', agent: a, nth: n, muted: false });
      for (const to of AGENTS)
        all.push({ type: 'transfer', agent: a, nth: n, method: 'warm', to }, { type: 'transfer', agent: a, nth: n, method: 'cold', to });
    }
    all.push(
      { type: 'acceptOffer', agent: a },
      { type: 'declineOffer', agent: a },
      { type: 'complete', agent: a },
      { type: 'cancel', agent: a },
    );
    all.push(
      { type: 'signOut', agent: a },
      { type: 'quitAttempt', agent: a },
      { type: 'signIn', agent: a },
      { type: 'fileDispositions', agent: a },
    );
  }
  return all;
}
const EVERY_ACTION = everyAction();
const KIND_ORDER = Object.keys(WEIGHT) as Action['type'][];

/** A weighted pick: kind by weight among the possible kinds, then an instance of it. */
export function randomAction(m: Model, n: number): Action | undefined {
  const byKind = new Map<Action['type'], Action[]>();
  for (const action of EVERY_ACTION) {
    if (!applicable(m, action)) continue;
    byKind.set(action.type, [...(byKind.get(action.type) ?? []), action]);
  }
  const kinds = KIND_ORDER.filter((k) => byKind.has(k));
  const total = kinds.reduce((sum, k) => sum + WEIGHT[k], 0);
  if (total === 0) return undefined;
  let point = n % total;
  for (const kind of kinds) {
    if (point < WEIGHT[kind]) {
      const instances = byKind.get(kind) ?? [];
      return instances[Math.floor(n / total) % instances.length];
    }
    point -= WEIGHT[kind];
  }
  return undefined;
}

// ── planned paths ──────────────────────────────────────────────────────────────────────────────

const pick = <T>(list: readonly T[], n: number): T | undefined => list[n % Math.max(list.length, 1)];

function underWay(t: ModelTransfer): boolean {
  return !isSettled(t.init.phase);
}

/** The next step towards `goal` from `m`: finish a transfer under way, else start one, else set one up. */
export function driveToward(m: Model, goal: Goal, n: number): Action | undefined {
  const warmGoal = goal !== 'coldComplete' && goal !== 'coldDeclined';
  // A consult that is up: end it the way the goal says.
  const consulting = m.transfers.filter((t) => t.init.phase === 'consulting' && t.rec?.phase === 'consulting');
  const inConsult = pick(consulting, n);
  if (inConsult) {
    switch (goal) {
      case 'recipientCancels':
        return { type: 'cancel', agent: inConsult.recipient };
      case 'recipientHangsUpConsult': {
        const nth = deskLegs(m, inConsult.recipient).findIndex((l) => l.key === inConsult.consultLeg);
        return { type: 'hangUp', agent: inConsult.recipient, nth };
      }
      case 'customerLeavesMidConsult':
        return { type: 'customerHangsUp', customer: inConsult.customer };
      case 'initiatorHangsUpMidConsult': {
        // The rules refuse both (the contact is in transfer, the consult is the colleague's to end).
        const leg = n % 2 === 0 ? inConsult.contactLeg : inConsult.consultLeg;
        return { type: 'hangUp', agent: inConsult.initiator, nth: deskLegs(m, inConsult.initiator).findIndex((l) => l.key === leg) };
      }
      case 'warmComplete':
        return { type: 'complete', agent: inConsult.initiator };
      default:
        // Goals about other moments: the consult ends in one of its two ordinary ways.
        return n % 2 === 0 ? { type: 'complete', agent: inConsult.initiator } : { type: 'cancel', agent: inConsult.recipient };
    }
  }
  // A transfer offered and still ringing at the recipient.
  const offered = AGENTS.map((a) => offerAt(m, a)).filter((o): o is NonNullable<typeof o> => o !== undefined);
  const offer = pick(offered, n);
  if (offer) {
    if (goal === 'warmDeclined' || goal === 'coldDeclined') return { type: 'declineOffer', agent: offer.t.recipient };
    if (goal === 'customerLeavesWhileOffered') return { type: 'customerHangsUp', customer: offer.t.customer };
    return { type: 'acceptOffer', agent: offer.t.recipient };
  }
  // A customer's call that is up at a desk and not being transferred: transfer it.
  const transferable = AGENTS.flatMap((a) =>
    m.signedIn[a]
      ? deskLegs(m, a)
          .map((leg, nth) => ({ a, leg, nth }))
          .filter(({ leg }) => leg.up && !isAgent(otherEnd(leg, a)) && !m.transfers.some((t) => t.contactLeg === leg.key && underWay(t)))
      : [],
  );
  const from = pick(transferable, n);
  if (from) {
    const others = AGENTS.filter((x) => x !== from.a);
    const ready = others.filter((x) => m.signedIn[x]);
    // Sign a colleague back in rather than transfer to nobody (that ending is for random moves).
    if (ready.length === 0) return { type: 'signIn', agent: pick(others, n) ?? from.a };
    // The least busy colleague first: a free desk is the common case.
    const to = [...ready].sort((x, y) => busy(m, x) - busy(m, y))[0] ?? from.a;
    return { type: 'transfer', agent: from.a, nth: from.nth, method: warmGoal ? 'warm' : 'cold', to };
  }
  // A plain call ringing at a desk: answer it.
  const ringing = AGENTS.filter((a) => m.signedIn[a] && ringingAt(m, a) !== undefined);
  const answerer = pick(ringing, n);
  if (answerer) return { type: 'answer', agent: answerer };
  // A free customer calls a free desk (or any signed-in one).
  const customer = pick(
    CUSTOMERS.filter((c) => legsOf(m, c).length === 0),
    n,
  );
  const desks = AGENTS.filter((a) => m.signedIn[a]);
  const free = desks.filter((a) => busy(m, a) === 0);
  const desk = pick(free.length > 0 ? free : desks, n);
  if (customer && desk) return { type: 'dial', from: customer, to: desk };
  if (!desk) return { type: 'signIn', agent: pick(AGENTS, n) ?? 'alice' };
  // Both customers busy in calls that cannot move: the first one leaves.
  const stuck = CUSTOMERS.find((c) => legsOf(m, c).length > 0);
  return stuck ? { type: 'customerHangsUp', customer: stuck } : undefined;
}

function busy(m: Model, a: Agent): number {
  return deskLegs(m, a).filter((l: Leg) => l.up || l.from === a).length;
}
