/**
 * How the explorer picks its next action. Pure: it reads only the model.
 *
 * A sequence is a list of moves, each one of two kinds:
 * - `random`: any action worth trying in the current state. The choice first picks a kind of
 *   action by weight among the kinds that are possible now (so a transfer, an accept or a complete
 *   is as likely as a dial whenever it can happen, however few instances it has), then one instance.
 *   A transfer button (Accept, Decline, Complete, Cancel) may be pressed for any transfer a desk
 *   lists, in any phase and either role; pressed out of its moment it is a kind of its own with a
 *   small weight, so the rules' refusals are tried without starving the transfers' progress.
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
  BUTTON,
  CUSTOMERS,
  PSTN,
  buttonCheck,
  deskLegs,
  isCustomer,
  legsOf,
  offerAt,
  otherEnd,
  ringingAt,
  transfersAt,
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
  'outsideNumber',
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
    case 'transfer':
    case 'transferOut': {
      // A customer's call: the consult with the outside number is not the desk's to pass on.
      const leg = deskLegs(m, action.agent)[action.nth];
      const to = action.type === 'transfer' ? action.to : null;
      return agentIn(action.agent) && to !== action.agent && leg !== undefined && leg.up && isCustomer(otherEnd(leg, action.agent));
    }
    case 'pstnHangsUp':
      return legsOf(m, PSTN).length > 0;
    case 'acceptOffer':
    case 'declineOffer':
    case 'complete':
    case 'cancel':
      // Any transfer the desk lists, in any phase and either role: refusals are the point too.
      return agentIn(action.agent) && transfersAt(m, action.agent)[action.nth] !== undefined;
    case 'signOut':
    case 'quitAttempt':
      return agentIn(action.agent);
    case 'signIn':
      return !agentIn(action.agent);
    case 'fileDispositions':
      return agentIn(action.agent) && m.dues.some((d) => d.agent === action.agent);
  }
}

/**
 * A kind of action: its type, and for a transfer button whether the rules let it act now
 * ('acceptOffer') or it is pressed out of its moment ('acceptOffer?'), to be refused or taken as a
 * repeat. The two are weighted apart, so the buttons' refusals are tried without crowding out the
 * transfers' own progress.
 */
type Kind = Action['type'] | `${keyof typeof BUTTON}?`;

function kindOf(m: Model, action: Action): Kind {
  if (action.type !== 'acceptOffer' && action.type !== 'declineOffer' && action.type !== 'complete' && action.type !== 'cancel')
    return action.type;
  const entry = transfersAt(m, action.agent)[action.nth];
  const check = entry ? buttonCheck(m, entry, BUTTON[action.type]) : undefined;
  return check?.ok && !check.noop ? action.type : `${action.type}?`;
}

