/**
 * The repeat transfer (Ctrl+Shift+T by default): transfer the call in front with the remembered
 * colleague, outcome and method in one keystroke. Without a complete remembered choice it opens the
 * panel instead. A non-recommended colleague still gets the warning (in the panel).
 */
import { useCallback } from 'react';
import { useAppDispatch, useStore } from '../../app/store.js';
import { callControls } from '../calls/callControls.js';
import { selectFocusedCall, selectTransfers, transferOfCall } from '../desk/selectors.js';
import { errorShown, focusRequested, transferPanelOpened } from '../desk/workspaceSlice.js';
import { useStartTransfer } from './useStartTransfer.js';

export function useRepeatTransfer(): () => void {
  const store = useStore();
  const dispatch = useAppDispatch();
  const start = useStartTransfer();
  return useCallback(() => {
    const state = store.getState();
    const call = selectFocusedCall(state);
    const desk = state.desk.desk;
    if (!call || !desk) return;
    if (!callControls(call, transferOfCall(selectTransfers(state), call)).transfer) {
      dispatch(errorShown('This call cannot be transferred now.'));
      return;
    }
    const { userId, outcomeId, method } = desk.remembered;
    if (!userId || !outcomeId || !method || state.workspace.transferPanelCallId === call.id) {
      dispatch(transferPanelOpened(call.id));
      return;
    }
    const draftNote = desk.drafts[`transfer:${call.id}`]?.note;
    const note = typeof draftNote === 'string' ? draftNote : '';
    void start({ callId: call.id, userId, outcomeId, method, note }, false).then((result) => {
      if (result.kind === 'refused') dispatch(errorShown(result.message));
      if (result.kind === 'started') dispatch(focusRequested({ kind: 'transferActions', transferId: result.transferId }));
    });
  }, [store, dispatch, start]);
}
