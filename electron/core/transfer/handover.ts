/**
 * Initiator: the REFER that hands the contact over, and what comes of it. The contact's phone
 * answers the REFER (202, or a refusal), then reports its new call in NOTIFYs; the recipient's
 * "connected" word may come first. Without a final word in time the transfer fails and the contact
 * stays; a cold context left at the recipient is then withdrawn.
 */
import { targetOf, type TransferFailureReason } from '../../../shared/transfer/index.js';
import type { Call, ReferProgress } from '../sip/call.js';
import type { Phone } from '../sip/phone.js';
import { NO_REFER_REASON } from './consultByeReasons.js';
import type { TransferMessaging } from './contextMessaging.js';
import { reasonForStatus } from './failureReasons.js';
import { clearLaterTimers, clearTimers, transferTimer } from './liveness.js';
import type { TransferBook } from './transferBook.js';
import type { Transfer } from './transferRecord.js';
import { externalName } from './transferView.js';

export interface HandoverTiming {
  /** No final NOTIFY (or status MESSAGE) within this long after a REFER's 202 → failed, contact kept. */
  readonly referTimeoutMs: number;
  /** Cold: once the contact's new call rings at the colleague's, how much longer to wait. */
  readonly referRingingMs: number;
  /** After the recipient's word, how long to stay for the final NOTIFY before leaving anyway. */
  readonly handoverGraceMs: number;
}

/** How long each withdrawal may take while the phone stops. */
const WITHDRAW_ON_STOP_MS = 1500;

export class Handover {
  constructor(
    private readonly phone: Phone,
    private readonly book: TransferBook,
    private readonly messaging: TransferMessaging,
    private readonly timing: HandoverTiming,
  ) {}

  get referTimeoutMs(): number {
    return this.timing.referTimeoutMs;
  }

  /**
   * The contact's phone is sent to `uri` (a colleague with the transfer's secret, or an external
   * number through the SIP server). Resolves false when the contact's phone refused the REFER.
   */
  async referTo(t: Transfer, uri: string, params: Record<string, string>): Promise<boolean> {
    const contactCall = this.book.contactCallOf(t);
    const target = this.phone.targetUri(uri);
    try {
      await contactCall.refer(
        { user: target.user ?? '', host: target.host, ...(target.port ? { port: target.port } : {}), params },
        { onProgress: (p) => this.onReferProgress(t, p) },
      );
      this.book.apply(t, { type: 'referAccepted' });
      t.referAccepted = true;
      this.armReferTimeout(t);
      return true;
    } catch (error) {
      this.book.log?.info("transfer: the contact's phone refused the REFER", { transferId: t.id, error });
      return false;
    }
  }

  /**
   * Warm: the contact's phone is sent to the consult's far end — with Replaces its new call takes
   * the consult over in one step; without, `params` carries what links it (the secret).
   */
  async referToConsult(t: Transfer, contact: Call, consult: Call, replaces: boolean, params?: Record<string, string>): Promise<void> {
    try {
      await contact.refer(consult, { onProgress: (p) => this.onReferProgress(t, p), ...(params ? { params } : {}), replaces });
      this.book.apply(t, { type: 'referAccepted' });
      this.armReferTimeout(t);
    } catch (error) {
      this.book.log?.info("transfer: the contact's phone refused the REFER", { transferId: t.id, error });
      if (contact.peer.refer.kind === 'refused-method') this.contactCannotBeTransferred(t);
      else this.referFailed(t, 'refer-rejected');
    }
  }

  /**
   * A REFER did not hand the contact over: back to the consult if there still is one, else the
   * transfer fails (a consult that ended while Complete was under way leaves nothing to go back to).
   */
  referFailed(t: Transfer, reason: TransferFailureReason): void {
    const consultUp = !t.consultGone && t.consultCall !== null && t.consultCall.state !== 'ended';
    this.book.apply(t, consultUp ? { type: 'referFailed', reason } : { type: 'referRefused', reason });
  }

  /**
   * Cold, to an outside number: the contact's phone accepted the REFER and then ended our call
   * before any final NOTIFY. Many phones do a blind transfer that way (ending the call as soon as
   * the REFER is accepted, so no NOTIFY can follow), and an outside party sends no word of its own:
   * the contact is taken to have gone on to the number, and History says it was not confirmed.
   */
  leftAfterRefer(t: Transfer): void {
    if (!this.book.apply(t, { type: 'referSucceeded' })) return;
    clearTimers(t);
    this.book.history.ours(t, 'transfer-completed', `handed to ${externalName(t)} (the contact’s phone left before confirming)`);
    clearLaterTimers(t);
  }

