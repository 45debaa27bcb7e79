/**
 * First run without IT's provisioning: the agent connects Baton to their server themselves — a
 * server address (wss://), user, password and display name — or enters the provisioning address IT
 * gave them. Main checks the account with the server before saving anything and answers with a
 * sentence the agent can act on, shown here as is.
 */
import { useState, type FormEvent } from 'react';
import type { ConnectView } from '../../../shared/desk.js';
import { useSend } from '../../app/commands.js';

type Mode = 'account' | 'provisioningUrl';

export function Connect({ initial }: { readonly initial: ConnectView }) {
  const send = useSend();
  const [mode, setMode] = useState<Mode>(initial.provisioningUrl && !initial.server ? 'provisioningUrl' : 'account');
  const [server, setServer] = useState(initial.server);
  const [userId, setUserId] = useState(initial.userId);
  const [password, setPassword] = useState('');
  const [displayName, setDisplayName] = useState(initial.displayName);
  const [url, setUrl] = useState(initial.provisioningUrl);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  const submit = async (event: FormEvent): Promise<void> => {
    event.preventDefault();
    if (busy) return;
    setBusy(true);
    setError(null);
    const outcome =
      mode === 'account'
        ? await send('session.connect', { kind: 'account', server, userId, password, displayName }, { quiet: true })
        : await send('session.connect', { kind: 'provisioningUrl', url }, { quiet: true });
    setBusy(false);
    if (!outcome.ok) setError(outcome.error.message);
  };

  const ready = mode === 'account' ? server.trim() !== '' && userId.trim() !== '' : url.trim() !== '';

  return (
    <main className="sign-in" aria-labelledby="connect-title">
      <form className="card sign-in__card" onSubmit={(e) => void submit(e)} aria-labelledby="connect-title">
        <div className="brand brand--large" aria-hidden="true">
          <span className="brand__mark">B</span> Baton
        </div>
        <h1 id="connect-title">Connect to your phone server</h1>
        <p className="muted">
          Baton has no settings from IT on this computer yet. Enter your account, or the provisioning address IT gave you.
        </p>
        {mode === 'account' ? (
          <>
            <AddressField
              label="Server"
              placeholder="wss://sip.example.com"
              value={server}
              onChange={setServer}
              hint="The secure WebSocket address of your SIP server."
            />
            <label className="field">
              <span className="field__label">User</span>
              <input
                autoComplete="username"
                placeholder="alice or alice@example.com"
                value={userId}
                onChange={(e) => setUserId(e.target.value)}
                required
              />
            </label>
            <label className="field">
              <span className="field__label">Password</span>
              <input type="password" autoComplete="current-password" value={password} onChange={(e) => setPassword(e.target.value)} />
              <span className="field__hint">Kept encrypted by your operating system, never in plain text.</span>
            </label>
            <label className="field">
              <span className="field__label">Display name</span>
              <input
                autoComplete="name"
                placeholder="How colleagues and callers see you"
                value={displayName}
                onChange={(e) => setDisplayName(e.target.value)}
              />
            </label>
          </>
        ) : (
          <AddressField
            label="Provisioning address"
            placeholder="https://it.example.com/baton.json"
            value={url}
            onChange={setUrl}
            hint="Baton reads its settings from there each time it starts."
          />
        )}
        {error && (
          <p className="message message--error" role="alert">
            {error}
          </p>
        )}
        <button className="button button--primary button--wide" type="submit" disabled={busy || !ready}>
          {busy ? 'Connecting…' : 'Connect'}
        </button>
        <button
          type="button"
          className="button button--ghost"
          onClick={() => {
            setError(null);
            setMode(mode === 'account' ? 'provisioningUrl' : 'account');
          }}
        >
          {mode === 'account' ? 'I have a provisioning address from IT' : 'Enter a server and account instead'}
        </button>
      </form>
    </main>
  );
}

/** The address each way in starts from (the SIP server's, or IT's provisioning file's); it takes the focus. */
function AddressField({
  label,
  placeholder,
  value,
  onChange,
  hint,
}: {
  readonly label: string;
  readonly placeholder: string;
  readonly value: string;
  readonly onChange: (value: string) => void;
  readonly hint: string;
}) {
  return (
    <label className="field">
      <span className="field__label">{label}</span>
      <input
        type="url"
        inputMode="url"
        placeholder={placeholder}
        value={value}
        onChange={(e) => onChange(e.target.value)}
        autoFocus
        required
      />
      <span className="field__hint">{hint}</span>
    </label>
  );
}
