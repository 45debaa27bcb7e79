/**
 * The explorer's model of a small contact center: three agent desks and two customers, and every
 * call between them as a "leg" (one SIP dialog, seen from both ends). Pure: each action takes a
 * model and returns the model after it, plus what main must answer (done, or refused with a code).
 *
 * It predicts from the product's rules, not from the product: the transfer rules and machine
 * (shared/transfer: checkAction, transferTransition, dispositionDue) and the desk's own rules written
 * out here — one live call at a time (answer, accept, dial and resume hold the live call first),
 * sign-out refused while a call is up, a disposition owed for every answered call that ends.
 *
 * Who hears whom follows from the legs: on a leg that is up, X hears Y when neither holds it and Y
 * is not muted on it; when only Y holds it (or Y is muted), X hears silence (packets, no tone); on a
 * leg X holds, X receives nothing at all (X asked the far end to send nothing).
 *
 * A repeated Confirm for a transfer under way is judged by the transfer machine (the same method a
 * no-op, another method refused); another colleague (or the outside number) is refused too.
 *
 * The outside number is the lab's PSTN gateway: it answers at once, takes the customer's INVITE
 * with Replaces on a warm Complete, and may hang up; it runs no Baton, so such a transfer has no
 * recipient's copy and its consult is the initiator's to call off (the rules' 'external' target).
 */
import {
  checkAction,
  dispositionDue,
  targetOf,
  initiatorTransfer,
  isSettled,
  recipientTransfer,
  transferTransition,
  type TransferAction,
  type TransferEvent,
  type TransferState,
} from '../../../shared/transfer/index.js';
import { TONES } from '../partyTones.js';

export const AGENTS = ['alice', 'bob', 'carol'] as const;
export const CUSTOMERS = ['customer', 'customer2'] as const;
export type Agent = (typeof AGENTS)[number];
export type Customer = (typeof CUSTOMERS)[number];
/** The lab's "PSTN" gateway, answering the one outside number the explorer transfers to. */
export const PSTN = 'pstn';
export type Party = Agent | Customer | typeof PSTN;

export const TONE_OF: Readonly<Record<Party, number>> = {
  alice: TONES.alice,
  bob: TONES.bob,
  carol: TONES.carol,
  customer: TONES.customer,
  customer2: TONES.customer2,
  pstn: TONES.sixth,
};

export function isAgent(p: Party): p is Agent {
  return (AGENTS as readonly string[]).includes(p);
}

export function isCustomer(p: Party): p is Customer {
  return (CUSTOMERS as readonly string[]).includes(p);
}

/** The part a leg plays in a transfer. */
export type LegRole = 'contact' | 'consult' | 'referred';

export interface Leg {
  readonly key: number;
  /** Who placed the call and who it was placed to. */
  readonly from: Party;
  readonly to: Party;
  readonly up: boolean;
  /** Agents on this leg that hold it (their desk shows it held). */
  readonly heldBy: readonly Agent[];
  readonly mutedBy: readonly Agent[];
  /** The transfer this leg belongs to now, and as what. */
  readonly transfer: { readonly key: number; readonly as: LegRole } | null;
}

export interface ModelTransfer {
  readonly key: number;
  readonly method: 'cold' | 'warm';
  readonly customer: Customer;
  readonly initiator: Agent;
  /** The colleague; null for the outside number (the PSTN), which runs no Baton and has no copy. */
  readonly recipient: Agent | null;
  readonly init: TransferState;
  /** The recipient's copy, once the recipient's desk knows of the transfer. */
  readonly rec: TransferState | null;
  /** The initiator's call with the customer. */
  readonly contactLeg: number;
  readonly consultLeg: number | null;
  /** The customer's call to the recipient (cold: referred; warm: the replacement after completion). */
  readonly recipientLeg: number | null;
  /** Whether each desk still lists it: signing out clears a desk's transfers. */
  readonly shownAtInitiator: boolean;
  readonly shownAtRecipient: boolean;
}

