/**
 * The closing line CI reads cannot hide a failure. Reports below have the shapes the runners write
 * (vitest 4's JSON reporter for a failing afterAll / beforeAll, Playwright's top-level `errors` for
 * a failing globalSetup), fed to the real script.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const script = new URL('../../scripts/totals.mjs', import.meta.url).pathname;

function run(
  reports: Record<string, unknown>,
  expected: readonly string[] = [],
  exits: Readonly<Record<string, number>> = {},
): { stdout: string; stderr: string; status: number | null } {
  const dir = mkdtempSync(join(tmpdir(), 'baton-totals-'));
  for (const [name, report] of Object.entries(reports)) {
    writeFileSync(join(dir, `${name}.json`), typeof report === 'string' ? report : JSON.stringify(report));
  }
  const exitList = Object.entries(exits).map(([name, status]) => `${name}=${status}`);
  const args = [
    script,
    dir,
    ...(expected.length ? ['--expect', expected.join(',')] : []),
    ...(exitList.length ? ['--exit', exitList.join(',')] : []),
  ];
  const result = spawnSync(process.execPath, args, { encoding: 'utf8' });
  return { stdout: result.stdout, stderr: result.stderr, status: result.status };
}

function lastLine(text: string): string {
  return text.trim().split('\n').at(-1) ?? '';
}

const vitest = (files: unknown[], counts: { passed: number; failed?: number; pending?: number }) => ({
  numPassedTests: counts.passed,
  numFailedTests: counts.failed ?? 0,
  numPendingTests: counts.pending ?? 0,
  numTodoTests: 0,
  testResults: files,
});

describe('scripts/totals.mjs', () => {
  it('sums clean reports', () => {
    const out = run({
      typecheck: { passed: 1, failed: 0 },
      vitest: vitest([{ name: 'a.test.ts', status: 'passed', message: '', assertionResults: [{ status: 'passed' }] }], { passed: 1 }),
    });
    expect(lastLine(out.stdout)).toBe('2 passed, 0 failed');
    expect(out.status).toBe(0);
  });

  it('a failing afterAll counts as a failure though its tests passed', () => {
    const out = run({
      vitest: vitest(
        [{ name: '/x/a.test.ts', status: 'failed', message: 'after boom', assertionResults: [{ title: 'passes', status: 'passed' }] }],
        { passed: 1 },
      ),
    });
    expect(lastLine(out.stdout)).toBe('1 passed, 1 failed');
    expect(out.stderr).toContain('/x/a.test.ts: after boom');
    expect(out.status).toBe(1);
  });

  it('a failing beforeAll counts as a failure, its skipped tests as skipped', () => {
    const out = run({
      vitest: vitest(
        [
          {
            name: '/x/b.test.ts',
            status: 'failed',
            message: 'before boom',
            assertionResults: [{ title: 'would pass', status: 'skipped' }],
          },
        ],
        { passed: 0, pending: 1 },
      ),
    });
    expect(lastLine(out.stdout)).toBe('0 passed, 1 failed, 1 skipped');
  });

  it('a file whose test failed is counted once, by its test', () => {
    const out = run({
      vitest: vitest(
        [{ name: 'c.test.ts', status: 'failed', message: '', assertionResults: [{ status: 'failed' }, { status: 'passed' }] }],
        { passed: 1, failed: 1 },
      ),
    });
    expect(lastLine(out.stdout)).toBe('1 passed, 1 failed');
  });

  it('Playwright’s top-level errors (a failing globalSetup) count', () => {
    const out = run({
      playwright: {
        stats: { expected: 0, unexpected: 0, flaky: 0, skipped: 0 },
        errors: [{ message: 'Error: Kamailio is not installed\n    at globalSetup' }],
      },
    });
    expect(lastLine(out.stdout)).toBe('0 passed, 1 failed');
    expect(out.stderr).toContain('playwright: Error: Kamailio is not installed');
  });

  it('an expected report that was never written, or cannot be read, counts as failed', () => {
    const out = run({ typecheck: { passed: 1, failed: 0 }, vitest: '{"numPassedTests": 3, trunc' }, ['typecheck', 'vitest', 'playwright']);
    expect(lastLine(out.stdout)).toBe('1 passed, 2 failed');
    expect(out.stderr).toContain('playwright: no report was written');
    expect(out.stderr).toContain('vitest: unreadable report');
  });

  it('reviewed security-gate findings are suppressions reported apart, not passes', () => {
    const out = run({ 'security-gate': { passed: 1, failed: 0, suppressed: 5 } });
    expect(out.stdout).toContain('security gate: 5 reviewed suppressions');
    expect(lastLine(out.stdout)).toBe('1 passed, 0 failed');
  });

  // vitest 4 with one passing test that leaves a promise rejected: it prints "Unhandled Rejection",
  // exits 1, and its JSON report reads success: true, 1 passed, 0 failed (measured on this machine).
  const cleanVitest = vitest(
    [{ name: '/x/r.test.ts', status: 'passed', message: '', assertionResults: [{ title: 'passes', status: 'passed' }] }],
    { passed: 1 },
  );

  it('a runner that exited non-zero with a clean report counts as one failure (vitest’s unhandled rejections)', () => {
    const out = run({ vitest: cleanVitest }, ['vitest'], { vitest: 1 });
    expect(lastLine(out.stdout)).toBe('1 passed, 1 failed');
    expect(out.stderr).toContain('vitest exited 1 with no failure in its report');
    expect(out.status).toBe(1);
  });

  it('a runner whose report already shows its failure is not counted twice for its exit status', () => {
    const failing = vitest([{ name: 'c.test.ts', status: 'failed', message: '', assertionResults: [{ status: 'failed' }] }], {
      passed: 0,
      failed: 1,
    });
    const out = run(
      { vitest: failing, playwright: { stats: { expected: 2, unexpected: 1, flaky: 0, skipped: 0 } } },
      ['vitest', 'playwright'],
      { vitest: 1, playwright: 1 },
    );
    expect(lastLine(out.stdout)).toBe('2 passed, 2 failed');
    expect(out.stderr).not.toContain('exited');
  });

  it('a runner that died before writing its report counts once, whatever it exited with', () => {
    const out = run({}, ['playwright'], { playwright: 137 });
    expect(lastLine(out.stdout)).toBe('0 passed, 1 failed');
    expect(out.stderr).toContain('playwright: no report was written');
    expect(out.stderr).not.toContain('exited');
  });

  it('a runner that exited 0 adds nothing', () => {
    const out = run({ vitest: cleanVitest }, ['vitest'], { vitest: 0 });
    expect(lastLine(out.stdout)).toBe('1 passed, 0 failed');
    expect(out.status).toBe(0);
  });

  it('refuses a malformed --exit rather than ignoring a status', () => {
    const out = run({ vitest: cleanVitest }, [], { 'vitest=1,playwright': Number.NaN });
    expect(out.status).not.toBe(0);
    expect(out.stderr).toContain('--exit takes name=N');
  });
});
