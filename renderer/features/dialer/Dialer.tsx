/** Placing a call: a number, a SIP address or a colleague's user name (suggested from the directory). */
import { useState, type FormEvent } from 'react';
import { useSend } from '../../app/commands.js';
import { usePageHost } from '../../app/pageHost.js';
import { useAppDispatch, useAppSelector } from '../../app/store.js';
import { focusCall } from '../desk/workspaceSlice.js';

export function Dialer() {
  const directory = useAppSelector((s) => s.desk.desk?.directory ?? []);
  const registered = useAppSelector((s) => s.desk.desk?.session.registration === 'registered');
  const { mediaHost } = usePageHost();
  const send = useSend();
  const dispatch = useAppDispatch();
  const [target, setTarget] = useState('');
  const [busy, setBusy] = useState(false);

  const submit = async (event: FormEvent): Promise<void> => {
    event.preventDefault();
    const value = target.trim();
    if (!value || busy) return;
    setBusy(true);
    const outcome = await send('call.dial', { target: value });
    setBusy(false);
    if (outcome.ok) {
      setTarget('');
      dispatch(focusCall(outcome.value.callId));
    }
  };

  return (
    <form className="dialer" onSubmit={(e) => void submit(e)} aria-label="Dialer">
      <label className="field field--inline">
        <span className="field__label">Number or user</span>
        <input
          id="dialer-target"
          type="text"
          inputMode="tel"
          list="dialer-directory"
          value={target}
          autoComplete="off"
          placeholder="e.g. 5551234 or bob"
          onChange={(e) => setTarget(e.target.value)}
        />
      </label>
      <datalist id="dialer-directory">
        {directory.slice(0, 200).map((u) => (
          <option key={u.userId} value={u.userId}>
            {u.name}
          </option>
        ))}
      </datalist>
      <button
        className="button button--call"
        type="submit"
        disabled={!target.trim() || busy || !registered || !mediaHost}
        aria-describedby={mediaHost ? undefined : 'dialer-no-audio'}
      >
        Call
      </button>
      {!mediaHost && (
        <p id="dialer-no-audio" className="muted">
          Calls need the audio tab open (see above).
        </p>
      )}
    </form>
  );
}
