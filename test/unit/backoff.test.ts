import { describe, expect, it } from 'vitest';
import { backoffDelay, DEFAULT_BACKOFF } from '../../electron/core/sip/backoff.js';

describe('reconnect backoff', () => {
  const noJitter = { ...DEFAULT_BACKOFF, jitter: 0 };
  it.each([
    [1, 500],
    [2, 1000],
    [3, 2000],
    [4, 4000],
    [5, 8000],
    [6, 15_000],
    [50, 15_000],
  ])('attempt %i waits %i ms (exponential, capped)', (attempt, ms) => {
    expect(backoffDelay(attempt, noJitter)).toBe(ms);
  });

  it('jitter only ever shortens the delay, by at most its share', () => {
    for (const r of [0, 0.25, 0.5, 0.999]) {
      const delay = backoffDelay(3, DEFAULT_BACKOFF, () => r);
      expect(delay).toBeLessThanOrEqual(2000);
      expect(delay).toBeGreaterThanOrEqual(2000 * (1 - DEFAULT_BACKOFF.jitter));
    }
  });
});
