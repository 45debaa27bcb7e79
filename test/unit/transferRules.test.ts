/**
 * The transfer rules as tables. Each table is the product rule written out by hand, not computed from
 * the implementation: change a rule here first, then make the code agree.
 */
import { describe, expect, it } from 'vitest';
import type { TransferPhase, TransferRole, TransferState } from '../../shared/transfer/transferModel.js';
import { TRANSFER_PHASES, initiatorTransfer, recipientTransfer } from '../../shared/transfer/transferModel.js';
import type {
  ContactPresence,
  DispositionDue,
  TransferAction,
  TransferCall,
  TransferRuleCode,
} from '../../shared/transfer/transferRules.js';
import { TRANSFER_ACTIONS, allowedActions, checkAction } from '../../shared/transfer/transferRules.js';
import { contactOwner, dispositionDue } from '../../shared/transfer/transferRules.js';
import type { TransferEvent } from '../../shared/transfer/transferMachine.js';
import { transferTransition } from '../../shared/transfer/transferMachine.js';

const cells = (row: string): readonly string[] => row.trim().split(/\s+/);

// ─── Who may do what ──────────────────────────────────────────────────────────────────────────────
// Y = allowed (a button is shown)   = = accepted, nothing to do (a repeat, or overtaken by events)
// . = refused with a rule error
// The contact's call: held, not held, or gone (the contact hung up; the same whatever hold state is
// reported for the ended call).
type ContactColumn = 'held' | 'not held' | 'gone';
const ACTION_COLUMNS: readonly TransferAction[] = [
  'confirm',
  'dismiss',
  'accept',
  'decline',
  'complete',
  'cancel',
  'holdContact',
  'unholdContact',
  'hangUpContact',
  'hangUpConsult',
];
const ACTION_GRID: readonly (readonly [TransferRole, TransferPhase, ContactColumn, string])[] = [
  //                                            confirm dismiss accept decline complete cancel hold unhold hangUpContact hangUpConsult
  ['initiator', 'choosing', 'held', 'Y       Y       .      .       .        .      =    Y      Y             .'],
  ['initiator', 'choosing', 'not held', 'Y       Y       .      .       .        .      Y    =      Y             .'],
  ['initiator', 'choosing', 'gone', '.       Y       .      .       .        .      .    .      =             .'],
  ['initiator', 'referring', 'held', '=       .       .      .       .        .      .    .      .             .'],
  ['initiator', 'referring', 'not held', '=       .       .      .       .        .      .    .      .             .'],
  ['initiator', 'referring', 'gone', '=       .       .      .       .        .      .    .      .             .'],
  ['initiator', 'consultRinging', 'held', '=       .       .      .       .        .      =    .      .             .'],
  ['initiator', 'consultRinging', 'not held', '=       .       .      .       .        .      Y    .      .             .'],
  ['initiator', 'consultRinging', 'gone', '=       .       .      .       .        .      .    .      .             .'],
  ['initiator', 'consulting', 'held', '=       .       .      .       Y        .      =    .      .             .'],
  ['initiator', 'consulting', 'not held', '=       .       .      .       Y        .      Y    .      .             .'],
  ['initiator', 'consulting', 'gone', '=       .       .      .       .        .      .    .      .             .'],
  ['initiator', 'completing', 'held', '=       .       .      .       =        .      .    .      .             .'],
  ['initiator', 'completing', 'not held', '=       .       .      .       =        .      .    .      .             .'],
  ['initiator', 'completing', 'gone', '=       .       .      .       =        .      .    .      .             .'],
  ['initiator', 'completed', 'held', '.       .       .      .       =        .      .    .      .             .'],
  ['initiator', 'completed', 'not held', '.       .       .      .       =        .      .    .      .             .'],
  ['initiator', 'completed', 'gone', '.       .       .      .       =        .      .    .      .             .'],
  ['initiator', 'cancelled', 'held', '.       =       .      .       .        .      =    Y      Y             .'],
  ['initiator', 'cancelled', 'not held', '.       =       .      .       .        .      Y    =      Y             .'],
  ['initiator', 'cancelled', 'gone', '.       =       .      .       .        .      .    .      =             .'],
  ['initiator', 'failed', 'held', '.       .       .      .       .        .      =    Y      Y             Y'],
  ['initiator', 'failed', 'not held', '.       .       .      .       .        .      Y    =      Y             Y'],
  ['initiator', 'failed', 'gone', '.       .       .      .       .        .      .    .      =             Y'],
  ['recipient', 'choosing', 'held', '.       .       .      .       .        .      .    .      .             .'],
  ['recipient', 'choosing', 'not held', '.       .       .      .       .        .      .    .      .             .'],
  ['recipient', 'choosing', 'gone', '.       .       .      .       .        .      .    .      .             .'],
  ['recipient', 'referring', 'held', '.       .       Y      Y       .        .      .    .      .             .'],
  ['recipient', 'referring', 'not held', '.       .       Y      Y       .        .      .    .      .             .'],
  ['recipient', 'referring', 'gone', '.       .       Y      Y       .        .      .    .      .             .'],
  ['recipient', 'consultRinging', 'held', '.       .       Y      Y       .        .      .    .      .             .'],
  ['recipient', 'consultRinging', 'not held', '.       .       Y      Y       .        .      .    .      .             .'],
  ['recipient', 'consultRinging', 'gone', '.       .       Y      Y       .        .      .    .      .             .'],
  ['recipient', 'consulting', 'held', '.       .       =      .       .        Y      .    .      .             .'],
  ['recipient', 'consulting', 'not held', '.       .       =      .       .        Y      .    .      .             .'],
  ['recipient', 'consulting', 'gone', '.       .       =      .       .        Y      .    .      .             .'],
  ['recipient', 'completing', 'held', '.       .       .      .       .        .      .    .      .             .'],
  ['recipient', 'completing', 'not held', '.       .       .      .       .        .      .    .      .             .'],
  ['recipient', 'completing', 'gone', '.       .       .      .       .        .      .    .      .             .'],
  ['recipient', 'completed', 'held', '.       .       =      .       .        .      =    Y      Y             .'],
  ['recipient', 'completed', 'not held', '.       .       =      .       .        .      Y    =      Y             .'],
  ['recipient', 'completed', 'gone', '.       .       =      .       .        .      .    .      =             .'],
  ['recipient', 'cancelled', 'held', '.       .       .      .       .        =      .    .      .             .'],
  ['recipient', 'cancelled', 'not held', '.       .       .      .       .        =      .    .      .             .'],
  ['recipient', 'cancelled', 'gone', '.       .       .      .       .        =      .    .      .             .'],
  ['recipient', 'failed', 'held', '.       .       .      =       .        =      .    .      .             Y'],
  ['recipient', 'failed', 'not held', '.       .       .      =       .        =      .    .      .             Y'],
  ['recipient', 'failed', 'gone', '.       .       .      =       .        =      .    .      .             Y'],
];