export interface Due {
  readonly agent: Agent;
  readonly leg: number;
  readonly prefilled: boolean;
}

export interface Model {
  readonly legs: readonly Leg[];
  readonly transfers: readonly ModelTransfer[];
  readonly dues: readonly Due[];
  readonly signedIn: Readonly<Record<Agent, boolean>>;
  readonly nextKey: number;
}

export type Action =
  | { readonly type: 'dial'; readonly from: Customer; readonly to: Agent }
  | { readonly type: 'agentDials'; readonly agent: Agent; readonly to: Customer }
  | { readonly type: 'answer'; readonly agent: Agent }
  | { readonly type: 'decline'; readonly agent: Agent }
  | { readonly type: 'hold'; readonly agent: Agent; readonly nth: number }
  | { readonly type: 'unhold'; readonly agent: Agent; readonly nth: number }
  | { readonly type: 'mute'; readonly agent: Agent; readonly nth: number; readonly muted: boolean }
  | { readonly type: 'hangUp'; readonly agent: Agent; readonly nth: number }
  | { readonly type: 'customerHangsUp'; readonly customer: Customer }
  | { readonly type: 'transfer'; readonly agent: Agent; readonly nth: number; readonly method: 'cold' | 'warm'; readonly to: Agent }
  /** A transfer to the outside number the lab's PSTN answers at once. */
  | { readonly type: 'transferOut'; readonly agent: Agent; readonly nth: number; readonly method: 'cold' | 'warm' }
  /** The outside party hangs up every call it is on. */
  | { readonly type: 'pstnHangsUp' }
  /**
   * The transfer buttons, pressed for the agent's `nth` transfer as its desk lists them
   * (transfersAt), in whatever phase it is: main judges each by the shared rules.
   */
  | { readonly type: 'acceptOffer'; readonly agent: Agent; readonly nth: number }
  | { readonly type: 'declineOffer'; readonly agent: Agent; readonly nth: number }
  | { readonly type: 'complete'; readonly agent: Agent; readonly nth: number }
  | { readonly type: 'cancel'; readonly agent: Agent; readonly nth: number }
  | { readonly type: 'signOut'; readonly agent: Agent }
  /** Quit pressed: main asks for confirmation (refused here as 'calls-live') when a call is up, else lets it go (not carried out). */
  | { readonly type: 'quitAttempt'; readonly agent: Agent }
  | { readonly type: 'signIn'; readonly agent: Agent }
  | { readonly type: 'fileDispositions'; readonly agent: Agent };

/** What main answers the command with. */
export type Verdict = { readonly ok: true } | { readonly ok: false; readonly code: string };

export interface Step {
  readonly model: Model;
  readonly verdict: Verdict;
}

export function initialModel(): Model {
  return { legs: [], transfers: [], dues: [], signedIn: { alice: true, bob: true, carol: true }, nextKey: 1 };
}

// ── reading the model ─────────────────────────────────────────────────────────────────────────

export function legsOf(m: Model, p: Party): Leg[] {
  return m.legs.filter((l) => l.from === p || l.to === p);
}

export function otherEnd(leg: Leg, p: Party): Party {
  return leg.from === p ? leg.to : leg.from;
}

/** An agent's calls as its desk lists them (the order calls were placed or arrived). */
export function deskLegs(m: Model, a: Agent): Leg[] {
  return legsOf(m, a).sort((x, y) => x.key - y.key);
}

function transferOf(m: Model, leg: Leg): ModelTransfer | undefined {
  return leg.transfer ? m.transfers.find((t) => t.key === leg.transfer?.key) : undefined;
}

