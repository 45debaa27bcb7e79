/**
 * Who may do what during a transfer, to a colleague ('user') or to an external number ('external'). The single source for the buttons the renderer enables
 * (`allowedActions`) and the commands main accepts (`checkAction`): main checks every command here
 * even if a button was wrongly enabled.
 *
 * A command gets one of three answers:
 * - allowed: do it;
 * - accepted as a no-op (`noop: true`): already done, or overtaken by events (a double-click on
 *   Complete, Cancel after the contact hung up). Commands are idempotent, so a repeat is not an error;
 * - refused with a TransferRuleError whose `code` is stable for the UI and logs.
 * Buttons show only the first kind.
 *
 * Who may cancel a consult depends on the target: a colleague's consult is the colleague's to cancel
 * (the initiator is waiting for its answer); an external party runs no Baton, so its consult is the
 * initiator's to cancel — hanging up on the external party and taking the contact back.
 *
 * Once the contact has hung up (`contact: 'gone'`) nothing acts on the contact's call any more: no
 * hold or take-off-hold, no transfer of it (confirm, complete), and its hang-up is already done. The
 * phase alone cannot say so — a transfer that failed or was cancelled stays so when the contact
 * leaves afterwards — so the caller tells; 'up' is the default, and the phase tables below are the
 * rules while the contact is there.
 */
import type { TransferPhase, TransferRole, TransferState, TransferTargetKind } from './transferModel.js';
import { isReachable } from './transferModel.js';

export const TRANSFER_ACTIONS = [
  /** initiator: Confirm transfer (starts the REFER or the consult) */
  'confirm',
  /** initiator: close the transfer form without transferring */
  'dismiss',
  /** recipient: answer the consult toast / the referred contact's call */
  'accept',
  /** recipient: decline it */
  'decline',
  /** initiator: hand the contact over after the consult */
  'complete',
  /** recipient of a colleague's transfer, initiator of an external one: call off the consult */
  'cancel',
  'holdContact',
  'unholdContact',
  /** end the call with the contact */
  'hangUpContact',
  /** end the consult call once the transfer is over but the consult is still up */
  'hangUpConsult',
] as const;

export type TransferAction = (typeof TRANSFER_ACTIONS)[number];

export type TransferRuleCode =
  | 'initiator-cannot-cancel'
  | 'recipient-cannot-complete'
  /** the initiator may not take the contact off hold while the transfer is under way */
  | 'contact-held-during-transfer'
  /** no hold change of our own while a REFER awaits its final NOTIFY (the contact may re-INVITE us) */
  | 'refer-in-progress'
  /** the initiator may not hang up on the contact while handing it over */
  | 'contact-in-transfer'
  /** the contact's call is the other agent's at this point */
  | 'not-your-contact'
  /** the contact hung up: there is no call to hold, take back or hand over */
  | 'contact-gone'
  /** the action belongs to the other side of the transfer */
  | 'wrong-role'
  | 'not-in-phase';

export interface TransferRuleError {
  readonly kind: 'transfer-rule';
  readonly code: TransferRuleCode;
  readonly message: string;
}

export type ActionCheck = { readonly ok: true; readonly noop: boolean } | { readonly ok: false; readonly error: TransferRuleError };

const MESSAGES: Readonly<Record<TransferRuleCode, string>> = {
  'initiator-cannot-cancel': 'Only the colleague receiving the transfer can cancel it.',
  'recipient-cannot-complete': 'Only the agent who started the transfer can complete it.',
  'contact-held-during-transfer': 'The contact stays on hold until the transfer is completed or cancelled.',
  'refer-in-progress': 'The contact is being handed over; wait for the result.',
  'contact-in-transfer': 'The contact is being transferred; it cannot be hung up now.',
  'not-your-contact': 'The contact is not on your call at this point of the transfer.',
  'contact-gone': 'The contact has hung up.',
  'wrong-role': 'This belongs to the other side of the transfer.',
  'not-in-phase': 'This is not possible at this point of the transfer.',
};

export function ruleError(code: TransferRuleCode): TransferRuleError {
  return { kind: 'transfer-rule', code, message: MESSAGES[code] };
}

