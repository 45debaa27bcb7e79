/**
 * The recipient's side of a colleague's transfer: the consult offered (warm, its context in the
 * INVITE) or the contact's referred call (cold, linked to the context MESSAGE by the secret alone),
 * Accept, Decline, Cancel, and the contact's arrival — by Replaces, or by the secret from a phone
 * without Replaces, after which this desk ends the consult itself.
 *
 * Trust (docs/TRUST.md): a context is taken only from the roster colleague it names as initiator,
 * and nothing in it is written to History until the transfer connects; a status word, a referred
 * INVITE or a Replaces acts on a transfer only with its secret. Cold contexts waiting and consults
 * offered count against the same bounds. A `;xfer=` secret that names none of our live transfers
 * makes no transfer: a spent one (a transfer here that settled) is refused, any other gives a plain call.
 */
import { randomUUID } from 'node:crypto';
import {
  TRANSFER_CONTEXT_HEADER,
  decodeContextHeader,
  decodeContextJson,
  type ContextProblem,
  type TransferContext,
} from '../../../shared/transfer/context.js';
import { recipientTransfer, type TransferMethod } from '../../../shared/transfer/index.js';
import type { Call } from '../sip/call.js';
import type { CallEnds } from './callEnds.js';
import type { Colleague, ColleagueLookup } from './colleagues.js';
import { CANCEL_REASON, CONTACT_ARRIVED_REASON } from './consultByeReasons.js';
import type { TransferMessaging } from './contextMessaging.js';
import { reasonForUnansweredReferral } from './failureReasons.js';
import { watchConsultFor } from './liveness.js';
import type { PendingContext, PendingContexts } from './pendingContexts.js';
import type { TransferBook } from './transferBook.js';
import { newTransfer, type Transfer } from './transferRecord.js';
import { addressOfRecord, sameSecret, statusIsAuthentic, type TransferStatus } from './transferStatus.js';

/** 128 bits in base64url: a shorter secret from a colleague's desk is refused, not trusted. */
const MIN_TOKEN_CHARS = 22;

export interface RecipientParts {
  readonly book: TransferBook;
  readonly messaging: TransferMessaging;
  readonly ends: CallEnds;
  readonly pending: PendingContexts;
  readonly colleague: ColleagueLookup | undefined;
  /** Offers (cold contexts waiting and consults live) from one colleague, and in all. */
  readonly perSender: number;
  readonly maxOffers: number;
  readonly consultPingMs: number;
}

export class Recipient {
  private readonly book: TransferBook;

  constructor(private readonly parts: RecipientParts) {
    this.book = parts.book;
  }

  /** Answer the consult (warm) or the referred contact's call (cold). */
  async accept(t: Transfer): Promise<void> {
    if (!this.book.permit(t, 'accept')) return;
    const call = t.state.method === 'warm' ? t.consultCall : t.contactCall;
    await call?.answer();
  }

  async decline(t: Transfer): Promise<void> {
    if (!this.book.permit(t, 'decline')) return;
    const call = t.state.method === 'warm' ? t.consultCall : t.contactCall;
    await call?.decline(603);
  }

  /** The recipient's Cancel (checked by the caller): the consult ends, the contact stays with the initiator. */
  async cancel(t: Transfer): Promise<void> {
    this.book.apply(t, { type: 'recipientCancelled' });
    this.book.history.ours(t, 'transfer-cancelled', 'cancelled by the recipient');
    await t.consultCall?.hangUp(CANCEL_REASON);
  }

