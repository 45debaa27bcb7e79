/** What a desk shows of a transfer: plain data, mirrored to the renderer as part of the desk state. */
import type { ContactHistoryEntry } from '../history.js';
import type { ContextProblem } from './context.js';
import type { TransferRole, TransferState } from './transferModel.js';
import type { TransferAction } from './transferRules.js';

export interface ContactInfo {
  readonly id: string;
  readonly name: string;
  readonly number: string;
}

export interface TransferView {
  readonly id: string;
  readonly role: TransferRole;
  readonly state: TransferState;
  readonly contactCallId: string | null;
  readonly consultCallId: string | null;
  /** The other agent; for an external transfer (state.target), the number's name and E.164 `number`. */
  readonly counterpart: { readonly name: string; readonly uri: string; readonly number?: string };
  readonly contact: ContactInfo | null;
  readonly outcome: { readonly id: string; readonly label: string } | null;
  readonly note: string;
  readonly history: readonly ContactHistoryEntry[];
  /** Recipient: why the transfer context could not be read ('missing' when none arrived). */
  readonly contextProblem: ContextProblem | 'missing' | null;
  readonly contactHeld: boolean;
  /** What the agent may do now: the buttons. */
  readonly allowed: readonly TransferAction[];
}
