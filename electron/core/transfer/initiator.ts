/**
 * The initiator's side of a transfer: Confirm, Complete, the Cancel of an external consult, taking
 * the contact back. Cold = the context MESSAGE, then the REFER (handover.ts); warm = the contact
 * held and the consult placed together, then the REFER to the consult on Complete. An external
 * number gets no context and no secret: nothing at its end could check one.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import type { HistoryActor } from '../../../shared/history.js';
import {
  TRANSFER_CONTEXT_HEADER,
  TransferContextError,
  contextJson,
  encodeContextHeader,
  noteProblem,
  type TransferContext,
} from '../../../shared/transfer/context.js';
import {
  initiatorTransfer,
  isSettled,
  ruleError,
  targetOf,
  transferTransition,
  type TransferMethod,
  type TransferState,
  type TransferView,
} from '../../../shared/transfer/index.js';
import type { Call } from '../sip/call.js';
import type { Phone } from '../sip/phone.js';
import type { CallEnds } from './callEnds.js';
import type { TransferMessaging } from './contextMessaging.js';
import { reasonForContextStatus } from './failureReasons.js';
import type { Handover } from './handover.js';
import { watchConsultFor } from './liveness.js';
import type { PreparedConsultMedia } from './preparedMedia.js';
import type { TransferBook } from './transferBook.js';
import { forContext } from './transferHistory.js';
import { newTransfer, type Transfer } from './transferRecord.js';
import { TransferRuleViolation, type StartTransfer } from './transferTypes.js';
import { externalName } from './transferView.js';

/** How long a Cancel waits for the consult's CANCEL to be answered before it settles anyway. */
const CALL_OFF_WAIT_MS = 5000;

export interface InitiatorParts {
  readonly phone: Phone;
  readonly agent: HistoryActor;
  readonly book: TransferBook;
  readonly messaging: TransferMessaging;
  readonly handover: Handover;
  readonly ends: CallEnds;
  readonly prepared: PreparedConsultMedia;
  readonly consultPingMs: number;
}

export class Initiator {
  private readonly book: TransferBook;
  private readonly handover: Handover;

  constructor(private readonly parts: InitiatorParts) {
    this.book = parts.book;
    this.handover = parts.handover;
  }

  /** Confirm transfer. A repeat for the same contact call is judged by the transfer under way (confirmAgain). */
  async start(request: StartTransfer): Promise<TransferView> {
    const { book } = this;
    const contactCall = this.parts.phone.calls().find((c) => c.id === request.contactCallId);
    if (!contactCall || contactCall.state !== 'established') {
      throw new TransferRuleViolation({
        kind: 'transfer-rule',
        code: 'not-in-phase',
        message: 'There is no connected call with this contact.',
      });
    }
    const existing = book.all().find((t) => t.contactCall === contactCall && t.state.role === 'initiator' && !isSettled(t.state.phase));
    if (existing) return this.confirmAgain(existing.id, request.method, request.recipient.uri);
    const problem = noteProblem(request.note);
    if (problem) throw new TransferContextError('note-too-long', problem);
    const external = 'kind' in request.recipient ? request.recipient : null;

    const t = newTransfer({
      id: randomUUID(),
      state: initiatorTransfer(external ? 'external' : 'user'),
      // An external party is given no secret: nothing at its end could check one.
      token: external ? '' : randomBytes(16).toString('base64url'),
      contactCall,
      counterpart: { name: request.recipient.name, uri: request.recipient.uri, ...(external ? { number: external.number } : {}) },
      contact: request.contact,
      outcome: request.outcome,
      note: request.note,
      history: (request.history ?? []).map(forContext),
      contextProblem: null,
      rang: false,
      received: null,
      from: null,
    });
    if (external) return this.startExternal(t, request.method, contactCall);
    const context = this.parts.messaging.contextFor(t, request.method, this.parts.agent);
    // Encode before anything is sent: a context that cannot be sent is refused while the panel is open.
    const json = contextJson(context);
    book.add(t);
    book.apply(t, { type: 'confirmed', method: request.method });
    book.history.ours(t, 'transfer-started', `${request.method} transfer to ${request.recipient.name}`);
    contactCall.events.on('ended', () => this.parts.ends.contactEnded(t));

    if (request.method === 'cold') void this.runCold(t, json);
    else await this.startConsult(t, context);
    return book.view(t);
  }

  /**
   * Confirm pressed again while this call's transfer is under way. The machine judges it: the same
   * transfer again is a no-op answered by the one under way; another method is refused. The machine
   * knows no addresses, so a different target is refused here with the same rule's reason.
   */
  confirmAgain(id: string, method: TransferMethod, targetUri: string): TransferView {
    const t = this.book.find(id);
    const result = transferTransition(t.state, { type: 'confirmed', method });
    if (!result.ok) throw new TransferRuleViolation(result.error);
    if (targetUri !== t.counterpart.uri) throw new TransferRuleViolation(ruleError('not-in-phase'));
    return this.book.view(t);
  }

