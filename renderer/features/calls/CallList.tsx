/** Every live call, newest last; choosing one brings it to the workspace. */
import { useAppDispatch, useAppSelector } from '../../app/store.js';
import { callName, selectDispositionsDue, selectFocusedCall, selectLiveCalls, selectTransfers, transferOfCall } from '../desk/selectors.js';
import { focusCall, focusWrapUp } from '../desk/workspaceSlice.js';
import { dueTitle } from '../disposition/dueTitle.js';
import { callStateLabel } from './callLabels.js';
import { CallTimer } from './CallTimer.js';

export function CallList() {
  const calls = useAppSelector(selectLiveCalls);
  const transfers = useAppSelector(selectTransfers);
  const focused = useAppSelector(selectFocusedCall);
  const focus = useAppSelector((s) => s.workspace.focus);
  const due = useAppSelector(selectDispositionsDue);
  const dispatch = useAppDispatch();
  const visible = calls.filter((c) => !(c.direction === 'inbound' && c.state === 'ringing' && transferOfCall(transfers, c) === null));

  return (
    <nav className="call-list" aria-label="Calls and wrap-ups">
      <h2 className="section-title">Calls</h2>
      {visible.length === 0 && <p className="muted call-list__empty">No call in progress.</p>}
      <ul className="call-list__items">
        {visible.map((call) => {
          const transfer = transferOfCall(transfers, call);
          const consult = transfer?.consultCallId === call.id;
          const current = focused?.id === call.id;
          return (
            <li key={call.id}>
              <button
                type="button"
                className={`call-item${current ? ' call-item--current' : ''}${call.held ? ' call-item--held' : ''}${call.live ? ' call-item--live' : ''}`}
                aria-current={current ? 'true' : undefined}
                onClick={() => dispatch(focusCall(call.id))}
              >
                <span className="call-item__name">
                  {consult && call.remote.name === null && transfer ? transfer.counterpart.name : callName(call)}
                </span>
                <span className="call-item__meta">
                  {consult ? 'Consult · ' : transfer ? 'Transfer · ' : ''}
                  {callStateLabel(call)}
                  {call.answeredAt !== null && (
                    <>
                      {' · '}
                      <CallTimer since={call.answeredAt} />
                    </>
                  )}
                </span>
              </button>
            </li>
          );
        })}
      </ul>
      {due.length > 0 && (
        <>
          <h2 className="section-title">Wrap-up due</h2>
          <ul className="call-list__items">
            {due.map((d) => {
              const current = focus?.kind === 'wrapUp' && focus.callId === d.callId;
              return (
                <li key={d.callId}>
                  <button
                    type="button"
                    className={`call-item call-item--wrapup${current ? ' call-item--current' : ''}`}
                    aria-current={current ? 'true' : undefined}
                    onClick={() => dispatch(focusWrapUp(d.callId))}
                  >
                    <span className="call-item__name">Wrap-up: {dueTitle(d, transfers)}</span>
                    <span className="call-item__meta">{d.transferId ? 'Transfer call · ' : ''}Disposition required</span>
                  </button>
                </li>
              );
            })}
          </ul>
        </>
      )}
    </nav>
  );
}
