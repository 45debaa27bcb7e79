/**
 * The desk's agent state without a server: registration events drive Offline/online, calls and
 * dispositions follow shared/agentState.ts, and a disposition reaches the store before the agent
 * leaves wrap-up.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { AgentStateDesk } from '../../electron/core/presence/index.js';
import { Phone } from '../../electron/core/sip/phone.js';
import { openStore, type Store } from '../../electron/core/store/index.js';

let dir: string;
let store: Store;
let phone: Phone;
let desk: AgentStateDesk;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'baton-desk-'));
  store = openStore(join(dir, 'baton.db')).store;
  phone = new Phone({
    server: 'ws://127.0.0.1:9',
    aor: 'sip:alice@127.0.0.1',
    media: { open: () => Promise.reject(new Error('no media')) },
  });
  desk = new AgentStateDesk(phone, {
    initial: { kind: 'Ready' },
    agentId: 'alice',
    dispositions: store.dispositions,
    now: () => new Date(1000),
  });
});
afterEach(() => {
  desk.dispose();
  store.close();
  rmSync(dir, { recursive: true, force: true });
});

const registration = (state: 'registered' | 'reconnecting') => phone.events.emit('registration', { state });

it('is Offline until registered, and Offline again while reconnecting, keeping the choice', () => {
  expect(desk.state.status).toEqual({ kind: 'Offline' });
  registration('registered');
  expect(desk.state.status).toEqual({ kind: 'Ready' });
  desk.choose({ kind: 'NotReady', reason: 'Break' });
  registration('reconnecting');
  expect(desk.state.status).toEqual({ kind: 'Offline' });
  registration('registered');
  expect(desk.state.status).toEqual({ kind: 'NotReady', reason: 'Break' });
});

it('a call ending with a disposition owed → Dispositioning; filing stores it once and returns to the choice', () => {
  registration('registered');
  const seen: string[] = [];
  desk.events.on('state', (s) => seen.push(s.status.kind));
  desk.callStarted('c1');
  expect(desk.fileDisposition('c1', 'resolved', 'too early').ok).toBe(false);
  expect(store.dispositions.get('c1')).toBeUndefined();
  desk.callEnded('c1', true);
  expect(desk.fileDisposition('c1', 'resolved', 'paid').ok).toBe(true);
  expect(desk.fileDisposition('c1', 'escalated', 'again').ok).toBe(true); // a repeat is a no-op
  expect(store.dispositions.get('c1')).toEqual({ callId: 'c1', agent: 'alice', code: 'resolved', note: 'paid', at: 1000 });
  expect(seen).toEqual(['OnCall', 'Dispositioning', 'Ready']);
});

it('a call that owes nothing goes straight back, and stores nothing', () => {
  registration('registered');
  desk.callStarted('consult');
  desk.callEnded('consult', false);
  expect(desk.state.status).toEqual({ kind: 'Ready' });
  desk.fileDisposition('consult', 'resolved', '');
  expect(store.dispositions.get('consult')).toBeUndefined();
});
