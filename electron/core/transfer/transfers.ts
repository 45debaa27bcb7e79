/**
 * User transfers at one agent's desk, as initiator or recipient, over the phone's calls.
 *
 * The rules live in shared/transfer (pure, table-tested); this class applies them where the calls
 * live: every command is checked by `checkAction` before any SIP is sent, and every SIP event is fed
 * to `transferTransition`, so the state a desk shows is the state the machine allows. The SIP
 * mapping is ARCHITECTURE.md's: cold = context MESSAGE then REFER with a `;xfer=` token; warm =
 * contact held, consult INVITE carrying the context header, REFER with Replaces to complete — or,
 * for a contact phone that does not declare Replaces, a REFER to the recipient's end of the consult
 * with the token alone: the recipient links the contact's new call to the transfer by it and ends
 * the consult itself. A phone that takes no REFER at all (405, 501, 603) ends the transfer.
 * Beside SIP, the agents tell each other what only one of them sees (transferStatus.ts): the
 * contact arrived, a cold transfer is withdrawn, the contact hung up mid-consult.
 *
 * To an external number (target 'external') the far end runs no Baton: no context, no secret, no
 * status words. Cold = REFER to `sip:<E.164>@<domain>` through the SIP server; warm = contact held,
 * a plain consult call to the number, which the initiator may cancel (the consult ends, the contact
 * stays held here) or complete: REFER with Replaces, or — for a contact phone without Replaces — the
 * consult ended first and the contact REFERred to the number, a failure of which then ends the
 * transfer (there is no consult to go back to).
 *
 * Trust (docs/TRUST.md): each transfer has a secret (`token`, 128 random bits) that only the
 * recipient (context) and the contact's phone (Refer-To parameter) are given. A context is taken
 * only from the roster colleague it names as initiator, and nothing in it is written to History
 * until the transfer connects; a status word, a referred INVITE or a Replaces acts on a transfer
 * only with its secret. Cold contexts waiting and consults offered count against the same bounds.
 * A `;xfer=` secret that names none of our live transfers makes no transfer: a spent one (a
 * transfer here that settled) is refused, any other gives a plain call.
 */
import type { Log } from '../log/log.js';
import { randomBytes, randomUUID } from 'node:crypto';
import { receivedEntryId, type ContactHistoryEntry, type HistoryActor, type HistoryOrigin } from '../../../shared/history.js';
import {
  TRANSFER_CONTEXT_CONTENT_TYPE,
  TRANSFER_CONTEXT_HEADER,
  TransferContextError,
  contextJson,
  decodeContextHeader,
  decodeContextJson,
  encodeContextHeader,
  noteProblem,
  type ContextProblem,
  type TransferContext,
} from '../../../shared/transfer/context.js';
import {
  allowedActions,
  checkAction,
  dispositionDue,
  initiatorTransfer,
  isSettled,
  recipientTransfer,
  targetOf,
  transferTransition,
  type TransferAction,
  type TransferCall,
  type TransferEvent,
  type TransferFailureReason,
  type TransferMethod,
  type TransferRuleError,
  type TransferState,
  type TransferView,
  type ContactInfo,
} from '../../../shared/transfer/index.js';
import type { CallEnd } from '../../../shared/phone.js';
import type { Call, ReferProgress } from '../sip/call.js';
import type { IncomingMessage, Phone } from '../sip/phone.js';
import type { PreparedMedia } from '../sip/bridgedSdh.js';
import { TypedEmitter } from '../typedEmitter.js';
import {
  TRANSFER_STATUS_CONTENT_TYPE,
  decodeTransferStatus,
  encodeTransferStatus,
  addressOfRecord,
  sameSecret,
  statusIsAuthentic,
  type TransferStatus,
  type TransferStatusWord,
} from './transferStatus.js';
import type { Colleague, ColleagueLookup } from './colleagues.js';
import { DEFAULT_PENDING_LIMITS, PendingContexts, type PendingContext } from './pendingContexts.js';
import { reasonForContextStatus, reasonForEnd, reasonForStatus, reasonForUnansweredReferral } from './failureReasons.js';

export interface TransferTarget {
  readonly userId: string;
  readonly name: string;
  /** The colleague's SIP address of record. */
  readonly uri: string;
}

/** A number outside the directory, already checked against the dial plan. */
export interface ExternalTarget {
  readonly kind: 'external';
  /** E.164, as sent. */
  readonly number: string;
  /** The speed-dial name, or the number as the agent reads it. */
  readonly name: string;
  /** Where it is dialled: `sip:<E.164>@<domain>`, through the SIP server. */
  readonly uri: string;
}

export interface StartTransfer {
  readonly method: TransferMethod;
  /** Our call with the contact. */
  readonly contactCallId: string;
  readonly recipient: TransferTarget | ExternalTarget;
  readonly outcome: { readonly id: string; readonly label: string };
  readonly note: string;
  readonly contact: ContactInfo;
  readonly history?: readonly ContactHistoryEntry[];
}

export interface TransferEvents {
  changed: TransferView;
  /** Recipient: a colleague is handing us a contact — drives the toast, even during another call. */
  incoming: { readonly transfer: TransferView; readonly call: Call };
  /** A transfer's call ended and the agent owes a disposition for it. */
  dispositionDue: {
    readonly callId: string;
    readonly transferId: string;
    readonly prefill: { readonly id: string; readonly label: string } | null;
  };
  /** A finished transfer left (its last duty done): the desk stops listing it; History keeps its story. */
  forgotten: { readonly transferId: string };
}

/** A command the product's rules refuse; `code` is stable for the UI and logs. */
export class TransferRuleViolation extends Error {
  override readonly name = 'TransferRuleViolation';
  readonly code: TransferRuleError['code'];
  constructor(error: TransferRuleError) {
    super(error.message);
    this.code = error.code;
  }
}

export class TransferNotFound extends Error {
  override readonly name = 'TransferNotFound';
}

/** Whose account an entry is: the agent's own doing, or what a colleague's transfer context said. */
export type { HistoryOrigin };

/** Where the transfers write History; the desk's store implements it. */
export interface TransferHistorySink {
  append(entries: readonly ContactHistoryEntry[], origin: HistoryOrigin): void;
}

export interface TransfersOptions {
  readonly agent: HistoryActor;
  readonly history?: TransferHistorySink;
  /**
   * The roster: which sender may hand us a contact, and its id and name (never the document's).
   * Without it no transfer context is accepted.
   */
  readonly colleague?: ColleagueLookup;
  /**
   * Transfers offered here at once — cold contexts waiting and warm consults not yet settled or
   * connected — from one colleague, and in all. Excess is refused 486 / 503.
   */
  readonly maxPendingPerColleague?: number;
  readonly maxPending?: number;
  /** No final NOTIFY (or status MESSAGE) within this long after a REFER's 202 → failed, contact kept. */
  readonly referTimeoutMs?: number;
  /**
   * Cold: once the contact's new call rings at the colleague's (a 18x sipfrag), how much longer to
   * wait for the final NOTIFY; the colleague's phone refuses an unanswered call after 60 s.
   */
  readonly referRingingMs?: number;
  /** How often each side probes the consult dialog to notice the other agent's connection is gone. */
  readonly consultPingMs?: number;
  /**
   * How long a cold context waits at the recipient for the contact's INVITE. Past it the context is
   * dropped: a later call from the same number is a plain call.
   */
  readonly pendingContextMs?: number;
  /** How long a status MESSAGE is retried while the other agent reconnects. */
  readonly statusRetryMs?: number;
  /**
   * Initiator: after the recipient's "connected" word, how long we stay on the contact's call
   * waiting for its final NOTIFY before leaving anyway. Ending our leg before that NOTIFY makes it
   * meet a 481 (or a desk phone never sends it).
   */
  readonly handoverGraceMs?: number;
  /** Where each transfer's moves are logged (ids, phases, failure reasons; never notes or tokens). */
  readonly log?: Pick<Log, 'info' | 'warn'>;
  /**
   * Whether a wrap-up is still owed for a call (the desk's dispositionsDue): a settled transfer stays
   * until the wrap-ups of its calls are filed — the wrap-up screen names the transfer. Given, finished
   * transfers are forgotten (forgetFinished); without it (the lab's bare bots, which read a transfer's
   * end state after its calls) none is.
   */
  readonly owed?: (callId: string) => boolean;
}

