/**
 * Agent state as tables: every status × event, written out by hand from the product rules.
 * A result reads "Status" or "Status, then Chosen" (where the agent returns once free),
 * "unchanged" (accepted, nothing to do) or "refused: code".
 */
import { describe, expect, it } from 'vitest';
import type { AgentEvent, AgentResult, AgentState, AgentStatus } from '../../shared/agentState.js';
import { agentTransition, directoryRank, initialAgentState, isRecommendedTransferTarget } from '../../shared/agentState.js';

const READY = { kind: 'Ready' } as const;
const BREAK = { kind: 'NotReady', reason: 'break' } as const;

function label(status: AgentStatus): string {
  return status.kind === 'NotReady' ? `NotReady(${status.reason})` : status.kind;
}
function describeResult(result: AgentResult): string {
  if (!result.ok) return `refused: ${result.error.code}`;
  if (!result.changed) return 'unchanged';
  const { status, chosen } = result.state;
  return status.kind === 'Ready' || status.kind === 'NotReady' ? label(status) : `${label(status)}, then ${label(chosen)}`;
}
function after(start: AgentState, ...events: readonly AgentEvent[]): AgentState {
  return events.reduce((state, event) => {
    const result = agentTransition(state, event);
    if (!result.ok) throw new Error(`fixture: ${event.type} refused`);
    return result.state;
  }, start);
}

const registered: AgentEvent = { type: 'registered' };
const FIXTURES: Readonly<Record<string, AgentState>> = {
  Ready: after(initialAgentState(READY), registered),
  'NotReady(break)': after(initialAgentState(BREAK), registered),
  'OnCall (call c1), chose Ready': after(initialAgentState(READY), registered, { type: 'callStarted', callId: 'c1' }),
  'Dispositioning (c1 owed), chose Ready': after(
    initialAgentState(READY),
    registered,
    { type: 'callStarted', callId: 'c1' },
    { type: 'callEnded', callId: 'c1', dispositionOwed: true },
  ),
  'Offline, chose Ready': initialAgentState(READY),
};

const EVENTS: Readonly<Record<string, AgentEvent>> = {
  'chose Ready': { type: 'chose', status: READY },
  'chose NotReady(lunch)': { type: 'chose', status: { kind: 'NotReady', reason: 'lunch' } },
  'callStarted c2': { type: 'callStarted', callId: 'c2' },
  'callEnded c1, disposition owed': { type: 'callEnded', callId: 'c1', dispositionOwed: true },
  'callEnded c1, nothing owed': { type: 'callEnded', callId: 'c1', dispositionOwed: false },
  'dispositionFiled c1': { type: 'dispositionFiled', callId: 'c1' },
  registered,
  unregistered: { type: 'unregistered' },
};

// [from, event, result]
const TABLE: readonly (readonly [string, string, string])[] = [
  ['Ready', 'chose Ready', 'unchanged'],
  ['Ready', 'chose NotReady(lunch)', 'NotReady(lunch)'],
  ['Ready', 'callStarted c2', 'OnCall, then Ready'],
  ['Ready', 'callEnded c1, disposition owed', 'unchanged'],
  ['Ready', 'callEnded c1, nothing owed', 'unchanged'],
  ['Ready', 'dispositionFiled c1', 'unchanged'],
  ['Ready', 'registered', 'unchanged'],
  ['Ready', 'unregistered', 'Offline, then Ready'],

  ['NotReady(break)', 'chose Ready', 'Ready'],
  ['NotReady(break)', 'chose NotReady(lunch)', 'NotReady(lunch)'],
  ['NotReady(break)', 'callStarted c2', 'OnCall, then NotReady(break)'],
  ['NotReady(break)', 'callEnded c1, disposition owed', 'unchanged'],
  ['NotReady(break)', 'callEnded c1, nothing owed', 'unchanged'],
  ['NotReady(break)', 'dispositionFiled c1', 'unchanged'],
  ['NotReady(break)', 'registered', 'unchanged'],
  ['NotReady(break)', 'unregistered', 'Offline, then NotReady(break)'],

  ['OnCall (call c1), chose Ready', 'chose Ready', 'unchanged'],
  ['OnCall (call c1), chose Ready', 'chose NotReady(lunch)', 'OnCall, then NotReady(lunch)'],
  ['OnCall (call c1), chose Ready', 'callStarted c2', 'OnCall, then Ready'],
  ['OnCall (call c1), chose Ready', 'callEnded c1, disposition owed', 'Dispositioning, then Ready'],
  ['OnCall (call c1), chose Ready', 'callEnded c1, nothing owed', 'Ready'],
  ['OnCall (call c1), chose Ready', 'dispositionFiled c1', 'refused: disposition-before-call-ended'],
  ['OnCall (call c1), chose Ready', 'registered', 'unchanged'],
  ['OnCall (call c1), chose Ready', 'unregistered', 'Offline, then Ready'],

  ['Dispositioning (c1 owed), chose Ready', 'chose Ready', 'unchanged'],
  ['Dispositioning (c1 owed), chose Ready', 'chose NotReady(lunch)', 'Dispositioning, then NotReady(lunch)'],
  ['Dispositioning (c1 owed), chose Ready', 'callStarted c2', 'OnCall, then Ready'],
  ['Dispositioning (c1 owed), chose Ready', 'callEnded c1, disposition owed', 'unchanged'],
  ['Dispositioning (c1 owed), chose Ready', 'callEnded c1, nothing owed', 'unchanged'],
  ['Dispositioning (c1 owed), chose Ready', 'dispositionFiled c1', 'Ready'],
  ['Dispositioning (c1 owed), chose Ready', 'registered', 'unchanged'],
  ['Dispositioning (c1 owed), chose Ready', 'unregistered', 'Offline, then Ready'],

  ['Offline, chose Ready', 'chose Ready', 'unchanged'],
  ['Offline, chose Ready', 'chose NotReady(lunch)', 'Offline, then NotReady(lunch)'],
  ['Offline, chose Ready', 'callStarted c2', 'refused: offline'],
  ['Offline, chose Ready', 'callEnded c1, disposition owed', 'unchanged'],
  ['Offline, chose Ready', 'callEnded c1, nothing owed', 'unchanged'],
  ['Offline, chose Ready', 'dispositionFiled c1', 'unchanged'],
  ['Offline, chose Ready', 'registered', 'Ready'],
  ['Offline, chose Ready', 'unregistered', 'unchanged'],
];

