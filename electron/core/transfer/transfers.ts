/**
 * User transfers at one agent's desk, as initiator or recipient, over the phone's calls: the one
 * object the desk and the lab's bots hold. It wires the parts together and routes what arrives.
 *
 * The rules live in shared/transfer (pure, table-tested); the parts apply them where the calls live:
 * every command is checked by `checkAction` before any SIP is sent, and every SIP event is fed to
 * `transferTransition` (both through TransferBook), so the state a desk shows is the state the
 * machine allows. The SIP mapping is ARCHITECTURE.md's: cold = context MESSAGE then REFER with a
 * `;xfer=` token; warm = contact held, consult INVITE carrying the context header, REFER with
 * Replaces to complete — or, for a contact phone that does not declare Replaces, a REFER to the
 * recipient's end of the consult with the token alone. To an external number the far end runs no
 * Baton: no context, no secret, no status words.
 *
 * Where each part is:
 * - initiator.ts: Confirm, Complete, an external consult's Cancel; handover.ts: the REFER and its outcome;
 * - recipient.ts: offers, Accept, Decline, Cancel, the contact's arrival, the trust checks;
 * - callEnds.ts: what the end of the contact's call or of the consult means, for either role;
 * - contextMessaging.ts: the context and status MESSAGEs; liveness.ts: timers and consult pings;
 * - transferBook.ts: the transfers kept, the machine fed, the desk told; transferHistory.ts, transferView.ts.
 */
import { checkAction, targetOf, type TransferAction, type TransferView } from '../../../shared/transfer/index.js';
import type { IncomingMessage, Phone } from '../sip/phone.js';
import { TypedEmitter } from '../typedEmitter.js';
import { CallEnds } from './callEnds.js';
import { CONTACT_GONE_REASON } from './consultByeReasons.js';
import { TransferMessaging, routeMessage } from './contextMessaging.js';
import { Handover } from './handover.js';
import { Initiator } from './initiator.js';
import { DEFAULT_PENDING_LIMITS, PendingContexts } from './pendingContexts.js';
import { PreparedConsultMedia } from './preparedMedia.js';
import { Recipient } from './recipient.js';
import { TransferBook } from './transferBook.js';
import type { Transfer } from './transferRecord.js';
import { statusIsAuthentic, type TransferStatus } from './transferStatus.js';
import { TransferRuleViolation, type StartTransfer, type TransferEvents, type TransfersOptions } from './transferTypes.js';
import { contactHeld, contactPresence } from './transferView.js';

export * from './transferTypes.js';

/** Defaults of TransfersOptions' timers (see there). */
const REFER_TIMEOUT_MS = 32_000;
const REFER_RINGING_MS = 70_000;
const CONSULT_PING_MS = 3000;
const STATUS_RETRY_MS = 60_000;
const HANDOVER_GRACE_MS = 4000;

export class Transfers {
  readonly events: TypedEmitter<TransferEvents>;
  private readonly book: TransferBook;
  private readonly pending: PendingContexts;
  private readonly prepared: PreparedConsultMedia;
  private readonly handover: Handover;
  private readonly initiator: Initiator;
  private readonly recipient: Recipient;
  private readonly subscriptions: Array<{ dispose(): void }> = [];
  private readonly log: TransfersOptions['log'];

