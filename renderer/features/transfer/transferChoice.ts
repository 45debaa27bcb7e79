/**
 * What the transfer panel starts with, and what changes when the agent switches between User and
 * External number. Each kind keeps its own remembered method and outcome in main (the colleague
 * choice in `remembered`, the number's in `external.remembered`); the panel opens on the kind of the
 * last transfer, so a repeat transfer to the same number is one click on Confirm, like a colleague's.
 * Pure, so it is tested without a window.
 */
import type { DeskState, ExternalTransferView, OutcomeView, RememberedTransfer } from '../../../shared/desk.js';
import type { TransferMethod } from '../../../shared/transfer/transferModel.js';

export type TargetKind = 'user' | 'external';

/** A saved form draft, as main keeps it. */
type DraftFields = DeskState['drafts'][string];

/** The parts of the desk the choice is made from. */
export interface ChoiceSources {
  readonly remembered: RememberedTransfer;
  readonly external: ExternalTransferView | undefined;
  readonly outcomes: readonly OutcomeView[];
}

export interface KindDefaults {
  readonly method: TransferMethod;
  readonly outcomeId: string | null;
}

export interface InitialChoice extends KindDefaults {
  readonly targetKind: TargetKind;
  readonly userId: string | null;
  /** The number to show as chosen, or null when the agent has to type or pick one. */
  readonly number: string | null;
  readonly note: string;
}

const DEFAULT_METHOD: TransferMethod = 'warm';

function text(value: unknown): string | null {
  return typeof value === 'string' && value.length > 0 ? value : null;
}

function isMethod(value: unknown): value is TransferMethod {
  return value === 'warm' || value === 'cold';
}

/** An outcome is kept only while IT still offers it for this method (main would refuse it). */
function applicable(outcomeId: string | null, method: TransferMethod, outcomes: readonly OutcomeView[]): string | null {
  return outcomeId !== null && outcomes.some((o) => o.id === outcomeId && o.methods.includes(method)) ? outcomeId : null;
}

function rememberedOf(kind: TargetKind, sources: ChoiceSources): { method: TransferMethod | null; outcomeId: string | null } {
  if (kind === 'external') {
    const r = sources.external?.remembered;
    return { method: r?.method ?? null, outcomeId: r?.outcomeId ?? null };
  }
  return { method: sources.remembered.method, outcomeId: sources.remembered.outcomeId };
}

/** The draft (what the agent was typing for this call) first, then the remembered choice of the last transfer's kind. */
export function initialChoice(draft: DraftFields | null, sources: ChoiceSources): InitialChoice {
  const { external } = sources;
  const draftKind = draft?.targetKind === 'external' || draft?.targetKind === 'user' ? draft.targetKind : null;
  const wanted: TargetKind = draftKind ?? external?.lastKind ?? 'user';
  const targetKind: TargetKind = wanted === 'external' && external ? 'external' : 'user';
  const remembered = rememberedOf(targetKind, sources);
  const method = isMethod(draft?.method) ? draft.method : (remembered.method ?? DEFAULT_METHOD);
  return {
    targetKind,
    userId: text(draft?.userId) ?? sources.remembered.userId,
    number: text(draft?.number) ?? external?.remembered?.number ?? null,
    method,
    outcomeId: applicable(text(draft?.outcomeId) ?? remembered.outcomeId, method, sources.outcomes),
    note: text(draft?.note) ?? '',
  };
}

/**
 * Switching kind brings that kind's remembered method and outcome; a kind never used yet keeps
 * what the agent has chosen so far (the outcome only if it applies to the method).
 */
export function switchKind(kind: TargetKind, current: KindDefaults, sources: ChoiceSources): KindDefaults {
  const remembered = rememberedOf(kind, sources);
  const method = remembered.method ?? current.method;
  return { method, outcomeId: applicable(remembered.outcomeId ?? current.outcomeId, method, sources.outcomes) };
}