/** The transfer state `a` holds for this leg's transfer, and the leg's part in it, if any. */
function roleOn(m: Model, leg: Leg, a: Agent): { t: ModelTransfer; state: TransferState; as: LegRole } | undefined {
  const t = transferOf(m, leg);
  if (!t || !leg.transfer) return undefined;
  if (t.initiator === a && (leg.transfer.as === 'contact' || leg.transfer.as === 'consult'))
    return { t, state: t.init, as: leg.transfer.as };
  if (t.recipient === a && t.rec && (leg.transfer.as === 'referred' || leg.transfer.as === 'consult'))
    return { t, state: t.rec, as: leg.transfer.as };
  return undefined;
}

/** The ringing transfer offer at `a` (a consult or a referred customer), if any. */
export function offerAt(m: Model, a: Agent): { t: ModelTransfer; leg: Leg } | undefined {
  for (const t of m.transfers) {
    if (t.recipient !== a || !t.rec) continue;
    const key = t.method === 'warm' ? t.consultLeg : t.recipientLeg;
    const leg = m.legs.find((l) => l.key === key);
    if (leg && !leg.up && (t.rec.phase === 'consultRinging' || t.rec.phase === 'referring')) return { t, leg };
  }
  return undefined;
}

/** A plain incoming call ringing at `a` (not a transfer offer). */
export function ringingAt(m: Model, a: Agent): Leg | undefined {
  return m.legs.find((l) => l.to === a && !l.up && l.transfer === null);
}

/** One transfer as one desk lists it: that desk's role and copy of the state. */
export interface DeskTransfer {
  readonly t: ModelTransfer;
  readonly role: 'initiator' | 'recipient';
  readonly state: TransferState;
}

/**
 * The transfers `a`'s desk lists, oldest first. A desk lists a transfer until its last duty there
 * is done: while it is under way, while one of its calls at that desk lasts, or while a wrap-up for
 * one of them is owed there; signing out clears them.
 */
export function transfersAt(m: Model, a: Agent): DeskTransfer[] {
  const listed = (state: TransferState, legs: readonly (number | null)[]): boolean => {
    if (!isSettled(state.phase)) return true;
    const mine = legs.filter((k): k is number => k !== null);
    return m.legs.some((l) => mine.includes(l.key)) || m.dues.some((d) => d.agent === a && mine.includes(d.leg));
  };
  const result: DeskTransfer[] = [];
  for (const t of m.transfers) {
    if (t.initiator === a && t.shownAtInitiator && listed(t.init, [t.contactLeg, t.consultLeg]))
      result.push({ t, role: 'initiator', state: t.init });
    if (t.recipient === a && t.rec && t.shownAtRecipient && listed(t.rec, [t.consultLeg, t.recipientLeg]))
      result.push({ t, role: 'recipient', state: t.rec });
  }
  return result;
}

/** The transfer button an action presses. */
export const BUTTON = { acceptOffer: 'accept', declineOffer: 'decline', complete: 'complete', cancel: 'cancel' } as const;
export type ButtonAction = Extract<Action, { type: keyof typeof BUTTON }>;

/**
 * The shared rules' verdict on a transfer button, from what main feeds them: the desk's role and
 * phase, whether the contact is held and still there (the initiator's call with the customer; the
 * recipient's once the customer arrives; a recipient the customer has not reached counts as 'up').
 */
export function buttonCheck(m: Model, entry: DeskTransfer, button: TransferAction): ReturnType<typeof checkAction> {
  const { t, role, state } = entry;
  const contactKey = role === 'initiator' ? t.contactLeg : t.recipientLeg;
  const agent = role === 'initiator' ? t.initiator : (t.recipient ?? t.initiator);
  const contact = contactKey === null ? undefined : m.legs.find((l) => l.key === contactKey);
  const gone = contactKey !== null && contact === undefined;
  const held = contact !== undefined && heldBy(contact, agent);
  return checkAction(role, state.phase, held, button, targetOf(state), gone ? 'gone' : 'up');
}

export function heldBy(leg: Leg, a: Agent): boolean {
  return leg.heldBy.includes(a);
}

/**
 * What `listener` should hear on `leg`: a party's tone; silence (packets, no tone: the other end
 * holds or is muted); dead media (the listener holds, so the far end was asked to send nothing); or
 * nothing to check (a leg still ringing).
 */
