/**
 * The UI bench's verdicts (test/bench/ui.ts), one line per goal in the form the other benches print
 * (`goal …: met` / `MISSED`). A storm that could not send at the asked rate measured a lighter
 * load, so its verdict says that rather than met or missed.
 */
import { ms } from './stats.js';

export const PICKER_P95_GOAL_MS = 16;
export const STORM_LONGEST_TASK_GOAL_MS = 50;
export const HEAP_GROWTH_GOAL_PERCENT = 10;
/** Below this share of the asked rate, the storm was not the load the goal names. */
export const STORM_RATE_TOLERANCE = 0.95;

export function pickerVerdict(p95Ms: number, users: number): string {
  // Frames are unthrottled in the bench: the figure is the renderer's own latency, without the
  // wait for a 60 Hz screen's next refresh that any app's keystroke also has.
  return `goal picker (${users} users) keystroke → painted p95 ≤ ${PICKER_P95_GOAL_MS} ms (frames unthrottled; a 60 Hz screen adds its 0–16.7 ms refresh wait): ${p95Ms <= PICKER_P95_GOAL_MS ? 'met' : 'MISSED'} (${ms(p95Ms)})`;
}

export function stormVerdict(longestMs: number, askedPerS: number, reachedPerS: number): string {
  const head = `goal presence storm ${askedPerS}/s longest main-thread task ≤ ${STORM_LONGEST_TASK_GOAL_MS} ms:`;
  const figures = `(${ms(longestMs)} at ${reachedPerS.toFixed(0)}/s)`;
  if (reachedPerS < askedPerS * STORM_RATE_TOLERANCE)
    return `${head} not measured at the asked rate — reached ${reachedPerS.toFixed(0)}/s of ${askedPerS}/s ${figures}`;
  return `${head} ${longestMs <= STORM_LONGEST_TASK_GOAL_MS ? 'met' : 'MISSED'} ${figures}`;
}

/** Growth from after the 10th to after the last, per page; the goal holds only when every page meets it. */
export function heapVerdict(
  what: string,
  pages: ReadonlyArray<{ readonly page: string; readonly afterTen: number; readonly afterAll: number }>,
): string {
  const growths = pages.map(({ page, afterTen, afterAll }) => ({ page, growth: ((afterAll - afterTen) / afterTen) * 100 }));
  const met = growths.every((g) => Number.isFinite(g.growth) && g.growth <= HEAP_GROWTH_GOAL_PERCENT);
  const figures = growths.map((g) => `${g.page} ${g.growth >= 0 ? '+' : ''}${g.growth.toFixed(1)} %`).join(', ');
  return `goal heap over ${what} ≤ +${HEAP_GROWTH_GOAL_PERCENT} % after the first 10: ${met ? 'met' : 'MISSED'} (${figures})`;
}
