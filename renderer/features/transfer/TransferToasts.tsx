/**
 * In-app toasts for transfers offered to this agent (recipient, still ringing): Accept / Decline,
 * and "Show" to bring the call to the workspace. Main also shows an OS notification.
 */
import type { TransferView } from '../../../shared/transfer/view.js';
import { useSend } from '../../app/commands.js';
import { useAppDispatch, useAppSelector } from '../../app/store.js';
import { selectFocusedCall, selectRingingTransfers } from '../desk/selectors.js';
import { focusCall } from '../desk/workspaceSlice.js';

function toastCallId(t: TransferView): string | null {
  return t.consultCallId ?? t.contactCallId;
}

export function TransferToasts() {
  const offered = useAppSelector(selectRingingTransfers);
  const inFront = useAppSelector(selectFocusedCall);
  // The offer already in the workspace has its Accept / Decline there: no toast over it.
  const ringing = offered.filter((t) => inFront === null || toastCallId(t) !== inFront.id);
  const send = useSend();
  const dispatch = useAppDispatch();
  const bringForward = (t: TransferView): void => {
    const callId = toastCallId(t);
    if (callId) dispatch(focusCall(callId));
  };

  return (
    <div className="toasts" aria-live="polite">
      {ringing.map((t) => {
        const allowed = new Set(t.allowed);
        const method = t.state.method === 'cold' ? 'Cold transfer' : 'Warm transfer';
        const contact = t.contact?.name ?? 'a contact';
        return (
          <section key={t.id} className="toast card" aria-label={`Incoming ${method.toLowerCase()} from ${t.counterpart.name}`}>
            <button type="button" className="toast__body" onClick={() => bringForward(t)} aria-label={`Show transfer from ${t.counterpart.name}`}>
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
                  onClick={() => {
                    bringForward(t);
                    void send('transfer.accept', { transferId: t.id });
                  }}
                >
                  Accept
                </button>
              )}
              {allowed.has('decline') && (
                <button type="button" className="button button--danger-quiet" onClick={() => void send('transfer.decline', { transferId: t.id })}>
                  Decline
                </button>
              )}
            </div>
          </section>
        );
      })}
    </div>
  );
}
