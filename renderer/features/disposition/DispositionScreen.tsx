/**
 * Wrap-up: required after a call ends (and after a cancelled transfer's consult). Code (the
 * transfer's outcome preselected when main gives a prefill) and note; File returns the agent to the
 * state they chose. The form is saved as a draft in main while typed.
 */
import { useState, type FormEvent } from 'react';
import type { DispositionDueView } from '../../../shared/desk.js';
import { DEFAULT_NOTE_MAX_CHARS, noteChars } from '../../../shared/notes.js';
import { useSend } from '../../app/commands.js';
import { useAppDispatch, useAppSelector } from '../../app/store.js';
import { selectTransfers } from '../desk/selectors.js';
import { focusRequested } from '../desk/workspaceSlice.js';
import { useDraft, useDraftSaver } from '../drafts/useDraftSaver.js';
import { dueTitle } from './dueTitle.js';

export function DispositionScreen({ due, remaining }: { readonly due: DispositionDueView; readonly remaining: number }) {
  const allCodes = useAppSelector((s) => s.desk.desk?.dispositionCodes ?? []);
  // Only the codes IT allows for this kind of call (main refuses the others).
  const provisioned = allCodes.filter((c) => c.callKinds.includes(due.callKind));
  // A completed transfer's outcome is the initiator's result for its part of the call (main accepts
  // it as the code): listed first and preselected.
  const codes = due.prefill && !provisioned.some((c) => c.id === due.prefill?.id) ? [due.prefill, ...provisioned] : provisioned;
  const transfers = useAppSelector(selectTransfers);
  const maxNote = useAppSelector((s) => s.desk.desk?.policies.noteMaxLength ?? DEFAULT_NOTE_MAX_CHARS);
  const key = `disposition:${due.callId}`;
  const draft = useDraft(key);
  const send = useSend();
  const dispatch = useAppDispatch();
  const [codeId, setCodeId] = useState<string>(() => {
    const fromDraft = typeof draft?.codeId === 'string' ? draft.codeId : '';
    if (fromDraft && codes.some((c) => c.id === fromDraft)) return fromDraft;
    return due.prefill && codes.some((c) => c.id === due.prefill?.id) ? due.prefill.id : '';
  });
  const [note, setNote] = useState<string>(() => (typeof draft?.note === 'string' ? draft.note : ''));
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const saver = useDraftSaver(key, { codeId: codeId || null, note });
  const noteLength = noteChars(note);
  const tooLong = noteLength > maxNote;

  const submit = async (event: FormEvent): Promise<void> => {
    event.preventDefault();
    if (!codeId || busy || tooLong) return;
    saver.cancel();
    setBusy(true);
    setError(null);
    dispatch(focusRequested({ kind: 'afterWrapUp', callId: due.callId }));
    const outcome = await send('disposition.file', { callId: due.callId, codeId, note }, { quiet: true });
    setBusy(false);
    if (!outcome.ok) setError(outcome.error.message);
  };

  return (
    <form className="disposition card" aria-labelledby={`disp-${due.callId}`} data-wrapup={due.callId} onSubmit={(e) => void submit(e)}>
      <span className="eyebrow">Wrap-up required{remaining > 1 ? ` · ${remaining} calls waiting` : ''}</span>
      <h1 className="card-title" id={`disp-${due.callId}`} tabIndex={-1} data-workspace-heading="">
        Disposition: {dueTitle(due, transfers)}
      </h1>
      {due.transferId && <p className="muted">This call was part of a transfer.</p>}
      <label className="field">
        <span className="field__label">Disposition code</span>
        <select
          value={codeId}
          onChange={(e) => setCodeId(e.target.value)}
          required
          autoFocus={!codeId}
          data-autofocus={codeId ? undefined : ''}
        >
          <option value="">Choose a code…</option>
          {codes.map((c) => (
            <option key={c.id} value={c.id}>
              {c.label}
            </option>
          ))}
        </select>
        {due.prefill && <span className="field__hint">Prefilled with the transfer outcome you chose: {due.prefill.label}</span>}
      </label>
      <label className="field">
        <span className="field__label">Wrap-up note</span>
        <textarea
          rows={4}
          value={note}
          onChange={(e) => setNote(e.target.value)}
          aria-describedby={`disp-count-${due.callId}`}
          aria-invalid={tooLong}
        />
        <span id={`disp-count-${due.callId}`} className={`field__hint counter${tooLong ? ' counter--over' : ''}`}>
          {noteLength} / {maxNote} characters
        </span>
      </label>
      {error && (
        <p className="message message--error" role="alert">
          {error}
        </p>
      )}
      <div className="button-row">
        <button
          type="submit"
          className="button button--primary"
          disabled={!codeId || busy || tooLong}
          autoFocus={Boolean(codeId)}
          data-autofocus={codeId ? '' : undefined}
        >
          {busy ? 'Filing…' : 'File disposition'}
        </button>
      </div>
    </form>
  );
}
