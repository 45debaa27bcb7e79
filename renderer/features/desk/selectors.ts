/** Reading the desk mirror. Everything shown comes from here: the renderer invents no state. */
import { createSelector } from '@reduxjs/toolkit';
import type { CallView, DeskState } from '../../../shared/desk.js';
import type { TransferView } from '../../../shared/transfer/view.js';
import type { RootState } from '../../app/store.js';
import { userOf } from '../../../shared/phone.js';

export const selectDesk = (s: RootState): DeskState | null => s.desk.desk;
export const selectSession = (s: RootState) => s.desk.desk?.session ?? null;
export const selectSignedIn = (s: RootState): boolean => s.desk.desk?.session.user != null;

const NO_CALLS: readonly CallView[] = [];
const NO_TRANSFERS: readonly TransferView[] = [];

export const selectCalls = (s: RootState): readonly CallView[] => s.desk.desk?.calls ?? NO_CALLS;
export const selectTransfers = (s: RootState): readonly TransferView[] => s.desk.desk?.transfers ?? NO_TRANSFERS;

export const selectLiveCalls = createSelector([selectCalls], (calls) => calls.filter((c) => c.state !== 'ended'));

/** The transfer a call belongs to (its contact leg or its consult). */
export function transferOfCall(transfers: readonly TransferView[], call: CallView): TransferView | null {
  const byId = call.transferId ? transfers.find((t) => t.id === call.transferId) : undefined;
  if (byId) return byId;
  // The newest transfer naming this call (a contact may be transferred again after a cancel).
  for (let i = transfers.length - 1; i >= 0; i -= 1) {
    const t = transfers[i];
    if (t && (t.contactCallId === call.id || t.consultCallId === call.id)) return t;
  }
  return null;
}

/** A plain incoming call (not a transfer leg): the Answer / Decline card. */
export const selectIncomingCalls = createSelector([selectLiveCalls, selectTransfers], (calls, transfers) =>
  calls.filter((c) => c.direction === 'inbound' && c.state === 'ringing' && transferOfCall(transfers, c) === null),
);

/** Transfers offered to this agent and not answered yet: the toasts. */
export const selectRingingTransfers = createSelector([selectTransfers], (transfers) =>
  transfers.filter((t) => t.role === 'recipient' && (t.state.phase === 'consultRinging' || t.state.phase === 'referring')),
);

/** The call the workspace shows: the focused one while it lives, else the newest connected call. */
export const selectFocusedCall = createSelector([selectLiveCalls, (s: RootState) => s.workspace.focus], (calls, focus): CallView | null => {
  if (focus?.kind === 'wrapUp') return null;
  const focused = focus?.kind === 'call' ? calls.find((c) => c.id === focus.callId) : undefined;
  if (focused) return focused;
  const connected = calls.filter((c) => c.state === 'established');
  // A ringing inbound call has its own card (or toast) until answered or brought forward.
  const placing = calls.filter((c) => c.direction === 'outbound');
  return connected.find((c) => !c.held) ?? connected.at(-1) ?? placing.at(-1) ?? null;
});

/** The legs the workspace shows for a call: the contact's, then the consult's (or just the call). */
export function workspaceLegs(
  call: CallView,
  calls: readonly CallView[],
  transfers: readonly TransferView[],
): { contactLeg: CallView | undefined; consultLeg: CallView | undefined; legs: CallView[] } {
  const transfer = transferOfCall(transfers, call);
  const contactLeg = transfer ? calls.find((c) => c.id === transfer.contactCallId) : call;
  const consultLeg = transfer?.consultCallId ? calls.find((c) => c.id === transfer.consultCallId) : undefined;
  const legs = [contactLeg, consultLeg].filter((c): c is CallView => c !== undefined);
  if (legs.length === 0) legs.push(call);
  return { contactLeg, consultLeg, legs };
}

export const selectDispositionsDue = (s: RootState) => s.desk.desk?.dispositionsDue ?? [];

export function callName(call: CallView): string {
  return call.remote.name ?? userPart(call.remote.uri);
}

export const userPart = userOf;
