/** The UI bench's goal lines: met, missed, and a storm that did not reach the asked rate. */
import { describe, expect, it } from 'vitest';
import { heapVerdict, pickerVerdict, stormVerdict } from '../bench/uiGoals.js';

describe('UI bench verdicts', () => {
  it('picker: met at p95 16 ms, missed above', () => {
    expect(pickerVerdict(16, 5000)).toMatch(/: met \(/);
    expect(pickerVerdict(16.4, 5000)).toMatch(/: MISSED \(/);
  });

  it('storm: met or missed only at the asked rate; a short rate says so and prints the rate reached', () => {
    expect(stormVerdict(40, 500, 498)).toMatch(/: met \(.* at 498\/s\)$/);
    expect(stormVerdict(60, 500, 500)).toMatch(/: MISSED /);
    const short = stormVerdict(20, 500, 310);
    expect(short).toContain('not measured at the asked rate — reached 310/s of 500/s');
    expect(short).not.toMatch(/met|MISSED/);
  });

  it('heap: met only when every page grew ≤ 10 %', () => {
    expect(
      heapVerdict('100 calls', [
        { page: 'UI page', afterTen: 20, afterAll: 21 },
        { page: 'media host page', afterTen: 10, afterAll: 11 },
      ]),
    ).toBe('goal heap over 100 calls ≤ +10 % after the first 10: met (UI page +5.0 %, media host page +10.0 %)');
    expect(
      heapVerdict('100 calls', [
        { page: 'UI page', afterTen: 20, afterAll: 20 },
        { page: 'media host page', afterTen: 10, afterAll: 11.5 },
      ]),
    ).toMatch(/: MISSED \(UI page \+0\.0 %, media host page \+15\.0 %\)$/);
  });
});