describe('allowedActions / checkAction: every role × phase × contact (held, not held, gone) × action', () => {
  it('the grid covers every role, phase, hold state and action exactly once', () => {
    expect([...ACTION_COLUMNS].sort()).toEqual([...TRANSFER_ACTIONS].sort());
    const keys = ACTION_GRID.map(([role, phase, held]) => `${role} ${phase} ${held}`);
    expect(new Set(keys).size).toBe(2 * TRANSFER_PHASES.length * 3);
    for (const [, , , row] of ACTION_GRID) expect(cells(row)).toHaveLength(ACTION_COLUMNS.length);
  });

  const cases = ACTION_GRID.flatMap(([role, phase, held, row]) =>
    cells(row).map((expected, i) => ({ role, phase, held, action: ACTION_COLUMNS[i] ?? 'confirm', expected })),
  );
  it.each(cases)('$role · $phase · contact $held · $action → $expected', ({ role, phase, held, action, expected }) => {
    for (const [contactHeld, contact] of asCalled(held)) {
      expect(allowedActions(role, phase, contactHeld, 'user', contact).has(action)).toBe(expected === 'Y');
      const check = checkAction(role, phase, contactHeld, action, 'user', contact);
      if (expected !== '.') expect(check).toEqual({ ok: true, noop: expected === '=' });
      else expect(check.ok ? '' : check.error.message).not.toBe('');
    }
  });
  it('a contact still there is what the rules assume when not told', () => {
    for (const [role, phase, held] of ACTION_GRID) {
      if (held === 'gone') continue;
      expect(allowedActions(role, phase, held === 'held')).toEqual(allowedActions(role, phase, held === 'held', 'user', 'up'));
    }
  });
});

/** The (contactHeld, contact) arguments a grid row stands for: a gone contact in either hold state. */
function asCalled(held: ContactColumn): readonly (readonly [boolean, ContactPresence])[] {
  if (held === 'gone')
    return [
      [true, 'gone'],
      [false, 'gone'],
    ];
  return [[held === 'held', 'up']];
}

