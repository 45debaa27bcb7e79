/**
 * Every call and transfer action, as buttons and shortcuts both send it: the command to main, and
 * where focus goes next (features/focus/useFocusIntent.ts) — the call card after Answer, the
 * transfer card's Complete or Cancel after Accept, Hang up after taking a call off hold.
 */
import { useMemo } from 'react';
import { useSend } from '../../app/commands.js';
import { useAppDispatch } from '../../app/store.js';
import { focusCall, focusRequested, transferPanelOpened } from '../desk/workspaceSlice.js';

export function useCallActions() {
  const send = useSend();
  const dispatch = useAppDispatch();
  return useMemo(
    () => ({
      answer(callId: string) {
        dispatch(focusCall(callId));
        dispatch(focusRequested({ kind: 'callCard', callId }));
        return send('call.answer', { callId });
      },
      decline(callId: string) {
        dispatch(focusRequested({ kind: 'workspace' }));
        return send('call.decline', { callId });
      },
      accept(transferId: string, callId: string | null) {
        if (callId) dispatch(focusCall(callId));
        dispatch(focusRequested({ kind: 'transferActions', transferId }));
        return send('transfer.accept', { transferId });
      },
      declineTransfer(transferId: string) {
        dispatch(focusRequested({ kind: 'workspace' }));
        return send('transfer.decline', { transferId });
      },
      hold(callId: string) {
        dispatch(focusRequested({ kind: 'callAction', callId, action: 'resume' }));
        return send('call.hold', { callId });
      },
      unhold(callId: string) {
        dispatch(focusRequested({ kind: 'callAction', callId, action: 'hangUp' }));
        return send('call.unhold', { callId });
      },
      unholdContact(transferId: string, callId: string) {
        dispatch(focusRequested({ kind: 'callAction', callId, action: 'hangUp' }));
        return send('transfer.unholdContact', { transferId });
      },
      mute(callId: string, muted: boolean) {
        return send('call.mute', { callId, muted });
      },
      hangUp(callId: string) {
        dispatch(focusRequested({ kind: 'workspace' }));
        return send('call.hangUp', { callId });
      },
      openTransfer(callId: string) {
        dispatch(transferPanelOpened(callId));
      },
      complete(transferId: string) {
        dispatch(focusRequested({ kind: 'workspace' }));
        return send('transfer.complete', { transferId });
      },
      cancel(transferId: string) {
        dispatch(focusRequested({ kind: 'transferActions', transferId }));
        return send('transfer.cancel', { transferId });
      },
    }),
    [dispatch, send],
  );
}

export type CallActions = ReturnType<typeof useCallActions>;