/** 'toggle': hold/unhold, allowed when it changes the hold state, a no-op when it would not. */
type Verdict = 'yes' | 'noop' | 'toggle' | TransferRuleCode;
type PhaseRules = Readonly<Record<TransferPhase, Partial<Readonly<Record<TransferAction, Verdict>>>>>;

const NOT_YOURS = {
  holdContact: 'not-your-contact',
  unholdContact: 'not-your-contact',
  hangUpContact: 'not-your-contact',
} as const;
const OWN_CONTACT = { holdContact: 'toggle', unholdContact: 'toggle', hangUpContact: 'yes' } as const;
/** Consult under way: the initiator must keep the contact held and may not end either call. */
const INITIATOR_MID_CONSULT = {
  confirm: 'noop',
  holdContact: 'toggle',
  unholdContact: 'contact-held-during-transfer',
  hangUpContact: 'contact-in-transfer',
  hangUpConsult: 'initiator-cannot-cancel',
} as const;

// Anything not listed is 'not-in-phase'. Role-wide refusals come first, in roleWide().
const INITIATOR: PhaseRules = {
  choosing: { confirm: 'yes', dismiss: 'yes', ...OWN_CONTACT },
  referring: {
    confirm: 'noop',
    holdContact: 'refer-in-progress',
    unholdContact: 'refer-in-progress',
    hangUpContact: 'contact-in-transfer',
  },
  consultRinging: INITIATOR_MID_CONSULT,
  consulting: { ...INITIATOR_MID_CONSULT, complete: 'yes' },
  completing: { ...INITIATOR_MID_CONSULT, complete: 'noop', holdContact: 'refer-in-progress' },
  completed: { complete: 'noop', ...NOT_YOURS },
  cancelled: { dismiss: 'noop', ...OWN_CONTACT },
  // The consult may outlive a failure (the contact hung up mid-consult): either side ends it. The
  // contact's buttons are for a failure the contact is still there for (CONTACT_GONE otherwise).
  failed: { ...OWN_CONTACT, hangUpConsult: 'yes' },
};

/**
 * An external number: the initiator's table for a colleague, except that the consult (ringing or
 * answered) is the initiator's to call off, which a hang-up of the consult leg means too.
 */
const EXTERNAL_CANCEL = { cancel: 'yes', hangUpConsult: 'not-in-phase' } as const;
const EXTERNAL_INITIATOR: PhaseRules = {
  ...INITIATOR,
  consultRinging: { ...INITIATOR.consultRinging, ...EXTERNAL_CANCEL },
  consulting: { ...INITIATOR.consulting, ...EXTERNAL_CANCEL },
  completing: { ...INITIATOR.completing, cancel: 'refer-in-progress' },
  cancelled: { ...INITIATOR.cancelled, cancel: 'noop' },
  failed: { ...INITIATOR.failed, cancel: 'noop' },
};

const RECIPIENT: PhaseRules = {
  choosing: {},
  referring: { accept: 'yes', decline: 'yes', ...NOT_YOURS },
  consultRinging: { accept: 'yes', decline: 'yes', ...NOT_YOURS },
  consulting: { accept: 'noop', cancel: 'yes', ...NOT_YOURS },
  completing: {},
  // From here the contact's call is the recipient's like any other.
  completed: { accept: 'noop', ...OWN_CONTACT },
  cancelled: { cancel: 'noop', ...NOT_YOURS },
  failed: { cancel: 'noop', decline: 'noop', hangUpConsult: 'yes', ...NOT_YOURS },
};

/**
 * Whether the contact's call is still up where this desk can see it. 'gone' once it ended (the
 * contact hung up, or the network lost it). A desk that never had the contact's call (a recipient
 * before the contact arrives) says 'up': its contact actions are refused as not its own anyway.
 */
export type ContactPresence = 'up' | 'gone';

/**
 * What a gone contact makes of the acts the phase tables allow: refusals and repeats stand as they
 * are; an act on the contact's call becomes a refusal, or — its hang-up — a repeat.
 */