// Why a command is refused: the codes the UI and main's logs rely on.
const REFUSALS: readonly (readonly [TransferRole, TransferPhase, boolean, TransferAction, TransferRuleCode])[] = [
  ['initiator', 'consultRinging', true, 'cancel', 'initiator-cannot-cancel'],
  ['initiator', 'consulting', true, 'cancel', 'initiator-cannot-cancel'],
  ['initiator', 'consulting', true, 'hangUpConsult', 'initiator-cannot-cancel'],
  ['recipient', 'consulting', true, 'complete', 'recipient-cannot-complete'],
  ['initiator', 'consultRinging', true, 'unholdContact', 'contact-held-during-transfer'],
  ['initiator', 'consulting', true, 'unholdContact', 'contact-held-during-transfer'],
  ['initiator', 'completing', true, 'unholdContact', 'contact-held-during-transfer'],
  ['initiator', 'referring', false, 'holdContact', 'refer-in-progress'],
  ['initiator', 'completing', false, 'holdContact', 'refer-in-progress'],
  ['initiator', 'referring', true, 'hangUpContact', 'contact-in-transfer'],
  ['initiator', 'consulting', true, 'hangUpContact', 'contact-in-transfer'],
  ['recipient', 'consulting', true, 'unholdContact', 'not-your-contact'],
  ['initiator', 'completed', true, 'unholdContact', 'not-your-contact'],
  ['recipient', 'cancelled', true, 'unholdContact', 'not-your-contact'],
  ['recipient', 'consultRinging', true, 'confirm', 'wrong-role'],
  ['initiator', 'consultRinging', true, 'accept', 'wrong-role'],
  ['recipient', 'consultRinging', true, 'cancel', 'not-in-phase'],
  ['recipient', 'completed', true, 'cancel', 'not-in-phase'],
  ['initiator', 'cancelled', true, 'complete', 'not-in-phase'],
];
it.each(REFUSALS)('%s · %s · held %s · %s is refused: %s', (role, phase, held, action, code) => {
  const check = checkAction(role, phase, held, action);
  expect(check.ok ? null : check.error.code).toBe(code);
});
// Once the contact has hung up, an act on its call is refused as what it is.
it.each([
  ['initiator', 'failed', true, 'unholdContact', 'user'],
  ['initiator', 'failed', false, 'holdContact', 'user'],
  ['initiator', 'failed', true, 'unholdContact', 'external'],
  ['initiator', 'cancelled', true, 'unholdContact', 'external'],
  ['initiator', 'choosing', false, 'confirm', 'user'],
  ['initiator', 'consulting', true, 'complete', 'user'],
  ['initiator', 'consulting', true, 'complete', 'external'],
  ['recipient', 'completed', true, 'unholdContact', 'user'],
] as const)('%s · %s · held %s · %s (%s), the contact gone, is refused: contact-gone', (role, phase, held, action, target) => {
  const check = checkAction(role, phase, held, action, target, 'gone');
  expect(check).toEqual({ ok: false, error: { kind: 'transfer-rule', code: 'contact-gone', message: 'The contact has hung up.' } });
});

// ─── The machine: every role × phase × event ──────────────────────────────────────────────────────
// Cell: the phase the transfer moves to, = accepted with no change (repeat or late news), x refused.
const SHORT: Readonly<Record<string, TransferPhase>> = {
  cho: 'choosing',
  ref: 'referring',
  rng: 'consultRinging',
  con: 'consulting',
  cmp: 'completing',
  done: 'completed',
  canc: 'cancelled',
  fail: 'failed',
};
const COLUMNS = ['cho', 'ref', 'rng', 'con', 'cmp', 'done', 'canc', 'fail'].map((c) => SHORT[c] ?? 'choosing');
const EVENTS: Readonly<Record<string, TransferEvent>> = {
  'confirmed(cold)': { type: 'confirmed', method: 'cold' },
  'confirmed(warm)': { type: 'confirmed', method: 'warm' },
  dismissed: { type: 'dismissed' },
  consultAnswered: { type: 'consultAnswered' },
  'consultFailed(busy)': { type: 'consultFailed', reason: 'busy' },
  referAccepted: { type: 'referAccepted' },
  referSucceeded: { type: 'referSucceeded' },
  'referFailed(declined)': { type: 'referFailed', reason: 'declined' },
  referredCallAnswered: { type: 'referredCallAnswered' },
  contactArrived: { type: 'contactArrived' },
  'referRefused(refer-unsupported)': { type: 'referRefused', reason: 'refer-unsupported' },
  completeRequested: { type: 'completeRequested' },
  recipientCancelled: { type: 'recipientCancelled' },
  initiatorCancelled: { type: 'initiatorCancelled' },
  contactHungUp: { type: 'contactHungUp' },
  peerConnectionLost: { type: 'peerConnectionLost' },
};
const MOVES: Readonly<Record<TransferRole, Readonly<Record<string, string>>>> = {
  //                            cho   ref   rng   con   cmp   done  canc  fail
  initiator: {
    'confirmed(cold)': 'ref   =     x     x     x     x     x     x',
    'confirmed(warm)': 'rng   x     =     =     =     x     x     x',
    dismissed: 'canc  x     x     x     x     x     =     x',
    consultAnswered: 'x     x     con   =     =     x     x     x',
    'consultFailed(busy)': 'x     x     fail  fail  x     x     =     =',
    referAccepted: 'x     =     x     x     =     =     =     =',
    referSucceeded: 'x     done  x     x     done  =     x     x',
    'referFailed(declined)': 'x     fail  x     x     con   x     =     =',
    referredCallAnswered: 'x     x     x     x     x     x     x     x',
    contactArrived: 'x     x     x     x     x     x     x     x',
    'referRefused(refer-unsupported)': 'x     fail  x     x     fail  =     =     =',
    completeRequested: 'x     x     x     cmp   =     =     x     x',
    recipientCancelled: 'x     x     x     canc  canc  x     =     =',
    initiatorCancelled: 'x     x     x     x     x     x     x     x',
    contactHungUp: 'fail  fail  fail  fail  fail  =     =     =',
    peerConnectionLost: 'x     =     fail  fail  fail  =     =     =',
  },
  recipient: {
    'confirmed(cold)': 'x     x     x     x     x     x     x     x',
    'confirmed(warm)': 'x     x     x     x     x     x     x     x',
    dismissed: 'x     x     x     x     x     x     x     x',
    consultAnswered: 'x     x     con   =     x     x     x     x',
    'consultFailed(busy)': 'x     x     fail  x     x     x     =     =',
    referAccepted: 'x     x     x     x     x     x     x     x',
    referSucceeded: 'x     x     x     x     x     x     x     x',
    'referFailed(declined)': 'x     fail  x     x     x     x     =     =',
    referredCallAnswered: 'x     done  x     x     x     =     x     x',
    contactArrived: 'x     x     x     done  x     =     x     x',
    'referRefused(refer-unsupported)': 'x     x     x     fail  x     =     =     =',
    completeRequested: 'x     x     x     x     x     x     x     x',
    recipientCancelled: 'x     x     x     canc  x     x     =     =',
    initiatorCancelled: 'x     x     x     x     x     x     x     x',
    contactHungUp: 'x     fail  fail  fail  x     =     =     =',
    peerConnectionLost: 'x     =     fail  fail  x     =     =     =',
  },
};

