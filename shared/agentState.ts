/**
 * An agent's availability, as colleagues see it and routing uses it: a pure machine
 * `agentTransition(state, event) -> result`, beside the transfer machine.
 *
 *   Ready <--chose--> NotReady(reason)      (in any other status `chose` is only remembered)
 *     |                  |
 *     +--callStarted-----+--> OnCall --last call ended, nothing owed--> chosen status
 *                               |
 *                               +--last call ended, disposition owed--> Dispositioning
 *                                                                          |
 *     chosen status <--last owed disposition filed-------------------------+
 *     OnCall <--callStarted (the wrap-up waits for this call)--------------+
 *
 *   any --unregistered--> Offline --registered--> OnCall if a call is live, else Dispositioning
 *                                                 if a disposition is owed, else the chosen status
 *
 * Rules the product brief left open, decided here:
 * - The status is derived, never stored apart from its causes: offline beats everything, then a live
 *   call, then a disposition owed, then what the agent chose. So "back to the chosen state" after
 *   filing, after the call, or after reconnecting are one rule, and they cannot disagree.
 * - Choosing never interrupts: during a call, a wrap-up or offline the choice is remembered and takes
 *   effect once nothing else holds the agent ("NotReady after this call").
 * - Several calls may be live (a warm transfer's initiator holds the contact and the consult), and
 *   several dispositions may be owed; Dispositioning lasts until all are filed. A call may start while
 *   Dispositioning (transfers are offered to Dispositioning agents); the wrap-up waits for it.
 * - Not every call that ends owes a disposition (the initiator's consult leg; a consult replaced by
 *   the contact's call): the event says so, using dispositionDue in transfer/transferRules.ts.
 * - Losing the connection does not end calls here: the phone reports each call's end as it learns it.
 * - Repeats are no-ops (idempotent): a second callEnded or dispositionFiled for the same call, a
 *   registered while online. Refused: a call starting while offline, a disposition for a live call,
 *   NotReady without a reason.
 */
import { assertNever } from './transfer/assertNever.js';

export type AgentStatus =
  | { readonly kind: 'Ready' }
  | { readonly kind: 'NotReady'; readonly reason: string }
  | { readonly kind: 'OnCall' }
  | { readonly kind: 'Dispositioning' }
  | { readonly kind: 'Offline' };

/** What an agent can pick; the other statuses are consequences. */
export type ChosenStatus = Extract<AgentStatus, { readonly kind: 'Ready' | 'NotReady' }>;

export interface AgentState {
  /** What colleagues see; always derived from the fields below. */
  readonly status: AgentStatus;
  readonly online: boolean;
  /** Where the agent returns once no call or wrap-up holds it. */
  readonly chosen: ChosenStatus;
  /** Ids of the calls in progress. */
  readonly liveCalls: readonly string[];
  /** Ids of ended calls whose disposition is not filed yet. */
  readonly owedDispositions: readonly string[];
}

export type AgentEvent =
  | { readonly type: 'chose'; readonly status: ChosenStatus }
  | { readonly type: 'callStarted'; readonly callId: string }
  | { readonly type: 'callEnded'; readonly callId: string; readonly dispositionOwed: boolean }
  | { readonly type: 'dispositionFiled'; readonly callId: string }
  | { readonly type: 'registered' }
  /** the connection to the SIP server is lost, or the agent signed out */
  | { readonly type: 'unregistered' };

export type AgentRuleCode = 'offline' | 'disposition-before-call-ended' | 'reason-required';

export interface AgentRuleError {
  readonly kind: 'agent-rule';
  readonly code: AgentRuleCode;
  readonly message: string;
}

export type AgentResult =
  | { readonly ok: true; readonly state: AgentState; readonly changed: boolean }
  | { readonly ok: false; readonly state: AgentState; readonly error: AgentRuleError };

const MESSAGES: Readonly<Record<AgentRuleCode, string>> = {
  offline: 'Not connected to the phone server: no call can start.',
  'disposition-before-call-ended': 'A call is dispositioned after it ends.',
  'reason-required': 'Not Ready needs a reason.',
};