describe('agentTransition: every status × event', () => {
  it('the table covers every fixture × event exactly once', () => {
    const keys = new Set(TABLE.map(([from, event]) => `${from} / ${event}`));
    expect(keys.size).toBe(TABLE.length);
    expect(TABLE).toHaveLength(Object.keys(FIXTURES).length * Object.keys(EVENTS).length);
  });
  it.each(TABLE)('%s + %s → %s', (from, event, expected) => {
    const before = FIXTURES[from];
    const ev = EVENTS[event];
    if (before === undefined || ev === undefined) throw new Error(`unknown row ${from} / ${event}`);
    const result = agentTransition(before, ev);
    expect(describeResult(result)).toBe(expected);
    if (!result.ok || !result.changed) expect(result.state).toBe(before);
  });
});

// Longer stories the single steps do not show.
const STORIES: readonly (readonly [string, readonly AgentEvent[], string])[] = [
  [
    'NotReady chosen during a call applies after the wrap-up',
    [
      { type: 'callStarted', callId: 'c1' },
      { type: 'chose', status: BREAK },
      { type: 'callEnded', callId: 'c1', dispositionOwed: true },
      { type: 'dispositionFiled', callId: 'c1' },
    ],
    'NotReady(break)',
  ],
  [
    'warm transfer initiator: the consult ends (nothing owed), the contact call goes on',
    [
      { type: 'callStarted', callId: 'contact' },
      { type: 'callStarted', callId: 'consult' },
      { type: 'callEnded', callId: 'consult', dispositionOwed: false },
    ],
    'OnCall, then Ready',
  ],
  [
    'two dispositions owed: Dispositioning until both are filed',
    [
      { type: 'callStarted', callId: 'c1' },
      { type: 'callStarted', callId: 'c2' },
      { type: 'callEnded', callId: 'c1', dispositionOwed: true },
      { type: 'callEnded', callId: 'c2', dispositionOwed: true },
      { type: 'dispositionFiled', callId: 'c1' },
    ],
    'Dispositioning, then Ready',
  ],
  [
    'a transfer taken while Dispositioning: the wrap-up waits for that call',
    [
      { type: 'callStarted', callId: 'c1' },
      { type: 'callEnded', callId: 'c1', dispositionOwed: true },
      { type: 'callStarted', callId: 'c2' },
      { type: 'callEnded', callId: 'c2', dispositionOwed: false },
    ],
    'Dispositioning, then Ready',
  ],
  [
    'connection lost during a call that then ends: back online is the chosen status, not OnCall',
    [
      { type: 'callStarted', callId: 'c1' },
      { type: 'unregistered' },
      { type: 'callEnded', callId: 'c1', dispositionOwed: false },
      { type: 'registered' },
    ],
    'Ready',
  ],
  [
    'connection lost, the call ended owing a disposition: back online is Dispositioning',
    [
      { type: 'callStarted', callId: 'c1' },
      { type: 'unregistered' },
      { type: 'callEnded', callId: 'c1', dispositionOwed: true },
      { type: 'registered' },
    ],
    'Dispositioning, then Ready',
  ],
  [
    'repeated events are no-ops',
    [
      { type: 'callStarted', callId: 'c1' },
      { type: 'callStarted', callId: 'c1' },
      { type: 'callEnded', callId: 'c1', dispositionOwed: true },
      { type: 'callEnded', callId: 'c1', dispositionOwed: true },
      { type: 'dispositionFiled', callId: 'c1' },
      { type: 'dispositionFiled', callId: 'c1' },
    ],
    'Ready',
  ],
];
it.each(STORIES)('%s', (_story, events, expected) => {
  const state = after(FIXTURES.Ready ?? initialAgentState(READY), ...events);
  expect(describeResult({ ok: true, state, changed: true })).toBe(expected);
});

it('NotReady needs a reason', () => {
  const before = FIXTURES.Ready ?? initialAgentState(READY);
  const result = agentTransition(before, { type: 'chose', status: { kind: 'NotReady', reason: ' ' } });
  expect(describeResult(result)).toBe('refused: reason-required');
});

// The directory: who to offer as a transfer target, and in what order.
it.each([
  [READY, true, 0],
  [{ kind: 'Dispositioning' }, true, 1],
  [{ kind: 'OnCall' }, false, 2],
  [BREAK, false, 3],
  [{ kind: 'Offline' }, false, 4],
] as const)('%o: recommended transfer target %s, directory rank %s', (status, recommended, rank) => {
  expect(isRecommendedTransferTarget(status)).toBe(recommended);
  expect(directoryRank(status)).toBe(rank);
});