/** How likely each kind of action is, among the kinds possible now. */
const WEIGHT: Readonly<Record<Kind, number>> = {
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
  transferOut: 2,
  pstnHangsUp: 1,
  acceptOffer: 5,
  declineOffer: 3,
  complete: 5,
  cancel: 3,
  'acceptOffer?': 2,
  'declineOffer?': 1,
  'complete?': 2,
  'cancel?': 2,
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
  all.push({ type: 'pstnHangsUp' });
  for (const a of AGENTS) {
    all.push({ type: 'answer', agent: a }, { type: 'decline', agent: a });
    for (let n = 0; n < 3; n += 1) {
      all.push({ type: 'hold', agent: a, nth: n }, { type: 'unhold', agent: a, nth: n }, { type: 'hangUp', agent: a, nth: n });
      all.push({ type: 'mute', agent: a, nth: n, muted: true }, { type: 'mute', agent: a, nth: n, muted: false });
      for (const to of AGENTS)
        all.push({ type: 'transfer', agent: a, nth: n, method: 'warm', to }, { type: 'transfer', agent: a, nth: n, method: 'cold', to });
      all.push({ type: 'transferOut', agent: a, nth: n, method: 'warm' }, { type: 'transferOut', agent: a, nth: n, method: 'cold' });
    }
    for (let nth = 0; nth < 3; nth += 1)
      all.push(
        { type: 'acceptOffer', agent: a, nth },
        { type: 'declineOffer', agent: a, nth },
        { type: 'complete', agent: a, nth },
        { type: 'cancel', agent: a, nth },
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
const KIND_ORDER = Object.keys(WEIGHT) as Kind[];

/** A weighted pick: kind by weight among the possible kinds, then an instance of it. */
export function randomAction(m: Model, n: number): Action | undefined {
  const byKind = new Map<Kind, Action[]>();
  for (const action of EVERY_ACTION) {
    if (!applicable(m, action)) continue;
    const kind = kindOf(m, action);
    byKind.set(kind, [...(byKind.get(kind) ?? []), action]);
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
  const consulting = m.transfers.filter(toColleague).filter((t) => t.init.phase === 'consulting' && t.rec?.phase === 'consulting');
  const inConsult = pick(consulting, n);
  if (inConsult) {
    // eslint-disable-next-line @typescript-eslint/switch-exhaustiveness-check -- the default says what every other goal does: the consult ends in one of its two ordinary ways
    switch (goal) {
      case 'recipientCancels':
        return { type: 'cancel', agent: inConsult.recipient, nth: nthTransfer(m, inConsult, 'recipient') };
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
        return { type: 'complete', agent: inConsult.initiator, nth: nthTransfer(m, inConsult, 'initiator') };
      default:
        // Goals about other moments: the consult ends in one of its two ordinary ways.
        return n % 2 === 0
          ? { type: 'complete', agent: inConsult.initiator, nth: nthTransfer(m, inConsult, 'initiator') }
          : { type: 'cancel', agent: inConsult.recipient, nth: nthTransfer(m, inConsult, 'recipient') };
    }
  }
  // An outside number's consult that is up: the initiator completes or cancels it, or the outside party hangs up.
  const outside = pick(
    m.transfers.filter((t) => t.recipient === null && t.init.phase === 'consulting'),
    n,
  );
  if (outside && goal === 'outsideNumber') {
    const nth = nthTransfer(m, outside, 'initiator');
    return [
      { type: 'complete', agent: outside.initiator, nth } as const,
      { type: 'cancel', agent: outside.initiator, nth } as const,
      { type: 'pstnHangsUp' } as const,
    ][n % 3];
  }
  // A transfer offered and still ringing at the recipient.
  const offered = AGENTS.map((a) => offerAt(m, a)).filter((o): o is NonNullable<typeof o> => o !== undefined);
  const offer = pick(offered, n);
  const agent = offer?.t.recipient;
  if (offer && agent) {
    const nth = nthTransfer(m, offer.t, 'recipient');
    if (goal === 'warmDeclined' || goal === 'coldDeclined') return { type: 'declineOffer', agent, nth };
    if (goal === 'customerLeavesWhileOffered') return { type: 'customerHangsUp', customer: offer.t.customer };
    return { type: 'acceptOffer', agent, nth };
  }
  // A customer's call that is up at a desk and not being transferred: transfer it.
  const transferable = AGENTS.flatMap((a) =>
    m.signedIn[a]
      ? deskLegs(m, a)
          .map((leg, nth) => ({ a, leg, nth }))
          .filter(({ leg }) => leg.up && isCustomer(otherEnd(leg, a)) && !m.transfers.some((t) => t.contactLeg === leg.key && underWay(t)))
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
    if (goal === 'outsideNumber') return { type: 'transferOut', agent: from.a, nth: from.nth, method: n % 4 === 0 ? 'cold' : 'warm' };
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

/** Where `t` is in the list of transfers its initiator's or recipient's desk shows. */
function nthTransfer(m: Model, t: ModelTransfer, role: 'initiator' | 'recipient'): number {
  const agent = role === 'initiator' ? t.initiator : t.recipient;
  return agent === null ? -1 : transfersAt(m, agent).findIndex((x) => x.t.key === t.key && x.role === role);
}

function toColleague(t: ModelTransfer): t is ModelTransfer & { readonly recipient: Agent } {
  return t.recipient !== null;
}

function busy(m: Model, a: Agent): number {
  return deskLegs(m, a).filter((l: Leg) => l.up || l.from === a).length;
}
