/**
 * In-app toasts for transfers offered to this agent (recipient, still ringing): Accept / Decline,
 * and the toast's text itself (a button named by what it says) to bring the call to the workspace.
 * Main also shows an OS notification; the page's assertive live region speaks the offer.
 */
import type { TransferView } from '../../../shared/transfer/view.js';
import { useAppDispatch, useAppSelector } from '../../app/store.js';
import { useCallActions } from '../calls/useCallActions.js';
import { selectFocusedCall, selectRingingTransfers } from '../desk/selectors.js';
import { focusCall, focusRequested } from '../desk/workspaceSlice.js';
import { KeyHint, keyShortcut, useKeymap } from '../shortcuts/KeyHint.js';
import { selectShortcutTargets } from '../shortcuts/targets.js';

function toastCallId(t: TransferView): string | null {
  return t.consultCallId ?? t.contactCallId;
}

export function TransferToasts() {
  const offered = useAppSelector(selectRingingTransfers);
  const inFront = useAppSelector(selectFocusedCall);
  const targets = useAppSelector(selectShortcutTargets);
  const keymap = useKeymap();
  // The offer already in the workspace has its Accept / Decline there: no toast over it.
  const ringing = offered.filter((t) => inFront === null || toastCallId(t) !== inFront.id);
  const act = useCallActions();
  const dispatch = useAppDispatch();
  const bringForward = (t: TransferView): void => {
    const callId = toastCallId(t);
    if (!callId) return;
    dispatch(focusCall(callId));
    dispatch(focusRequested({ kind: 'transferActions', transferId: t.id }));
  };

  return (
    <div className="toasts">
      {ringing.map((t) => {
        const allowed = new Set(t.allowed);
        const method = t.state.method === 'cold' ? 'Cold transfer' : 'Warm transfer';
        const contact = t.contact?.name ?? 'a contact';
        const acceptKey = targets.answer?.kind === 'transfer' && targets.answer.transferId === t.id;
        const declineKey = targets.decline?.kind === 'transfer' && targets.decline.transferId === t.id;
        return (
          <section key={t.id} className="toast card" aria-label={`Incoming ${method.toLowerCase()} from ${t.counterpart.name}`}>
            <button type="button" className="toast__body" onClick={() => bringForward(t)} title="Show this transfer in the workspace">
              <span className="eyebrow">{method}</span>
              <strong className="toast__title">{t.counterpart.name}</strong>
              <span className="toast__text">
                wants to hand you {contact}
                {t.outcome?.label ? ` · ${t.outcome.label}` : ''}
              </span>
              {t.note && <span className="toast__note">“{t.note}”</span>}
            </button>
            <div className="button-row">
              {allowed.has('accept') && (
                <button
                  type="button"
                  className="button button--call"
                  data-toast-action=""
                  data-ring-action=""
                  onClick={() => void act.accept(t.id, toastCallId(t))}
                  {...keyShortcut(keymap, 'answer', acceptKey)}
                >
                  Accept
                  {acceptKey && <KeyHint spec={keymap.answer} />}
                </button>
              )}
              {allowed.has('decline') && (
                <button
                  type="button"
                  className="button button--danger-quiet"
                  data-toast-action=""
                  onClick={() => void act.declineTransfer(t.id)}
                  {...keyShortcut(keymap, 'decline', declineKey)}
                >
                  Decline
                  {declineKey && <KeyHint spec={keymap.decline} />}
                </button>
              )}
            </div>
          </section>
        );
      })}
    </div>
  );
}
