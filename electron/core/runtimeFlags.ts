/**
 * V8 flags the main process runs with (given at launch as `--js-flags`: main relaunches itself once
 * with them, shell/launchFlags.ts — set later they do not size the heap). The memory bench runs
 * the core with the same ones on its command line, so it measures what ships. A young generation capped at 4 MB keeps
 * the main process's resident memory flat: V8 otherwise keeps a grown 16–32 MB semi-space committed
 * after one busy moment (a 1,000-user directory subscribing), for no speed the phone needs.
 */
export const MAIN_PROCESS_V8_FLAGS: readonly string[] = ['--max-semi-space-size=4'];
