/**
 * What a recipient's desk keeps of colleagues' cold-transfer contexts (pendingContexts.ts) and whom
 * it takes them from (colleagues.ts): bounded per colleague and in all, one INVITE per context,
 * nothing kept past its bound, and only roster colleagues — never ourselves — as senders.
 */
import { describe, expect, it } from 'vitest';
import { PendingContexts, type PendingLimits } from '../../electron/core/transfer/pendingContexts.js';
import { colleagueLookup, type Colleague } from '../../electron/core/transfer/colleagues.js';
import type { TransferContext } from '../../shared/transfer/context.js';

const carol: Colleague = { id: 'carol', name: 'Carol Jones', uri: 'sip:carol@lab.test' };
const dave: Colleague = { id: 'dave', name: 'Dave Lee', uri: 'sip:dave@lab.test' };

function context(token: string, transferId = `t-${token}`): TransferContext {
  return {
    v: 1,
    transferId,
    token,
    method: 'cold',
    contact: { id: 'c-1', name: 'Dana', number: '+15550100' },
    outcome: { id: 'o', label: 'O' },
    note: '',
    initiator: { id: 'carol', name: 'Carol', uri: carol.uri },
    sentAt: '2026-12-07T10:00:00.000Z',
    history: [],
  };
}

function pending(limits: Partial<PendingLimits> = {}, clock = { now: 0 }): PendingContexts {
  return new PendingContexts({ ttlMs: 1000, perSender: 2, total: 3, ...limits }, () => clock.now);
}

describe('pending transfer contexts', () => {
  it('refuses a colleague past the per-sender cap (486) and everyone past the total (503)', () => {
    const p = pending();
    expect(p.add(context('a'), carol)).toBe('added');
    expect(p.add(context('b'), carol)).toBe('added');
    expect(p.add(context('c'), carol)).toBe('sender-full');
    expect(p.add(context('d'), dave)).toBe('added');
    expect(p.add(context('e'), dave)).toBe('full');
    expect(p.size).toBe(3);
  });

  it('takes the same context again in place, and never lets another colleague take over its token', () => {
    const p = pending();
    expect(p.add(context('a'), carol)).toBe('added');
    expect(p.add(context('a'), carol)).toBe('added');
    expect(p.size).toBe(1);
    expect(p.add(context('a', 't-other'), dave)).toBe('sender-full');
    expect(p.take('a')?.from).toEqual(carol);
  });

  it('gives a context to one INVITE only', () => {
    const p = pending();
    p.add(context('a'), carol);
    expect(p.take('a')?.context.transferId).toBe('t-a');
    expect(p.take('a')).toBeUndefined();
    expect(p.take('never-given')).toBeUndefined();
  });

  it('forgets a context past its bound, which frees the colleague’s share', () => {
    const clock = { now: 0 };
    const p = pending({}, clock);
    p.add(context('a'), carol);
    p.add(context('b'), carol);
    clock.now = 1001;
    expect(p.take('a')).toBeUndefined();
    expect(p.add(context('c'), carol)).toBe('added');
  });

  it('finds and removes a context by transfer id (a withdrawal)', () => {
    const p = pending();
    p.add(context('a'), carol);
    const found = p.forTransfer('t-a');
    expect(found?.context.token).toBe('a');
    if (found) p.remove(found);
    expect(p.size).toBe(0);
  });
});

describe('the roster as the judge of senders', () => {
  const roster = [
    { id: 'alice', displayName: 'Alice Smith', sipUri: 'sip:alice@lab.test' },
    { id: 'carol', displayName: 'Carol Jones', sipUri: 'sip:carol@Lab.Test' },
  ];
  const lookup = colleagueLookup(roster, 'alice');

  it.each([
    ['the AOR', 'sip:carol@lab.test'],
    ['URI parameters and host case', 'sip:carol@LAB.test;transport=ws'],
    ['angle brackets', '<sip:carol@lab.test>'],
  ])('knows a colleague by %s, with the roster’s id and name', (_why, uri) => {
    expect(lookup(uri)).toEqual({ id: 'carol', name: 'Carol Jones', uri: 'sip:carol@Lab.Test' });
  });

  it.each([
    ['ourselves', 'sip:alice@lab.test'],
    ['a user outside the roster', 'sip:mallory@lab.test'],
    ['a colleague’s user in another domain', 'sip:carol@evil.example'],
    ['no SIP URI', 'carol'],
  ])('knows nobody for %s', (_why, uri) => {
    expect(lookup(uri)).toBeUndefined();
  });
});
