/**
 * One call's controls. Which buttons exist comes from callControls() (the transfer's `allowed` or
 * the shared rules); a control the rules forbid is absent, not disabled.
 */
import type { CallView } from '../../../shared/desk.js';
import type { TransferView } from '../../../shared/transfer/view.js';
import { useSend } from '../../app/commands.js';
import { useAppDispatch, useAppSelector } from '../../app/store.js';
import { callName, userPart } from '../desk/selectors.js';
import { keypadToggled, transferPanelOpened } from '../desk/workspaceSlice.js';
import { DtmfPad } from '../dialer/DtmfPad.js';
import { callControls } from './callControls.js';
import { callStateLabel } from './callLabels.js';
import { CallTimer } from './CallTimer.js';

export function LegCard({ call, transfer, title }: { readonly call: CallView; readonly transfer: TransferView | null; readonly title: string }) {
  const send = useSend();
  const dispatch = useAppDispatch();
  const keypadOpen = useAppSelector((s) => s.workspace.keypadCallId === call.id);
  const panelOpen = useAppSelector((s) => s.workspace.transferPanelCallId === call.id);
  const c = callControls(call, transfer);
  // A consult's far end is the colleague: the roster name beats a bare SIP user.
  const name = transfer?.consultCallId === call.id && call.remote.name === null ? transfer.counterpart.name : callName(call);
  const callId = call.id;

  return (
    <section className={`leg card${call.held ? ' leg--held' : ''}`} aria-label={`${title}: ${name}`}>
      <header className="leg__header">
        <div>
          <span className="leg__title">{title}</span>
          <strong className="leg__name">{name}</strong>
          {userPart(call.remote.uri) !== name && <span className="muted leg__uri">{userPart(call.remote.uri)}</span>}
        </div>
        <div className="leg__state">
          <span className={`pill${call.held ? ' pill--held' : call.state === 'established' ? ' pill--live' : ''}`}>{callStateLabel(call)}</span>
          {call.muted && <span className="pill pill--muted">Muted</span>}
          {call.answeredAt !== null && <CallTimer since={call.answeredAt} />}
        </div>
      </header>
      <div className="button-row leg__controls">
        {/* A transfer's Accept / Decline / Complete / Cancel live on its status card and toast. */}
        {c.answer && !transfer && (
          <button type="button" className="button button--call" onClick={() => void send('call.answer', { callId })}>
            Answer
          </button>
        )}
        {c.decline && !transfer && (
          <button type="button" className="button button--danger-quiet" onClick={() => void send('call.decline', { callId })}>
            Decline
          </button>
        )}
        {c.hold && (
          <button type="button" className="button" onClick={() => void send('call.hold', { callId })}>
            Hold
          </button>
        )}
        {c.resume === 'call' && (
          <button type="button" className="button button--primary" onClick={() => void send('call.unhold', { callId })}>
            Resume
          </button>
        )}
        {c.resume === 'transfer' && transfer && (
          <button type="button" className="button button--primary" onClick={() => void send('transfer.unholdContact', { transferId: transfer.id })}>
            Take contact off hold
          </button>
        )}
        {c.mute && (
          <button type="button" className="button" aria-pressed={call.muted} onClick={() => void send('call.mute', { callId, muted: !call.muted })}>
            {call.muted ? 'Unmute' : 'Mute'}
          </button>
        )}
        {c.keypad && (
          <button type="button" className="button" aria-expanded={keypadOpen} onClick={() => dispatch(keypadToggled(callId))}>
            Keypad
          </button>
        )}
        {c.transfer && !panelOpen && (
          <button type="button" className="button" onClick={() => dispatch(transferPanelOpened(callId))}>
            Transfer
          </button>
        )}
        <span className="button-row__spacer" />
        {c.hangUp === 'hangUp' && (
          <button type="button" className="button button--danger" onClick={() => void send('call.hangUp', { callId })}>
            Hang up
          </button>
        )}
      </div>
      {c.keypad && keypadOpen && <DtmfPad callId={callId} />}
    </section>
  );
}
