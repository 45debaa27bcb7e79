/**
 * The help overlay (`?`): every key of the desk, as IT configured them, and the system-wide answer /
 * hang-up keys — which the agent may turn on here unless policy decides (`policies.shortcuts.global`).
 * The agent's choice is kept on this computer and handed to main as a desk draft (main registers
 * the keys with the OS; electron/shell/globalShortcuts.ts).
 */
import { useEffect, useRef, useState } from 'react';
import { DEFAULT_GLOBAL_ACCELERATORS, GLOBAL_SHORTCUTS_DRAFT_KEY, SHORTCUT_ACTIONS } from '../../../shared/provisioning/shortcutDefaults.js';
import { useSend } from '../../app/commands.js';
import { useAppDispatch, useAppSelector } from '../../app/store.js';
import { shortcutHelpToggled } from '../desk/workspaceSlice.js';
import { ACTION_LABELS, worksWhileTyping } from './keymap.js';
import { Keys, useKeymap } from './KeyHint.js';

const STORAGE_KEY = 'baton.globalShortcuts';

function loadChoice(): boolean {
  try {
    return window.localStorage.getItem(STORAGE_KEY) === 'on';
  } catch {
    return false;
  }
}

function saveChoice(on: boolean): void {
  try {
    window.localStorage.setItem(STORAGE_KEY, on ? 'on' : 'off');
  } catch {
    // Private storage off: the choice lasts until the window reloads.
  }
}

/** Keeps main's copy of the agent's choice in step (a sign-out or a fresh main has none). */
export function useGlobalShortcutChoice(): readonly [boolean, (on: boolean) => void] {
  const [on, setOn] = useState(loadChoice);
  const inMain = useAppSelector((s) => s.desk.desk?.drafts[GLOBAL_SHORTCUTS_DRAFT_KEY]?.enabled ?? false);
  const signedIn = useAppSelector((s) => s.desk.desk?.session.user != null);
  const send = useSend();
  useEffect(() => {
    if (signedIn && inMain !== on) void send('draft.save', { key: GLOBAL_SHORTCUTS_DRAFT_KEY, fields: { enabled: on } }, { quiet: true });
  }, [signedIn, inMain, on, send]);
  const choose = (value: boolean): void => {
    saveChoice(value);
    setOn(value);
  };
  return [on, choose] as const;
}

function Accelerator({ value }: { readonly value: string }) {
  return <kbd>{value.replace('CommandOrControl', 'Ctrl').replace('CmdOrCtrl', 'Ctrl')}</kbd>;
}

export function ShortcutHelp() {
  const open = useAppSelector((s) => s.workspace.shortcutHelpOpen);
  const global = useAppSelector((s) => s.desk.desk?.policies.shortcuts?.global);
  const keymap = useKeymap();
  const dispatch = useAppDispatch();
  const dialog = useRef<HTMLDialogElement>(null);
  const [agentChoice, choose] = useGlobalShortcutChoice();
  const mode = global?.mode ?? 'agent';
  const answerKey = global?.answer ?? DEFAULT_GLOBAL_ACCELERATORS.answer;
  const hangUpKey = global?.hangUp ?? DEFAULT_GLOBAL_ACCELERATORS.hangUp;

  useEffect(() => {
    const d = dialog.current;
    if (!d) return;
    if (open && !d.open) d.showModal();
    else if (!open && d.open) d.close();
  }, [open]);

  return (
    <dialog ref={dialog} className="settings shortcut-help" aria-labelledby="shortcut-help-title" onClose={() => dispatch(shortcutHelpToggled(false))}>
      <h2 id="shortcut-help-title" className="card-title">
        Keyboard shortcuts
      </h2>
      <p className="muted">Single keys work when you are not typing in a field; keys with Ctrl work everywhere in Baton.</p>
      <table className="shortcut-table">
        <thead>
          <tr>
            <th scope="col">Key</th>
            <th scope="col">Does</th>
          </tr>
        </thead>
        <tbody>
          {SHORTCUT_ACTIONS.map((action) => {
            const spec = keymap[action];
            if (spec === null) return null;
            return (
              <tr key={action}>
                <td>
                  <Keys spec={spec} />
                  {worksWhileTyping(spec) && <span className="visually-hidden"> (works while typing)</span>}
                </td>
                <td>{ACTION_LABELS[action]}</td>
              </tr>
            );
          })}
        </tbody>
      </table>
      <h3 className="subhead">From any application</h3>
      {mode === 'agent' ? (
        <label className="check">
          <input type="checkbox" checked={agentChoice} onChange={(e) => choose(e.target.checked)} />
          <span>
            Answer with <Accelerator value={answerKey} /> and hang up with <Accelerator value={hangUpKey} /> while Baton is in the background
          </span>
        </label>
      ) : (
        <p className="muted">
          {mode === 'on' ? (
            <>
              Your administrator turned these on: <Accelerator value={answerKey} /> answers and <Accelerator value={hangUpKey} /> hangs up, from any application.
            </>
          ) : (
            'Your administrator turned system-wide keys off.'
          )}
        </p>
      )}
      <div className="button-row">
        <button type="button" className="button button--primary" onClick={() => dispatch(shortcutHelpToggled(false))}>
          Close
        </button>
      </div>
    </dialog>
  );
}