  private async startExternal(t: Transfer, method: TransferMethod, contactCall: Call): Promise<TransferView> {
    const { book } = this;
    book.add(t);
    book.apply(t, { type: 'confirmed', method });
    book.history.ours(t, 'transfer-started', `${method} transfer to ${externalName(t)}`);
    contactCall.events.on('ended', () => this.parts.ends.contactEnded(t));
    if (method === 'cold') void this.referToNumber(t);
    else await this.startConsult(t, null);
    return book.view(t);
  }

  /**
   * External: the contact's phone is sent to the number through the SIP server (cold, or warm once
   * the consult is gone); its NOTIFYs report the number's answer as for a colleague.
   */
  private async referToNumber(t: Transfer): Promise<void> {
    const contactCall = this.book.contactCallOf(t);
    if (await this.handover.referTo(t, t.counterpart.uri, {})) return;
    const refused = contactCall.peer.refer.kind === 'refused-method';
    this.handover.referFailed(t, refused ? 'refer-unsupported' : 'refer-rejected');
    this.book.history.ours(t, 'transfer-failed', 'the contact’s phone refused the transfer');
  }

  /** Complete a warm transfer. */
  async complete(t: Transfer): Promise<void> {
    if (!this.book.permit(t, 'complete')) return;
    const consult = t.consultCall;
    const contact = t.contactCall;
    if (!consult || !contact)
      throw new TransferRuleViolation({ kind: 'transfer-rule', code: 'not-in-phase', message: 'The consult is not connected.' });
    this.book.apply(t, { type: 'completeRequested' });
    if (targetOf(t.state) === 'external') {
      await this.completeExternal(t, contact, consult);
      return;
    }
    // Replaces whenever the contact's phone declares it: its new call takes over the consult in one
    // step. A phone that does not would fold the Replaces into its new INVITE's Request-URI, so it is
    // sent to the recipient's end of the consult with the secret alone. The secret rides in the
    // Refer-To either way: the recipient takes the contact's new call only with it.
    await this.handover.referToConsult(t, contact, consult, contact.peerSupportsReplaces, { xfer: t.token });
  }

  /**
   * External, warm: with Replaces the contact's phone takes over the consult at the far end in one
   * step. Without, a REFER to the consult's far end would ring it a second time while we still talk
   * to it, so the consult ends first and the contact is sent to the number.
   */
  private async completeExternal(t: Transfer, contact: Call, consult: Call): Promise<void> {
    if (contact.peerSupportsReplaces) {
      await this.handover.referToConsult(t, contact, consult, true);
      return;
    }
    t.consultGone = true;
    await consult.hangUp().catch(this.book.sideEffectFailed(t, 'ending the consult before the REFER'));
    await this.referToNumber(t);
  }

  /** Take the contact off hold — refused by the rules while a transfer is pending. */
  async unholdContact(t: Transfer): Promise<void> {
    if (!this.book.permit(t, 'unholdContact')) return;
    await this.book.contactCallOf(t).unhold();
    this.book.changed(t);
  }

  /** External only (the rules refuse it otherwise): the consult ends, the contact stays here, held. */
  async cancel(t: Transfer): Promise<void> {
    this.book.apply(t, { type: 'initiatorCancelled' });
    this.book.history.ours(t, 'transfer-cancelled', `cancelled before handing over to ${externalName(t)}`);
    if (t.consultCall) await this.callOff(t, t.consultCall);
  }

  /**
   * Ends the consult and resolves once it has ended. A consult still ringing is called off by a
   * CANCEL that SIP.js sends only after a provisional answer and that ends the call only with the
   * 487; the agent's next command (take the contact back) must not find it still being placed.
   * Bounded: a far end that never answers the CANCEL ends by the INVITE's own timer later.
   */
  private async callOff(t: Transfer, consult: Call): Promise<void> {
    try {
      await consult.hangUp();
    } catch (error) {
      this.book.log?.warn('transfer initiator: the consult could not be hung up', { transferId: t.id, error });
      return;
    }
    await endedWithin(consult, CALL_OFF_WAIT_MS);
  }

  /**
   * Whether `t`'s consult `callId` has been called off and has not ended yet: it can no longer go
   * live (a 200 crossing our CANCEL is ACKed and ended at once), so it stands in nobody's way.
   */
  static isCallingOff(t: Transfer, callId: string): boolean {
    if (t.state.role !== 'initiator' || t.state.phase !== 'cancelled') return false;
    return t.consultCall?.id === callId && t.consultCall.state !== 'ended';
  }