function after(start: TransferState, ...events: readonly TransferEvent[]): TransferState {
  return events.reduce((state, event) => {
    const result = transferTransition(state, event);
    if (!result.ok || !result.changed) throw new Error(`fixture: ${event.type} did nothing in ${state.phase}`);
    return result.state;
  }, start);
}
function ev(label: string): TransferEvent {
  const event = EVENTS[label];
  if (event === undefined) throw new Error(`no event ${label}`);
  return event;
}
const iConsulting = after(initiatorTransfer(), ev('confirmed(warm)'), ev('consultAnswered'));
const rConsulting = after(recipientTransfer('warm'), ev('consultAnswered'));
/** One state per role × phase; the recipient's choosing and completing cannot be reached, so are written out. */
const FIXTURES: Readonly<Record<TransferRole, Readonly<Record<TransferPhase, TransferState>>>> = {
  initiator: {
    choosing: initiatorTransfer(),
    referring: after(initiatorTransfer(), ev('confirmed(cold)')),
    consultRinging: after(initiatorTransfer(), ev('confirmed(warm)')),
    consulting: iConsulting,
    completing: after(iConsulting, ev('completeRequested')),
    completed: after(initiatorTransfer(), ev('confirmed(cold)'), ev('referSucceeded')),
    cancelled: after(iConsulting, ev('recipientCancelled')),
    failed: after(initiatorTransfer(), ev('confirmed(warm)'), ev('consultFailed(busy)')),
  },
  recipient: {
    choosing: { role: 'recipient', phase: 'choosing', method: null, failure: null },
    referring: recipientTransfer('cold'),
    consultRinging: recipientTransfer('warm'),
    consulting: rConsulting,
    completing: { role: 'recipient', phase: 'completing', method: 'warm', failure: null },
    completed: after(rConsulting, ev('contactArrived')),
    cancelled: after(rConsulting, ev('recipientCancelled')),
    failed: after(recipientTransfer('warm'), { type: 'consultFailed', reason: 'declined' }),
  },
};
const I = FIXTURES.initiator;
const R = FIXTURES.recipient;