export type Hearing =
  { readonly kind: 'tone'; readonly of: Party } | { readonly kind: 'silence' } | { readonly kind: 'dead' } | { readonly kind: 'unchecked' };

export function expectedHearing(leg: Leg, listener: Party): Hearing {
  if (!leg.up) return { kind: 'unchecked' };
  if (isAgent(listener) && heldBy(leg, listener)) return { kind: 'dead' };
  const talker = otherEnd(leg, listener);
  if (isAgent(talker) && (heldBy(leg, talker) || leg.mutedBy.includes(talker))) return { kind: 'silence' };
  return { kind: 'tone', of: talker };
}

// ── acting on the model ───────────────────────────────────────────────────────────────────────

const OK: Verdict = { ok: true };
const refused = (code: string): Verdict => ({ ok: false, code });

class Draft {
  legs: Leg[];
  transfers: ModelTransfer[];
  dues: Due[];
  signedIn: Record<Agent, boolean>;
  nextKey: number;
  constructor(m: Model) {
    this.legs = [...m.legs];
    this.transfers = [...m.transfers];
    this.dues = [...m.dues];
    this.signedIn = { ...m.signedIn };
    this.nextKey = m.nextKey;
  }
  done(): Model {
    return { legs: this.legs, transfers: this.transfers, dues: this.dues, signedIn: this.signedIn, nextKey: this.nextKey };
  }
  leg(key: number): Leg | undefined {
    return this.legs.find((l) => l.key === key);
  }
  setLeg(key: number, change: Partial<Leg>): void {
    this.legs = this.legs.map((l) => (l.key === key ? { ...l, ...change } : l));
  }
  addLeg(from: Party, to: Party, transfer: Leg['transfer'] = null, up = false, heldBy: Agent[] = []): number {
    const key = this.nextKey++;
    this.legs.push({ key, from, to, up, heldBy, mutedBy: [], transfer });
    return key;
  }
  transfer(key: number): ModelTransfer {
    const t = this.transfers.find((x) => x.key === key);
    if (!t) throw new Error(`no transfer ${key}`);
    return t;
  }
  setTransfer(key: number, change: Partial<ModelTransfer>): void {
    this.transfers = this.transfers.map((t) => (t.key === key ? { ...t, ...change } : t));
  }
  /** Feeds an event to one side's copy of a transfer, as the product's machine would. */
  feed(key: number, side: 'init' | 'rec', event: TransferEvent): void {
    const t = this.transfer(key);
    const state = side === 'init' ? t.init : t.rec;
    if (!state) return;
    const result = transferTransition(state, event);
    if (result.ok && result.changed) this.setTransfer(key, side === 'init' ? { init: result.state } : { rec: result.state });
  }
  owe(agent: Agent, leg: number, prefilled: boolean): void {
    if (this.dues.some((d) => d.agent === agent && d.leg === leg)) return;
    this.dues.push({ agent, leg, prefilled });
  }
}

/** Ends a leg, with what each agent on it then owes and what its transfer learns. */
function endLeg(d: Draft, key: number, cause: 'hangUp' | 'declined' | 'replaced' | 'handedOver'): void {
  const leg = d.leg(key);
  if (!leg) return;
  d.legs = d.legs.filter((l) => l.key !== key);
  const t = leg.transfer ? d.transfer(leg.transfer.key) : undefined;
  if (t && leg.transfer) reactToEnd(d, t.key, leg, leg.transfer.as, cause);
  for (const agent of [leg.from, leg.to].filter(isAgent)) {
    if (!leg.up) continue;
    const tNow = leg.transfer ? d.transfer(leg.transfer.key) : undefined;
    if (!tNow) {
      d.owe(agent, key, false);
      continue;
    }
    const state = tNow.initiator === agent ? tNow.init : tNow.rec;
    if (!state) continue;
    const ended = leg.transfer?.as === 'consult' ? 'consult' : 'contact';
    if (cause === 'replaced') continue; // the consult became the contact's call at the recipient
    const due = dispositionDue(state, ended);
    if (due !== 'none') d.owe(agent, key, due === 'prefilled');
  }
}