  constructor(phone: Phone, options: TransfersOptions) {
    const book = new TransferBook(options);
    this.log = options.log;
    this.book = book;
    this.events = book.events;
    const perSender = options.maxPendingPerColleague ?? DEFAULT_PENDING_LIMITS.perSender;
    const maxOffers = options.maxPending ?? DEFAULT_PENDING_LIMITS.total;
    const consultPingMs = options.consultPingMs ?? CONSULT_PING_MS;
    this.pending = new PendingContexts({ ttlMs: options.pendingContextMs ?? DEFAULT_PENDING_LIMITS.ttlMs, perSender, total: maxOffers });
    this.prepared = new PreparedConsultMedia(phone);
    const messaging = new TransferMessaging(phone, options.statusRetryMs ?? STATUS_RETRY_MS, () => book.disposed);
    this.handover = new Handover(phone, book, messaging, {
      referTimeoutMs: options.referTimeoutMs ?? REFER_TIMEOUT_MS,
      referRingingMs: options.referRingingMs ?? REFER_RINGING_MS,
      handoverGraceMs: options.handoverGraceMs ?? HANDOVER_GRACE_MS,
    });
    // Each role reacts to the other role’s call ends only through these hooks.
    const ends = new CallEnds(book, {
      contactLeft: (t, phase) => this.initiator.contactLeft(t, phase),
      contactLeftConsult: (t) => this.recipient.contactLeftConsult(t),
      contactLeftAfterRefer: (t) => this.handover.leftAfterRefer(t),
    });
    this.initiator = new Initiator({
      phone,
      agent: options.agent,
      book,
      messaging,
      handover: this.handover,
      ends,
      prepared: this.prepared,
      consultPingMs,
    });
    this.recipient = new Recipient({
      book,
      messaging,
      ends,
      pending: this.pending,
      colleague: options.colleague,
      perSender,
      maxOffers,
      consultPingMs,
    });
    this.subscriptions.push(
      phone.events.on('incomingCall', (call) => this.recipient.onIncomingCall(call)),
      phone.events.on('message', (message) => this.onMessage(message)),
      phone.authorizeReplaces((replaced, param) => this.recipient.authorizesReplacement(replaced, param('xfer'))),
      phone.onBeforeStop(async () => {
        await this.handover.withdrawLive();
        this.dispose();
      }),
    );
  }

  list(): TransferView[] {
    return this.book.all().map((t) => this.book.view(t));
  }

  get(id: string): TransferView {
    return this.book.view(this.book.find(id));
  }

  /** The transfer a call belongs to, if any (contact leg or consult). */
  forCall(callId: string): TransferView | null {
    const t = this.book.byCall(callId);
    return t ? this.book.view(t) : null;
  }

  // ── initiator ──────────────────────────────────────────────────────────────────────────────

  /**
   * Call when the transfer panel opens: the consult's media is prepared (ICE gathered) while the
   * agent chooses, so Confirm reaches the recipient without waiting for it. Idempotent.
   */
  prepare(contactCallId: string): void {
    this.prepared.prepare(contactCallId);
  }

  /** Confirm transfer. A repeat for the same contact call is judged by the transfer under way. */
  start(request: StartTransfer): Promise<TransferView> {
    return this.initiator.start(request);
  }

  /** Confirm pressed again while transfer `id` is under way: a no-op if the same, else refused. */
  confirmAgain(id: string, method: StartTransfer['method'], targetUri: string): TransferView {
    return this.initiator.confirmAgain(id, method, targetUri);
  }

  /** Complete a warm transfer (initiator only). */
  async complete(id: string): Promise<TransferView> {
    const t = this.book.find(id);
    await this.initiator.complete(t);
    return this.book.view(t);
  }

  /** Take the contact off hold — refused by the rules while a transfer is pending. */
  async unholdContact(id: string): Promise<void> {
    await this.initiator.unholdContact(this.book.find(id));
  }

  /** See Initiator.isCallingOff: a consult called off no longer counts as a call being placed. */
  isCallingOff(callId: string): boolean {
    const t = this.book.byCall(callId);
    return t !== undefined && Initiator.isCallingOff(t, callId);
  }

  // ── recipient ──────────────────────────────────────────────────────────────────────────────

  /** Answer the consult (warm) or the referred contact's call (cold). */
  async accept(id: string): Promise<TransferView> {
    const t = this.book.find(id);
    await this.recipient.accept(t);
    return this.book.view(t);
  }

  async decline(id: string): Promise<TransferView> {
    const t = this.book.find(id);
    await this.recipient.decline(t);
    return this.book.view(t);
  }

  // ── either role ────────────────────────────────────────────────────────────────────────────

  /**
   * Cancel a warm transfer — the recipient's (a colleague's transfer) or the initiator's (an
   * external number's): the consult ends, the contact stays with the initiator, held.
   */
  async cancel(id: string): Promise<TransferView> {
    const t = this.book.find(id);
    if (!this.book.permit(t, 'cancel')) return this.book.view(t);
    if (t.state.role === 'initiator') await this.initiator.cancel(t);
    else await this.recipient.cancel(t);
    return this.book.view(t);
  }

