/**
 * The desk: everything an agent's screen shows, owned by main and mirrored by the renderer
 * (a snapshot on attach, then top-level patches). Plain data; the renderer invents none of it.
 */
import type { AgentStatus } from './agentState.js';
import type { CallDirection, CallEnd, CallState, RegistrationState } from './phone.js';
import type { CallKind } from './provisioning/applicability.js';
import type { ShortcutPolicy } from './provisioning/schema.js';
import type { TransferMethod } from './transfer/transferModel.js';
import type { DialPlan } from './transfer/dialPlan.js';
import type { TransferView } from './transfer/view.js';

export interface SessionView {
  readonly registration: RegistrationState;
  /** `code`: a PhoneErrorCode, or the code of an error from outside the phone (provisioning, store). */
  readonly error: { readonly code: string; readonly message: string } | null;
  /** The signed-in roster user, or null before sign-in. */
  readonly user: { readonly id: string; readonly name: string; readonly aor: string } | null;
  /** Roster users who may sign in on this computer (for the sign-in screen). */
  readonly signInUsers: readonly { readonly id: string; readonly name: string }[];
  /** Present only while Baton has no configuration yet: the Connect screen, prefilled with what was saved. */
  readonly connect?: ConnectView;
}

/** What the Connect screen starts from (never a password). */
export interface ConnectView {
  readonly server: string;
  readonly userId: string;
  readonly displayName: string;
  readonly provisioningUrl: string;
}

export interface CallView {
  readonly id: string;
  readonly direction: CallDirection;
  readonly state: CallState;
  readonly remote: { readonly uri: string; readonly name: string | null };
  readonly held: boolean;
  /** The call the agent talks on: connected and not held. At most one call is live (main sees to it). */
  readonly live: boolean;
  readonly remoteHeld: boolean;
  readonly muted: boolean;
  /** ms since epoch */
  readonly startedAt: number;
  readonly answeredAt: number | null;
  readonly end: CallEnd | null;
  /** The contact this call is with, when known (the History tab's key). */
  readonly contactId: string | null;
  /** Set when the call is one leg of a transfer. */
  readonly transferId: string | null;
}

export interface DirectoryEntryView {
  readonly userId: string;
  readonly name: string;
  readonly uri: string;
  readonly team: string;
  readonly status: AgentStatus;
  /** Ready and Dispositioning are recommended transfer targets. */
  readonly recommended: boolean;
}

export interface LabelledId {
  readonly id: string;
  readonly label: string;
}

/** A transfer outcome this agent's team may use, and with which methods (IT's `appliesTo`). */
export interface OutcomeView extends LabelledId {
  readonly methods: readonly TransferMethod[];
}

/** A disposition code this agent's team may file, and for which kinds of call. */
export interface DispositionCodeView extends LabelledId {
  readonly callKinds: readonly CallKind[];
}

export interface RememberedTransfer {
  readonly userId: string | null;
  readonly outcomeId: string | null;
  readonly method: TransferMethod | null;
}

/** Transfers to external numbers, as the panel offers them. */
export interface ExternalTransferView {
  /** IT's dial plan (provisioning `dialPlan`); the panel checks numbers with it as the agent types. */
  readonly dialPlan: DialPlan;
  /**
   * The last external transfer's choice, remembered like the colleague choice. `number` and `name`
   * are null when IT's current dial plan no longer allows the number (method and outcome still apply).
   */
  readonly remembered: {
    readonly number: string | null;
    readonly name: string | null;
    readonly outcomeId: string | null;
    readonly method: TransferMethod;
  } | null;
  /** Numbers transferred to lately that the current dial plan still allows, newest first. */
  readonly recent: readonly { readonly number: string; readonly name: string }[];
  /** Which kind of target the agent's last remembered transfer went to: the panel opens on it. */
  readonly lastKind: 'user' | 'external';
}

export interface DispositionDueView {
  readonly callId: string;
  readonly transferId: string | null;
  /** The outcome the wrap-up starts with (a completed transfer's outcome), if any. */
  readonly prefill: LabelledId | null;
  readonly remote: string;
  /** Which codes apply (a code's `appliesTo.callKinds`). */
  readonly callKind: CallKind;
}

export const AUDIO_DEVICE_ROLES = ['microphone', 'speaker', 'ringer'] as const;
export type AudioDeviceRole = (typeof AUDIO_DEVICE_ROLES)[number];

/**
 * One audio device as main keeps it: the renderer's deviceId when the agent picked it, and its
 * label, which IT's policy uses (deviceIds are the browser's, IT cannot know them). Both null: the
 * system default.
 */
export interface AudioDeviceSetting {
  readonly id: string | null;
  readonly label: string | null;
}

/** The agent's settings on this computer, kept in main (the store), some fixed by machine policy. */
export interface AgentSettingsView {
  readonly devices: Readonly<Record<AudioDeviceRole, AudioDeviceSetting>>;
  /** Roles IT set by machine policy: shown, not changeable. */
  readonly devicesFixed: readonly AudioDeviceRole[];
  /** The agent turned the system-wide answer / hang-up keys on (policy may override, see policies.shortcuts). */
  readonly globalShortcuts: boolean;
}

export interface DeskState {
  readonly version: number;
  readonly session: SessionView;
  readonly agent: { readonly status: AgentStatus; readonly chosen: AgentStatus };
  readonly calls: readonly CallView[];
  readonly transfers: readonly TransferView[];
  readonly directory: readonly DirectoryEntryView[];
  readonly outcomes: readonly OutcomeView[];
  readonly dispositionCodes: readonly DispositionCodeView[];
  readonly notReadyReasons: readonly string[];
  readonly policies: {
    readonly nonRecommendedTransfer: 'warn' | 'block' | 'allow';
    readonly noteMaxLength: number;
    readonly rememberChoices: boolean;
    /** IT's keyboard settings (provisioning `policies.shortcuts`), when given. */
    readonly shortcuts?: ShortcutPolicy | undefined;
  };
  readonly remembered: RememberedTransfer;
  /** Absent when IT set no dial plan (or nobody is signed in): the panel offers no external number. */
  readonly external?: ExternalTransferView | undefined;
  readonly dispositionsDue: readonly DispositionDueView[];
  /** Saved form drafts by key (e.g. `transfer:<callId>`, `disposition:<callId>`). */
  readonly drafts: Readonly<Record<string, Readonly<Record<string, string | boolean | null>>>>;
  /** The agent's settings kept in main; absent only before main has read them. */
  readonly settings?: AgentSettingsView;
  /** A notice for the agent (e.g. "the local database was damaged and set aside"). */
  readonly notices: readonly { readonly id: string; readonly text: string }[];
}
