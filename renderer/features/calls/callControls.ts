/**
 * Which controls a call shows. Transfer legs take theirs from the transfer's `allowed` (computed by
 * main with shared/transfer/transferRules.ts); a call outside any transfer has the plain phone
 * controls; opening the transfer panel asks the same rules whether `confirm` is possible.
 */
import type { CallView } from '../../../shared/desk.js';
import { allowedActions, contactOwner } from '../../../shared/transfer/transferRules.js';
import { isSettled } from '../../../shared/transfer/transferModel.js';
import type { TransferView } from '../../../shared/transfer/view.js';

export type HangUpControl = 'hangUp' | 'cancelTransfer' | null;

export interface CallControls {
  readonly answer: boolean;
  readonly decline: boolean;
  readonly hold: boolean;
  /** Off hold: plain `call.unhold`, or the transfer's `unholdContact` ("Take contact off hold"). */
  readonly resume: 'call' | 'transfer' | null;
  readonly mute: boolean;
  readonly keypad: boolean;
  readonly hangUp: HangUpControl;
  readonly transfer: boolean;
  /** This call is the consult leg of a transfer (agent to agent). */
  readonly consult: boolean;
}

const NONE: CallControls = {
  answer: false,
  decline: false,
  hold: false,
  resume: null,
  mute: false,
  keypad: false,
  hangUp: null,
  transfer: false,
  consult: false,
};

export function callControls(call: CallView, transfer: TransferView | null): CallControls {
  if (call.state === 'ended') return NONE;
  const connected = call.state === 'established';
  if (transfer === null) {
    const ringingIn = call.direction === 'inbound' && call.state === 'ringing';
    return {
      answer: ringingIn,
      decline: ringingIn,
      hold: connected && !call.held,
      resume: connected && call.held ? 'call' : null,
      mute: connected && !call.held,
      keypad: connected && !call.held,
      hangUp: ringingIn ? null : 'hangUp',
      transfer: connected && allowedActions('initiator', 'choosing', call.held).has('confirm'),
      consult: false,
    };
  }
  const allowed = new Set(transfer.allowed);
  if (transfer.consultCallId === call.id) {
    return {
      ...NONE,
      consult: true,
      answer: call.state === 'ringing' && allowed.has('accept'),
      decline: call.state === 'ringing' && allowed.has('decline'),
      mute: connected && !call.held,
      hangUp: allowed.has('cancel') ? 'cancelTransfer' : allowed.has('hangUpConsult') ? 'hangUp' : null,
    };
  }
  const ringing = call.state === 'ringing';
  const ownsContact = isSettled(transfer.state.phase) && contactOwner(transfer.state.phase) === transfer.role;
  return {
    answer: ringing && allowed.has('accept'),
    decline: ringing && allowed.has('decline'),
    hold: connected && allowed.has('holdContact'),
    resume: connected && allowed.has('unholdContact') ? 'transfer' : null,
    mute: connected && !call.held,
    keypad: connected && !call.held && ownsContact,
    hangUp: !ringing && allowed.has('hangUpContact') ? 'hangUp' : null,
    transfer: connected && ownsContact && allowedActions('initiator', 'choosing', call.held).has('confirm'),
    consult: false,
  };
}