  onIncomingCall(call: Call): void {
    // Warm completion: the contact's INVITE with Replaces takes over our consult. The phone let it
    // through only because authorizesReplacement found the transfer's secret in it.
    if (call.replaces) {
      const t = this.book.byCall(call.replaces.id);
      if (t && t.state.role === 'recipient') {
        this.onContactArrived(t, call);
        return;
      }
    }
    const header = call.header(TRANSFER_CONTEXT_HEADER);
    if (header !== undefined) {
      // A context from anyone but the roster colleague it names is ignored: the call is then just
      // a call from whoever placed it, which anybody may do.
      const colleague = this.parts.colleague?.(call.remoteUri);
      if (!colleague) return;
      const refusal = this.offerRefusal(colleague);
      if (refusal) void call.decline(refusal).catch(this.declineFailed(call));
      else this.onConsultOffered(call, header, colleague);
      return;
    }
    // Only the secret links a call to a waiting context. A caller's number would let anyone who
    // calls from it (or claims it) take a colleague's context: a contact phone that drops the
    // parameter (none measured does) gives a plain call, which still works.
    const token = call.toParam('xfer');
    if (token === undefined || token === '') return;
    // Warm completion by a phone without Replaces: the secret names the consult its call replaces.
    const warm = this.consultAwaitingContact(token);
    if (warm) {
      this.onContactArrived(warm, call);
      return;
    }
    const pending = this.parts.pending.take(token);
    if (pending) {
      this.onReferredContact(call, pending);
      return;
    }
    // The secret of a transfer here that is over (cancelled, failed, or its contact already here):
    // a late or repeated INVITE for it is refused, and the contact stays where it is. A secret that
    // names nothing is no transfer at all: the call rings as the plain call it is.
    if (this.spent(token)) void call.decline(603).catch(this.declineFailed(call));
  }

  /**
   * Phone's question for an INVITE with Replaces naming `replaced`: only the contact of our own warm
   * transfer, bringing the transfer's secret, may take over its consult (RFC 3891 §6).
   */
  authorizesReplacement(replaced: Call, token: string | undefined): boolean {
    const t = this.book.byCall(replaced.id);
    if (!t || t.state.role !== 'recipient' || t.consultCall !== replaced || t.state.phase !== 'consulting') return false;
    return token !== undefined && t.token !== '' && sameSecret(token, t.token);
  }

  /**
   * A cold context from a colleague: kept (in memory, bounded) until the contact's INVITE brings its
   * token. Returns the status to answer with: 403 from anyone but the roster colleague the document
   * names as initiator, 486/503 past the bounds (that colleague's transfer fails, its contact stays).
   */
  onContext(body: string, from: string): number {
    const colleague = this.parts.colleague?.(from);
    if (!colleague) return 403;
    const decoded = decodeContextJson(body);
    // A colleague's unreadable context must not stop the transfer itself: its contact arrives as a
    // plain call (the token in the contact's INVITE then matches nothing here).
    if (!decoded.ok) return 200;
    const context = decoded.context;
    if (!namesSender(context, colleague)) return 403;
    if (context.token.length < MIN_TOKEN_CHARS) return 400;
    const known = this.parts.pending.forTransfer(context.transferId);
    if (this.book.has(context.transferId) || (known && known.context.token !== context.token)) return 400;
    switch (this.parts.pending.add(context, colleague, this.liveOffers(colleague))) {
      case 'added':
        return 200;
      case 'sender-full':
        return 486;
      case 'full':
        return 503;
    }
  }

  /**
   * The initiator's withdrawal of a cold context still waiting here; undefined when no such context
   * waits (the contact's call may already have come: then the transfer is real, see Transfers).
   */
  onWithdrawn(status: TransferStatus, from: string): number | undefined {
    const p = this.parts.pending.forTransfer(status.transferId);
    if (!p) return undefined;
    if (!statusIsAuthentic(status, from, { token: p.context.token, counterpartUri: p.from.uri })) return 403;
    this.parts.pending.remove(p);
    return 200;
  }

  /**
   * The contact left the initiator during the consult; the consult itself may go on. Before we
   * answered, the consult's secret is only as good as its caller (who chose it): the word then does
   * no more than that caller could by CANCEL — ends the ringing — and, like every event before the
   * transfer connects, writes nothing (TransferHistory.record).
   */
  contactLeftConsult(t: Transfer): void {
    const ringing = t.state.phase === 'consultRinging';
    if (!this.book.apply(t, { type: 'contactHungUp' })) return;
    this.book.history.ours(t, 'transfer-failed', 'the contact hung up');
    if (ringing) void t.consultCall?.hangUp().catch(this.book.sideEffectFailed(t, 'ending the ringing consult'));
  }

