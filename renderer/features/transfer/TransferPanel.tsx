/**
 * The transfer form for one call: type (User or External number), colleague or number, Warm/Cold,
 * outcome, note. External numbers are offered when IT set a dial plan (ExternalNumberPicker). The
 * panel opens on the kind of the last transfer; each kind's remembered target, method and outcome
 * arrive already chosen (transferChoice), the target and outcome shown as values with a pencil to
 * change them, so a repeat transfer is one click on Confirm. Fields are saved as a draft
 * in main. Opening the panel sends `transfer.prepare` (main readies the consult's media meanwhile).
 */
import { useEffect, useRef, useState, type FormEvent, type KeyboardEvent } from 'react';
import type { TransferMethod } from '../../../shared/transfer/transferModel.js';
import { initialChoice, switchKind, type TargetKind } from './transferChoice.js';
import { DEFAULT_NOTE_MAX_CHARS, noteChars } from '../../../shared/notes.js';
import { useSend } from '../../app/commands.js';
import { useAppDispatch, useAppSelector } from '../../app/store.js';
import { StatusBadge } from '../agent/StatusBadge.js';
import { statusLabel } from '../agent/statusLabel.js';
import { focusRequested, transferPanelClosed, transferWarningCleared } from '../desk/workspaceSlice.js';
import { Keys, useKeymap } from '../shortcuts/KeyHint.js';
import { useDraft, useDraftSaver } from '../drafts/useDraftSaver.js';
import { Chosen } from './Chosen.js';
import { UserPicker } from './UserPicker.js';
import { ExternalNumberPicker } from './ExternalNumberPicker.js';
import { checkNumber } from '../../../shared/transfer/dialPlan.js';
import { useStartTransfer } from './useStartTransfer.js';

