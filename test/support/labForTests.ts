/**
 * One lab Kamailio for the tests of the file (or describe block) that calls `labForTests`: started
 * before the first test, stopped after the last. What each test opens is torn down after that
 * test, pass or fail, so no call or registration runs into the next test.
 */
import { afterAll, afterEach, beforeAll } from 'vitest';
import { startLab, type Lab, type LabOptions } from '../lab/lab.js';

export interface Disposable {
  dispose(): Promise<void>;
}

export interface LabForTests {
  /** The running lab; read it inside a hook or test (it starts in beforeAll). */
  readonly lab: Lab;
  /** Desks and bots to dispose after the test, all at once: none waits for another to go. */
  readonly open: Disposable[];
  /** Steps whose order matters (a phone stopped before its engine), run one at a time, newest first. */
  readonly cleanup: Array<() => Promise<void>>;
  /** Runs and empties both lists now; a test that counts what its own teardown leaves calls it. */
  cleanUp(): Promise<void>;
}

export function labForTests(options: LabOptions = {}): LabForTests {
  let lab: Lab | undefined;
  const open: Disposable[] = [];
  const cleanup: Array<() => Promise<void>> = [];
  async function cleanUp(): Promise<void> {
    for (const step of cleanup.splice(0).reverse()) await step();
    await Promise.all(
      open
        .splice(0)
        .reverse()
        .map((o) => o.dispose()),
    );
  }
  beforeAll(async () => {
    lab = await startLab(options);
  });
  afterEach(cleanUp);
  afterAll(async () => lab?.stop());
  return {
    get lab(): Lab {
      if (!lab) throw new Error('the lab is read before it started: use it inside a hook or a test');
      return lab;
    },
    open,
    cleanup,
    cleanUp,
  };
}
