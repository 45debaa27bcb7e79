/** Sign-in: a roster user IT provisioned for this computer, and the SIP password. */
import { useState, type FormEvent } from 'react';
import { useSend } from '../../app/commands.js';
import { useAppSelector } from '../../app/store.js';
import { ConnectionBanner } from './ConnectionBanner.js';

export function SignIn() {
  const users = useAppSelector((s) => s.desk.desk?.session.signInUsers ?? []);
  const send = useSend();
  const [userId, setUserId] = useState('');
  const [password, setPassword] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const chosen = userId || users[0]?.id || '';

  const submit = async (event: FormEvent): Promise<void> => {
    event.preventDefault();
    if (!chosen || busy) return;
    setBusy(true);
    setError(null);
    const outcome = await send('session.signIn', { userId: chosen, password }, { quiet: true });
    setBusy(false);
    if (!outcome.ok) setError(outcome.error.message);
    else setPassword('');
  };

  return (
    <main className="sign-in" aria-labelledby="sign-in-title">
      <form className="card sign-in__card" onSubmit={(e) => void submit(e)}>
        <div className="brand brand--large" aria-hidden="true">
          <span className="brand__mark">B</span> Baton
        </div>
        <h1 id="sign-in-title">Sign in</h1>
        <ConnectionBanner />
        <label className="field">
          <span className="field__label">User</span>
          <select value={chosen} onChange={(e) => setUserId(e.target.value)} autoFocus>
            {users.map((u) => (
              <option key={u.id} value={u.id}>
                {u.name}
              </option>
            ))}
          </select>
        </label>
        <label className="field">
          <span className="field__label">Password</span>
          <input type="password" autoComplete="current-password" value={password} onChange={(e) => setPassword(e.target.value)} />
          <span className="field__hint">Leave empty to use the password saved on this computer.</span>
        </label>
        {error && (
          <p className="message message--error" role="alert">
            {error}
          </p>
        )}
        <button className="button button--primary button--wide" type="submit" disabled={busy || !chosen}>
          {busy ? 'Signing in…' : 'Sign in'}
        </button>
      </form>
    </main>
  );
}