const PREPARED_MEDIA_TTL_MS = 120_000;
/** 128 bits in base64url: a shorter secret from a colleague's desk is refused, not trusted. */
const MIN_TOKEN_CHARS = 22;
const CANCEL_TEXT = 'transfer cancelled by recipient';
const CANCEL_REASON = `SIP;cause=487;text="${CANCEL_TEXT}"`;
/**
 * On the initiator's BYE of a consult whose contact hung up: the recipient learns it from the status
 * MESSAGE already, and from this if that MESSAGE was lost, instead of concluding a lost connection.
 */
const CONTACT_GONE_REASON = 'SIP;cause=200;text="contact hung up"';
const CONTACT_GONE_TEXT = 'contact hung up';
/** On the initiator's BYE of the consult when the contact's phone takes no REFER: the recipient says why. */
const NO_REFER_TEXT = 'contact phone takes no transfer';
const NO_REFER_REASON = `SIP;cause=200;text="${NO_REFER_TEXT}"`;
/**
 * On the recipient's BYE of a consult whose contact arrived without Replaces: the initiator must not
 * take it for a cancel, even if it has just given up waiting for its REFER's outcome.
 */
const CONTACT_ARRIVED_TEXT = 'contact arrived';
const CONTACT_ARRIVED_REASON = `SIP;cause=200;text="${CONTACT_ARRIVED_TEXT}"`;
/** Statuses of a consult ping that mean the other agent is gone (not merely busy). */
const GONE = new Set([404, 408, 410, 480, 481, 477, 500, 502, 503, 504]);

interface Transfer {
  readonly id: string;
  state: TransferState;
  token: string;
  contactCall: Call | null;
  consultCall: Call | null;
  counterpart: { name: string; uri: string; number?: string };
  contact: ContactInfo | null;
  outcome: { id: string; label: string } | null;
  note: string;
  history: readonly ContactHistoryEntry[];
  contextProblem: ContextProblem | 'missing' | null;
  /** Timers of the transfer under way; cleared when it settles. */
  timers: Set<NodeJS.Timeout>;
  /** Timers that outlive settling (leaving the contact after the handover, a deferred withdrawal). */
  later: Set<NodeJS.Timeout>;
  /** Something rang at the recipient's (a 18x to the consult, or in a NOTIFY sipfrag). */
  rang: boolean;
  /** Initiator, cold: the recipient holds our context, so a failure owes it a withdrawal. */
  contextDelivered: boolean;
  withdrawn: boolean;
  /** Recipient: the colleague's context, written to History only once the contact has arrived. */
  received: TransferContext | null;
  /** Recipient: the roster colleague handing us the contact. */
  from: Colleague | null;
  /**
   * Recipient, warm: the contact's call came without Replaces (its phone has none) and took the
   * consult's place by the secret; we end the consult ourselves.
   */
  tookOverConsult: boolean;
  /**
   * Recipient, warm: contact calls that came by the secret and ended before the contact arrived
   * (the attempt failed, the consult goes on). Still this transfer's, so they owe nothing.
   */
  failedAttempts: Call[];
  /**
   * Initiator, external, warm without Replaces: the consult was ended before the REFER, so a failed
   * REFER ends the transfer instead of going back to the consult.
   */
  consultGone: boolean;
}

/** How long, and how many, secrets of settled transfers are remembered to refuse a late INVITE. */
const SPENT_SECRET_MS = 10 * 60_000;
const SPENT_SECRETS_MAX = 256;

/** Media prepared for a contact's call, until a consult takes it or it is released. */
interface Prepared {
  readonly media: PreparedMedia;
  readonly expiry: NodeJS.Timeout;
  readonly onEnded: { dispose(): void };
}

export class Transfers {
  readonly events: TypedEmitter<TransferEvents>;
  /**
   * Transfers the desk still shows: under way, or settled while one of their calls lasts, a wrap-up
   * for one of them is owed, or late news may still come (a `later` timer). Then they are forgotten,
   * so a shift of hundreds of transfers keeps only what is live.
   */
  private readonly transfers = new Map<string, Transfer>();
  private readonly pending: PendingContexts;
  /** Secrets of recipient transfers forgotten here, remembered for a while (SPENT_SECRET_MS). */
  private readonly spentSecrets: Array<{ readonly token: string; readonly until: number }> = [];
  private readonly perSender: number;
  private readonly maxOffers: number;
  private readonly prepared = new Map<string, Prepared>();
  private sweep: NodeJS.Immediate | undefined;
  private readonly referTimeoutMs: number;
  private readonly referRingingMs: number;
  private readonly consultPingMs: number;
  private readonly statusRetryMs: number;
  private readonly handoverGraceMs: number;
  private disposed = false;
  private readonly subscriptions: Array<{ dispose(): void }> = [];

  constructor(
    private readonly phone: Phone,
    private readonly options: TransfersOptions,
  ) {
    this.events = new TypedEmitter<TransferEvents>();
    this.referTimeoutMs = options.referTimeoutMs ?? 32_000;
    this.referRingingMs = options.referRingingMs ?? 70_000;
    this.consultPingMs = options.consultPingMs ?? 3000;
    this.perSender = options.maxPendingPerColleague ?? DEFAULT_PENDING_LIMITS.perSender;
    this.maxOffers = options.maxPending ?? DEFAULT_PENDING_LIMITS.total;
    this.pending = new PendingContexts({
      ttlMs: options.pendingContextMs ?? DEFAULT_PENDING_LIMITS.ttlMs,
      perSender: this.perSender,
      total: this.maxOffers,
    });
    this.statusRetryMs = options.statusRetryMs ?? 60_000;
    this.handoverGraceMs = options.handoverGraceMs ?? 4000;
    this.subscriptions.push(
      phone.events.on('incomingCall', (call) => this.onIncomingCall(call)),
      phone.events.on('message', (message) => this.onMessage(message)),
      phone.authorizeReplaces((replaced, param) => this.authorizesReplacement(replaced, param('xfer'))),
      phone.onBeforeStop(async () => {
        await this.withdrawLive();
        this.dispose();
      }),
    );
  }

  list(): TransferView[] {
    return [...this.transfers.values()].map((t) => this.view(t));
  }

  get(id: string): TransferView {
    return this.view(this.find(id));
  }

  /** The transfer a call belongs to, if any (contact leg or consult). */
  forCall(callId: string): TransferView | null {
    const t = this.byCall(callId);
    return t ? this.view(t) : null;
  }

  // ── initiator ──────────────────────────────────────────────────────────────────────────────

  /**
   * Call when the transfer panel opens: the consult's media is prepared (ICE gathered) while the
   * agent chooses, so Confirm reaches the recipient without waiting for it. Idempotent.
   */
  prepare(contactCallId: string): void {
    if (this.prepared.has(contactCallId)) return;
    const contactCall = this.phone.calls().find((c) => c.id === contactCallId);
    if (!contactCall || contactCall.state !== 'established') return;
    const media = this.phone.prepareMedia();
    const release = (): void => {
      if (this.prepared.get(contactCallId)?.media !== media) return;
      const taken = this.takePrepared(contactCallId);
      if (taken) this.phone.releaseMedia(taken);
    };
    // Host candidates stay valid, but an offer days old is not worth keeping.
    const expiry = setTimeout(release, PREPARED_MEDIA_TTL_MS);
    expiry.unref();
    this.prepared.set(contactCallId, { media, expiry, onEnded: contactCall.events.on('ended', release) });
  }

