/** Words for transfer progress (presentation only; phases and reasons come from main). */
import type { TransferFailureReason } from '../../../shared/transfer/transferModel.js';
import type { TransferView } from '../../../shared/transfer/view.js';

const FAILURES: Readonly<Record<TransferFailureReason, string>> = {
  declined: 'your colleague declined',
  busy: 'your colleague is busy',
  'no-answer': 'your colleague did not answer',
  'not-signed-in': 'your colleague is not signed in',
  'refer-rejected': 'the contact’s phone refused the transfer',
  'refer-unsupported': 'the contact’s phone cannot be transferred',
  'refer-ignored': 'the contact’s phone ignored the transfer',
  'hold-refused': 'the contact’s phone would not go on hold',
  'contact-hung-up': 'the contact hung up',
  'connection-lost': 'the connection was lost',
  'not-connected': 'the call to your colleague could not be connected',
};

/** The same causes for an external number, whose far end is a phone network, not a colleague. */
const EXTERNAL_FAILURES: Partial<Readonly<Record<TransferFailureReason, string>>> = {
  declined: 'the number refused the call',
  busy: 'the number is busy',
  'no-answer': 'nobody answered',
  'not-signed-in': 'the number could not be reached',
  'not-connected': 'the call to the number could not be connected',
};

export function failureText(reason: TransferFailureReason, target: 'user' | 'external' = 'user'): string {
  return (target === 'external' ? EXTERNAL_FAILURES[reason] : undefined) ?? FAILURES[reason];
}

/** One sentence saying where the transfer stands, from this agent's side. */
export function transferHeadline(t: TransferView): string {
  const text = headline(t);
  return text.charAt(0).toUpperCase() + text.slice(1);
}

function headline(t: TransferView): string {
  const external = t.state.target === 'external';
  const other =
    external && t.counterpart.number !== undefined && t.counterpart.number !== t.counterpart.name
      ? `${t.counterpart.name} (${t.counterpart.number})`
      : t.counterpart.name;
  const contact = t.contact?.name ?? 'The contact';
  const warm = t.state.method === 'warm';
  if (t.role === 'initiator') {
    switch (t.state.phase) {
      case 'choosing':
        return `Transfer to ${other}`;
      case 'referring':
        return `Transferring ${contact} to ${other}…`;
      case 'consultRinging':
        return `Calling ${other}… ${contact} is on hold.`;
      case 'consulting':
        return `Talking with ${other}. ${contact} is on hold.`;
      case 'completing':
        return `Handing ${contact} over to ${other}…`;
      case 'completed':
        return `${contact} was transferred to ${other}.`;
      case 'cancelled':
        if (external)
          return `The transfer to ${other} is off. ${contact} is still with you${t.contactHeld ? ', on hold until you take them off' : ''}.`;
        return `${other} cancelled the transfer. ${contact} is still with you.`;
      case 'failed':
        if (t.state.failure?.reason === 'contact-hung-up') return `${contact} hung up. The transfer to ${other} is off.`;
        if (t.state.failure?.reason === 'refer-unsupported') {
          return `${contact}’s phone cannot be transferred, so ${contact} stays with you${t.contactHeld ? ', on hold until you take them off' : ''}.`;
        }
        return `The transfer did not go through${t.state.failure ? `: ${failureText(t.state.failure.reason, external ? 'external' : 'user')}` : ''}. ${contact} is still with you.`;
    }
  }
  switch (t.state.phase) {
    case 'referring':
      return `${other} is transferring ${contact} to you.`;
    case 'consultRinging':
      return `${other} wants to hand ${contact} over to you${warm ? ' (warm transfer)' : ''}.`;
    case 'consulting':
      return `Talking with ${other}. ${contact} is on hold with ${other}.`;
    case 'completed':
      return `${contact} is yours now.`;
    case 'cancelled':
      return `You cancelled the transfer. ${contact} stays with ${other}.`;
    case 'failed':
      if (t.state.failure?.reason === 'contact-hung-up') return `${contact} hung up. The transfer from ${other} is off.`;
      // The recipient's own answer is told as theirs, not in the initiator's words ("your colleague declined").
      if (t.state.failure?.reason === 'declined' || t.state.failure?.reason === 'busy')
        return `You declined the transfer from ${other}. ${contact} stays with ${other}.`;
      if (t.state.failure?.reason === 'no-answer') return `The transfer from ${other} rang out. ${contact} stays with ${other}.`;
      return `The transfer from ${other} did not go through${t.state.failure ? `: ${failureText(t.state.failure.reason)}` : ''}.`;
    case 'choosing':
    case 'completing':
      return `Transfer from ${other}`;
  }
}

export function contextProblemText(problem: TransferView['contextProblem']): string | null {
  if (problem === null) return null;
  if (problem === 'missing') return 'No transfer details arrived with this call.';
  return 'The transfer details could not be read.';
}