/** What a transfer's two desks conclude when one of its legs ends. */
function reactToEnd(d: Draft, tKey: number, leg: Leg, as: LegRole, cause: 'hangUp' | 'declined' | 'replaced' | 'handedOver'): void {
  const t = d.transfer(tKey);
  if (as === 'contact' && cause !== 'handedOver') {
    // The customer left (or the initiator's leg ended): both sides learn the customer hung up.
    d.feed(tKey, 'init', { type: 'contactHungUp' });
    if (t.method === 'warm') d.feed(tKey, 'rec', { type: 'contactHungUp' });
    // A consult still ringing is for a transfer that is over: the initiator calls it off.
    const consult = t.consultLeg === null ? undefined : d.leg(t.consultLeg);
    if (consult && !consult.up) d.legs = d.legs.filter((l) => l.key !== consult.key);
    return;
  }
  if (as === 'referred') {
    if (t.rec?.phase === 'referring') {
      const reason = cause === 'declined' ? 'declined' : 'contact-hung-up';
      d.feed(tKey, 'rec', { type: 'referFailed', reason });
      d.feed(tKey, 'init', { type: 'referFailed', reason });
    } else {
      d.feed(tKey, 'rec', { type: 'contactHungUp' });
    }
    return;
  }
  if (as === 'consult' && cause !== 'replaced') {
    const init = t.init.phase;
    // The outside party hung up the consult: for an external number that calls the transfer off.
    if (init === 'consulting' && t.recipient === null) d.feed(tKey, 'init', { type: 'recipientCancelled' });
    if (init === 'consultRinging') {
      d.feed(tKey, 'init', { type: 'consultFailed', reason: cause === 'declined' ? 'declined' : 'no-answer' });
      d.feed(tKey, 'rec', { type: 'consultFailed', reason: cause === 'declined' ? 'declined' : 'no-answer' });
    }
  }
}

/** One live call at a time at `a`: holds every other live leg first, or says why it cannot. */
function holdAllBut(d: Draft, a: Agent, keep: number | null): Verdict {
  const legs = d.legs.filter((l) => (l.from === a || l.to === a) && l.key !== keep);
  if (legs.some((l) => l.from === a && !l.up)) return refused('call-being-placed');
  const toHold = legs.filter((l) => l.up && !heldBy(l, a));
  for (const l of toHold) {
    const m = d.done();
    const r = roleOn(m, l, a);
    if (r && r.as !== 'consult') {
      const check = checkAction(r.state.role, r.state.phase, false, 'holdContact', targetOf(r.state));
      if (!check.ok) return refused('live-call-cannot-hold');
    }
  }
  for (const l of toHold) d.setLeg(l.key, { heldBy: [...l.heldBy, a].sort() });
  return OK;
}

/** The transfer rules' verdict on a plain call command, as main's guard applies it. */
function guard(m: Model, leg: Leg, a: Agent, command: 'hold' | 'unhold' | 'hangUp'): Verdict {
  const r = roleOn(m, leg, a);
  if (!r) return OK;
  if (r.as === 'consult') {
    if (command !== 'hangUp') return OK;
    const action: TransferAction = consultHangUpCancels(r.state) ? 'cancel' : 'hangUpConsult';
    const check = checkAction(r.state.role, r.state.phase, heldBy(leg, a), action, targetOf(r.state));
    return check.ok ? OK : refused(check.error.code);
  }
  const contactLeg = r.t.initiator === a ? m.legs.find((l) => l.key === r.t.contactLeg) : leg;
  const contactHeld = contactLeg ? heldBy(contactLeg, a) : false;
  const action: TransferAction = command === 'hold' ? 'holdContact' : command === 'unhold' ? 'unholdContact' : 'hangUpContact';
  const check = checkAction(r.state.role, r.state.phase, contactHeld, action, targetOf(r.state));
  return check.ok ? OK : refused(check.error.code);
}