describe('transferTransition: every role × phase × event', () => {
  const cases = (['initiator', 'recipient'] as const).flatMap((role) =>
    Object.entries(MOVES[role]).flatMap(([label, row]) =>
      cells(row).map((cell, i) => ({ role, phase: COLUMNS[i] ?? 'choosing', label, cell })),
    ),
  );
  it('the grid covers every event for both roles', () => {
    for (const role of ['initiator', 'recipient'] as const) expect(Object.keys(MOVES[role])).toEqual(Object.keys(EVENTS));
    expect(new Set(COLUMNS)).toEqual(new Set(TRANSFER_PHASES));
    expect(cases).toHaveLength(2 * Object.keys(EVENTS).length * TRANSFER_PHASES.length);
  });
  it.each(cases)('$role in $phase, $label → $cell', ({ role, phase, label, cell }) => {
    const before = FIXTURES[role][phase];
    const result = transferTransition(before, ev(label));
    if (cell === 'x') expect(result).toMatchObject({ ok: false, state: before });
    else if (cell === '=') expect(result).toEqual({ ok: true, state: before, changed: false });
    else expect(result).toMatchObject({ ok: true, changed: true, state: { phase: SHORT[cell] } });
  });
});

describe('transferTransition: what failures record, and what comes after them', () => {
  it.each([
    ['initiator, consult rings out', 'no-answer', { type: 'consultFailed', reason: 'no-answer' }, I.consultRinging],
    ['initiator, cold REFER busy', 'busy', { type: 'referFailed', reason: 'busy' }, I.referring],
    ['initiator, contact hangs up mid-consult', 'contact-hung-up', ev('contactHungUp'), I.consulting],
    ['initiator, recipient drops mid-consult', 'connection-lost', ev('peerConnectionLost'), I.consulting],
    ['recipient, initiator drops mid-consult', 'connection-lost', ev('peerConnectionLost'), R.consulting],
    ['recipient, referred call not answered', 'no-answer', { type: 'referFailed', reason: 'no-answer' }, R.referring],
    ['recipient, told the contact hung up mid-consult', 'contact-hung-up', ev('contactHungUp'), R.consulting],
    ['recipient, told the contact hung up while the consult rang', 'contact-hung-up', ev('contactHungUp'), R.consultRinging],
    ['initiator, the contact phone ignored the REFER', 'refer-ignored', { type: 'referFailed', reason: 'refer-ignored' }, I.referring],
    ['initiator, the contact phone refused the REFER', 'refer-rejected', { type: 'referFailed', reason: 'refer-rejected' }, I.referring],
    [
      'initiator, the contact phone takes no REFER (warm)',
      'refer-unsupported',
      { type: 'referRefused', reason: 'refer-unsupported' },
      I.completing,
    ],
    [
      'initiator, the contact phone takes no REFER (cold)',
      'refer-unsupported',
      { type: 'referRefused', reason: 'refer-unsupported' },
      I.referring,
    ],
    [
      'recipient, told the contact phone takes no REFER',
      'refer-unsupported',
      { type: 'referRefused', reason: 'refer-unsupported' },
      R.consulting,
    ],
  ] as const)('%s → failed, told %s', (_case, reason, event, before) => {
    const { state } = transferTransition(before, event);
    expect(state).toMatchObject({ phase: 'failed', failure: { reason, during: before.phase } });
  });
  it('a failed warm REFER goes back to consulting, says why, and a new complete clears it', () => {
    const back = after(I.completing, { type: 'referFailed', reason: 'refer-rejected' });
    expect(back).toMatchObject({ phase: 'consulting', failure: { reason: 'refer-rejected', during: 'completing' } });
    expect(after(back, ev('completeRequested'))).toMatchObject({ phase: 'completing', failure: null });
  });
  it.each([
    ['a colleague', 'user', iConsulting],
    ['an external number', 'external', after(initiatorTransfer('external'), ev('confirmed(warm)'), ev('consultAnswered'))],
  ] as const)('the contact hangs up mid-consult with %s: the initiator is offered only the consult’s end', (_to, target, consulting) => {
    const failed = after(consulting, ev('contactHungUp'));
    expect(failed).toMatchObject({ phase: 'failed', failure: { reason: 'contact-hung-up' } });
    for (const held of [true, false]) {
      expect(allowedActions('initiator', failed.phase, held, target, 'gone')).toEqual(new Set(['hangUpConsult']));
      expect(checkAction('initiator', failed.phase, held, 'hangUpContact', target, 'gone')).toEqual({ ok: true, noop: true });
    }
  });
  it('the contact hangs up mid-consult: the recipient is offered only the consult’s end', () => {
    const failed = after(rConsulting, ev('contactHungUp'));
    expect(allowedActions('recipient', failed.phase, false, 'user', 'gone')).toEqual(new Set(['hangUpConsult']));
  });
  it('the contact hangs up after a warm transfer connected: the recipient gets no contact buttons', () => {
    expect(allowedActions('recipient', 'completed', true, 'user', 'gone')).toEqual(new Set());
  });
  it('a phone that takes no REFER leaves the initiator its contact, held until it chooses, and its consult to end', () => {
    const failed = after(I.completing, { type: 'referRefused', reason: 'refer-unsupported' });
    expect(allowedActions('initiator', failed.phase, true)).toEqual(new Set(['unholdContact', 'hangUpContact', 'hangUpConsult']));
    expect(allowedActions('initiator', failed.phase, false)).toEqual(new Set(['holdContact', 'hangUpContact', 'hangUpConsult']));
    expect(contactOwner(failed.phase)).toBe('initiator');
  });
  it.each([
    ['our timeout after a cold REFER', 'completed', after(I.referring, { type: 'referFailed', reason: 'refer-ignored' })],
    ['contact hung up during a cold REFER', 'completed', after(I.referring, ev('contactHungUp'))],
    ['our timeout after a warm REFER', 'completed', after(I.completing, { type: 'referFailed', reason: 'refer-ignored' })],
    ['contact hung up during a warm REFER', 'completed', after(I.completing, ev('contactHungUp'))],
    ['the REFER was rejected', 'refused', after(I.completing, { type: 'referFailed', reason: 'refer-rejected' })],
    ['the phone takes no REFER', 'refused', after(I.completing, { type: 'referRefused', reason: 'refer-unsupported' })],
    ['the consult was busy', 'refused', I.failed],
    ['the contact hung up mid-consult', 'refused', after(I.consulting, ev('contactHungUp'))],
  ] as const)('a NOTIFY 200 arriving late (after %s) → %s', (_why, expected, before) => {
    const result = transferTransition(before, ev('referSucceeded'));
    expect(result.ok ? result.state.phase : 'refused').toBe(expected);
  });
  it.each([
    ['recipient', 'consulting', 'completeRequested', 'recipient-cannot-complete'],
    ['recipient', 'consultRinging', 'confirmed(warm)', 'wrong-role'],
    ['recipient', 'consulting', 'referSucceeded', 'wrong-role'],
    ['initiator', 'consulting', 'contactArrived', 'wrong-role'],
    ['initiator', 'referring', 'confirmed(warm)', 'not-in-phase'],
    ['initiator', 'failed', 'consultAnswered', 'not-in-phase'],
    ['recipient', 'completing', 'contactHungUp', 'not-in-phase'],
  ] as const)('%s in %s, %s is refused: %s', (role, phase, label, code) => {
    const result = transferTransition(FIXTURES[role][phase], ev(label));
    expect(result.ok ? null : result.error.code).toBe(code);
  });
});

