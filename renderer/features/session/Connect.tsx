/**
 * First run without IT's provisioning: the agent connects Baton to their server themselves — a
 * server address (wss://), user, password and display name — or enters the provisioning address IT
 * gave them. Main checks the account with the server before saving anything and answers with a
 * sentence the agent can act on, shown here as is. The form leaves validation to main (noValidate):
 * a browser's own bubble would block the submit and leave the product's sentence unseen. An answer
 * about earlier input goes as soon as the agent changes a field.
 */
import { useState, type FormEvent } from 'react';
import type { ConnectView } from '../../../shared/desk.js';
import { useSend } from '../../app/commands.js';
import { CONNECT_FIELDS } from '../../../shared/connectFields.js';

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
  /** A field's setter that also clears the answer about the previous input. */
  const edit =
    (set: (value: string) => void) =>
    (value: string): void => {
      set(value);
      setError(null);
    };

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
      <form className="card sign-in__card" onSubmit={(e) => void submit(e)} aria-labelledby="connect-title" noValidate>
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
              onChange={edit(setServer)}
              maxLength={CONNECT_FIELDS.server.max}
              hint="The secure WebSocket address of your SIP server."
            />
            <label className="field">
              <span className="field__label">User</span>
              <input
                autoComplete="username"
                autoCapitalize="none"
                spellCheck={false}
                placeholder="alice or alice@example.com"
                value={userId}
                onChange={(e) => edit(setUserId)(e.target.value)}
                maxLength={CONNECT_FIELDS.userId.max}
                required
              />
            </label>
            <label className="field">
              <span className="field__label">Password</span>
              <input
                type="password"
                autoComplete="current-password"
                value={password}
                onChange={(e) => edit(setPassword)(e.target.value)}
                maxLength={CONNECT_FIELDS.password.max}
              />
              <span className="field__hint">Kept encrypted by your operating system, never in plain text.</span>
            </label>
            <label className="field">
              <span className="field__label">Display name</span>
              <input
                autoComplete="name"
                placeholder="How colleagues and callers see you"
                value={displayName}
                onChange={(e) => edit(setDisplayName)(e.target.value)}
                maxLength={CONNECT_FIELDS.displayName.max}
              />
            </label>
          </>
        ) : (
          <AddressField
            label="Provisioning address"
            placeholder="https://it.example.com/baton.json"
            value={url}
            onChange={edit(setUrl)}
            maxLength={CONNECT_FIELDS.url.max}
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
  maxLength,
  hint,
}: {
  readonly label: string;
  readonly placeholder: string;
  readonly value: string;
  readonly onChange: (value: string) => void;
  readonly maxLength: number;
  readonly hint: string;
}) {
  return (
    <label className="field">
      <span className="field__label">{label}</span>
      <input
        // Text, not type="url": the address is checked by main, whose sentence says what to fix.
        type="text"
        inputMode="url"
        autoComplete="url"
        autoCapitalize="none"
        spellCheck={false}
        placeholder={placeholder}
        value={value}
        onChange={(e) => onChange(e.target.value)}
        maxLength={maxLength}
        autoFocus
        required
      />
      <span className="field__hint">{hint}</span>
    </label>
  );
}