/**
 * Whether hanging up the consult is that side's Cancel: the recipient's of a colleague's answered
 * consult, the initiator's of an outside number's consult, ringing or answered.
 */
function consultHangUpCancels(state: TransferState): boolean {
  if (state.role === 'recipient') return state.phase === 'consulting';
  return targetOf(state) === 'external' && (state.phase === 'consultRinging' || state.phase === 'consulting');
}

export function apply(m: Model, action: Action): Step {
  const d = new Draft(m);
  const verdict = run(d, action);
  return { model: verdict.ok ? d.done() : m, verdict };
}

function run(d: Draft, action: Action): Verdict {
  const m = d.done();
  switch (action.type) {
    case 'dial': {
      // Nobody is registered there: the call fails at the server and never rings.
      if (d.signedIn[action.to]) d.addLeg(action.from, action.to);
      return OK;
    }
    case 'agentDials': {
      const held = holdAllBut(d, action.agent, null);
      if (!held.ok) return held;
      // Customers answer an agent's call after a short ring.
      d.addLeg(action.agent, action.to, null, true);
      return OK;
    }
    case 'answer': {
      const leg = ringingAt(m, action.agent);
      if (!leg) return refused('no-such-call');
      const held = holdAllBut(d, action.agent, leg.key);
      if (!held.ok) return held;
      d.setLeg(leg.key, { up: true });
      return OK;
    }
    case 'decline': {
      const leg = ringingAt(m, action.agent);
      if (!leg) return refused('no-such-call');
      endLeg(d, leg.key, 'declined');
      return OK;
    }
    case 'hold':
    case 'unhold': {
      const leg = deskLegs(m, action.agent)[action.nth];
      if (!leg) return refused('invalid-state');
      // The transfer rules first (main checks every call command against them), then the call's state.
      const check = guard(m, leg, action.agent, action.type);
      if (!check.ok) return check;
      if (!leg.up) return refused('invalid-state');
      if (action.type === 'hold') {
        if (!heldBy(leg, action.agent)) d.setLeg(leg.key, { heldBy: [...leg.heldBy, action.agent].sort() });
        return OK;
      }
      const held = holdAllBut(d, action.agent, leg.key);
      if (!held.ok) return held;
      d.setLeg(leg.key, { heldBy: leg.heldBy.filter((a) => a !== action.agent) });
      return OK;
    }
    case 'mute': {
      const leg = deskLegs(m, action.agent)[action.nth];
      if (!leg || !leg.up) return refused('invalid-state');
      const others = leg.mutedBy.filter((a) => a !== action.agent);
      d.setLeg(leg.key, { mutedBy: action.muted ? [...others, action.agent].sort() : others });
      return OK;
    }
    case 'hangUp': {
      const leg = deskLegs(m, action.agent)[action.nth];
      if (!leg) return refused('no-such-call');
      const check = guard(m, leg, action.agent, 'hangUp');
      if (!check.ok) return check;
      const r = roleOn(m, leg, action.agent);
      if (r && r.as === 'consult' && consultHangUpCancels(r.state)) return cancel(d, r.t.key);
      endLeg(d, leg.key, leg.up ? 'hangUp' : 'declined');
      return OK;
    }
    case 'customerHangsUp': {
      for (const leg of legsOf(m, action.customer)) endLeg(d, leg.key, 'hangUp');
      return OK;
    }
    case 'transfer':
      return startTransfer(d, action);
    case 'transferOut':
      return startTransfer(d, { ...action, to: null });
    case 'pstnHangsUp': {
      for (const leg of legsOf(m, PSTN)) endLeg(d, leg.key, 'hangUp');
      return OK;
    }
    case 'acceptOffer':
    case 'declineOffer':
    case 'complete':
    case 'cancel':
      return pressButton(d, action);
    case 'signOut': {
      if (legsOf(m, action.agent).some((l) => l.up || l.from === action.agent)) return refused('calls-live');
      for (const leg of legsOf(m, action.agent)) endLeg(d, leg.key, 'declined');
      d.signedIn[action.agent] = false;
      d.transfers = d.transfers.map((t) => ({
        ...t,
        shownAtInitiator: t.shownAtInitiator && t.initiator !== action.agent,
        shownAtRecipient: t.shownAtRecipient && t.recipient !== action.agent,
      }));
      return OK;
    }
    case 'quitAttempt':
      return legsOf(m, action.agent).some((l) => l.up || l.from === action.agent) ? refused('calls-live') : OK;
    case 'signIn':
      d.signedIn[action.agent] = true;
      return OK;
    case 'fileDispositions':
      d.dues = d.dues.filter((x) => x.agent !== action.agent);
      return OK;
  }
}