  /**
   * A hang-up from the call controls, for a call that may belong to a transfer. Refused as
   * guardCallCommand says; the hang-up of the consult by whoever may cancel is that Cancel (with
   * everything a Cancel records); the initiator's end of a consult whose contact hung up says so to
   * the recipient. Resolves true when done here, false when the caller should simply hang the call up.
   */
  async hangUp(callId: string): Promise<boolean> {
    this.guardCallCommand(callId, 'hangUp');
    const t = this.book.byCall(callId);
    const consult = t?.consultCall;
    if (!t || !consult || consult.id !== callId) return false;
    if (consultHangUpCancels(t)) {
      await this.cancel(t.id);
      return true;
    }
    if (t.state.role === 'initiator' && t.state.failure?.reason === 'contact-hung-up') {
      await consult.hangUp(CONTACT_GONE_REASON);
      return true;
    }
    return false;
  }

  /**
   * Checks a plain call command (hold, unhold, hang-up) against the transfer the call is part of,
   * so that main refuses what the rules forbid whatever button sent it. Throws TransferRuleViolation.
   */
  guardCallCommand(callId: string, command: CallCommand): void {
    const t = this.book.byCall(callId);
    if (!t) return;
    const action = callCommandAction(t, callId, command);
    if (action === null) return;
    const check = checkAction(t.state.role, t.state.phase, contactHeld(t), action, targetOf(t.state), contactPresence(t));
    if (!check.ok) throw new TransferRuleViolation(check.error);
  }

  /** Media prepared in an engine that is gone (the window reloaded) is useless: drop it. */
  dropPreparedMedia(): void {
    this.prepared.dropAll();
  }

  /** See TransferBook.forgetFinished: a filed wrap-up may let a finished transfer go. */
  forgetFinished(): void {
    this.book.forgetFinished();
  }

  dispose(): void {
    this.book.dispose();
    this.prepared.dropAll();
    for (const s of this.subscriptions.splice(0)) s.dispose();
    this.pending.clear();
  }

  private onMessage(message: IncomingMessage): void {
    routeMessage(message, {
      context: (body, from) => this.recipient.onContext(body, from),
      status: (status, from) => this.onStatus(status, from),
      ...(this.log ? { log: this.log } : {}),
    });
  }

  /** Acts on the other agent's word about a transfer; returns the status to answer with. */
  private onStatus(status: TransferStatus, from: string): number {
    if (status.status === 'withdrawn') {
      const verdict = this.recipient.onWithdrawn(status, from);
      if (verdict !== undefined) return verdict;
    }
    const t = this.book.get(status.transferId);
    const role = status.status === 'connected' ? 'initiator' : 'recipient';
    if (!t || t.state.role !== role) return 481;
    if (!statusIsAuthentic(status, from, { token: t.token, counterpartUri: t.counterpart.uri })) return 403;
    switch (status.status) {
      case 'connected':
        this.handover.handedOver(t, 'word');
        return 200;
      case 'withdrawn':
        // The contact's call already reached us: it is real, whatever the initiator concluded.
        return 200;
      case 'contact-hung-up':
        this.recipient.contactLeftConsult(t);
        return 200;
    }
  }
}

type CallCommand = 'hold' | 'unhold' | 'hangUp';

/**
 * The transfer action a plain call command amounts to; null when the transfer has no say (holding
 * or resuming the consult itself is the two agents' own business).
 */
function callCommandAction(t: Transfer, callId: string, command: CallCommand): TransferAction | null {
  if (t.consultCall?.id === callId) {
    if (command !== 'hangUp') return null;
    return consultHangUpCancels(t) ? 'cancel' : 'hangUpConsult';
  }
  switch (command) {
    case 'hold':
      return 'holdContact';
    case 'unhold':
      return 'unholdContact';
    case 'hangUp':
      return 'hangUpContact';
  }
}

/** Whoever may cancel the consult (see transferRules) does so by hanging it up. */
function consultHangUpCancels(t: Transfer): boolean {
  const { role, phase } = t.state;
  if (role === 'recipient') return phase === 'consulting';
  return targetOf(t.state) === 'external' && (phase === 'consultRinging' || phase === 'consulting');
}

export type { ContactInfo, TransferView } from '../../../shared/transfer/index.js';