  /** The contact hung up on us before the transfer settled; the recipient must learn it. */
  contactLeft(t: Transfer, phase: TransferState['phase']): void {
    if (phase === 'referring') {
      // A contact phone may end our call right after taking the REFER and still call the recipient:
      // the context stays there until the REFER's own bound has passed without the recipient's word.
      this.book.later(t, this.handover.referTimeoutMs, () => this.handover.withdraw(t));
      return;
    }
    if (phase !== 'consultRinging' && phase !== 'consulting' && phase !== 'completing') return;
    void this.parts.messaging.sendStatus(t, 'contact-hung-up').then(() => {
      // A consult still ringing is for a transfer that is over: called off once the recipient knows why.
      if (t.consultCall && t.consultCall.state !== 'established')
        void t.consultCall.hangUp().catch(this.book.sideEffectFailed(t, 'calling the consult off'));
    });
  }

  // ── cold ───────────────────────────────────────────────────────────────────────────────────

  private async runCold(t: Transfer, json: string): Promise<void> {
    const { book } = this;
    // The context goes straight to the recipient: the contact's phone may drop anything we put in
    // the Refer-To (ARCHITECTURE.md). A recipient that cannot be reached fails the transfer here,
    // before the contact is touched.
    const status = await this.parts.messaging.sendContext(t, json);
    if (status >= 300) {
      book.apply(t, { type: 'referFailed', reason: reasonForContextStatus(status) });
      book.history.ours(t, 'transfer-failed', `recipient unreachable (${status})`);
      return;
    }
    t.contextDelivered = true;
    if (isSettled(t.state.phase)) {
      // The contact hung up while the context travelled: no REFER went out, nothing will come.
      this.handover.withdraw(t);
      return;
    }
    if (await this.handover.referTo(t, t.counterpart.uri, { xfer: t.token })) return;
    book.apply(t, { type: 'referFailed', reason: 'refer-rejected' });
    book.history.ours(t, 'transfer-failed', 'the contact’s phone refused the transfer');
    this.handover.withdraw(t);
  }

  // ── warm ───────────────────────────────────────────────────────────────────────────────────

  /** `context` null: an external number, which is called like any other number. */
  private async startConsult(t: Transfer, context: TransferContext | null): Promise<void> {
    const { book } = this;
    const contactCall = book.contactCallOf(t);
    const prepared = this.parts.prepared.take(contactCall.id);
    // The hold and the consult INVITE go out together: the recipient's toast should not wait for
    // the contact's re-INVITE round trip, and nobody can talk to the recipient before it answers.
    // A phone without Replaces may be one that never hears again once our SDP holds it (baresip
    // 1.0.0): it is held by our microphone alone, and hears us again when taken off hold.
    if (!contactCall.peerSupportsReplaces) contactCall.holdsBySilence = true;
    const holding = contactCall.held ? Promise.resolve() : contactCall.hold();
    let consult: Call;
    try {
      const headers = context ? [`${TRANSFER_CONTEXT_HEADER}: ${encodeContextHeader(context)}`] : [];
      consult = await this.parts.phone.call(t.counterpart.uri, headers, prepared);
    } catch {
      // The transfer fails either way; whether the contact got held is what its call shows.
      await holding.catch(this.book.sideEffectFailed(t, 'holding the contact'));
      book.apply(t, { type: 'consultFailed', reason: 'not-connected' });
      book.history.ours(t, 'transfer-failed', 'the consult call could not be placed');
      return;
    }
    this.attachConsult(t, consult);
    try {
      await holding;
    } catch {
      // Never consult while the contact can hear: no hold, no transfer.
      void consult.hangUp().catch(this.book.sideEffectFailed(t, 'ending the consult'));
      book.apply(t, { type: 'consultFailed', reason: 'hold-refused' });
      book.history.ours(t, 'transfer-failed', 'the contact could not be put on hold');
    }
  }

  private attachConsult(t: Transfer, consult: Call): void {
    const { book } = this;
    t.consultCall = consult;
    if (consult.state === 'ringing') t.rang = true;
    consult.events.on('state', (state) => {
      if (state === 'ringing') t.rang = true;
      if (state !== 'established') return;
      book.apply(t, { type: 'consultAnswered' });
      // An external party is not a colleague's desk that may vanish unseen: its network ends calls.
      if (targetOf(t.state) === 'user') watchConsultFor(book, t, this.parts.consultPingMs);
    });
    consult.events.on('ended', (end) => this.parts.ends.consultEnded(t, end));
    book.changed(t);
  }
}

/** Resolves when `call` has ended or `ms` passed, whichever comes first. */
function endedWithin(call: Call, ms: number): Promise<void> {
  if (call.state === 'ended') return Promise.resolve();
  return new Promise((resolve) => {
    const done = (): void => {
      clearTimeout(timer);
      listener.dispose();
      resolve();
    };
    const timer = setTimeout(done, ms);
    const listener = call.events.on('ended', done);
  });
}