  /** The media prepared for a contact's call, now the caller's to use or release; nothing here keeps it. */
  private takePrepared(contactCallId: string): PreparedMedia | undefined {
    const entry = this.prepared.get(contactCallId);
    if (!entry) return undefined;
    this.prepared.delete(contactCallId);
    clearTimeout(entry.expiry);
    entry.onEnded.dispose();
    return entry.media;
  }

  /** Confirm transfer. Idempotent: a repeat for the same contact call returns the transfer under way. */
  async start(request: StartTransfer): Promise<TransferView> {
    const contactCall = this.phone.calls().find((c) => c.id === request.contactCallId);
    if (!contactCall || contactCall.state !== 'established') {
      throw new TransferRuleViolation({ kind: 'transfer-rule', code: 'not-in-phase', message: 'There is no connected call with this contact.' });
    }
    const existing = [...this.transfers.values()].find(
      (t) => t.contactCall === contactCall && t.state.role === 'initiator' && !isSettled(t.state.phase),
    );
    if (existing) return this.view(existing);
    const problem = noteProblem(request.note);
    if (problem) throw new TransferContextError('note-too-long', problem);
    const external = 'kind' in request.recipient ? request.recipient : null;

    const t: Transfer = {
      id: randomUUID(),
      state: initiatorTransfer(external ? 'external' : 'user'),
      // An external party is given no secret: nothing at its end could check one.
      token: external ? '' : randomBytes(16).toString('base64url'),
      contactCall,
      consultCall: null,
      counterpart: { name: request.recipient.name, uri: request.recipient.uri, ...(external ? { number: external.number } : {}) },
      contact: request.contact,
      outcome: request.outcome,
      note: request.note,
      history: (request.history ?? []).map(forContext),
      contextProblem: null,
      timers: new Set(),
      later: new Set(),
      rang: false,
      contextDelivered: false,
      withdrawn: false,
      received: null,
      from: null,
      tookOverConsult: false,
      failedAttempts: [],
      consultGone: false,
    };
    if (external) return this.startExternal(t, request.method, contactCall);
    const context = this.contextFor(t, request.method);
    // Encode before anything is sent: a context that cannot be sent is refused while the panel is open.
    const json = contextJson(context);
    this.transfers.set(t.id, t);
    this.apply(t, { type: 'confirmed', method: request.method });
    this.record(t, 'transfer-started', this.options.agent, `${request.method} transfer to ${request.recipient.name}`);
    contactCall.events.on('ended', () => this.onContactEnded(t));

    if (request.method === 'cold') void this.runCold(t, json);
    else await this.startConsult(t, context);
    return this.view(t);
  }

  private async startExternal(t: Transfer, method: TransferMethod, contactCall: Call): Promise<TransferView> {
    this.transfers.set(t.id, t);
    this.apply(t, { type: 'confirmed', method });
    this.record(t, 'transfer-started', this.options.agent, `${method} transfer to ${this.externalName(t)}`);
    contactCall.events.on('ended', () => this.onContactEnded(t));
    if (method === 'cold') void this.referToNumber(t);
    else await this.startConsult(t, null);
    return this.view(t);
  }

  /** "Supplier hotline (+15550100100)", or the number alone when that is all the agent typed. */
  private externalName(t: Transfer): string {
    const { name, number } = t.counterpart;
    return number === undefined || name === number ? name : `${name} (${number})`;
  }

  /**
   * External: the contact's phone is sent to the number through the SIP server (cold, or warm once
   * the consult is gone); its NOTIFYs report the number's answer as for a colleague.
   */
  private async referToNumber(t: Transfer): Promise<void> {
    const contactCall = this.contactCallOf(t);
    const target = this.phone.targetUri(t.counterpart.uri);
    try {
      await contactCall.refer(
        { user: target.user ?? '', host: target.host, ...(target.port ? { port: target.port } : {}), params: {} },
        { onProgress: (p) => this.onReferProgress(t, p) },
      );
      this.apply(t, { type: 'referAccepted' });
      this.armReferTimeout(t);
    } catch {
      const refused = contactCall.peer.refer.kind === 'refused-method';
      this.referFailed(t, refused ? 'refer-unsupported' : 'refer-rejected');
      this.record(t, 'transfer-failed', this.options.agent, 'the contact’s phone refused the transfer');
    }
  }

  /** A REFER did not hand the contact over: back to the consult if there is one, else the transfer fails. */
  private referFailed(t: Transfer, reason: TransferFailureReason): void {
    this.apply(t, t.consultGone ? { type: 'referRefused', reason } : { type: 'referFailed', reason });
  }

  /** Complete a warm transfer (initiator only). */
  async complete(id: string): Promise<TransferView> {
    const t = this.find(id);
    if (!this.permit(t, 'complete')) return this.view(t);
    const consult = t.consultCall;
    const contact = t.contactCall;
    if (!consult || !contact) throw new TransferRuleViolation({ kind: 'transfer-rule', code: 'not-in-phase', message: 'The consult is not connected.' });
    this.apply(t, { type: 'completeRequested' });
    if (targetOf(t.state) === 'external') {
      await this.completeExternal(t, contact, consult);
      return this.view(t);
    }
    // Replaces whenever the contact's phone declares it: its new call takes over the consult in one
    // step. A phone that does not would fold the Replaces into its new INVITE's Request-URI, so it is
    // sent to the recipient's end of the consult with the secret alone.
    const replaces = contact.peerSupportsReplaces;
    try {
      // The secret rides in the Refer-To: the recipient takes the contact's new call only with it.
      await contact.refer(consult, { onProgress: (p) => this.onReferProgress(t, p), params: { xfer: t.token }, replaces });
      this.apply(t, { type: 'referAccepted' });
      this.armReferTimeout(t);
    } catch {
      if (contact.peer.refer.kind === 'refused-method') this.contactCannotBeTransferred(t);
      else this.apply(t, { type: 'referFailed', reason: 'refer-rejected' });
    }
    return this.view(t);
  }

  /**
   * External, warm: with Replaces the contact's phone takes over the consult at the far end in one
   * step. Without, a REFER to the consult's far end would ring it a second time while we still talk
   * to it, so the consult ends first and the contact is sent to the number.
   */
  private async completeExternal(t: Transfer, contact: Call, consult: Call): Promise<void> {
    if (contact.peerSupportsReplaces) {
      try {
        await contact.refer(consult, { onProgress: (p) => this.onReferProgress(t, p), replaces: true });
        this.apply(t, { type: 'referAccepted' });
        this.armReferTimeout(t);
      } catch {
        if (contact.peer.refer.kind === 'refused-method') this.contactCannotBeTransferred(t);
        else this.apply(t, { type: 'referFailed', reason: 'refer-rejected' });
      }
      return;
    }
    t.consultGone = true;
    await consult.hangUp().catch(() => {});
    await this.referToNumber(t);
  }

  /**
   * Initiator, warm: the contact's phone takes no REFER, so no completion can work. The transfer
   * fails, the consult ends (saying why, for the recipient's account) and the contact stays here,
   * held until the agent takes it off hold.
   */
  private contactCannotBeTransferred(t: Transfer): void {
    if (!this.apply(t, { type: 'referRefused', reason: 'refer-unsupported' })) return;
    this.record(t, 'transfer-failed', this.options.agent, 'the contact’s phone cannot be transferred');
    void t.consultCall?.hangUp(NO_REFER_REASON).catch(() => {});
  }

