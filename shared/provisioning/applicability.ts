/**
 * Which transfer outcomes and disposition codes IT's provisioning lets an agent use, from each
 * item's `appliesTo`: the renderer lists only these, and main refuses any other whatever was sent.
 * An `appliesTo` key left out means "any".
 */
import type { TransferMethod } from '../transfer/transferModel.js';
import { CALL_KINDS, TRANSFER_METHODS } from './schema.js';

export type CallKind = (typeof CALL_KINDS)[number];

interface Applies<K extends string> {
  readonly appliesTo: { readonly teams?: readonly string[] | undefined } & Partial<Record<K, readonly string[] | undefined>>;
}

function applies<K extends string>(item: Applies<K>, key: K, value: string, team: string): boolean {
  const listed = item.appliesTo[key];
  const teams = item.appliesTo.teams;
  return (listed === undefined || listed.includes(value)) && (teams === undefined || teams.includes(team));
}

export function outcomeApplies(outcome: Applies<'methods'>, method: TransferMethod, team: string): boolean {
  return applies(outcome, 'methods', method, team);
}

export function dispositionApplies(code: Applies<'callKinds'>, callKind: CallKind, team: string): boolean {
  return applies(code, 'callKinds', callKind, team);
}

/** The methods an outcome may be used with (all when unrestricted). */
export function outcomeMethods(outcome: Applies<'methods'>): readonly TransferMethod[] {
  return TRANSFER_METHODS.filter((m) => outcome.appliesTo.methods === undefined || outcome.appliesTo.methods.includes(m));
}

/** The kinds of call a code may be filed for (all when unrestricted). */
export function dispositionCallKinds(code: Applies<'callKinds'>): readonly CallKind[] {
  return CALL_KINDS.filter((k) => code.appliesTo.callKinds === undefined || code.appliesTo.callKinds.includes(k));
}

/** Whether an item is for this team at all (what the desk lists once the agent signed in). */
export function appliesToTeam(item: { readonly appliesTo: { readonly teams?: readonly string[] | undefined } }, team: string): boolean {
  return item.appliesTo.teams === undefined || item.appliesTo.teams.includes(team);
}