  /**
   * Warm: the contact's phone takes no REFER, so no completion can work. The transfer fails, the
   * consult ends (saying why, for the recipient's account) and the contact stays here, held until
   * the agent takes it off hold.
   */
  contactCannotBeTransferred(t: Transfer): void {
    if (!this.book.apply(t, { type: 'referRefused', reason: 'refer-unsupported' })) return;
    this.book.history.ours(t, 'transfer-failed', 'the contact’s phone cannot be transferred');
    void t.consultCall?.hangUp(NO_REFER_REASON).catch(this.book.sideEffectFailed(t, 'ending the consult'));
  }

  private onReferProgress(t: Transfer, progress: ReferProgress): void {
    if (progress.kind === 'trying') {
      if (progress.status >= 180 && progress.status < 190) t.rang = true;
      return;
    }
    if (progress.kind === 'succeeded') {
      this.handedOver(t, 'notify');
      return;
    }
    // The recipient's word came first: the contact is there whatever its phone now reports.
    if (t.state.phase === 'completed') return;
    clearTimers(t);
    let reason = reasonForStatus(progress.status, t.rang);
    // Warm: the contact's new call failing is not the contact leaving — its call with us is still up.
    if (reason === 'contact-hung-up' && t.state.method === 'warm' && t.contactCall?.state === 'established') reason = 'not-connected';
    this.referFailed(t, reason);
    this.book.history.ours(t, 'transfer-failed', `not connected (${progress.status})`);
    this.withdraw(t);
  }

  /**
   * The contact is with the recipient: its phone's final NOTIFY 200, or the recipient's word. On the
   * NOTIFY (already answered 200 by the time we get here) we leave the contact's call at once; on the
   * word we wait for that NOTIFY, at most handoverGraceMs, so it never meets a 481.
   */
  handedOver(t: Transfer, via: 'notify' | 'word'): void {
    if (t.state.phase !== 'completed') {
      // The machine judges late news (a word after our own bound ran out) and refuses the rest.
      if (!this.book.apply(t, { type: 'referSucceeded' })) return;
      clearTimers(t);
      this.book.history.ours(
        t,
        'transfer-completed',
        `handed to ${targetOf(t.state) === 'external' ? externalName(t) : t.counterpart.name}`,
      );
    }
    if (via === 'notify') this.leaveContact(t);
    else if (t.later.size === 0) this.book.later(t, this.timing.handoverGraceMs, () => this.leaveContact(t));
  }

  /** Neither kind of contact phone hangs up on the transferor (ARCHITECTURE.md): we do. */
  private leaveContact(t: Transfer): void {
    clearLaterTimers(t);
    void t.contactCall?.hangUp().catch(this.book.sideEffectFailed(t, 'leaving the contact'));
    void t.consultCall?.hangUp().catch(this.book.sideEffectFailed(t, 'ending the consult'));
  }

  private armReferTimeout(t: Transfer, extended = false): void {
    transferTimer(t, extended ? this.timing.referRingingMs : this.timing.referTimeoutMs, () => {
      // The contact's phone did act: its new call rings at the colleague's. Ringing has its own end
      // (the colleague's no-answer refusal reaches us in a NOTIFY), so wait for that, once.
      if (t.rang && !extended && t.state.phase === 'referring') {
        this.armReferTimeout(t, true);
        return;
      }
      if (t.state.phase === 'referring' || t.state.phase === 'completing') {
        this.referFailed(t, 'refer-ignored');
        this.book.history.ours(t, 'transfer-failed', 'the contact’s phone did not act on the transfer');
        this.withdraw(t);
      }
    });
  }

  /**
   * Cold: the transfer will not happen, so the context waiting at the recipient goes. Never after
   * the recipient's word (completed): the contact is then really there.
   */
  withdraw(t: Transfer): void {
    if (t.state.role !== 'initiator' || t.state.method !== 'cold' || !t.contextDelivered || t.withdrawn) return;
    if (t.state.phase === 'completed') return;
    t.withdrawn = true;
    void this.messaging.sendStatus(t, 'withdrawn');
  }

  /** Before the phone stops: cold transfers still waiting are withdrawn (one attempt each). */
  async withdrawLive(): Promise<void> {
    const live = this.book
      .all()
      .filter(
        (t) =>
          t.state.role === 'initiator' && t.state.method === 'cold' && t.contextDelivered && !t.withdrawn && t.state.phase === 'referring',
      );
    await Promise.all(
      live.map(async (t) => {
        t.withdrawn = true;
        await this.messaging.sendStatusOnce(t, 'withdrawn', WITHDRAW_ON_STOP_MS);
      }),
    );
  }
}
