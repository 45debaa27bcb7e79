/**
 * What each shortcut acts on now, from the desk mirror: the same answer for the keystroke and for
 * the button that shows the key, so the hint sits on exactly the button the key would press. Which
 * controls exist still comes from callControls() (the transfer's `allowed` or the shared rules).
 */
import { createSelector } from '@reduxjs/toolkit';
import type { CallView } from '../../../shared/desk.js';
import type { TransferView } from '../../../shared/transfer/view.js';
import { callControls } from '../calls/callControls.js';
import {
  selectFocusedCall,
  selectIncomingCalls,
  selectLiveCalls,
  selectRingingTransfers,
  selectTransfers,
  transferOfCall,
  workspaceLegs,
} from '../desk/selectors.js';

export type RingingTarget =
  | { readonly kind: 'call'; readonly callId: string }
  | { readonly kind: 'transfer'; readonly transferId: string; readonly callId: string | null };

export type HoldTarget =
  | { readonly op: 'hold'; readonly callId: string }
  | { readonly op: 'unhold'; readonly callId: string }
  | { readonly op: 'unholdContact'; readonly callId: string; readonly transferId: string };

export interface ShortcutTargets {
  readonly answer: RingingTarget | null;
  readonly decline: RingingTarget | null;
  readonly hold: HoldTarget | null;
  readonly mute: { readonly callId: string; readonly muted: boolean } | null;
  readonly hangUp: { readonly callId: string } | null;
  readonly transfer: { readonly callId: string } | null;
  readonly complete: { readonly transferId: string } | null;
  readonly cancel: { readonly transferId: string } | null;
}

function offerCallId(t: TransferView): string | null {
  return t.consultCallId ?? t.contactCallId;
}

function ringingTarget(
  focused: CallView | null,
  incoming: readonly CallView[],
  offers: readonly TransferView[],
  transfers: readonly TransferView[],
  action: 'accept' | 'decline',
): RingingTarget | null {
  // The one in front first (an offer brought forward), then plain calls, then offers, oldest first.
  if (focused && focused.direction === 'inbound' && focused.state === 'ringing') {
    const t = transferOfCall(transfers, focused);
    if (t === null) return { kind: 'call', callId: focused.id };
    if (t.allowed.includes(action)) return { kind: 'transfer', transferId: t.id, callId: offerCallId(t) };
  }
  const call = incoming[0];
  if (call) return { kind: 'call', callId: call.id };
  const offer = offers.find((t) => t.allowed.includes(action));
  return offer ? { kind: 'transfer', transferId: offer.id, callId: offerCallId(offer) } : null;
}

export function shortcutTargets(
  focused: CallView | null,
  calls: readonly CallView[],
  transfers: readonly TransferView[],
  incoming: readonly CallView[],
  offers: readonly TransferView[],
): ShortcutTargets {
  const answer = ringingTarget(focused, incoming, offers, transfers, 'accept');
  const decline = ringingTarget(focused, incoming, offers, transfers, 'decline');
  const none = { answer, decline, hold: null, mute: null, hangUp: null, transfer: null, complete: null, cancel: null };
  if (focused === null) return none;
  const transfer = transferOfCall(transfers, focused);
  // The live leg first: during a consult the keys act on the colleague, not the held contact.
  const legs = [...workspaceLegs(focused, calls, transfers).legs].sort((a, b) => Number(b.live) - Number(a.live));
  const controlled = legs.map((leg) => ({ leg, c: callControls(leg, transfer) }));
  const holdLeg = controlled.find(({ c }) => c.hold || c.resume !== null);
  let hold: HoldTarget | null = null;
  if (holdLeg) {
    if (holdLeg.c.hold) hold = { op: 'hold', callId: holdLeg.leg.id };
    else if (holdLeg.c.resume === 'call') hold = { op: 'unhold', callId: holdLeg.leg.id };
    else if (transfer) hold = { op: 'unholdContact', callId: holdLeg.leg.id, transferId: transfer.id };
  }
  const muteLeg = controlled.find(({ c }) => c.mute)?.leg;
  const hangUpLeg = controlled.find(({ c }) => c.hangUp === 'hangUp')?.leg;
  const transferLeg = controlled.find(({ c }) => c.transfer)?.leg;
  const allowed = new Set(transfer?.allowed ?? []);
  return {
    answer,
    decline,
    hold,
    mute: muteLeg ? { callId: muteLeg.id, muted: muteLeg.muted } : null,
    hangUp: hangUpLeg ? { callId: hangUpLeg.id } : null,
    transfer: transferLeg ? { callId: transferLeg.id } : null,
    complete: transfer && allowed.has('complete') ? { transferId: transfer.id } : null,
    cancel: transfer && allowed.has('cancel') ? { transferId: transfer.id } : null,
  };
}

export const selectShortcutTargets = createSelector(
  [selectFocusedCall, selectLiveCalls, selectTransfers, selectIncomingCalls, selectRingingTransfers],
  shortcutTargets,
);