  /** A refused call whose decline fails is gone already: its caller learns it from its own end. */
  private declineFailed(call: Call): (error: unknown) => void {
    return (error) => this.book.log?.info('transfer recipient: declining a call failed; the call is gone', { callId: call.id, error });
  }

  /** Whether `token` is the secret of one of our recipient transfers, live or settled, or one forgotten lately. */
  private spent(token: string): boolean {
    for (const t of this.book.all()) {
      if (t.state.role === 'recipient' && t.token !== '' && sameSecret(token, t.token)) return true;
    }
    return this.book.spent.has(token);
  }

  /**
   * Consults offered here and not yet settled or connected: a consult costs what a waiting cold
   * context costs, so it counts against the same bounds (per colleague, and in all).
   */
  private liveOffers(colleague: Colleague): { fromSender: number; total: number } {
    let fromSender = 0;
    let total = 0;
    for (const t of this.book.all()) {
      const { role, method, phase } = t.state;
      if (role !== 'recipient' || method !== 'warm' || (phase !== 'consultRinging' && phase !== 'consulting')) continue;
      total += 1;
      if (t.from?.id === colleague.id) fromSender += 1;
    }
    return { fromSender, total };
  }

  /** 486 past the colleague's share of offers, 503 past the desk's; undefined when the consult may ring. */
  private offerRefusal(colleague: Colleague): 486 | 503 | undefined {
    const live = this.liveOffers(colleague);
    const { pending } = this.parts;
    if (live.fromSender + pending.countFrom(colleague.id) >= this.parts.perSender) return 486;
    if (live.total + pending.size >= this.parts.maxOffers) return 503;
    return undefined;
  }

  /**
   * Our warm transfer whose secret `token` is — while consulting and before its contact arrived: the
   * consult is then the call the contact's new call takes over. Once only.
   */
  private consultAwaitingContact(token: string): Transfer | undefined {
    for (const t of this.book.all()) {
      const { role, method, phase } = t.state;
      if (role !== 'recipient' || method !== 'warm' || phase !== 'consulting' || t.contactCall !== null || t.token === '') continue;
      if (sameSecret(token, t.token)) return t;
    }
    return undefined;
  }

  private newRecipientTransfer(
    method: TransferMethod,
    context: TransferContext | null,
    from: Colleague | null,
    problem: ContextProblem | 'missing' | null,
  ): Transfer {
    const t = newTransfer({
      // The initiator's id, so the status MESSAGE and history entries name the same transfer.
      id: context && !this.book.has(context.transferId) ? context.transferId : randomUUID(),
      state: recipientTransfer(method),
      token: context?.token ?? '',
      contactCall: null,
      // Who it is comes from the roster, never from the document.
      counterpart: from ? { name: from.name, uri: from.uri } : { name: 'a colleague', uri: '' },
      contact: context?.contact ?? null,
      outcome: context?.outcome ?? null,
      note: context?.note ?? '',
      history: context?.history ?? [],
      contextProblem: problem,
      rang: true, // it rings here
      received: context,
      from,
    });
    this.book.add(t);
    return t;
  }

  private onConsultOffered(call: Call, header: string, colleague: Colleague): void {
    const { book } = this;
    const decoded = decodeContextHeader(header);
    const context = decoded.ok ? decoded.context : null;
    // The document names its initiator; it must be the colleague who called.
    if (context && !namesSender(context, colleague)) return;
    const t = this.newRecipientTransfer('warm', context, colleague, decoded.ok ? null : decoded.problem);
    t.consultCall = call;
    call.events.on('state', (state) => {
      if (state !== 'established') return;
      book.apply(t, { type: 'consultAnswered' });
      watchConsultFor(book, t, this.parts.consultPingMs);
    });
    call.events.on('ended', (end) => this.parts.ends.consultEnded(t, end));
    book.changed(t);
    book.events.emit('incoming', { transfer: book.view(t), call });
  }