// ─── Afterwards: who has the contact, who owes a disposition ──────────────────────────────────────
it.each([
  ['choosing', 'initiator'],
  ['referring', 'initiator'],
  ['consultRinging', 'initiator'],
  ['consulting', 'initiator'],
  ['completing', 'initiator'],
  ['completed', 'recipient'],
  ['cancelled', 'initiator'],
  ['failed', 'initiator'],
] as const)('in %s the contact is with the %s', (phase, owner) => {
  expect(contactOwner(phase)).toBe(owner);
});

// When one of the transfer's calls ends: prefilled = wrap-up starts with the chosen outcome.
const DISPOSITIONS: readonly (readonly [string, TransferCall, DispositionDue, TransferState])[] = [
  ['initiator, contact hangs up while choosing', 'contact', 'blank', I.choosing],
  ['initiator, contact hangs up during a cold REFER', 'contact', 'blank', I.referring],
  ['initiator, contact hangs up mid-consult', 'contact', 'blank', I.consulting],
  ['initiator, contact hangs up during a warm REFER', 'contact', 'blank', I.completing],
  ['initiator, cold transfer succeeded', 'contact', 'prefilled', I.completed],
  ['initiator, warm transfer completed', 'contact', 'prefilled', after(I.completing, ev('referSucceeded'))],
  ['initiator, later call end after a cancel', 'contact', 'blank', I.cancelled],
  ['initiator, later call end after a failure', 'contact', 'blank', I.failed],
  ['initiator, its consult leg ends (cancelled)', 'consult', 'none', I.cancelled],
  ['initiator, its consult leg ends (completed)', 'consult', 'none', after(I.completing, ev('referSucceeded'))],
  ['recipient, referred call stops ringing', 'contact', 'none', R.referring],
  ['recipient, cold call taken, later ends', 'contact', 'blank', after(R.referring, ev('referredCallAnswered'))],
  ['recipient, warm transfer taken, later ends', 'contact', 'blank', R.completed],
  ['recipient, consult toast stops ringing', 'consult', 'none', R.consultRinging],
  ['recipient, consult ends mid-consult', 'consult', 'blank', R.consulting],
  ['recipient, consult replaced by the contact', 'consult', 'none', R.completed],
  ['recipient, cancelled the consult', 'consult', 'blank', R.cancelled],
  ['recipient, declined the consult', 'consult', 'none', R.failed],
  ['recipient, contact hung up mid-consult', 'consult', 'blank', after(R.consulting, ev('contactHungUp'))],
  ['recipient, contact hung up while the consult rang', 'consult', 'none', after(R.consultRinging, ev('contactHungUp'))],
  ['initiator, contact hung up mid-consult, consult ends later', 'consult', 'none', after(I.consulting, ev('contactHungUp'))],
  ['recipient, initiator dropped mid-consult', 'consult', 'blank', after(R.consulting, ev('peerConnectionLost'))],
  [
    'recipient, consult ended: the contact phone takes no REFER',
    'consult',
    'blank',
    after(R.consulting, ev('referRefused(refer-unsupported)')),
  ],
  [
    'initiator, the contact phone takes no REFER, consult ends',
    'consult',
    'none',
    after(I.completing, ev('referRefused(refer-unsupported)')),
  ],
  [
    'initiator, the contact phone takes no REFER, contact ends later',
    'contact',
    'blank',
    after(I.completing, ev('referRefused(refer-unsupported)')),
  ],
];
it.each(DISPOSITIONS)('%s: the %s call ends → disposition %s', (_case, call, expected, state) => {
  expect(dispositionDue(state, call)).toBe(expected);
});