  /** Take the contact off hold — refused by the rules while a transfer is pending. */
  async unholdContact(id: string): Promise<void> {
    const t = this.find(id);
    if (!this.permit(t, 'unholdContact')) return;
    await this.contactCallOf(t).unhold();
    this.changed(t);
  }

  // ── recipient ──────────────────────────────────────────────────────────────────────────────

  /** Answer the consult (warm) or the referred contact's call (cold). */
  async accept(id: string): Promise<TransferView> {
    const t = this.find(id);
    if (!this.permit(t, 'accept')) return this.view(t);
    const call = t.state.method === 'warm' ? t.consultCall : t.contactCall;
    await call?.answer();
    return this.view(t);
  }

  async decline(id: string): Promise<TransferView> {
    const t = this.find(id);
    if (!this.permit(t, 'decline')) return this.view(t);
    const call = t.state.method === 'warm' ? t.consultCall : t.contactCall;
    await call?.decline(603);
    return this.view(t);
  }

  /**
   * Cancel a warm transfer — the recipient's (a colleague's transfer) or the initiator's (an
   * external number's): the consult ends, the contact stays with the initiator, held.
   */
  async cancel(id: string): Promise<TransferView> {
    const t = this.find(id);
    if (!this.permit(t, 'cancel')) return this.view(t);
    if (t.state.role === 'initiator') {
      this.apply(t, { type: 'initiatorCancelled' });
      this.record(t, 'transfer-cancelled', this.options.agent, `cancelled before handing over to ${this.externalName(t)}`);
      await t.consultCall?.hangUp().catch(() => {});
      return this.view(t);
    }
    this.apply(t, { type: 'recipientCancelled' });
    this.record(t, 'transfer-cancelled', this.options.agent, 'cancelled by the recipient');
    await t.consultCall?.hangUp(CANCEL_REASON);
    return this.view(t);
  }

