/** Plain incoming calls (transfer offers come as toasts): Answer / Decline, big and first. */
import { usePageHost } from '../../app/pageHost.js';
import { useAppSelector } from '../../app/store.js';
import { callName, selectIncomingCalls, userPart } from '../desk/selectors.js';
import { KeyHint, keyShortcut, useKeymap } from '../shortcuts/KeyHint.js';
import { selectShortcutTargets } from '../shortcuts/targets.js';
import { useCallActions } from './useCallActions.js';

export function IncomingCalls() {
  const calls = useAppSelector(selectIncomingCalls);
  const targets = useAppSelector(selectShortcutTargets);
  const keymap = useKeymap();
  const act = useCallActions();
  const { mediaHost } = usePageHost();
  if (calls.length === 0) return null;
  return (
    <>
      {calls.map((call) => {
        const name = callName(call);
        const answerKey = targets.answer?.kind === 'call' && targets.answer.callId === call.id;
        const declineKey = targets.decline?.kind === 'call' && targets.decline.callId === call.id;
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
                data-ring-action=""
                disabled={!mediaHost}
                aria-describedby={mediaHost ? undefined : `no-audio-${call.id}`}
                onClick={() => void act.answer(call.id)}
                {...keyShortcut(keymap, 'answer', answerKey)}
              >
                Answer
                {answerKey && <KeyHint spec={keymap.answer} />}
              </button>
              <button
                type="button"
                className="button button--danger-quiet"
                onClick={() => void act.decline(call.id)}
                {...keyShortcut(keymap, 'decline', declineKey)}
              >
                Decline
                {declineKey && <KeyHint spec={keymap.decline} />}
              </button>
            </div>
            {!mediaHost && (
              <p id={`no-audio-${call.id}`} className="muted">
                Answering needs the audio tab open (see above).
              </p>
            )}
          </section>
        );
      })}
    </>
  );
}