/** A transfer to a colleague, or (`to` null) to the outside number. */
function startTransfer(
  d: Draft,
  action: { readonly agent: Agent; readonly nth: number; readonly method: 'cold' | 'warm'; readonly to: Agent | null },
): Verdict {
  const m = d.done();
  const leg = deskLegs(m, action.agent)[action.nth];
  if (!leg || !leg.up) return refused('not-in-phase');
  const customer = otherEnd(leg, action.agent);
  if (!isCustomer(customer)) return refused('not-in-phase');
  const existing = roleOn(m, leg, action.agent);
  if (existing && existing.state.role === 'initiator' && !isSettled(existing.state.phase)) {
    // Confirm again for a transfer under way: the machine judges it — the same method is a no-op,
    // another method contradicts the transfer. The machine knows no colleagues, so another
    // colleague is refused with the same rule's code (a Confirm that is not a repeat is not-in-phase).
    const repeat = transferTransition(existing.state, { type: 'confirmed', method: action.method });
    if (!repeat.ok) return refused(repeat.error.code);
    return existing.t.recipient === action.to ? OK : refused('not-in-phase');
  }
  if (action.method === 'warm') {
    const held = holdAllBut(d, action.agent, leg.key);
    if (!held.ok) return held;
  }
  const key = d.nextKey++;
  const to = action.to;
  let init = initiatorTransfer(to === null ? 'external' : 'user');
  init = (transferTransition(init, { type: 'confirmed', method: action.method }) as { state: TransferState }).state;
  const reachable = to === null || d.signedIn[to];
  const t: ModelTransfer = {
    key,
    method: action.method,
    customer,
    initiator: action.agent,
    recipient: action.to,
    init,
    rec: to !== null && reachable ? recipientTransfer(action.method) : null,
    contactLeg: leg.key,
    consultLeg: null,
    recipientLeg: null,
    shownAtInitiator: true,
    shownAtRecipient: to !== null && reachable,
  };
  d.transfers.push(t);
  d.setLeg(leg.key, { transfer: { key, as: 'contact' } });
  if (action.method === 'warm') {
    const held = d.leg(leg.key);
    if (held && !heldBy(held, action.agent)) d.setLeg(leg.key, { heldBy: [...held.heldBy, action.agent].sort() });
    if (to === null) {
      // The PSTN answers at once: the consult is up.
      d.setTransfer(key, { consultLeg: d.addLeg(action.agent, PSTN, { key, as: 'consult' }, true) });
      d.feed(key, 'init', { type: 'consultAnswered' });
    } else if (!reachable) d.feed(key, 'init', { type: 'consultFailed', reason: 'not-signed-in' });
    else d.setTransfer(key, { consultLeg: d.addLeg(action.agent, to, { key, as: 'consult' }) });
  } else if (to === null) {
    // The customer's phone follows the REFER to the number, which answers: the final NOTIFY says so
    // and the initiator leaves the customer's call.
    d.addLeg(customer, PSTN, null, true);
    d.feed(key, 'init', { type: 'referSucceeded' });
    endLeg(d, leg.key, 'handedOver');
  } else if (!reachable) {
    d.feed(key, 'init', { type: 'referFailed', reason: 'not-signed-in' });
  } else {
    // The customer's phone follows the REFER: a new call to the recipient, which rings there.
    d.setTransfer(key, { recipientLeg: d.addLeg(customer, to, { key, as: 'referred' }) });
  }
  return OK;
}