  /**
   * A hang-up from the call controls, for a call that may belong to a transfer. Refused as
   * guardCallCommand says; the recipient's hang-up of the consult is its Cancel (with everything a
   * Cancel records); the initiator's end of a consult whose contact hung up says so to the recipient.
   * Resolves true when done here, false when the caller should simply hang the call up.
   */
  async hangUp(callId: string): Promise<boolean> {
    this.guardCallCommand(callId, 'hangUp');
    const t = this.byCall(callId);
    const consult = t?.consultCall;
    if (!t || !consult || consult.id !== callId) return false;
    if (this.consultHangUpCancels(t)) {
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
  guardCallCommand(callId: string, command: 'hold' | 'unhold' | 'hangUp'): void {
    const t = this.byCall(callId);
    if (!t) return;
    const isConsult = t.consultCall?.id === callId;
    const action: TransferAction = isConsult
      ? command === 'hangUp'
        ? this.consultHangUpCancels(t)
          ? 'cancel'
          : 'hangUpConsult'
        : 'accept' // hold/unhold of the consult itself is the agents' own business
      : command === 'hold'
        ? 'holdContact'
        : command === 'unhold'
          ? 'unholdContact'
          : 'hangUpContact';
    if (isConsult && command !== 'hangUp') return;
    const check = checkAction(t.state.role, t.state.phase, this.contactHeld(t), action, targetOf(t.state));
    if (!check.ok) throw new TransferRuleViolation(check.error);
  }

  /** Whoever may cancel the consult (see transferRules) does so by hanging it up. */
  private consultHangUpCancels(t: Transfer): boolean {
    const { role, phase } = t.state;
    if (role === 'recipient') return phase === 'consulting';
    return targetOf(t.state) === 'external' && (phase === 'consultRinging' || phase === 'consulting');
  }

  /** Media prepared in an engine that is gone (the window reloaded) is useless: drop it. */
  dropPreparedMedia(): void {
    for (const callId of [...this.prepared.keys()]) {
      const media = this.takePrepared(callId);
      if (media) this.phone.releaseMedia(media);
    }
  }

  /**
   * Forgets, soon, every transfer whose last duty is done: settled, its calls ended, no wrap-up owed
   * for them and no late news awaited. Soon and not now: the desk's own handling of a call's end
   * (a microtask after the transfers' listeners) still asks which transfer the call belonged to.
   */
  forgetFinished(): void {
    if (this.sweep !== undefined || this.disposed || !this.options.owed) return;
    this.sweep = setImmediate(() => {
      this.sweep = undefined;
      for (const t of [...this.transfers.values()]) {
        if (!this.finished(t)) continue;
        this.clearTimers(t);
        this.transfers.delete(t.id);
        if (t.state.role === 'recipient' && t.token !== '') this.rememberSpent(t.token);
        this.events.emit('forgotten', { transferId: t.id });
      }
    });
  }

  private finished(t: Transfer): boolean {
    if (!isSettled(t.state.phase) || t.later.size > 0) return false;
    for (const call of [t.contactCall, t.consultCall]) {
      if (call && (call.state !== 'ended' || this.options.owed?.(call.id))) return false;
    }
    return true;
  }

  dispose(): void {
    this.disposed = true;
    if (this.sweep !== undefined) clearImmediate(this.sweep);
    this.sweep = undefined;
    for (const t of this.transfers.values()) {
      this.clearTimers(t);
      for (const handle of t.later) clearTimeout(handle);
      t.later.clear();
    }
    this.dropPreparedMedia();
    for (const s of this.subscriptions.splice(0)) s.dispose();
    this.pending.clear();
  }

  // ── cold ───────────────────────────────────────────────────────────────────────────────────

  private async runCold(t: Transfer, json: string): Promise<void> {
    const contactCall = this.contactCallOf(t);
    // The context goes straight to the recipient: the contact's phone may drop anything we put in
    // the Refer-To (ARCHITECTURE.md). A recipient that cannot be reached fails the transfer here,
    // before the contact is touched.
    const status = await this.message(t.counterpart.uri, TRANSFER_CONTEXT_CONTENT_TYPE, json);
    if (status >= 300) {
      this.apply(t, { type: 'referFailed', reason: reasonForContextStatus(status) });
      this.record(t, 'transfer-failed', this.options.agent, `recipient unreachable (${status})`);
      return;
    }
    t.contextDelivered = true;
    if (isSettled(t.state.phase)) {
      // The contact hung up while the context travelled: no REFER went out, nothing will come.
      this.withdraw(t);
      return;
    }
    const target = this.phone.targetUri(t.counterpart.uri);
    try {
      await contactCall.refer(
        { user: target.user ?? '', host: target.host, ...(target.port ? { port: target.port } : {}), params: { xfer: t.token } },
        { onProgress: (p) => this.onReferProgress(t, p) },
      );
      this.apply(t, { type: 'referAccepted' });
      this.armReferTimeout(t);
    } catch {
      this.apply(t, { type: 'referFailed', reason: 'refer-rejected' });
      this.record(t, 'transfer-failed', this.options.agent, 'the contact’s phone refused the transfer');
      this.withdraw(t);
    }
  }

  private onReferProgress(t: Transfer, progress: ReferProgress): void {
    if (progress.kind === 'trying') {
      if (progress.status >= 180 && progress.status < 190) t.rang = true;
      return;
    }
    if (progress.kind === 'succeeded') {
      this.onHandedOver(t, 'notify');
      return;
    }
    // The recipient's word came first: the contact is there whatever its phone now reports.
    if (t.state.phase === 'completed') return;
    this.clearTimers(t);
    let reason = reasonForStatus(progress.status, t.rang);
    // Warm: the contact's new call failing is not the contact leaving — its call with us is still up.
    if (reason === 'contact-hung-up' && t.state.method === 'warm' && t.contactCall?.state === 'established') reason = 'not-connected';
    this.referFailed(t, reason);
    this.record(t, 'transfer-failed', this.options.agent, `not connected (${progress.status})`);
    this.withdraw(t);
  }

  /**
   * The contact is with the recipient: its phone's final NOTIFY 200, or the recipient's word. On the
   * NOTIFY (already answered 200 by the time we get here) we leave the contact's call at once; on the
   * word we wait for that NOTIFY, at most handoverGraceMs, so it never meets a 481.
   */
  private onHandedOver(t: Transfer, via: 'notify' | 'word'): void {
    if (t.state.phase !== 'completed') {
      // The machine judges late news (a word after our own bound ran out) and refuses the rest.
      if (!this.apply(t, { type: 'referSucceeded' })) return;
      this.clearTimers(t);
      this.record(t, 'transfer-completed', this.options.agent, `handed to ${targetOf(t.state) === 'external' ? this.externalName(t) : t.counterpart.name}`);
    }
    if (via === 'notify') this.leaveContact(t);
    else if (t.later.size === 0) this.later(t, this.handoverGraceMs, () => this.leaveContact(t));
  }

  /** Neither kind of contact phone hangs up on the transferor (ARCHITECTURE.md): we do. */
  private leaveContact(t: Transfer): void {
    for (const handle of t.later) clearTimeout(handle);
    t.later.clear();
    void t.contactCall?.hangUp().catch(() => {});
    void t.consultCall?.hangUp().catch(() => {});
  }

  private armReferTimeout(t: Transfer, extended = false): void {
    this.timer(t, extended ? this.referRingingMs : this.referTimeoutMs, () => {
      // The contact's phone did act: its new call rings at the colleague's. Ringing has its own end
      // (the colleague's no-answer refusal reaches us in a NOTIFY), so wait for that, once.
      if (t.rang && !extended && t.state.phase === 'referring') {
        this.armReferTimeout(t, true);
        return;
      }
      if (t.state.phase === 'referring' || t.state.phase === 'completing') {
        this.referFailed(t, 'refer-ignored');
        this.record(t, 'transfer-failed', this.options.agent, 'the contact’s phone did not act on the transfer');
        this.withdraw(t);
      }
    });
  }

  /**
   * Initiator, cold: the transfer will not happen, so the context waiting at the recipient goes.
   * Never after the recipient's word (completed): the contact is then really there.
   */
  private withdraw(t: Transfer): void {
    if (t.state.role !== 'initiator' || t.state.method !== 'cold' || !t.contextDelivered || t.withdrawn) return;
    if (t.state.phase === 'completed') return;
    t.withdrawn = true;
    void this.sendStatus(t, 'withdrawn');
  }

  /** Before the phone stops: cold transfers still waiting are withdrawn (one attempt each). */
  private async withdrawLive(): Promise<void> {
    const live = [...this.transfers.values()].filter(
      (t) => t.state.role === 'initiator' && t.state.method === 'cold' && t.contextDelivered && !t.withdrawn && t.state.phase === 'referring',
    );
    await Promise.all(
      live.map(async (t) => {
        t.withdrawn = true;
        await this.message(t.counterpart.uri, TRANSFER_STATUS_CONTENT_TYPE, this.statusBody(t, 'withdrawn'), 1500);
      }),
    );
  }

  // ── warm ───────────────────────────────────────────────────────────────────────────────────

  /** `context` null: an external number, which is called like any other number. */
  private async startConsult(t: Transfer, context: TransferContext | null): Promise<void> {
    const contactCall = this.contactCallOf(t);
    const prepared = this.takePrepared(contactCall.id);
    // The hold and the consult INVITE go out together: the recipient's toast should not wait for
    // the contact's re-INVITE round trip, and nobody can talk to the recipient before it answers.
    // A phone without Replaces may be one that never hears again once our SDP holds it (baresip
    // 1.0.0): it is held by our microphone alone, and hears us again when taken off hold.
    if (!contactCall.peerSupportsReplaces) contactCall.holdsBySilence = true;
    const holding = contactCall.held ? Promise.resolve() : contactCall.hold();
    let consult: Call;
    try {
      const headers = context ? [`${TRANSFER_CONTEXT_HEADER}: ${encodeContextHeader(context)}`] : [];
      consult = await this.phone.call(t.counterpart.uri, headers, prepared);
    } catch {
      await holding.catch(() => {});
      this.apply(t, { type: 'consultFailed', reason: 'not-connected' });
      this.record(t, 'transfer-failed', this.options.agent, 'the consult call could not be placed');
      return;
    }
    this.attachConsult(t, consult);
    try {
      await holding;
    } catch {
      // Never consult while the contact can hear: no hold, no transfer.
      void consult.hangUp().catch(() => {});
      this.apply(t, { type: 'consultFailed', reason: 'hold-refused' });
      this.record(t, 'transfer-failed', this.options.agent, 'the contact could not be put on hold');
    }
  }

  private attachConsult(t: Transfer, consult: Call): void {
    t.consultCall = consult;
    if (consult.state === 'ringing') t.rang = true;
    consult.events.on('state', (state) => {
      if (state === 'ringing') t.rang = true;
      if (state !== 'established') return;
      this.apply(t, { type: 'consultAnswered' });
      // An external party is not a colleague's desk that may vanish unseen: its network ends calls.
      if (targetOf(t.state) === 'user') this.watchConsult(t);
    });
    consult.events.on('ended', (end) => this.onConsultEnded(t, end));
    this.changed(t);
  }

  /** Either agent's side: probe the consult so a vanished colleague does not leave us waiting. */
  private watchConsult(t: Transfer): void {
    const probe = async (): Promise<void> => {
      const consult = t.consultCall;
      if (!consult || consult.state !== 'established' || isSettled(t.state.phase)) return;
      const status = await consult.ping(Math.min(this.consultPingMs, 4000));
      if (consult.state !== 'established' || isSettled(t.state.phase)) return;
      if (GONE.has(status)) {
        this.apply(t, { type: 'peerConnectionLost' });
        this.record(t, 'transfer-failed', this.options.agent, 'the other agent’s connection was lost');
        void consult.hangUp().catch(() => {});
        return;
      }
      this.timer(t, this.consultPingMs, () => void probe());
    };
    this.timer(t, this.consultPingMs, () => void probe());
  }

  private onConsultEnded(t: Transfer, end: CallEnd): void {
    this.forgetFinished();
    const { role, phase } = t.state;
    const consultId = t.consultCall?.id;
    if (phase === 'consultRinging') {
      if (this.apply(t, { type: 'consultFailed', reason: reasonForEnd(end, t.rang) })) {
        this.record(t, 'transfer-failed', this.options.agent, `consult ${end.reason}`);
      }
    } else if (phase === 'consulting' && end.reason === 'hung-up-remote' && role === 'initiator' && !t.consultCall?.remoteReason?.includes(CONTACT_ARRIVED_TEXT)) {
      this.apply(t, { type: 'recipientCancelled' });
      if (targetOf(t.state) === 'external') this.record(t, 'transfer-cancelled', this.options.agent, `${this.externalName(t)} hung up the consult`);
      else this.record(t, 'transfer-cancelled', { id: 'recipient', name: t.counterpart.name }, 'cancelled by the recipient');
    } else if (phase === 'completing' && role === 'initiator' && end.reason === 'hung-up-remote' && t.consultCall?.remoteReason?.includes(CANCEL_TEXT)) {
      // The recipient cancelled as our REFER went out: the contact, not yet gone, stays with us. Its
      // phone may still call the recipient with the secret, which the recipient then refuses.
      this.apply(t, { type: 'recipientCancelled' });
      this.record(t, 'transfer-cancelled', { id: 'recipient', name: t.counterpart.name }, 'cancelled by the recipient');
    } else if (phase === 'consulting' && role === 'recipient' && !this.replacedBy(t)) {
      // The initiator may end the consult only once its contact hung up (and says so); any other
      // end means the initiator's side is gone.
      const said = end.reason === 'hung-up-remote' ? (t.consultCall?.remoteReason ?? '') : '';
      if (said.includes(CONTACT_GONE_TEXT)) this.contactLeftConsult(t);
      else if (said.includes(NO_REFER_TEXT)) {
        if (this.apply(t, { type: 'referRefused', reason: 'refer-unsupported' })) {
          this.record(t, 'transfer-failed', this.options.agent, 'the contact’s phone cannot be transferred');
        }
      } else this.apply(t, { type: 'peerConnectionLost' });
    }
    // A consult replaced by the contact's call is not a call of its own to account for.
    if (consultId && !this.replacedBy(t)) this.owe(t, consultId, 'consult');
  }

  // ── recipient side ─────────────────────────────────────────────────────────────────────────

  private onIncomingCall(call: Call): void {
    // Warm completion: the contact's INVITE with Replaces takes over our consult. The phone let it
    // through only because authorizesReplacement found the transfer's secret in it.
    if (call.replaces) {
      const t = this.byCall(call.replaces.id);
      if (t && t.state.role === 'recipient') {
        this.onContactArrived(t, call);
        return;
      }
    }
    const header = call.header(TRANSFER_CONTEXT_HEADER);
    if (header !== undefined) {
      // A context from anyone but the roster colleague it names is ignored: the call is then just
      // a call from whoever placed it, which anybody may do.
      const colleague = this.options.colleague?.(call.remoteUri);
      if (!colleague) return;
      const refusal = this.offerRefusal(colleague);
      if (refusal) void call.decline(refusal).catch(() => {});
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
    const pending = this.pending.take(token);
    if (pending) {
      this.onReferredContact(call, pending);
      return;
    }
    // The secret of a transfer here that is over (cancelled, failed, or its contact already here):
    // a late or repeated INVITE for it is refused, and the contact stays where it is. A secret that
    // names nothing is no transfer at all: the call rings as the plain call it is.
    if (this.spent(token)) void call.decline(603).catch(() => {});
  }

  /** Whether `token` is the secret of one of our recipient transfers, live or settled, or one forgotten lately. */
  private spent(token: string): boolean {
    for (const t of this.transfers.values()) {
      if (t.state.role === 'recipient' && t.token !== '' && sameSecret(token, t.token)) return true;
    }
    const now = Date.now();
    while (this.spentSecrets.length > 0 && (this.spentSecrets[0]?.until ?? 0) < now) this.spentSecrets.shift();
    return this.spentSecrets.some((s) => sameSecret(token, s.token));
  }

  private rememberSpent(token: string): void {
    this.spentSecrets.push({ token, until: Date.now() + SPENT_SECRET_MS });
    if (this.spentSecrets.length > SPENT_SECRETS_MAX) this.spentSecrets.shift();
  }

  /**
   * Consults offered here and not yet settled or connected: a consult costs what a waiting cold
   * context costs, so it counts against the same bounds (per colleague, and in all).
   */
  private liveOffers(colleague: Colleague): { fromSender: number; total: number } {
    let fromSender = 0;
    let total = 0;
    for (const t of this.transfers.values()) {
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
    if (live.fromSender + this.pending.countFrom(colleague.id) >= this.perSender) return 486;
    if (live.total + this.pending.size >= this.maxOffers) return 503;
    return undefined;
  }

  /**
   * Our warm transfer, as recipient, whose secret `token` is — while consulting and before its
   * contact arrived: the consult is then the call the contact's new call takes over. Once only.
   */
  private consultAwaitingContact(token: string): Transfer | undefined {
    for (const t of this.transfers.values()) {
      const { role, method, phase } = t.state;
      if (role !== 'recipient' || method !== 'warm' || phase !== 'consulting' || t.contactCall !== null || t.token === '') continue;
      if (sameSecret(token, t.token)) return t;
    }
    return undefined;
  }

  /**
   * Phone's question for an INVITE with Replaces naming `replaced`: only the contact of our own warm
   * transfer, bringing the transfer's secret, may take over its consult (RFC 3891 §6).
   */
  private authorizesReplacement(replaced: Call, token: string | undefined): boolean {
    const t = this.byCall(replaced.id);
    if (!t || t.state.role !== 'recipient' || t.consultCall !== replaced || t.state.phase !== 'consulting') return false;
    return token !== undefined && t.token !== '' && sameSecret(token, t.token);
  }

  private onConsultOffered(call: Call, header: string, colleague: Colleague): void {
    const decoded = decodeContextHeader(header);
    const context = decoded.ok ? decoded.context : null;
    // The document names its initiator; it must be the colleague who called.
    if (context && !this.namesSender(context, colleague)) return;
    const t = this.recipientTransfer('warm', context, colleague, decoded.ok ? null : decoded.problem);
    t.consultCall = call;
    call.events.on('state', (state) => {
      if (state !== 'established') return;
      this.apply(t, { type: 'consultAnswered' });
      this.watchConsult(t);
    });
    call.events.on('ended', (end) => this.onConsultEnded(t, end));
    this.changed(t);
    this.events.emit('incoming', { transfer: this.view(t), call });
  }

  /**
   * The contact's call takes the consult's place: by Replaces (SIP.js then ends the consult), or by
   * the secret alone from a phone without Replaces — then we end the consult once the contact's
   * call is confirmed, so a contact lost before its ACK leaves the agents still talking.
   */
  private onContactArrived(t: Transfer, call: Call): void {
    t.contactCall = call;
    t.tookOverConsult = call.replaces === undefined;
    call.holdOnAnswer = true; // the contact stays on hold until the recipient takes it off
    // A phone without Replaces may be one that never hears again once our SDP holds it (baresip
    // 1.0.0): its holds are our microphone off, the SDP left sendrecv (Call.holdsBySilence).
    call.holdsBySilence = t.tookOverConsult;
    call.events.on('ended', () => {
      if (t.contactCall === call && t.tookOverConsult && t.state.phase === 'consulting') this.contactAttemptFailed(t, call);
      else this.onContactEnded(t);
    });
    void call
      .answer()
      .then(async () => {
        // Without Replaces the contact has arrived only once its phone confirmed our answer: a call
        // lost before is a failed attempt, and the consult goes on.
        if (t.tookOverConsult) await Promise.race([call.confirmed(), untilEnded(call)]);
        if (t.contactCall !== call || call.state !== 'established') return;
        this.apply(t, { type: 'contactArrived' });
        this.writeReceived(t);
        this.record(t, 'transfer-completed', this.options.agent, `received from ${t.counterpart.name}`);
        if (t.tookOverConsult) void this.endTakenOverConsult(t, call);
        void this.tellInitiator(t, call);
      })
      .catch(() => {});
  }

  /**
   * Recipient, warm without Replaces: the contact's call ended before it arrived (its phone gave up,
   * or lost it). The contact is still held at the initiator's, whose REFER reports the failure; the
   * consult goes on, and another Complete may link the contact's next call.
   */
  private contactAttemptFailed(t: Transfer, call: Call): void {
    t.contactCall = null;
    t.tookOverConsult = false;
    t.failedAttempts.push(call);
    this.options.log?.warn('transfer recipient warm: the contact’s call ended before it arrived', { transferId: t.id });
    this.changed(t);
  }

  private async endTakenOverConsult(t: Transfer, contactCall: Call): Promise<void> {
    await contactCall.confirmed();
    if (contactCall.state !== 'established') return;
    await t.consultCall?.hangUp(CONTACT_ARRIVED_REASON).catch(() => {});
  }

  private onReferredContact(call: Call, pending: PendingContext): void {
    const t = this.recipientTransfer('cold', pending.context, pending.from, null);
    t.contactCall = call;
    call.events.on('state', (state) => {
      if (state !== 'established') return;
      this.apply(t, { type: 'referredCallAnswered' });
      this.writeReceived(t);
      this.record(t, 'transfer-completed', this.options.agent, `received from ${t.counterpart.name}`);
      void this.tellInitiator(t, call);
    });
    call.events.on('ended', (end) => {
      if (t.state.phase === 'referring') this.apply(t, { type: 'referFailed', reason: reasonForUnansweredReferral(end) });
      this.onContactEnded(t);
    });
    this.changed(t);
    this.events.emit('incoming', { transfer: this.view(t), call });
  }

  private onMessage(message: IncomingMessage): void {
    if (message.contentType === TRANSFER_CONTEXT_CONTENT_TYPE) {
      const verdict = this.onContext(message.body, message.from);
      void (verdict === 200 ? message.accept() : message.reject(verdict)).catch(() => {});
      return;
    }
    if (message.contentType === TRANSFER_STATUS_CONTENT_TYPE) {
      const status = decodeTransferStatus(message.body);
      const verdict = status ? this.onStatus(status, message.from) : 400;
      void (verdict === 200 ? message.accept() : message.reject(verdict)).catch(() => {});
      return;
    }
    void message.reject(415).catch(() => {});
  }

  /**
   * A cold context from a colleague: kept (in memory, bounded) until the contact's INVITE brings its
   * token. Returns the status to answer with: 403 from anyone but the roster colleague the document
   * names as initiator, 486/503 past the bounds (that colleague's transfer fails, its contact stays).
   */
  private onContext(body: string, from: string): number {
    const colleague = this.options.colleague?.(from);
    if (!colleague) return 403;
    const decoded = decodeContextJson(body);
    // A colleague's unreadable context must not stop the transfer itself: its contact arrives as a
    // plain call (the token in the contact's INVITE then matches nothing here).
    if (!decoded.ok) return 200;
    const context = decoded.context;
    if (!this.namesSender(context, colleague)) return 403;
    if (context.token.length < MIN_TOKEN_CHARS) return 400;
    const known = this.pending.forTransfer(context.transferId);
    if (this.transfers.has(context.transferId) || (known && known.context.token !== context.token)) return 400;
    switch (this.pending.add(context, colleague, this.liveOffers(colleague))) {
      case 'added':
        return 200;
      case 'sender-full':
        return 486;
      case 'full':
        return 503;
    }
  }

  /** The document's initiator is the colleague the message or call came from. */
  private namesSender(context: TransferContext, colleague: Colleague): boolean {
    const named = addressOfRecord(context.initiator.uri);
    return named !== null && named === addressOfRecord(colleague.uri);
  }

  /** Acts on the other agent's word about a transfer; returns the status to answer with. */
  private onStatus(status: TransferStatus, from: string): number {
    if (status.status === 'withdrawn') {
      const p = this.pending.forTransfer(status.transferId);
      if (p) {
        if (!statusIsAuthentic(status, from, { token: p.context.token, counterpartUri: p.from.uri })) return 403;
        this.pending.remove(p);
        return 200;
      }
    }
    const t = this.transfers.get(status.transferId);
    const role = status.status === 'connected' ? 'initiator' : 'recipient';
    if (!t || t.state.role !== role) return 481;
    if (!statusIsAuthentic(status, from, { token: t.token, counterpartUri: t.counterpart.uri })) return 403;
    switch (status.status) {
      case 'connected':
        this.onHandedOver(t, 'word');
        return 200;
      case 'withdrawn':
        // The contact's call already reached us: it is real, whatever the initiator concluded.
        return 200;
      case 'contact-hung-up':
        this.contactLeftConsult(t);
        return 200;
    }
  }

  /**
   * Recipient: the contact left the initiator during the consult; the consult itself may go on.
   * Before we answered, the consult's secret is only as good as its caller (who chose it): the word
   * then does no more than that caller could by CANCEL — ends the ringing — and, like every event
   * before the transfer connects, writes nothing (record()).
   */
  private contactLeftConsult(t: Transfer): void {
    const ringing = t.state.phase === 'consultRinging';
    if (!this.apply(t, { type: 'contactHungUp' })) return;
    this.record(t, 'transfer-failed', this.options.agent, 'the contact hung up');
    if (ringing) void t.consultCall?.hangUp().catch(() => {});
  }

  /**
   * Tells the initiator the contact is here; retried while the initiator may be reconnecting. Sent
   * once the contact has ACKed our answer: the initiator must not take it for a handover before the
   * contact's new call is confirmed.
   */
  private async tellInitiator(t: Transfer, contactCall: Call): Promise<void> {
    await contactCall.confirmed();
    if (contactCall.state !== 'established') return;
    await this.sendStatus(t, 'connected');
  }

  private statusBody(t: Transfer, word: TransferStatusWord): string {
    return encodeTransferStatus({ transferId: t.id, status: word, token: t.token });
  }

  /** Sends a status to the other agent, retried while it may be reconnecting; resolves with the last status. */
  private async sendStatus(t: Transfer, word: TransferStatusWord): Promise<number> {
    if (t.token === '' || t.counterpart.uri === '') return 0;
    const body = this.statusBody(t, word);
    const deadline = Date.now() + this.statusRetryMs;
    for (let delay = 250; ; delay = Math.min(delay * 2, 5000)) {
      const status = await this.message(t.counterpart.uri, TRANSFER_STATUS_CONTENT_TYPE, body);
      if (status < 300 || status === 400 || status === 403 || status === 481 || status === 415) return status;
      if (this.disposed || Date.now() + delay > deadline) return status;
      if (this.phone.registration !== 'registered' && this.phone.registration !== 'reconnecting') return status;
      await new Promise((resolve) => setTimeout(resolve, delay).unref());
    }
  }

  /** An out-of-dialog MESSAGE's final status; 503 when it could not be sent at all (signed out). */
  private async message(uri: string, contentType: string, body: string, timeoutMs?: number): Promise<number> {
    try {
      return await this.phone.sendMessage(uri, contentType, body, timeoutMs);
    } catch {
      return 503;
    }
  }

  private recipientTransfer(
    method: TransferMethod,
    context: TransferContext | null,
    from: Colleague | null,
    problem: ContextProblem | 'missing' | null,
  ): Transfer {
    const t: Transfer = {
      // The initiator's id, so the status MESSAGE and history entries name the same transfer.
      id: context && !this.transfers.has(context.transferId) ? context.transferId : randomUUID(),
      state: recipientTransfer(method),
      token: context?.token ?? '',
      contactCall: null,
      consultCall: null,
      // Who it is comes from the roster, never from the document.
      counterpart: from ? { name: from.name, uri: from.uri } : { name: 'a colleague', uri: '' },
      contact: context?.contact ?? null,
      outcome: context?.outcome ?? null,
      note: context?.note ?? '',
      history: context?.history ?? [],
      contextProblem: problem,
      timers: new Set(),
      later: new Set(),
      rang: true, // it rings here
      contextDelivered: false,
      withdrawn: false,
      received: context,
      from,
      tookOverConsult: false,
      failedAttempts: [],
      consultGone: false,
    };
    this.transfers.set(t.id, t);
    return t;
  }

  /**
   * Recipient, once the contact is here: what the colleague's context said goes to History, marked
   * as theirs (origin `transfer`), the colleague named by the roster. Only entries about the contact
   * the transfer is for are taken.
   */
  private writeReceived(t: Transfer): void {
    const context = t.received;
    const from = t.from;
    t.received = null;
    if (!context || !from || !this.options.history) return;
    // Ids in the sender's namespace: a document cannot take the id of a row of ours (ours never
    // start with `ctx:`), and the same entry from the same colleague is still stored once.
    const about = context.history
      .filter((entry) => entry.contactId === context.contact.id)
      .map((entry) => ({ ...entry, id: receivedEntryId(from.id, entry.id) }));
    if (about.length > 0) this.options.history.append(about, 'transfer');
    this.record(t, 'transfer-started', { id: from.id, name: from.name }, `${t.state.method} transfer to ${this.options.agent.name}`, 'transfer');
  }

  // ── shared plumbing ────────────────────────────────────────────────────────────────────────

  private onContactEnded(t: Transfer): void {
    this.forgetFinished();
    const contact = t.contactCall;
    if (!contact) return;
    // An earlier, settled attempt on the same call owes nothing: the newest transfer accounts for it.
    if (this.byCall(contact.id) !== t) return;
    const { role, phase } = t.state;
    const handedOver = role === 'initiator' && phase === 'completed';
    if (!isSettled(phase) && !(role === 'recipient' && phase === 'referring')) {
      // The rules let us end the contact's call mid-transfer only when the desk goes away (sign-out
      // with everything ended, quit, log-off): that is not the contact hanging up, and the
      // recipient learns of it from the consult ending, not from a "contact hung up" word.
      const ourOwn = contact.end?.reason === 'hung-up-local';
      this.apply(t, { type: 'contactHungUp' });
      this.record(t, 'transfer-failed', this.options.agent, ourOwn ? 'ended when the agent left' : 'the contact hung up');
      if (role === 'initiator' && !ourOwn) this.tellContactLeft(t, phase);
    }
    this.clearTimers(t);
    if (handedOver || role === 'initiator' || phase === 'completed') this.owe(t, contact.id, 'contact');
  }

  /** Initiator: the contact hung up on us before the transfer settled; the recipient must learn it. */
  private tellContactLeft(t: Transfer, phase: TransferState['phase']): void {
    if (phase === 'referring') {
      // A contact phone may end our call right after taking the REFER and still call the recipient:
      // the context stays there until the REFER's own bound has passed without the recipient's word.
      this.later(t, this.referTimeoutMs, () => this.withdraw(t));
      return;
    }
    if (phase !== 'consultRinging' && phase !== 'consulting' && phase !== 'completing') return;
    void this.sendStatus(t, 'contact-hung-up').then(() => {
      // A consult still ringing is for a transfer that is over: called off once the recipient knows why.
      if (t.consultCall && t.consultCall.state !== 'established') void t.consultCall.hangUp().catch(() => {});
    });
  }

  private owe(t: Transfer, callId: string, ended: TransferCall): void {
    const due = dispositionDue(t.state, ended);
    if (due === 'none') return;
    this.events.emit('dispositionDue', { callId, transferId: t.id, prefill: due === 'prefilled' ? t.outcome : null });
  }

  /** The contact's call took the consult's place (by Replaces, or by the secret without it). */
  private replacedBy(t: Transfer): boolean {
    return t.contactCall !== null && (t.contactCall.replaces === t.consultCall || t.tookOverConsult);
  }

  /** Runs the rules for a command: throws when refused, false when it is a harmless repeat. */
  private permit(t: Transfer, action: TransferAction): boolean {
    const check = checkAction(t.state.role, t.state.phase, this.contactHeld(t), action, targetOf(t.state));
    if (!check.ok) throw new TransferRuleViolation(check.error);
    return !check.noop;
  }

  /** Feeds an event to the machine; true when the transfer moved. */
  private apply(t: Transfer, event: TransferEvent): boolean {
    const result = transferTransition(t.state, event);
    if (!result.ok || !result.changed) return false;
    t.state = result.state;
    const failure = t.state.failure;
    this.options.log?.[failure ? 'warn' : 'info'](`transfer ${t.state.role} ${t.state.method}: ${t.state.phase}`, {
      transferId: t.id,
      ...(failure ? { failure: failure.reason } : {}),
    });
    if (isSettled(t.state.phase) && t.state.phase !== 'completed') this.clearTimers(t);
    this.changed(t);
    return true;
  }

  private changed(t: Transfer): void {
    this.events.emit('changed', this.view(t));
    if (isSettled(t.state.phase)) this.forgetFinished();
  }

  private record(t: Transfer, kind: ContactHistoryEntry['kind'], actor: HistoryActor, detail: string, origin: HistoryOrigin = 'local'): void {
    if (!t.contact || !this.options.history) return;
    // A recipient's contact, outcome and note are the colleague's document: until the transfer
    // connects, only our agent's own act — a Cancel, possible only in a consult it answered — is
    // written; a failure the other side reports (or stages) is shown, not stored.
    if (t.state.role === 'recipient' && t.state.phase !== 'completed' && kind !== 'transfer-cancelled') return;
    const entry: ContactHistoryEntry = {
      id: `${t.id}:${kind}`,
      contactId: t.contact.id,
      at: new Date().toISOString(),
      kind,
      actor,
      ...(t.outcome ? { outcome: t.outcome } : {}),
      ...(t.note && kind === 'transfer-started' ? { note: t.note } : {}),
      detail,
    };
    this.options.history.append([entry], origin);
  }

  private contextFor(t: Transfer, method: TransferMethod): TransferContext {
    return {
      v: 1,
      transferId: t.id,
      token: t.token,
      method,
      contact: t.contact ?? { id: '', name: '', number: '' },
      outcome: t.outcome ?? { id: '', label: '' },
      note: t.note,
      initiator: { id: this.options.agent.id, name: this.options.agent.name, uri: this.phone.aor },
      sentAt: new Date().toISOString(),
      history: t.history,
    };
  }

  private view(t: Transfer): TransferView {
    const contactHeld = this.contactHeld(t);
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
      contactHeld,
      allowed: [...allowedActions(t.state.role, t.state.phase, contactHeld, targetOf(t.state))],
    };
  }

  private contactHeld(t: Transfer): boolean {
    return t.contactCall?.held ?? false;
  }

  private contactCallOf(t: Transfer): Call {
    if (!t.contactCall) throw new TransferRuleViolation({ kind: 'transfer-rule', code: 'not-your-contact', message: 'The contact is not on your call.' });
    return t.contactCall;
  }

  private find(id: string): Transfer {
    const t = this.transfers.get(id);
    if (!t) throw new TransferNotFound(`No transfer ${id}.`);
    return t;
  }

  /**
   * The transfer a call belongs to now: the newest it is part of. A contact whose transfer failed
   * may be transferred again; the rules of the new attempt are the ones that hold.
   */
  private byCall(callId: string): Transfer | undefined {
    let current: Transfer | undefined;
    for (const t of this.transfers.values()) {
      if (t.contactCall?.id === callId || t.consultCall?.id === callId || t.failedAttempts.some((c) => c.id === callId)) current = t;
    }
    return current;
  }

  private timer(t: Transfer, ms: number, run: () => void): void {
    const handle = setTimeout(() => {
      t.timers.delete(handle);
      run();
    }, ms);
    t.timers.add(handle);
  }

  private later(t: Transfer, ms: number, run: () => void): void {
    const handle = setTimeout(() => {
      t.later.delete(handle);
      run();
      this.forgetFinished();
    }, ms);
    t.later.add(handle);
  }

  private clearTimers(t: Transfer): void {
    for (const handle of t.timers) clearTimeout(handle);
    t.timers.clear();
  }
}

/** An entry as a context carries it: what happened, without this desk's view of where it came from. */
function forContext(entry: ContactHistoryEntry): ContactHistoryEntry {
  const { origin: _origin, via: _via, ...sent } = entry;
  return sent;
}

function untilEnded(call: Call): Promise<void> {
  if (call.state === 'ended') return Promise.resolve();
  return new Promise((resolve) => call.events.on('ended', () => resolve()));
}

export type { ContactInfo, TransferView } from '../../../shared/transfer/index.js';
