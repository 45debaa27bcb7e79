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
 * no-op, another method refused); another colleague is refused too.
 */
import {
  checkAction,
  dispositionDue,
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
export type Party = Agent | Customer;

export const TONE_OF: Readonly<Record<Party, number>> = {
  alice: TONES.alice,
  bob: TONES.bob,
  carol: TONES.carol,
  customer: TONES.customer,
  customer2: TONES.customer2,
};

export function isAgent(p: Party): p is Agent {
  return (AGENTS as readonly string[]).includes(p);
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
  readonly recipient: Agent;
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
  | { readonly type: 'acceptOffer'; readonly agent: Agent }
  | { readonly type: 'declineOffer'; readonly agent: Agent }
  | { readonly type: 'complete'; readonly agent: Agent }
  | { readonly type: 'cancel'; readonly agent: Agent }
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
      const check = checkAction(r.state.role, r.state.phase, false, 'holdContact');
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
    const action: TransferAction = r.state.role === 'recipient' && r.state.phase === 'consulting' ? 'cancel' : 'hangUpConsult';
    const check = checkAction(r.state.role, r.state.phase, heldBy(leg, a), action);
    return check.ok ? OK : refused(check.error.code);
  }
  const contactLeg = r.t.initiator === a ? m.legs.find((l) => l.key === r.t.contactLeg) : leg;
  const contactHeld = contactLeg ? heldBy(contactLeg, a) : false;
  const action: TransferAction = command === 'hold' ? 'holdContact' : command === 'unhold' ? 'unholdContact' : 'hangUpContact';
  const check = checkAction(r.state.role, r.state.phase, contactHeld, action);
  return check.ok ? OK : refused(check.error.code);
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
      if (r && r.as === 'consult' && r.state.role === 'recipient' && r.state.phase === 'consulting') return cancel(d, r.t.key);
      endLeg(d, leg.key, leg.up ? 'hangUp' : 'declined');
      return OK;
    }
    case 'customerHangsUp': {
      for (const leg of legsOf(m, action.customer)) endLeg(d, leg.key, 'hangUp');
      return OK;
    }
    case 'transfer':
      return startTransfer(d, action);
    case 'acceptOffer': {
      const offer = offerAt(m, action.agent);
      if (!offer) return refused('no-such-transfer');
      const held = holdAllBut(d, action.agent, offer.leg.key);
      if (!held.ok) return held;
      d.setLeg(offer.leg.key, { up: true });
      if (offer.t.method === 'warm') {
        d.feed(offer.t.key, 'rec', { type: 'consultAnswered' });
        d.feed(offer.t.key, 'init', { type: 'consultAnswered' });
        return OK;
      }
      // Cold: the customer is with the recipient; the initiator leaves its leg on the final NOTIFY.
      d.feed(offer.t.key, 'rec', { type: 'referredCallAnswered' });
      d.feed(offer.t.key, 'init', { type: 'referSucceeded' });
      endLeg(d, offer.t.contactLeg, 'handedOver');
      return OK;
    }
    case 'declineOffer': {
      const offer = offerAt(m, action.agent);
      if (!offer) return refused('no-such-transfer');
      endLeg(d, offer.leg.key, 'declined');
      return OK;
    }
    case 'complete': {
      if (m.transfers.some((x) => x.recipient === action.agent && x.rec?.phase === 'consulting'))
        return refused('recipient-cannot-complete');
      return complete(d, action.agent);
    }
    case 'cancel': {
      const t = m.transfers.find((x) => x.recipient === action.agent && x.rec?.phase === 'consulting');
      if (t) return cancel(d, t.key);
      if (m.transfers.some((x) => x.initiator === action.agent && x.init.phase === 'consulting')) return refused('initiator-cannot-cancel');
      return refused('no-such-transfer');
    }
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

function startTransfer(d: Draft, action: Extract<Action, { type: 'transfer' }>): Verdict {
  const m = d.done();
  const leg = deskLegs(m, action.agent)[action.nth];
  if (!leg || !leg.up) return refused('not-in-phase');
  const customer = otherEnd(leg, action.agent);
  if (isAgent(customer)) return refused('not-in-phase');
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
  let init = initiatorTransfer();
  init = (transferTransition(init, { type: 'confirmed', method: action.method }) as { state: TransferState }).state;
  const reachable = d.signedIn[action.to];
  const t: ModelTransfer = {
    key,
    method: action.method,
    customer,
    initiator: action.agent,
    recipient: action.to,
    init,
    rec: reachable ? recipientTransfer(action.method) : null,
    contactLeg: leg.key,
    consultLeg: null,
    recipientLeg: null,
    shownAtInitiator: true,
    shownAtRecipient: reachable,
  };
  d.transfers.push(t);
  d.setLeg(leg.key, { transfer: { key, as: 'contact' } });
  if (action.method === 'warm') {
    const held = d.leg(leg.key);
    if (held && !heldBy(held, action.agent)) d.setLeg(leg.key, { heldBy: [...held.heldBy, action.agent].sort() });
    if (!reachable) d.feed(key, 'init', { type: 'consultFailed', reason: 'not-signed-in' });
    else d.setTransfer(key, { consultLeg: d.addLeg(action.agent, action.to, { key, as: 'consult' }) });
  } else if (!reachable) {
    d.feed(key, 'init', { type: 'referFailed', reason: 'not-signed-in' });
  } else {
    // The customer's phone follows the REFER: a new call to the recipient, which rings there.
    d.setTransfer(key, { recipientLeg: d.addLeg(customer, action.to, { key, as: 'referred' }) });
  }
  return OK;
}

function complete(d: Draft, agent: Agent): Verdict {
  const m = d.done();
  const t = m.transfers.find((x) => x.initiator === agent && x.init.phase === 'consulting');
  if (!t || t.consultLeg === null) return refused('no-such-transfer');
  d.feed(t.key, 'init', { type: 'completeRequested' });
  d.feed(t.key, 'init', { type: 'referSucceeded' });
  d.feed(t.key, 'rec', { type: 'contactArrived' });
  // The customer's INVITE with Replaces takes over the consult at the recipient, held there.
  const replacement = d.addLeg(t.customer, t.recipient, { key: t.key, as: 'referred' }, true, [t.recipient]);
  d.setTransfer(t.key, { recipientLeg: replacement });
  endLeg(d, t.consultLeg, 'replaced');
  endLeg(d, t.contactLeg, 'handedOver');
  return OK;
}

function cancel(d: Draft, tKey: number): Verdict {
  const t = d.transfer(tKey);
  d.feed(tKey, 'rec', { type: 'recipientCancelled' });
  d.feed(tKey, 'init', { type: 'recipientCancelled' });
  if (t.consultLeg !== null) endLeg(d, t.consultLeg, 'hangUp');
  return OK;
}
