/**
 * The help overlay (`?`): every key of the desk, as IT configured them, and the system-wide answer /
 * hang-up keys — which the agent may turn on here unless policy decides (`policies.shortcuts.global`).
 * The agent's choice is an agent setting kept in main (`settings.set`), which registers the keys
 * with the OS (electron/shell/globalShortcuts.ts).
 */
import { useEffect, useRef } from 'react';
import { DEFAULT_GLOBAL_ACCELERATORS, SHORTCUT_ACTIONS } from '../../../shared/provisioning/shortcutDefaults.js';
import { useSend } from '../../app/commands.js';
import { useAppDispatch, useAppSelector } from '../../app/store.js';
import { shortcutHelpToggled } from '../desk/workspaceSlice.js';
import { ACTION_LABELS, worksWhileTyping } from './keymap.js';
import { Keys, useKeymap } from './KeyHint.js';

/** The agent's choice, kept in main (DeskState.settings) so main registers the keys with the OS. */
export function useGlobalShortcutChoice(): readonly [boolean, (on: boolean) => void] {
  const on = useAppSelector((s) => s.desk.desk?.settings?.globalShortcuts ?? false);
  const send = useSend();
  const choose = (value: boolean): void => void send('settings.set', { globalShortcuts: value });
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
    <dialog
      ref={dialog}
      className="settings shortcut-help"
      aria-labelledby="shortcut-help-title"
      onClose={() => dispatch(shortcutHelpToggled(false))}
    >
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
            Answer with <Accelerator value={answerKey} /> and hang up with <Accelerator value={hangUpKey} /> while Baton is in the
            background
          </span>
        </label>
      ) : (
        <p className="muted">
          {mode === 'on' ? (
            <>
              Your administrator turned these on: <Accelerator value={answerKey} /> answers and <Accelerator value={hangUpKey} /> hangs up,
              from any application.
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
