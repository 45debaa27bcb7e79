/**
 * One call's controls. Which buttons exist comes from callControls() (the transfer's `allowed` or
 * the shared rules); a control the rules forbid is absent, not disabled. A button shows its key
 * when that key would press it (shortcuts/targets.ts).
 */
import type { CallView } from '../../../shared/desk.js';
import type { TransferView } from '../../../shared/transfer/view.js';
import { useAppDispatch, useAppSelector } from '../../app/store.js';
import { callName, userPart } from '../desk/selectors.js';
import { keypadToggled } from '../desk/workspaceSlice.js';
import { DtmfPad } from '../dialer/DtmfPad.js';
import { KeyHint, keyShortcut, useKeymap } from '../shortcuts/KeyHint.js';
import type { ShortcutAction } from '../shortcuts/keymap.js';
import { selectShortcutTargets } from '../shortcuts/targets.js';
import { callControls } from './callControls.js';
import { callStateLabel } from './callLabels.js';
import { CallTimer } from './CallTimer.js';
import { useCallActions } from './useCallActions.js';

export function LegCard({
  call,
  transfer,
  title,
}: {
  readonly call: CallView;
  readonly transfer: TransferView | null;
  readonly title: string;
}) {
  const act = useCallActions();
  const dispatch = useAppDispatch();
  const keypadOpen = useAppSelector((s) => s.workspace.keypadCallId === call.id);
  const panelOpen = useAppSelector((s) => s.workspace.transferPanelCallId === call.id);
  const targets = useAppSelector(selectShortcutTargets);
  const keymap = useKeymap();
  const c = callControls(call, transfer);
  // A consult's far end is the colleague: the roster name beats a bare SIP user.
  const name = transfer?.consultCallId === call.id && call.remote.name === null ? transfer.counterpart.name : callName(call);
  const callId = call.id;
  const mine = {
    answer: targets.answer?.kind === 'call' && targets.answer.callId === callId,
    decline: targets.decline?.kind === 'call' && targets.decline.callId === callId,
    hold: targets.hold?.callId === callId,
    mute: targets.mute?.callId === callId,
    hangUp: targets.hangUp?.callId === callId,
    transfer: targets.transfer?.callId === callId,
  };
  const keyed = (action: ShortcutAction & keyof typeof mine) => keyShortcut(keymap, action, mine[action]);
  const hint = (action: ShortcutAction & keyof typeof mine) => (mine[action] ? <KeyHint spec={keymap[action]} /> : null);

  return (
    <section className={`leg card${call.held ? ' leg--held' : ''}`} aria-label={`${title}: ${name}`} tabIndex={-1} data-call-card={callId}>
      <header className="leg__header">
        <div>
          <span className="leg__title">{title}</span>
          <strong className="leg__name">{name}</strong>
          {userPart(call.remote.uri) !== name && <span className="muted leg__uri">{userPart(call.remote.uri)}</span>}
        </div>
        <div className="leg__state">
          <span className={`pill${call.held ? ' pill--held' : call.state === 'established' ? ' pill--live' : ''}`}>
            {callStateLabel(call)}
          </span>
          {call.muted && <span className="pill pill--muted">Muted</span>}
          {call.answeredAt !== null && <CallTimer since={call.answeredAt} />}
        </div>
      </header>
      <div className="button-row leg__controls">
        {/* A transfer's Accept / Decline / Complete / Cancel live on its status card and toast. */}
        {c.answer && !transfer && (
          <button
            type="button"
            className="button button--call"
            data-action="answer"
            onClick={() => void act.answer(callId)}
            {...keyed('answer')}
          >
            Answer
            {hint('answer')}
          </button>
        )}
        {c.decline && !transfer && (
          <button
            type="button"
            className="button button--danger-quiet"
            data-action="decline"
            onClick={() => void act.decline(callId)}
            {...keyed('decline')}
          >
            Decline
            {hint('decline')}
          </button>
        )}
        {c.hold && (
          <button type="button" className="button" data-action="hold" onClick={() => void act.hold(callId)} {...keyed('hold')}>
            Hold
            {hint('hold')}
          </button>
        )}
        {c.resume === 'call' && (
          <button
            type="button"
            className="button button--primary"
            data-action="resume"
            onClick={() => void act.unhold(callId)}
            {...keyed('hold')}
          >
            Resume
            {hint('hold')}
          </button>
        )}
        {c.resume === 'transfer' && transfer && (
          <button
            type="button"
            className="button button--primary"
            data-action="resume"
            onClick={() => void act.unholdContact(transfer.id, callId)}
            {...keyed('hold')}
          >
            Take contact off hold
            {hint('hold')}
          </button>
        )}
        {c.mute && (
          <button
            type="button"
            className="button"
            aria-pressed={call.muted}
            data-action="mute"
            onClick={() => void act.mute(callId, !call.muted)}
            {...keyed('mute')}
          >
            {call.muted ? 'Unmute' : 'Mute'}
            {hint('mute')}
          </button>
        )}
        {c.keypad && (
          <button type="button" className="button" aria-expanded={keypadOpen} onClick={() => dispatch(keypadToggled(callId))}>
            Keypad
          </button>
        )}
        {c.transfer && !panelOpen && (
          <button type="button" className="button" data-action="transfer" onClick={() => act.openTransfer(callId)} {...keyed('transfer')}>
            Transfer
            {hint('transfer')}
          </button>
        )}
        <span className="button-row__spacer" />
        {c.hangUp === 'hangUp' && (
          <button
            type="button"
            className="button button--danger"
            data-action="hangUp"
            onClick={() => void act.hangUp(callId)}
            {...keyed('hangUp')}
          >
            Hang up
            {hint('hangUp')}
          </button>
        )}
      </div>
      {c.keypad && keypadOpen && <DtmfPad callId={callId} />}
    </section>
  );
}