// ─── External number ──────────────────────────────────────────────────────────────────────────────
// The far end runs no Baton: no recipient's copy exists, and the initiator calls the consult off
// itself (Cancel, or a hang-up of the consult leg, which the call controls send as Cancel).
const EXTERNAL_ACTION_GRID: readonly (readonly [TransferPhase, ContactColumn, string])[] = [
  //                            confirm dismiss accept decline complete cancel hold unhold hangUpContact hangUpConsult
  ['choosing', 'held', 'Y       Y       .      .       .        .      =    Y      Y             .'],
  ['choosing', 'not held', 'Y       Y       .      .       .        .      Y    =      Y             .'],
  ['choosing', 'gone', '.       Y       .      .       .        .      .    .      =             .'],
  ['referring', 'held', '=       .       .      .       .        .      .    .      .             .'],
  ['referring', 'not held', '=       .       .      .       .        .      .    .      .             .'],
  ['referring', 'gone', '=       .       .      .       .        .      .    .      .             .'],
  ['consultRinging', 'held', '=       .       .      .       .        Y      =    .      .             .'],
  ['consultRinging', 'not held', '=       .       .      .       .        Y      Y    .      .             .'],
  ['consultRinging', 'gone', '=       .       .      .       .        Y      .    .      .             .'],
  ['consulting', 'held', '=       .       .      .       Y        Y      =    .      .             .'],
  ['consulting', 'not held', '=       .       .      .       Y        Y      Y    .      .             .'],
  ['consulting', 'gone', '=       .       .      .       .        Y      .    .      .             .'],
  ['completing', 'held', '=       .       .      .       =        .      .    .      .             .'],
  ['completing', 'not held', '=       .       .      .       =        .      .    .      .             .'],
  ['completing', 'gone', '=       .       .      .       =        .      .    .      .             .'],
  ['completed', 'held', '.       .       .      .       =        .      .    .      .             .'],
  ['completed', 'not held', '.       .       .      .       =        .      .    .      .             .'],
  ['completed', 'gone', '.       .       .      .       =        .      .    .      .             .'],
  ['cancelled', 'held', '.       =       .      .       .        =      =    Y      Y             .'],
  ['cancelled', 'not held', '.       =       .      .       .        =      Y    =      Y             .'],
  ['cancelled', 'gone', '.       =       .      .       .        =      .    .      =             .'],
  ['failed', 'held', '.       .       .      .       .        =      =    Y      Y             Y'],
  ['failed', 'not held', '.       .       .      .       .        =      Y    =      Y             Y'],
  ['failed', 'gone', '.       .       .      .       .        =      .    .      =             Y'],
];

