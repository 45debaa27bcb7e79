/**
 * What the desk's parts share: the options the desk was built with, its state, the signed-in
 * session and the calls it tracks. Desk (desk.ts) builds it once; the command modules of this
 * folder act through it.
 */
import type { MediaPort } from '../../../shared/media.js';
import type { ProvisioningDocument, RosterUser } from '../../../shared/provisioning/index.js';
import type { AgentSettingsPolicy } from '../agentSettings.js';
import type { Log, SipTrace } from '../log/log.js';
import type { OneLiveCall } from '../oneLiveCall.js';
import type { CredentialStore, Notifier, StatusIndicator } from '../ports.js';
import type { AgentStateDesk } from '../presence/agentStateDesk.js';
import type { PresenceDirectory } from '../presence/presenceDirectory.js';
import type { Call } from '../sip/call.js';
import type { Phone, PhoneOptions } from '../sip/phone.js';
import type { Store } from '../store/store.js';
import type { Transfers, TransfersOptions } from '../transfer/transfers.js';
import type { Disposable } from '../typedEmitter.js';
import type { CallLedger } from './callLedger.js';
import type { MediaCheckOptions } from './mediaCheck.js';
import type { DeskStore } from './deskStore.js';

export interface DeskOptions {
  readonly provisioning: ProvisioningDocument;
  readonly store: Store;
  readonly media: MediaPort;
  readonly notifier: Notifier;
  readonly credentials: CredentialStore;
  readonly status?: StatusIndicator;
  /** Where every part of the desk logs (main: the log files in the OS's log folder). */
  readonly log?: Log;
  /** Set when IT turned the SIP trace on: every SIP message, redacted, to its own file. */
  readonly sipTrace?: SipTrace;
  /** The certificate authorities a wss:// server must chain to (Node's, the OS's and IT's); default Node's. */
  readonly trustedCa?: readonly string[];
  /** What machine policy fixes of the agent's settings (audio devices). */
  readonly settingsPolicy?: AgentSettingsPolicy;
  /** Writes the diagnostics bundle where the agent chooses (main: a save dialog); null = cancelled. */
  readonly exportDiagnostics?: () => Promise<{ readonly path: string | null }>;
  /**
   * Only these roster users may sign in at this desk (default: everyone in the roster), and the
   * sentence that says why to anyone else — the demo's desk, whose other users are its bots.
   */
  readonly signInOnly?: { readonly users: readonly string[]; readonly why: string };
  /** When a new call's audio is checked, and what the notice adds where the audio did not connect (mediaCheck.ts). */
  readonly mediaCheck?: MediaCheckOptions;
  /** Tests tune timers; the product uses the defaults. */
  readonly phone?: Partial<PhoneOptions>;
  readonly transfers?: Partial<TransfersOptions>;
  readonly now?: () => number;
}

/** Everything that exists only while an agent is signed in. */
export interface SignedIn {
  readonly user: RosterUser;
  readonly phone: Phone;
  readonly transfers: Transfers;
  readonly agent: AgentStateDesk;
  readonly directory: PresenceDirectory;
  readonly live: OneLiveCall;
  readonly subscriptions: Disposable[];
}

export interface DeskContext {
  readonly options: DeskOptions;
  readonly store: DeskStore;
  readonly calls: CallLedger;
  readonly log: Log;
  readonly now: () => number;
  /** The signed-in session; throws the desk's "Sign in first." refusal otherwise. */
  session(): SignedIn;
  /** The signed-in session, or undefined (events arriving after sign-out). */
  signedIn(): SignedIn | undefined;
  /** A call of the session; throws "That call has ended." otherwise. */
  call(callId: string): Call;
  refreshCalls(): void;
  /** The OS notification for a ringing call or transfer offer; clicking it brings the desk up. */
  toast(title: string, body: string, callId: string): void;
}