export function TransferPanel({ callId, contactName }: { readonly callId: string; readonly contactName: string }) {
  const desk = useAppSelector((s) => s.desk.desk);
  const warning = useAppSelector((s) => (s.workspace.transferWarning?.callId === callId ? s.workspace.transferWarning : null));
  const draft = useDraft(`transfer:${callId}`);
  const dispatch = useAppDispatch();
  const send = useSend();
  const start = useStartTransfer();
  const keymap = useKeymap();

  const remembered = desk?.remembered ?? { userId: null, outcomeId: null, method: null };
  const directory = desk?.directory ?? [];
  const allOutcomes = desk?.outcomes ?? [];
  const policy = desk?.policies.nonRecommendedTransfer ?? 'warn';
  const maxNote = desk?.policies.noteMaxLength ?? DEFAULT_NOTE_MAX_CHARS;
  const external = desk?.external;

  const sources = { remembered, external, outcomes: allOutcomes };
  const [initial] = useState(() => initialChoice(draft, sources));
  const [userId, setUserId] = useState<string | null>(initial.userId);
  const [targetKind, setTargetKind] = useState<TargetKind>(initial.targetKind);
  const [number, setNumber] = useState<string>(initial.number ?? '');
  const [editingNumber, setEditingNumber] = useState(initial.number === null);
  const [outcomeId, setOutcomeId] = useState<string | null>(initial.outcomeId);
  const [method, setMethod] = useState<TransferMethod>(initial.method);
  // IT may reserve an outcome for one method: main refuses the others, so they are not offered.
  const outcomes = allOutcomes.filter((o) => o.methods.includes(method));
  const [note, setNote] = useState(initial.note);
  const [editingUser, setEditingUser] = useState(initial.userId === null);
  const [editingOutcome, setEditingOutcome] = useState(initial.outcomeId === null);
  const [busy, setBusy] = useState(false);
  const [refusal, setRefusal] = useState<string | null>(null);
  const confirmRef = useRef<HTMLButtonElement>(null);
  const saver = useDraftSaver(`transfer:${callId}`, { userId, outcomeId, method, note, targetKind, number });

  useEffect(() => {
    void send('transfer.prepare', { callId }, { quiet: true });
  }, [callId, send]);

  const allPreselected = useRef(
    (initial.targetKind === 'external' ? initial.number : initial.userId) !== null && initial.outcomeId !== null,
  );
  useEffect(() => {
    // Everything already chosen: Confirm is the next thing to press (once, on open).
    if (allPreselected.current) confirmRef.current?.focus();
  }, []);

  const selected = userId ? directory.find((e) => e.userId === userId) : undefined;
  const outcome = outcomeId ? outcomes.find((o) => o.id === outcomeId) : undefined;
  const noteLength = noteChars(note);
  const noteTooLong = noteLength > maxNote;
  const blocked = policy === 'block' && selected !== undefined && !selected.recommended;
  const numberVerdict = targetKind === 'external' ? checkNumber(number, external?.dialPlan) : null;
  const targetReady = targetKind === 'external' ? numberVerdict?.ok === true : userId !== null && !blocked;
  const ready = targetReady && outcome !== undefined && !noteTooLong && !busy;
  const rememberedName = (external?.remembered?.number === number ? external.remembered.name : null) ?? number;

  const chooseKind = (kind: TargetKind): void => {
    const next = switchKind(kind, { method, outcomeId }, sources);
    setTargetKind(kind);
    setMethod(next.method);
    setOutcomeId(next.outcomeId);
    setEditingOutcome(next.outcomeId === null);
    setRefusal(null);
  };

  const changeUser = (id: string): void => {
    setUserId(id);
    setRefusal(null);
    if (warning) dispatch(transferWarningCleared());
  };

  const submit = async (acknowledged: boolean): Promise<void> => {
    if (!ready || !outcome) return;
    const target = targetKind === 'external' ? { number } : userId !== null ? { userId } : null;
    if (target === null) return;
    saver.cancel();
    setBusy(true);
    setRefusal(null);
    const result = await start({ callId, ...target, outcomeId: outcome.id, method, note }, acknowledged);
    setBusy(false);
    if (result.kind === 'refused') setRefusal(result.message);
    if (result.kind === 'started') dispatch(focusRequested({ kind: 'transferActions', transferId: result.transferId }));
  };

  const onSubmit = (event: FormEvent): void => {
    event.preventDefault();
    void submit(false);
  };

  const close = (): void => {
    dispatch(focusRequested({ kind: 'callAction', callId, action: 'transfer' }));
    dispatch(transferPanelClosed());
  };

  const onKeyDown = (event: KeyboardEvent): void => {
    if (event.key === 'Escape') {
      event.stopPropagation();
      close();
    }
  };

  const nonRecommendedHint = selected && !selected.recommended && policy !== 'allow' && (
    <p className={`message ${policy === 'block' ? 'message--error' : 'message--warning'}`}>
      {selected.name} is {statusLabel(selected.status)}.{' '}
      {policy === 'block'
        ? 'Your administrator allows transfers only to Ready or Dispositioning colleagues.'
        : 'Ready or Dispositioning colleagues are recommended; you will be asked to confirm.'}
    </p>
  );

  return (
    <form className="transfer-panel card" aria-label={`Transfer ${contactName}`} onSubmit={onSubmit} onKeyDown={onKeyDown}>
      <header className="transfer-panel__header">
        <h2 className="card-title">Transfer {contactName}</h2>
        <button type="button" className="button button--ghost button--small" onClick={close}>
          Close
        </button>
      </header>

      <fieldset className="segmented">
        <legend className="field__label">Transfer to</legend>
        <label className="segmented__option">
          <input
            type="radio"
            name={`transfer-type-${callId}`}
            value="user"
            checked={targetKind === 'user'}
            onChange={() => chooseKind('user')}
          />
          <span>User</span>
        </label>
        <label className={`segmented__option${external ? '' : ' segmented__option--disabled'}`}>
          <input
            type="radio"
            name={`transfer-type-${callId}`}
            value="external"
            checked={targetKind === 'external'}
            disabled={!external}
            onChange={() => chooseKind('external')}
          />
          <span>External number{!external && <span className="soon">not set up by your administrator</span>}</span>
        </label>
      </fieldset>

      {targetKind === 'external' && external ? (
        editingNumber || number === '' ? (
          <ExternalNumberPicker
            external={external}
            value={number}
            onChange={(n) => {
              setNumber(n);
              setRefusal(null);
            }}
            autoFocus
          />
        ) : (
          <Chosen what="number" onEdit={() => setEditingNumber(true)}>
            <span className="chosen__text">{rememberedName === number ? number : `${rememberedName} · ${number}`}</span>
          </Chosen>
        )
      ) : editingUser || userId === null ? (
        <UserPicker directory={directory} selectedId={userId} policy={policy} onSelect={changeUser} autoFocus />
      ) : (
        <Chosen what="colleague" onEdit={() => setEditingUser(true)}>
          <span className="chosen__text">{selected?.name ?? userId}</span>
          {selected ? <StatusBadge status={selected.status} /> : <span className="badge badge--offline">Not in directory</span>}
        </Chosen>
      )}
      {targetKind === 'user' && nonRecommendedHint}

      <fieldset className="segmented">
        <legend className="field__label">Method</legend>
        {(['warm', 'cold'] as const).map((m) => (
          <label key={m} className="segmented__option">
            <input type="radio" name={`transfer-method-${callId}`} value={m} checked={method === m} onChange={() => setMethod(m)} />
            <span>
              {m === 'warm' ? 'Warm' : 'Cold'}
              <span className="segmented__hint">
                {m === 'warm' ? (targetKind === 'external' ? 'talk to them first' : 'talk to your colleague first') : 'hand over directly'}
              </span>
            </span>
          </label>
        ))}
      </fieldset>

      {editingOutcome || !outcome ? (
        <label className="field">
          <span className="field__label">Outcome</span>
          <select
            value={outcomeId ?? ''}
            onChange={(e) => setOutcomeId(e.target.value || null)}
            autoFocus={editingOutcome && initial.outcomeId !== null}
          >
            <option value="">Choose an outcome…</option>
            {outcomes.map((o) => (
              <option key={o.id} value={o.id}>
                {o.label}
              </option>
            ))}
          </select>
        </label>
      ) : (
        <Chosen what="outcome" onEdit={() => setEditingOutcome(true)}>
          <span className="chosen__text">{outcome.label}</span>
        </Chosen>
      )}

      <label className="field">
        <span className="field__label">Note (optional)</span>
        <textarea
          rows={3}
          value={note}
          onChange={(e) => setNote(e.target.value)}
          aria-describedby={`note-count-${callId}`}
          aria-invalid={noteTooLong}
        />
        <span id={`note-count-${callId}`} className={`field__hint counter${noteTooLong ? ' counter--over' : ''}`}>
          {noteLength} / {maxNote} characters · shown on the contact’s History tab
        </span>
      </label>

      {warning && (
        <div className="confirm-box" role="alert">
          <p>{warning.message}</p>
          <div className="button-row">
            <button type="button" className="button button--warning" onClick={() => void submit(true)} disabled={!ready}>
              Transfer anyway
            </button>
            <button
              type="button"
              className="button"
              onClick={() => {
                dispatch(transferWarningCleared());
                setEditingUser(true);
              }}
            >
              Choose someone else
            </button>
          </div>
        </div>
      )}
      {refusal && (
        <p className="message message--error" role="alert">
          {refusal}
        </p>
      )}

      <div className="button-row transfer-panel__actions">
        {!warning && (
          <button ref={confirmRef} type="submit" className="button button--primary" disabled={!ready}>
            {busy ? 'Transferring…' : 'Confirm transfer'}
          </button>
        )}
        {keymap.repeatTransfer && (
          <span className="muted shortcut-hint">
            <Keys spec={keymap.repeatTransfer} /> repeats your last transfer
          </span>
        )}
      </div>
    </form>
  );
}