  /**
   * The contact's call takes the consult's place: by Replaces (SIP.js then ends the consult), or by
   * the secret alone from a phone without Replaces — then we end the consult once the contact's
   * call is confirmed, so a contact lost before its ACK leaves the agents still talking.
   */
  private onContactArrived(t: Transfer, call: Call): void {
    const { book } = this;
    t.contactCall = call;
    t.tookOverConsult = call.replaces === undefined;
    call.holdOnAnswer = true; // the contact stays on hold until the recipient takes it off
    // A phone without Replaces may be one that never hears again once our SDP holds it (baresip
    // 1.0.0): its holds are our microphone off, the SDP left sendrecv (Call.holdsBySilence).
    call.holdsBySilence = t.tookOverConsult;
    call.events.on('ended', () => {
      if (t.contactCall === call && t.tookOverConsult && t.state.phase === 'consulting') this.contactAttemptFailed(t, call);
      else this.parts.ends.contactEnded(t);
    });
    void call
      .answer()
      .then(async () => {
        // Without Replaces the contact has arrived only once its phone confirmed our answer: a call
        // lost before is a failed attempt, and the consult goes on.
        if (t.tookOverConsult) await Promise.race([call.confirmed(), untilEnded(call)]);
        if (t.contactCall !== call || call.state !== 'established') return;
        book.apply(t, { type: 'contactArrived' });
        book.history.writeReceived(t);
        book.history.ours(t, 'transfer-completed', `received from ${t.counterpart.name}`);
        if (t.tookOverConsult) void this.endTakenOverConsult(t, call);
        void this.tellInitiator(t, call);
      })
      .catch(book.sideEffectFailed(t, 'answering the contact'));
  }

  /**
   * Warm without Replaces: the contact's call ended before it arrived (its phone gave up, or lost
   * it). The contact is still held at the initiator's, whose REFER reports the failure; the consult
   * goes on, and another Complete may link the contact's next call.
   */
  private contactAttemptFailed(t: Transfer, call: Call): void {
    t.contactCall = null;
    t.tookOverConsult = false;
    t.failedAttempts.push(call);
    this.book.log?.warn('transfer recipient warm: the contact’s call ended before it arrived', { transferId: t.id });
    this.book.changed(t);
  }

  private async endTakenOverConsult(t: Transfer, contactCall: Call): Promise<void> {
    await contactCall.confirmed();
    if (contactCall.state !== 'established') return;
    await t.consultCall?.hangUp(CONTACT_ARRIVED_REASON).catch(this.book.sideEffectFailed(t, 'ending the taken-over consult'));
  }

  private onReferredContact(call: Call, pending: PendingContext): void {
    const { book } = this;
    const t = this.newRecipientTransfer('cold', pending.context, pending.from, null);
    t.contactCall = call;
    call.events.on('state', (state) => {
      if (state !== 'established') return;
      book.apply(t, { type: 'referredCallAnswered' });
      book.history.writeReceived(t);
      book.history.ours(t, 'transfer-completed', `received from ${t.counterpart.name}`);
      void this.tellInitiator(t, call);
    });
    call.events.on('ended', (end) => {
      if (t.state.phase === 'referring') book.apply(t, { type: 'referFailed', reason: reasonForUnansweredReferral(end) });
      this.parts.ends.contactEnded(t);
    });
    book.changed(t);
    book.events.emit('incoming', { transfer: book.view(t), call });
  }

  /**
   * Tells the initiator the contact is here; retried while the initiator may be reconnecting. Sent
   * once the contact has ACKed our answer: the initiator must not take it for a handover before the
   * contact's new call is confirmed.
   */
  private async tellInitiator(t: Transfer, contactCall: Call): Promise<void> {
    await contactCall.confirmed();
    if (contactCall.state !== 'established') return;
    await this.parts.messaging.sendStatus(t, 'connected');
  }
}

/** The document's initiator is the colleague the message or call came from. */
function namesSender(context: TransferContext, colleague: Colleague): boolean {
  const named = addressOfRecord(context.initiator.uri);
  return named !== null && named === addressOfRecord(colleague.uri);
}

function untilEnded(call: Call): Promise<void> {
  if (call.state === 'ended') return Promise.resolve();
  return new Promise((resolve) => call.events.on('ended', () => resolve()));
}
