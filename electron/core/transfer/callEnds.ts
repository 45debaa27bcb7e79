/**
 * What the end of a transfer's call means, for either role: the contact's call (the contact hung up,
 * or the handover is done) and the consult (unanswered, cancelled by whoever may, replaced by the
 * contact's call, or the other agent gone). Each end moves the machine and owes the wrap-ups the
 * rules say (dispositionDue).
 */
import type { CallEnd } from '../../../shared/phone.js';
import { isSettled, targetOf, type TransferState } from '../../../shared/transfer/index.js';
import { CANCEL_TEXT, CONTACT_ARRIVED_TEXT, CONTACT_GONE_TEXT, NO_REFER_TEXT } from './consultByeReasons.js';
import { reasonForEnd } from './failureReasons.js';
import { clearTimers } from './liveness.js';
import type { TransferBook } from './transferBook.js';
import type { Transfer } from './transferRecord.js';
import { externalName } from './transferView.js';

export interface CallEndHooks {
  /** Initiator: the contact hung up before the transfer settled; the recipient must learn it. */
  readonly contactLeft: (t: Transfer, phase: TransferState['phase']) => void;
  /** Recipient: the initiator said its contact hung up during the consult. */
  readonly contactLeftConsult: (t: Transfer) => void;
  /** Initiator, cold to an outside number: the contact's phone took the REFER and left our call. */
  readonly contactLeftAfterRefer: (t: Transfer) => void;
}

export class CallEnds {
  constructor(
    private readonly book: TransferBook,
    private readonly hooks: CallEndHooks,
  ) {}

  contactEnded(t: Transfer): void {
    this.book.forgetFinished();
    const contact = t.contactCall;
    if (!contact) return;
    // An earlier, settled attempt on the same call owes nothing: the newest transfer accounts for it.
    if (this.book.byCall(contact.id) !== t) return;
    const { role, phase } = t.state;
    if (
      role === 'initiator' &&
      phase === 'referring' &&
      t.referAccepted &&
      targetOf(t.state) === 'external' &&
      contact.end?.reason === 'hung-up-remote'
    ) {
      this.hooks.contactLeftAfterRefer(t);
      this.book.owe(t, contact.id, 'contact');
      return;
    }
    const handedOver = role === 'initiator' && phase === 'completed';
    if (!isSettled(phase) && !(role === 'recipient' && phase === 'referring')) {
      // The rules let us end the contact's call mid-transfer only when the desk goes away (sign-out
      // with everything ended, quit, log-off): that is not the contact hanging up, and the
      // recipient learns of it from the consult ending, not from a "contact hung up" word.
      const ourOwn = contact.end?.reason === 'hung-up-local';
      this.book.apply(t, { type: 'contactHungUp' });
      this.book.history.ours(t, 'transfer-failed', ourOwn ? 'ended when the agent left' : 'the contact hung up');
      if (role === 'initiator' && !ourOwn) this.hooks.contactLeft(t, phase);
    }
    clearTimers(t);
    if (handedOver || role === 'initiator' || phase === 'completed') this.book.owe(t, contact.id, 'contact');
  }

  consultEnded(t: Transfer, end: CallEnd): void {
    const { book } = this;
    book.forgetFinished();
    const { role, phase } = t.state;
    const consultId = t.consultCall?.id;
    const said = end.reason === 'hung-up-remote' ? (t.consultCall?.remoteReason ?? '') : '';
    if (phase === 'consultRinging') {
      if (book.apply(t, { type: 'consultFailed', reason: reasonForEnd(end, t.rang) })) {
        book.history.ours(t, 'transfer-failed', `consult ${end.reason}`);
      }
    } else if (phase === 'consulting' && end.reason === 'hung-up-remote' && role === 'initiator' && !said.includes(CONTACT_ARRIVED_TEXT)) {
      book.apply(t, { type: 'recipientCancelled' });
      if (targetOf(t.state) === 'external') book.history.ours(t, 'transfer-cancelled', `${externalName(t)} hung up the consult`);
      else book.history.record(t, 'transfer-cancelled', { id: 'recipient', name: t.counterpart.name }, 'cancelled by the recipient');
    } else if (phase === 'consulting' && role === 'initiator' && end.reason !== 'hung-up-remote') {
      // Ended on our side, not by the recipient: a media failure, our connection, the desk leaving.
      // The contact stays here, free to be taken off hold; the recipient learns it from our BYE.
      if (book.apply(t, { type: 'consultFailed', reason: reasonForEnd(end, true) })) {
        book.history.ours(t, 'transfer-failed', `consult ${end.reason}`);
      }
    } else if (phase === 'completing' && role === 'initiator' && said.includes(CANCEL_TEXT)) {
      // The recipient cancelled as our REFER went out: the contact, not yet gone, stays with us. Its
      // phone may still call the recipient with the secret, which the recipient then refuses.
      book.apply(t, { type: 'recipientCancelled' });
      book.history.record(t, 'transfer-cancelled', { id: 'recipient', name: t.counterpart.name }, 'cancelled by the recipient');
    } else if (phase === 'consulting' && role === 'recipient' && !book.replacedBy(t)) {
      // The initiator may end the consult only once its contact hung up (and says so); any other
      // end means the initiator's side is gone.
      if (said.includes(CONTACT_GONE_TEXT)) this.hooks.contactLeftConsult(t);
      else if (said.includes(NO_REFER_TEXT)) {
        if (book.apply(t, { type: 'referRefused', reason: 'refer-unsupported' })) {
          book.history.ours(t, 'transfer-failed', 'the contact’s phone cannot be transferred');
        }
      } else book.apply(t, { type: 'peerConnectionLost' });
    }
    // A consult replaced by the contact's call is not a call of its own to account for.
    if (consultId && !book.replacedBy(t)) book.owe(t, consultId, 'consult');
  }
}