/**
 * A transfer button, pressed for one listed transfer in any phase: the shared rules' refusal or
 * repeat as main applies them, else what the button does.
 */
function pressButton(d: Draft, action: ButtonAction): Verdict {
  const m = d.done();
  const entry = transfersAt(m, action.agent)[action.nth];
  if (!entry) return refused('no-such-transfer');
  const check = buttonCheck(m, entry, BUTTON[action.type]);
  if (!check.ok) return refused(check.error.code);
  if (check.noop) return OK;
  const t = entry.t;
  switch (action.type) {
    case 'acceptOffer': {
      const leg = d.leg((t.method === 'warm' ? t.consultLeg : t.recipientLeg) ?? -1);
      if (!leg || leg.up) throw new Error(`model: transfer ${t.key} offered at ${action.agent} with no ringing call`);
      const held = holdAllBut(d, action.agent, leg.key);
      if (!held.ok) return held;
      d.setLeg(leg.key, { up: true });
      if (t.method === 'warm') {
        d.feed(t.key, 'rec', { type: 'consultAnswered' });
        d.feed(t.key, 'init', { type: 'consultAnswered' });
        return OK;
      }
      // Cold: the customer is with the recipient; the initiator leaves its leg on the final NOTIFY.
      d.feed(t.key, 'rec', { type: 'referredCallAnswered' });
      d.feed(t.key, 'init', { type: 'referSucceeded' });
      endLeg(d, t.contactLeg, 'handedOver');
      return OK;
    }
    case 'declineOffer': {
      const leg = d.leg((t.method === 'warm' ? t.consultLeg : t.recipientLeg) ?? -1);
      if (!leg || leg.up) throw new Error(`model: transfer ${t.key} offered at ${action.agent} with no ringing call`);
      endLeg(d, leg.key, 'declined');
      return OK;
    }
    case 'complete':
      return complete(d, t);
    case 'cancel':
      return cancel(d, t.key);
  }
}

function complete(d: Draft, t: ModelTransfer): Verdict {
  if (t.consultLeg === null) throw new Error(`model: transfer ${t.key} completes with no consult`);
  d.feed(t.key, 'init', { type: 'completeRequested' });
  d.feed(t.key, 'init', { type: 'referSucceeded' });
  if (t.recipient === null) {
    // The customer's INVITE with Replaces takes over the consult at the PSTN, which answers it.
    d.addLeg(t.customer, PSTN, null, true);
  } else {
    d.feed(t.key, 'rec', { type: 'contactArrived' });
    // The customer's INVITE with Replaces takes over the consult at the recipient, held there.
    const replacement = d.addLeg(t.customer, t.recipient, { key: t.key, as: 'referred' }, true, [t.recipient]);
    d.setTransfer(t.key, { recipientLeg: replacement });
  }
  endLeg(d, t.consultLeg, 'replaced');
  endLeg(d, t.contactLeg, 'handedOver');
  return OK;
}

/** The consult called off: by the recipient of a colleague's transfer, by the initiator of an outside number's. */
function cancel(d: Draft, tKey: number): Verdict {
  const t = d.transfer(tKey);
  const event: TransferEvent = t.recipient === null ? { type: 'initiatorCancelled' } : { type: 'recipientCancelled' };
  d.feed(tKey, 'rec', event);
  d.feed(tKey, 'init', event);
  if (t.consultLeg !== null) endLeg(d, t.consultLeg, 'hangUp');
  return OK;
}
