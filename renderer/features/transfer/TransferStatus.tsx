/**
 * Where a transfer stands, and its own buttons — exactly those in `transfer.allowed` (computed by
 * main from shared/transfer/transferRules.ts). Initiator mid-consult: Complete only. Recipient
 * mid-consult: Cancel only. Forbidden actions have no button at all.
 */
import { useState } from 'react';
import type { TransferAction } from '../../../shared/transfer/transferRules.js';
import type { TransferView } from '../../../shared/transfer/view.js';
import { useAppSelector } from '../../app/store.js';
import { useCallActions } from '../calls/useCallActions.js';
import { KeyHint, keyShortcut, useKeymap } from '../shortcuts/KeyHint.js';
import { selectShortcutTargets } from '../shortcuts/targets.js';
import { HistoryList } from '../history/HistoryList.js';
import { contextProblemText, failureText, transferHeadline } from './transferLabels.js';

export function TransferStatus({ transfer }: { readonly transfer: TransferView }) {
  const act = useCallActions();
  const keymap = useKeymap();
  const targets = useAppSelector(selectShortcutTargets);
  const [busy, setBusy] = useState<TransferAction | null>(null);
  const allowed = new Set(transfer.allowed);
  const transferId = transfer.id;
  const callId = transfer.consultCallId ?? transfer.contactCallId;
  const offered = (t: typeof targets.answer) => t?.kind === 'transfer' && t.transferId === transferId;
  const keyed = {
    accept: offered(targets.answer),
    decline: offered(targets.decline),
    complete: targets.complete?.transferId === transferId,
    cancel: targets.cancel?.transferId === transferId,
  };
  const run = async (action: TransferAction, go: () => Promise<unknown>): Promise<void> => {
    setBusy(action);
    try {
      await go();
    } finally {
      setBusy(null);
    }
  };
  const recipient = transfer.role === 'recipient';
  const method = transfer.state.method === 'cold' ? 'Cold transfer' : 'Warm transfer';
  const problem = contextProblemText(transfer.contextProblem);
  // A warm REFER that failed leaves the consult up, with the reason to tell (phase stays consulting).
  const retryNote = transfer.state.phase === 'consulting' && transfer.state.failure ? failureText(transfer.state.failure.reason) : null;
  const heldWithInitiator = recipient && (transfer.state.phase === 'consultRinging' || transfer.state.phase === 'consulting');

  return (
    <section
      className={`transfer-status card transfer-status--${transfer.state.phase}`}
      aria-label={`${method} ${recipient ? 'from' : 'to'} ${transfer.counterpart.name}`}
      tabIndex={-1}
      data-transfer-card={transferId}
    >
      <div className="transfer-status__head">
        <span className="eyebrow">
          {method} {recipient ? 'from' : 'to'} {transfer.counterpart.name}
        </span>
        {/* Spoken through the page's polite live region (announce/LiveRegions.tsx), which outlives this card. */}
        <p className="transfer-status__headline">{transferHeadline(transfer)}</p>
        {heldWithInitiator && <span className="pill pill--held">Contact on hold</span>}
        {!recipient && transfer.contactHeld && <span className="pill pill--held">Contact on hold</span>}
      </div>
      {retryNote && (
        <p className="message message--warning" role="alert">
          The handover did not go through ({retryNote}). You are still talking with {transfer.counterpart.name}; try Complete again.
        </p>
      )}
      {recipient && (
        <div className="transfer-context">
          {problem && <p className="message message--warning">{problem}</p>}
          {transfer.contact && (
            <dl className="facts">
              <div>
                <dt>Contact</dt>
                <dd>{transfer.contact.name}</dd>
              </div>
              <div>
                <dt>Number</dt>
                <dd>{transfer.contact.number}</dd>
              </div>
              {transfer.outcome && transfer.outcome.label && (
                <div>
                  <dt>Outcome</dt>
                  <dd>{transfer.outcome.label}</dd>
                </div>
              )}
            </dl>
          )}
          <div className="transfer-context__note">
            <h2 className="subhead">Note from {transfer.counterpart.name}</h2>
            {transfer.note ? <p className="note-text">{transfer.note}</p> : <p className="muted">No note.</p>}
          </div>
          {transfer.history.length > 0 && (
            <details className="transfer-context__history">
              <summary>Recent history ({transfer.history.length})</summary>
              <HistoryList entries={transfer.history} label="History sent with the transfer" />
            </details>
          )}
        </div>
      )}
      <div className="button-row">
        {allowed.has('accept') && (
          <button
            type="button"
            className="button button--call"
            disabled={busy !== null}
            onClick={() => void run('accept', () => act.accept(transferId, callId))}
            {...keyShortcut(keymap, 'answer', keyed.accept)}
          >
            Accept
            {keyed.accept && <KeyHint spec={keymap.answer} />}
          </button>
        )}
        {allowed.has('decline') && (
          <button
            type="button"
            className="button button--danger-quiet"
            disabled={busy !== null}
            onClick={() => void run('decline', () => act.declineTransfer(transferId))}
            {...keyShortcut(keymap, 'decline', keyed.decline)}
          >
            Decline
            {keyed.decline && <KeyHint spec={keymap.decline} />}
          </button>
        )}
        {allowed.has('complete') && (
          <button
            type="button"
            className="button button--primary"
            disabled={busy !== null}
            data-transfer-action=""
            onClick={() => void run('complete', () => act.complete(transferId))}
            {...keyShortcut(keymap, 'complete', keyed.complete)}
          >
            {busy === 'complete' ? 'Completing…' : 'Complete transfer'}
            {keyed.complete && <KeyHint spec={keymap.complete} />}
          </button>
        )}
        {allowed.has('cancel') && (
          <button
            type="button"
            className="button button--danger"
            disabled={busy !== null}
            data-transfer-action=""
            onClick={() => void run('cancel', () => act.cancel(transferId))}
            {...keyShortcut(keymap, 'cancel', keyed.cancel)}
          >
            Cancel transfer
            {keyed.cancel && <KeyHint spec={keymap.cancel} />}
          </button>
        )}
      </div>
    </section>
  );
}
