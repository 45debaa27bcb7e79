/**
 * The renderer's call controls during a transfer show exactly what the shared rules allow: for every
 * role, phase, target and contact state (held, not held, hung up), each transfer button on the
 * contact's and the consult's card exists if and only if `allowedActions` has its action. The view's
 * `allowed` is built here as main builds it, so a rule that offered a gone contact's buttons, or a
 * card that drew a button the rules do not allow, fails here.
 */
import { describe, expect, it } from 'vitest';
import type { CallView } from '../../shared/desk.js';
import type { TransferPhase, TransferRole, TransferTargetKind } from '../../shared/transfer/transferModel.js';
import { TRANSFER_PHASES } from '../../shared/transfer/transferModel.js';
import { allowedActions, type ContactPresence } from '../../shared/transfer/transferRules.js';
import type { TransferView } from '../../shared/transfer/view.js';
import { callControls } from '../../renderer/features/calls/callControls.js';

const CONTACT = 'call-contact';
const CONSULT = 'call-consult';

function call(id: string, held: boolean): CallView {
  return {
    id,
    direction: 'inbound',
    // Still shown as connected: the desk state may mirror the transfer before the call's end.
    state: 'established',
    remote: { uri: 'sip:someone@lab.test', name: null },
    held,
    live: !held,
    remoteHeld: false,
    muted: false,
    startedAt: 0,
    answeredAt: 0,
    end: null,
    contactId: null,
    transferId: 't1',
  };
}

function view(
  role: TransferRole,
  phase: TransferPhase,
  target: TransferTargetKind,
  contactHeld: boolean,
  contact: ContactPresence,
): TransferView {
  return {
    id: 't1',
    role,
    state: { role, phase, method: 'warm', failure: null, ...(target === 'external' ? { target } : {}) },
    contactCallId: CONTACT,
    consultCallId: CONSULT,
    counterpart: { name: 'Ana', uri: 'sip:ana@lab.test' },
    contact: null,
    outcome: null,
    note: '',
    history: [],
    contextProblem: null,
    contactHeld,
    allowed: [...allowedActions(role, phase, contactHeld, target, contact)],
  };
}

const CASES = (['initiator', 'recipient'] as const).flatMap((role) =>
  (['user', 'external'] as const)
    .filter((target) => role === 'initiator' || target === 'user')
    .flatMap((target) =>
      TRANSFER_PHASES.flatMap((phase) =>
        (
          [
            [true, 'up'],
            [false, 'up'],
            [true, 'gone'],
            [false, 'gone'],
          ] as const
        ).map(([held, contact]) => ({ role, target, phase, held, contact })),
      ),
    ),
);

describe('transfer call controls follow the rules', () => {
  it.each(CASES)('$role · $target · $phase · held $held · contact $contact', ({ role, target, phase, held, contact }) => {
    const transfer = view(role, phase, target, held, contact);
    const allowed = new Set(transfer.allowed);
    const onContact = callControls(call(CONTACT, held), transfer);
    expect(onContact.hold).toBe(allowed.has('holdContact'));
    expect(onContact.resume === 'transfer').toBe(allowed.has('unholdContact'));
    expect(onContact.resume).not.toBe('call');
    expect(onContact.hangUp === 'hangUp').toBe(allowed.has('hangUpContact'));
    const onConsult = callControls(call(CONSULT, false), transfer);
    expect(onConsult.hangUp === 'cancelTransfer').toBe(allowed.has('cancel'));
    expect(onConsult.hangUp === 'hangUp').toBe(allowed.has('hangUpConsult') && !allowed.has('cancel'));
    expect(onConsult.hold || onConsult.resume !== null).toBe(false);
  });

  it.each([
    ['a colleague', 'user'],
    ['an external number', 'external'],
  ] as const)('the contact hung up mid-consult with %s: no button on the contact’s card, the consult can be ended', (_to, target) => {
    for (const held of [true, false]) {
      const transfer = view('initiator', 'failed', target, held, 'gone');
      const onContact = callControls(call(CONTACT, held), transfer);
      expect({ hold: onContact.hold, resume: onContact.resume, hangUp: onContact.hangUp }).toEqual({
        hold: false,
        resume: null,
        hangUp: null,
      });
      expect(callControls(call(CONSULT, false), transfer).hangUp).toBe('hangUp');
    }
  });
});