/** Signed in but not registered yet; `chosen` is the agent's remembered choice (or the admin default). */
export function initialAgentState(chosen: ChosenStatus): AgentState {
  return derive({ online: false, chosen, liveCalls: [], owedDispositions: [] });
}

export function agentTransition(state: AgentState, event: AgentEvent): AgentResult {
  switch (event.type) {
    case 'chose':
      if (event.status.kind === 'NotReady' && event.status.reason.trim() === '') {
        return refuse(state, 'reason-required');
      }
      return next(state, sameChoice(state.chosen, event.status) ? state : { ...state, chosen: event.status });
    case 'callStarted':
      if (state.liveCalls.includes(event.callId)) return next(state, state);
      if (!state.online) return refuse(state, 'offline');
      return next(state, { ...state, liveCalls: [...state.liveCalls, event.callId] });
    case 'callEnded': {
      if (!state.liveCalls.includes(event.callId)) return next(state, state);
      const liveCalls = state.liveCalls.filter((id) => id !== event.callId);
      const owed = event.dispositionOwed ? [...state.owedDispositions, event.callId] : state.owedDispositions;
      return next(state, { ...state, liveCalls, owedDispositions: owed });
    }
    case 'dispositionFiled':
      if (state.liveCalls.includes(event.callId)) return refuse(state, 'disposition-before-call-ended');
      if (!state.owedDispositions.includes(event.callId)) return next(state, state);
      return next(state, {
        ...state,
        owedDispositions: state.owedDispositions.filter((id) => id !== event.callId),
      });
    case 'registered':
      return next(state, state.online ? state : { ...state, online: true });
    case 'unregistered':
      return next(state, state.online ? { ...state, online: false } : state);
    default:
      return assertNever(event);
  }
}

/** Colleagues worth offering as transfer targets: free now, or about to be (filing a wrap-up). */
export function isRecommendedTransferTarget(status: AgentStatus): boolean {
  return status.kind === 'Ready' || status.kind === 'Dispositioning';
}

/**
 * Directory order, lowest first: who can take a transfer soonest. On a call ranks before Not Ready
 * because a call ends on its own, a break does not.
 */
export function directoryRank(status: AgentStatus): number {
  switch (status.kind) {
    case 'Ready':
      return 0;
    case 'Dispositioning':
      return 1;
    case 'OnCall':
      return 2;
    case 'NotReady':
      return 3;
    case 'Offline':
      return 4;
    default:
      return assertNever(status);
  }
}

function deriveStatus(s: Omit<AgentState, 'status'>): AgentStatus {
  if (!s.online) return { kind: 'Offline' };
  if (s.liveCalls.length > 0) return { kind: 'OnCall' };
  if (s.owedDispositions.length > 0) return { kind: 'Dispositioning' };
  return s.chosen;
}

function derive(s: Omit<AgentState, 'status'>): AgentState {
  return { ...s, status: deriveStatus(s) };
}

function next(before: AgentState, after: AgentState): AgentResult {
  if (after === before) return { ok: true, state: before, changed: false };
  return { ok: true, state: derive(after), changed: true };
}

function refuse(state: AgentState, code: AgentRuleCode): AgentResult {
  return { ok: false, state, error: { kind: 'agent-rule', code, message: MESSAGES[code] } };
}

function sameChoice(a: ChosenStatus, b: ChosenStatus): boolean {
  return a.kind === b.kind && (a.kind !== 'NotReady' || (b.kind === 'NotReady' && a.reason === b.reason));
}

/** The agent state in words, as colleagues, the tray and the desk show it. */
export function statusLabel(status: AgentStatus): string {
  switch (status.kind) {
    case 'Ready':
      return 'Ready';
    case 'NotReady':
      return `Not ready (${status.reason})`;
    case 'OnCall':
      return 'On call';
    case 'Dispositioning':
      return 'Dispositioning';
    case 'Offline':
      return 'Offline';
  }
}
