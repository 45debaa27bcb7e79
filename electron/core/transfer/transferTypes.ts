/**
 * What the rest of main sees of the transfers: how a transfer is started, the events it emits, its
 * errors and options. Transfers (transfers.ts) implements them; the desk and the lab's bots use them.
 */
import type { ContactHistoryEntry, HistoryActor, HistoryOrigin } from '../../../shared/history.js';
import type { ContactInfo, TransferMethod, TransferRuleError, TransferView } from '../../../shared/transfer/index.js';
import type { Log } from '../log/log.js';
import type { Call } from '../sip/call.js';
import type { ColleagueLookup } from './colleagues.js';

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
