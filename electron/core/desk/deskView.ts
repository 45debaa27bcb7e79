/**
 * The view projection: what the renderer shows, computed from provisioning, the phone's calls, the
 * directory and the store. Pure functions of their inputs; DeskStore sends what changed.
 */
import type { ChosenStatus } from '../../../shared/agentState.js';
import type {
  CallView,
  DeskState,
  DirectoryEntryView,
  DispositionCodeView,
  ExternalTransferView,
  OutcomeView,
} from '../../../shared/desk.js';
import { appliesToTeam, dispositionCallKinds, outcomeMethods, type ProvisioningDocument } from '../../../shared/provisioning/index.js';
import { checkNumber } from '../../../shared/transfer/dialPlan.js';
import { isLive } from '../oneLiveCall.js';
import type { PresenceDirectory } from '../presence/presenceDirectory.js';
import type { Call } from '../sip/call.js';
import type { RememberedChoices } from '../store/rememberedChoices.js';
import type { CallMeta } from './callLedger.js';

/** What the agent's chosen status reads before anyone signed in. */
const DEFAULT_CHOSEN: ChosenStatus = { kind: 'NotReady', reason: 'Signing in' };

export function initialDeskState(
  doc: ProvisioningDocument,
  settings: DeskState['settings'],
  signInOnly?: { readonly users: readonly string[] },
): DeskState {
  return {
    version: 1,
    session: {
      registration: 'unregistered',
      error: null,
      user: null,
      signInUsers: doc.roster.filter((u) => signInOnly?.users.includes(u.id) ?? true).map((u) => ({ id: u.id, name: u.displayName })),
    },
    agent: { status: { kind: 'Offline' }, chosen: DEFAULT_CHOSEN },
    calls: [],
    transfers: [],
    directory: [],
    outcomes: outcomeViews(doc, null),
    dispositionCodes: dispositionCodeViews(doc, null),
    notReadyReasons: doc.notReadyReasons,
    policies: { ...doc.policies },
    remembered: { userId: null, outcomeId: null, method: null },
    dispositionsDue: [],
    drafts: {},
    settings,
    notices: [],
  };
}

/** The outcomes an agent of `team` may pick (all of them before anyone signed in). */
export function outcomeViews(doc: ProvisioningDocument, team: string | null): OutcomeView[] {
  return doc.outcomes
    .filter((o) => team === null || appliesToTeam(o, team))
    .map((o) => ({ id: o.id, label: o.label, methods: outcomeMethods(o) }));
}

export function dispositionCodeViews(doc: ProvisioningDocument, team: string | null): DispositionCodeView[] {
  return doc.dispositions
    .filter((d) => team === null || appliesToTeam(d, team))
    .map((d) => ({ id: d.id, label: d.label, callKinds: dispositionCallKinds(d) }));
}

export function callView(call: Call, meta: CallMeta | undefined, transferId: string | null, now: number): CallView {
  return {
    id: call.id,
    direction: call.direction,
    state: call.state,
    remote: { uri: call.remoteUri, name: call.remoteName ?? null },
    held: call.held,
    live: isLive(call),
    remoteHeld: call.remoteHeld,
    muted: call.muted,
    startedAt: meta?.startedAt ?? now,
    answeredAt: meta?.answeredAt ?? null,
    end: call.end ?? null,
    contactId: meta?.contactId ?? null,
    transferId,
  };
}

export function directoryView(directory: PresenceDirectory): DirectoryEntryView[] {
  return directory.entries().map((e) => ({
    userId: e.user.id,
    name: e.user.displayName,
    uri: e.user.sipUri,
    team: e.user.team,
    status: e.status,
    recommended: e.recommended,
  }));
}

/**
 * The panel's external-number part: IT's dial plan, the remembered choice, the recent numbers. A
 * stored number is offered only while the current plan allows it: IT may have denied its prefix
 * since, and offering it would only lead to a refusal on Confirm.
 */
export function externalView(doc: ProvisioningDocument, choices: RememberedChoices, agentId: string): ExternalTransferView | undefined {
  const plan = doc.dialPlan;
  if (plan === undefined) return undefined;
  const allowed = (number: string): boolean => checkNumber(number, plan).ok;
  const remembered = choices.get(agentId, 'external-transfer');
  const colleague = choices.get(agentId, 'user-transfer');
  const recent = choices
    .recentNumbers(agentId)
    .filter(({ number }) => allowed(number))
    .map(({ number, name }) => ({ number, name }));
  const rememberedNumber = remembered && allowed(remembered.userId) ? remembered.userId : null;
  return {
    dialPlan: plan,
    remembered: remembered
      ? {
          number: rememberedNumber,
          name: rememberedNumber === null ? null : (recent.find((r) => r.number === rememberedNumber)?.name ?? rememberedNumber),
          outcomeId: remembered.outcomeId ?? null,
          method: remembered.method,
        }
      : null,
    recent,
    lastKind: remembered && (!colleague || remembered.updatedAt >= colleague.updatedAt) ? 'external' : 'user',
  };
}

/** Roster ids to display names, and `outcome:<id>` to labels: how stored History is named. */
export function historyNames(doc: ProvisioningDocument): ReadonlyMap<string, string> {
  return new Map<string, string>([
    ...doc.roster.map((u) => [u.id, u.displayName] as const),
    ...doc.outcomes.map((o) => [`outcome:${o.id}`, o.label] as const),
    ...doc.dispositions.map((d) => [`outcome:${d.id}`, d.label] as const),
  ]);
}
