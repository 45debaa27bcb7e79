/**
 * One keydown listener for the desk's shortcuts (keymap.ts): each key presses what its button
 * would (targets.ts picks which call or transfer), through the same actions, so focus lands in
 * the same place. A key that has nothing to act on says so in the polite live region.
 */
import { useEffect, useLayoutEffect, useRef } from 'react';
import { useAppDispatch, useAppSelector, useStore } from '../../app/store.js';
import { useCallActions } from '../calls/useCallActions.js';
import { announced, focusRequested, shortcutHelpToggled } from '../desk/workspaceSlice.js';
import { useRepeatTransfer } from '../transfer/useTransferShortcut.js';
import { actionFor, isTextEntry, type ShortcutAction } from './keymap.js';
import { useKeymap } from './KeyHint.js';
import { selectShortcutTargets } from './targets.js';

const NOTHING: Readonly<Record<ShortcutAction, string>> = {
  answer: 'Nothing is ringing.',
  decline: 'Nothing is ringing.',
  hold: 'No call to hold or take off hold.',
  mute: 'No call to mute.',
  hangUp: 'No call to hang up.',
  transfer: 'No call to transfer.',
  repeatTransfer: 'No call to transfer.',
  complete: 'No transfer to complete.',
  cancel: 'No transfer you can cancel.',
  toasts: 'No transfer is offered to you.',
  help: '',
};

export function useDeskShortcuts(): void {
  const store = useStore();
  const dispatch = useAppDispatch();
  const actions = useCallActions();
  const repeat = useRepeatTransfer();
  const keymap = useKeymap();
  const signedIn = useAppSelector((s) => s.desk.desk?.session.user != null);
  // The listener reads the newest of these without being re-added on every render.
  // Updated right after each commit (never during render, which React may repeat or discard), and
  // before any key can reach the listener.
  const latest = useRef({ actions, repeat, keymap });
  useLayoutEffect(() => {
    latest.current = { actions, repeat, keymap };
  });

  useEffect(() => {
    if (!signedIn) return;
    const onKey = (e: KeyboardEvent): void => {
      if (e.defaultPrevented) return;
      const { actions: act, repeat: repeatTransfer, keymap: keys } = latest.current;
      // A modal dialog (audio settings, this help) keeps its keys, except the one that closes help.
      const inDialog = e.target instanceof Element && e.target.closest('dialog[open]') !== null;
      const action = actionFor(e, keys, isTextEntry(e.target));
      if (action === null || (inDialog && action !== 'help')) return;
      // Space and Enter on a focused control are that control's; shortcuts are never those keys by default.
      e.preventDefault();
      const state = store.getState();
      if (action === 'help') {
        dispatch(shortcutHelpToggled(!state.workspace.shortcutHelpOpen));
        return;
      }
      const t = selectShortcutTargets(state);
      const done = ((): boolean => {
        switch (action) {
          case 'answer':
            if (!t.answer) return false;
            void (t.answer.kind === 'call' ? act.answer(t.answer.callId) : act.accept(t.answer.transferId, t.answer.callId));
            return true;
          case 'decline':
            if (!t.decline) return false;
            void (t.decline.kind === 'call' ? act.decline(t.decline.callId) : act.declineTransfer(t.decline.transferId));
            return true;
          case 'hold':
            if (!t.hold) return false;
            if (t.hold.op === 'hold') void act.hold(t.hold.callId);
            else if (t.hold.op === 'unhold') void act.unhold(t.hold.callId);
            else void act.unholdContact(t.hold.transferId, t.hold.callId);
            return true;
          case 'mute':
            if (!t.mute) return false;
            void act.mute(t.mute.callId, !t.mute.muted);
            dispatch(announced(t.mute.muted ? 'Unmuted.' : 'Muted.'));
            return true;
          case 'hangUp':
            if (!t.hangUp) return false;
            void act.hangUp(t.hangUp.callId);
            return true;
          case 'transfer':
            if (!t.transfer) return false;
            act.openTransfer(t.transfer.callId);
            return true;
          case 'repeatTransfer':
            if (!t.transfer) return false;
            repeatTransfer();
            return true;
          case 'complete':
            if (!t.complete) return false;
            void act.complete(t.complete.transferId);
            return true;
          case 'cancel':
            if (!t.cancel) return false;
            void act.cancel(t.cancel.transferId);
            return true;
          case 'toasts':
            if (document.querySelector('[data-toast-action]') === null) return false;
            dispatch(focusRequested({ kind: 'toast' }));
            return true;
        }
      })();
      if (!done) dispatch(announced(NOTHING[action]));
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [signedIn, store, dispatch]);
}
