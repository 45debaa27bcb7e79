/** Plain incoming calls (transfer offers come as toasts): Answer / Decline, big and first. */
import { useSend } from '../../app/commands.js';
import { useAppDispatch, useAppSelector } from '../../app/store.js';
import { callName, selectIncomingCalls, userPart } from '../desk/selectors.js';
import { focusCall } from '../desk/workspaceSlice.js';

export function IncomingCalls() {
  const calls = useAppSelector(selectIncomingCalls);
  const send = useSend();
  const dispatch = useAppDispatch();
  if (calls.length === 0) return null;
  return (
    <>
      {calls.map((call) => {
        const name = callName(call);
        return (
          <section key={call.id} className="incoming card" aria-label={`Incoming call from ${name}`}>
            <div className="incoming__pulse" aria-hidden="true" />
            <div className="incoming__who">
              <span className="incoming__title">Incoming call</span>
              <strong className="incoming__name">{name}</strong>
              <span className="muted">{userPart(call.remote.uri)}</span>
            </div>
            <div className="button-row">
              <button
                type="button"
                className="button button--call"
                onClick={() => {
                  dispatch(focusCall(call.id));
                  void send('call.answer', { callId: call.id });
                }}
              >
                Answer
              </button>
              <button type="button" className="button button--danger-quiet" onClick={() => void send('call.decline', { callId: call.id })}>
                Decline
              </button>
            </div>
          </section>
        );
      })}
    </>
  );
}
