/** A transfer as the desk and the renderer see it: plain data, with the buttons the rules allow now. */
import { allowedActions, targetOf, type ContactPresence, type TransferView } from '../../../shared/transfer/index.js';
import type { Transfer } from './transferRecord.js';

export function viewOf(t: Transfer): TransferView {
  const held = contactHeld(t);
  return {
    id: t.id,
    role: t.state.role,
    state: t.state,
    contactCallId: t.contactCall?.id ?? null,
    consultCallId: t.consultCall?.id ?? null,
    counterpart: { ...t.counterpart },
    contact: t.contact,
    outcome: t.outcome,
    note: t.note,
    history: t.history,
    contextProblem: t.contextProblem,
    contactHeld: held,
    allowed: [...allowedActions(t.state.role, t.state.phase, held, targetOf(t.state), contactPresence(t))],
  };
}

/** Whether the contact is on hold now: a contact who hung up is on hold no longer (the call keeps its last hold flag). */
export function contactHeld(t: Transfer): boolean {
  return contactPresence(t) === 'up' && (t.contactCall?.held ?? false);
}

/** Whether the contact's call is still up; a recipient not yet handed the contact counts as up (its contact actions are refused anyway). */
export function contactPresence(t: Transfer): ContactPresence {
  return t.contactCall?.state === 'ended' ? 'gone' : 'up';
}

/** "Supplier hotline (+15550100100)", or the number alone when that is all the agent typed. */
export function externalName(t: Transfer): string {
  const { name, number } = t.counterpart;
  return number === undefined || name === number ? name : `${name} (${number})`;
}