const CONTACT_GONE: Partial<Readonly<Record<TransferAction, Verdict>>> = {
  confirm: 'contact-gone',
  complete: 'contact-gone',
  holdContact: 'contact-gone',
  unholdContact: 'contact-gone',
  hangUpContact: 'noop',
};

function withContact(verdict: Verdict, action: TransferAction, contact: ContactPresence): Verdict {
  if (contact === 'up' || (verdict !== 'yes' && verdict !== 'toggle')) return verdict;
  return CONTACT_GONE[action] ?? verdict;
}

/** Refusals that hold in every phase, so their code names the rule rather than the moment. */
function roleWide(role: TransferRole, action: TransferAction, target: TransferTargetKind): TransferRuleCode | null {
  if (role === 'initiator') {
    if (action === 'cancel' && target === 'user') return 'initiator-cannot-cancel';
    if (action === 'accept' || action === 'decline') return 'wrong-role';
  } else {
    if (action === 'complete') return 'recipient-cannot-complete';
    if (action === 'confirm' || action === 'dismiss') return 'wrong-role';
  }
  return null;
}

export function checkAction(
  role: TransferRole,
  phase: TransferPhase,
  contactHeld: boolean,
  action: TransferAction,
  target: TransferTargetKind = 'user',
  contact: ContactPresence = 'up',
): ActionCheck {
  const refused = roleWide(role, action, target);
  if (refused !== null) return { ok: false, error: ruleError(refused) };
  const table = role === 'recipient' ? RECIPIENT : target === 'external' ? EXTERNAL_INITIATOR : INITIATOR;
  const listed = isReachable(role, phase, target) ? (table[phase][action] ?? 'not-in-phase') : 'not-in-phase';
  const verdict = withContact(listed, action, contact);
  // eslint-disable-next-line @typescript-eslint/switch-exhaustiveness-check -- every other verdict is a refusal code, which ruleError takes (the type checker holds it to that)
  switch (verdict) {
    case 'yes':
      return { ok: true, noop: false };
    case 'noop':
      return { ok: true, noop: true };
    case 'toggle': {
      const changesHold = action === 'holdContact' ? !contactHeld : contactHeld;
      return { ok: true, noop: !changesHold };
    }
    default:
      return { ok: false, error: ruleError(verdict) };
  }
}

/** The actions worth a button: allowed and not a no-op. */
export function allowedActions(
  role: TransferRole,
  phase: TransferPhase,
  contactHeld: boolean,
  target: TransferTargetKind = 'user',
  contact: ContactPresence = 'up',
): ReadonlySet<TransferAction> {
  return new Set(
    TRANSFER_ACTIONS.filter((action) => {
      const check = checkAction(role, phase, contactHeld, action, target, contact);
      return check.ok && !check.noop;
    }),
  );
}

/** Who has the contact: the initiator throughout, and after a cancel or failure; the recipient once completed. */
export function contactOwner(phase: TransferPhase): TransferRole {
  return phase === 'completed' ? 'recipient' : 'initiator';
}

/** The two calls a transfer involves: initiator–contact (later recipient–contact) and the consult. */
export type TransferCall = 'contact' | 'consult';

/**
 * What an agent owes when one of the transfer's calls ends:
 * 'prefilled' — a disposition whose wrap-up starts with the outcome chosen in the transfer form;
 * 'blank' — a disposition like any other call's; 'none' — nothing.
 */
export type DispositionDue = 'none' | 'blank' | 'prefilled';

export function dispositionDue(state: TransferState, ended: TransferCall): DispositionDue {
  const { role, phase, failure } = state;
  if (role === 'initiator') {
    // The consult is the initiator's own internal leg; its wrap-up is for the contact's call.
    if (ended === 'consult') return 'none';
    // Handed over (cold or warm): the outcome is the initiator's result for its part.
    return phase === 'completed' ? 'prefilled' : 'blank';
  }
  if (ended === 'contact') return phase === 'completed' ? 'blank' : 'none';
  // An answered consult that did not become the recipient's call is work to account for.
  const answered =
    phase === 'consulting' || phase === 'cancelled' || (phase === 'failed' && failure !== null && failure.during === 'consulting');
  return answered ? 'blank' : 'none';
}
