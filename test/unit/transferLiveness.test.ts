/**
 * The consult probe: a "gone" answer fails the transfer only while the consult is meant to be up.
 * During Complete the recipient ends the consult itself (the contact's INVITE with Replaces), and
 * its 481 to a probe already on the way can arrive before its BYE: that is no vanished colleague.
 */
import { afterEach, beforeEach, expect, it, vi } from 'vitest';
import type { CallState } from '../../shared/phone.js';
import type { TransferPhase } from '../../shared/transfer/index.js';
import { watchConsult, type ProbedTransfer } from '../../electron/core/transfer/liveness.js';

beforeEach(() => vi.useFakeTimers());
afterEach(() => vi.useRealTimers());

interface Scene {
  readonly t: ProbedTransfer & { state: { phase: TransferPhase }; consultCall: { state: CallState; ping(ms: number): Promise<number> } };
  readonly gone: string[];
  /** Answers the probe in flight with `status`. */
  answer(status: number): Promise<void>;
  readonly pings: () => number;
}

function scene(phase: TransferPhase): Scene {
  let reply: ((status: number) => void) | null = null;
  let pings = 0;
  const consultCall = {
    state: 'established' as CallState,
    ping: () =>
      new Promise<number>((resolve) => {
        pings += 1;
        reply = resolve;
      }),
  };
  const t = { consultCall, state: { phase }, timers: new Set<NodeJS.Timeout>() };
  const gone: string[] = [];
  watchConsult(t, 500, () => gone.push(t.state.phase));
  return {
    t,
    gone,
    pings: () => pings,
    async answer(status) {
      reply?.(status);
      await vi.advanceTimersByTimeAsync(0);
    },
  };
}

it('a 481 while consulting means the colleague is gone', async () => {
  const s = scene('consulting');
  await vi.advanceTimersByTimeAsync(500);
  expect(s.pings()).toBe(1);
  await s.answer(481);
  expect(s.gone).toEqual(['consulting']);
});

it('a 200 while consulting keeps probing', async () => {
  const s = scene('consulting');
  await vi.advanceTimersByTimeAsync(500);
  await s.answer(200);
  await vi.advanceTimersByTimeAsync(500);
  expect(s.pings()).toBe(2);
  expect(s.gone).toEqual([]);
});

it('a 481 answering a probe sent before Complete is not a lost colleague once Complete is under way', async () => {
  const s = scene('consulting');
  await vi.advanceTimersByTimeAsync(500);
  s.t.state.phase = 'completing';
  await s.answer(481);
  expect(s.gone).toEqual([]);
  await vi.advanceTimersByTimeAsync(5000);
  expect(s.pings()).toBe(1);
});

it('a Complete whose REFER failed is back to consulting, and probing resumes: a vanished colleague is still noticed', async () => {
  const s = scene('consulting');
  s.t.state.phase = 'completing';
  await vi.advanceTimersByTimeAsync(2000);
  expect(s.pings()).toBe(0);
  s.t.state.phase = 'consulting';
  await vi.advanceTimersByTimeAsync(500);
  expect(s.pings()).toBe(1);
  await s.answer(481);
  expect(s.gone).toEqual(['consulting']);
});

it('no probe is sent while completing, nor after the transfer settled or the consult ended', async () => {
  for (const [phase, state] of [
    ['completing', 'established'],
    ['completed', 'established'],
    ['failed', 'established'],
    ['consulting', 'ended'],
  ] as const) {
    const s = scene(phase);
    s.t.consultCall.state = state;
    await vi.advanceTimersByTimeAsync(2000);
    expect(s.pings(), `${phase}/${state}`).toBe(0);
    expect(s.gone).toEqual([]);
  }
});