describe('external number: allowedActions / checkAction for every phase × contact (held, not held, gone) × action', () => {
  it('the grid covers every phase and hold state once, and every action', () => {
    expect(new Set(EXTERNAL_ACTION_GRID.map(([phase, held]) => `${phase} ${held}`)).size).toBe(TRANSFER_PHASES.length * 3);
    for (const [, , row] of EXTERNAL_ACTION_GRID) expect(cells(row)).toHaveLength(ACTION_COLUMNS.length);
  });
  const cases = EXTERNAL_ACTION_GRID.flatMap(([phase, held, row]) =>
    cells(row).map((expected, i) => ({ phase, held, action: ACTION_COLUMNS[i] ?? 'confirm', expected })),
  );
  it.each(cases)('initiator · $phase · contact $held · $action → $expected', ({ phase, held, action, expected }) => {
    for (const [contactHeld, contact] of asCalled(held)) {
      expect(allowedActions('initiator', phase, contactHeld, 'external', contact).has(action)).toBe(expected === 'Y');
      const check = checkAction('initiator', phase, contactHeld, action, 'external', contact);
      if (expected !== '.') expect(check).toEqual({ ok: true, noop: expected === '=' });
      else expect(check.ok ? '' : check.error.message).not.toBe('');
    }
  });
  it('differs from a colleague transfer only in who may cancel', () => {
    for (const [phase, held] of EXTERNAL_ACTION_GRID) {
      for (const [contactHeld, contact] of asCalled(held)) {
        const user = new Set(allowedActions('initiator', phase, contactHeld, 'user', contact));
        const external = new Set(allowedActions('initiator', phase, contactHeld, 'external', contact));
        external.delete('cancel');
        expect(external).toEqual(user);
      }
    }
  });
  it.each([
    ['completing', 'cancel', 'refer-in-progress'],
    ['completed', 'cancel', 'not-in-phase'],
    ['consulting', 'hangUpConsult', 'not-in-phase'],
  ] as const)('initiator in %s, %s is refused: %s', (phase, action, code) => {
    const check = checkAction('initiator', phase, true, action, 'external');
    expect(check.ok ? null : check.error.code).toBe(code);
  });
  it('there is no recipient side: every recipient action is refused', () => {
    for (const phase of TRANSFER_PHASES) {
      expect(allowedActions('recipient', phase, true, 'external').size).toBe(0);
      for (const action of TRANSFER_ACTIONS) expect(checkAction('recipient', phase, true, action, 'external').ok).toBe(false);
    }
  });
});

// The external initiator's moves: a colleague initiator's, but for its own Cancel.
const EXTERNAL_MOVES: Readonly<Record<string, string>> = {
  ...MOVES.initiator,
  //                          cho   ref   rng   con   cmp   done  canc  fail
  initiatorCancelled: 'x     x     canc  canc  x     x     =     =',
};
const eConsulting = after(initiatorTransfer('external'), ev('confirmed(warm)'), ev('consultAnswered'));
const EXTERNAL: Readonly<Record<TransferPhase, TransferState>> = {
  choosing: initiatorTransfer('external'),
  referring: after(initiatorTransfer('external'), ev('confirmed(cold)')),
  consultRinging: after(initiatorTransfer('external'), ev('confirmed(warm)')),
  consulting: eConsulting,
  completing: after(eConsulting, ev('completeRequested')),
  completed: after(initiatorTransfer('external'), ev('confirmed(cold)'), ev('referSucceeded')),
  cancelled: after(eConsulting, ev('initiatorCancelled')),
  failed: after(initiatorTransfer('external'), ev('confirmed(warm)'), ev('consultFailed(busy)')),
};

describe('external number: transferTransition for every phase × event', () => {
  it('the grid covers every event', () => expect(Object.keys(EXTERNAL_MOVES).sort()).toEqual(Object.keys(EVENTS).sort()));
  const cases = Object.entries(EXTERNAL_MOVES).flatMap(([label, row]) =>
    cells(row).map((cell, i) => ({ phase: COLUMNS[i] ?? 'choosing', label, cell })),
  );
  it.each(cases)('initiator in $phase, $label → $cell', ({ phase, label, cell }) => {
    const before = EXTERNAL[phase];
    const result = transferTransition(before, ev(label));
    if (cell === 'x') expect(result).toMatchObject({ ok: false, state: before });
    else if (cell === '=') expect(result).toEqual({ ok: true, state: before, changed: false });
    else expect(result).toMatchObject({ ok: true, changed: true, state: { phase: SHORT[cell], target: 'external' } });
  });
  it('a cancel during the consult leaves the contact with the initiator, held until it chooses, and owes a blank wrap-up', () => {
    const cancelled = EXTERNAL.cancelled;
    expect(contactOwner(cancelled.phase)).toBe('initiator');
    expect(allowedActions('initiator', cancelled.phase, true, 'external')).toEqual(new Set(['unholdContact', 'hangUpContact']));
    expect(dispositionDue(cancelled, 'contact')).toBe('blank');
    expect(dispositionDue(cancelled, 'consult')).toBe('none');
  });
  it('a completed external transfer prefills the wrap-up with the outcome', () => {
    expect(dispositionDue(after(EXTERNAL.completing, ev('referSucceeded')), 'contact')).toBe('prefilled');
  });
  it('without Replaces the consult is gone before the REFER: its failure ends the transfer', () => {
    expect(after(EXTERNAL.completing, { type: 'referRefused', reason: 'busy' })).toMatchObject({
      phase: 'failed',
      failure: { reason: 'busy', during: 'completing' },
    });
  });
  it('a colleague initiator may not use the external cancel', () => {
    const result = transferTransition(I.consulting, ev('initiatorCancelled'));
    expect(result.ok ? null : result.error.code).toBe('initiator-cannot-cancel');
  });
});
