/**
 * One transfer as main keeps it, whichever role this desk plays in it: the machine's state, the
 * calls it spans, what the agents chose, and the bookkeeping each role adds. Only the transfer
 * modules of this folder read or write it; everyone else sees its TransferView.
 */
import type { ContactHistoryEntry } from '../../../shared/history.js';
import type { ContactInfo, TransferState } from '../../../shared/transfer/index.js';
import type { ContextProblem, TransferContext } from '../../../shared/transfer/context.js';
import type { Call } from '../sip/call.js';
import type { Colleague } from './colleagues.js';

export interface Transfer {
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
  /** Initiator, cold: the contact's phone accepted the REFER (202); what it does next is its own. */
  referAccepted: boolean;
}

/** What differs between transfers when they start; the bookkeeping starts empty. */
export type TransferStart = Pick<
  Transfer,
  | 'id'
  | 'state'
  | 'token'
  | 'contactCall'
  | 'counterpart'
  | 'contact'
  | 'outcome'
  | 'note'
  | 'history'
  | 'contextProblem'
  | 'rang'
  | 'received'
  | 'from'
>;

export function newTransfer(start: TransferStart): Transfer {
  return {
    ...start,
    consultCall: null,
    timers: new Set(),
    later: new Set(),
    contextDelivered: false,
    withdrawn: false,
    tookOverConsult: false,
    failedAttempts: [],
    consultGone: false,
    referAccepted: false,
  };
}
