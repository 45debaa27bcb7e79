/** The agent's screen: top bar (state, connection, settings), calls on the left, the call in front on the right. */
import { useEffect } from 'react';
import { AgentStatePicker } from '../features/agent/AgentStatePicker.js';
import { CallList } from '../features/calls/CallList.js';
import { CallWorkspace } from '../features/calls/CallWorkspace.js';
import { IncomingCalls } from '../features/calls/IncomingCalls.js';
import { selectDispositionsDue, selectFocusedCall } from '../features/desk/selectors.js';
import { clearFocus, settingsToggled, shortcutHelpToggled } from '../features/desk/workspaceSlice.js';
import { Dialer } from '../features/dialer/Dialer.js';
import { DispositionScreen } from '../features/disposition/DispositionScreen.js';
import { Notices } from '../features/notices/Notices.js';
import { AudioSettings } from '../features/settings/AudioSettings.js';
import { ConnectionBanner } from '../features/session/ConnectionBanner.js';
import { SignIn } from '../features/session/SignIn.js';
import { Connect } from '../features/session/Connect.js';
import { LiveRegions } from '../features/announce/LiveRegions.js';
import { useFocusIntent } from '../features/focus/useFocusIntent.js';
import { KeyHint, keyShortcut, Keys, useKeymap } from '../features/shortcuts/KeyHint.js';
import { ShortcutHelp } from '../features/shortcuts/ShortcutHelp.js';
import { useDeskShortcuts } from '../features/shortcuts/useDeskShortcuts.js';
import { TransferToasts } from '../features/transfer/TransferToasts.js';
import { useSend } from './commands.js';
import { DeskGone } from './DeskGone.js';
import { MediaHostBanner } from './MediaHostBanner.js';
import { usePageHost } from './pageHost.js';
import { useAppDispatch, useAppSelector } from './store.js';

export function App() {
  const mirrored = useAppSelector((s) => s.desk.desk !== null);
  const user = useAppSelector((s) => s.desk.desk?.session.user ?? null);
  const connect = useAppSelector((s) => s.desk.desk?.session.connect);
  const { bridge } = usePageHost();
  // Before anything else: once the bridge is gone, a stale mirror (or a sign-in form shown as the
  // desk shut down) would only mislead.
  if (bridge !== 'open') return <DeskGone />;
  if (!mirrored) {
    return (
      <main className="loading" aria-busy="true">
        <p className="muted">Connecting to Baton…</p>
      </main>
    );
  }
  if (!user && connect) return <Connect initial={connect} />;
  if (!user) return <SignIn />;
  return <Desk name={user.name} />;
}

function Desk({ name }: { readonly name: string }) {
  const send = useSend();
  const dispatch = useAppDispatch();
  const focused = useAppSelector(selectFocusedCall);
  const focus = useAppSelector((s) => s.workspace.focus);
  const due = useAppSelector(selectDispositionsDue);
  const keymap = useKeymap();
  useDeskShortcuts();
  useFocusIntent();

  const wrapUp =
    (focus?.kind === 'wrapUp' ? due.find((d) => d.callId === focus.callId) : undefined) ?? (focused === null ? due[0] : undefined);

  useEffect(() => {
    // A filed wrap-up leaves nothing to show: fall back to the calls.
    if (focus?.kind === 'wrapUp' && !due.some((d) => d.callId === focus.callId)) dispatch(clearFocus());
  }, [focus, due, dispatch]);

  return (
    <div className="desk">
      <header className="topbar">
        <div className="brand">
          <span className="brand__mark" aria-hidden="true">
            B
          </span>
          Baton
        </div>
        <AgentStatePicker />
        <span className="topbar__spacer" />
        <span className="topbar__user">{name}</span>
        <button
          type="button"
          className="button button--ghost"
          onClick={() => dispatch(shortcutHelpToggled(true))}
          {...keyShortcut(keymap, 'help', true)}
        >
          Keyboard shortcuts
          <KeyHint spec={keymap.help} />
        </button>
        <button type="button" className="button button--ghost" onClick={() => dispatch(settingsToggled(true))}>
          Audio settings
        </button>
        <button type="button" className="button button--ghost" onClick={() => void send('session.signOut', {})}>
          Sign out
        </button>
      </header>
      <ConnectionBanner />
      <MediaHostBanner />
      <Notices />
      <div className="columns">
        <aside className="sidebar">
          <Dialer />
          <IncomingCalls />
          <CallList />
        </aside>
        <main className="workspace" aria-label="Workspace">
          {wrapUp ? (
            <DispositionScreen key={wrapUp.callId} due={wrapUp} remaining={due.length} />
          ) : focused ? (
            <CallWorkspace call={focused} />
          ) : (
            <div className="idle">
              <h1 className="idle__title" tabIndex={-1} data-workspace-heading="">
                No call in front
              </h1>
              <p className="muted">Calls you take or place appear here. Transfers offered to you pop up at the top right.</p>
              {keymap.answer && (
                <p className="muted shortcut-hint">
                  <Keys spec={keymap.answer} /> answers what rings
                  {keymap.help && (
                    <>
                      {'; '}
                      <Keys spec={keymap.help} /> lists every shortcut
                    </>
                  )}
                  .
                </p>
              )}
              {keymap.repeatTransfer && (
                <p className="muted shortcut-hint">
                  <Keys spec={keymap.repeatTransfer} /> transfers the current call to your last colleague and outcome.
                </p>
              )}
            </div>
          )}
        </main>
      </div>
      <TransferToasts />
      <AudioSettings />
      <ShortcutHelp />
      <LiveRegions />
    </div>
  );
}
