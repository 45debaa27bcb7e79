/**
 * Ctrl+Shift+T: transfer the call in front with the remembered colleague, outcome and method — the
 * one-keystroke repeat. Without a complete remembered choice it opens the panel instead. A
 * non-recommended colleague still gets the warning (in the panel).
 */
import { useEffect } from 'react';
import { useAppDispatch, useAppSelector, useStore } from '../../app/store.js';
import { callControls } from '../calls/callControls.js';
import { selectFocusedCall, selectTransfers, transferOfCall } from '../desk/selectors.js';
import { errorShown, transferPanelOpened } from '../desk/workspaceSlice.js';
import { useStartTransfer } from './useStartTransfer.js';

export function isRepeatTransferShortcut(e: KeyboardEvent): boolean {
  return (e.ctrlKey || e.metaKey) && e.shiftKey && !e.altKey && e.key.toLowerCase() === 't';
}

export function useTransferShortcut(): void {
  const store = useStore();
  const dispatch = useAppDispatch();
  const start = useStartTransfer();
  const signedIn = useAppSelector((s) => s.desk.desk?.session.user != null);

  useEffect(() => {
    if (!signedIn) return;
    const onKey = (e: KeyboardEvent): void => {
      if (!isRepeatTransferShortcut(e) || e.repeat) return;
      e.preventDefault();
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
      });
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [signedIn, store, dispatch, start]);
}
