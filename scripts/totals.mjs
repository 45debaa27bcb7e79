// Sums the runners' JSON reports in a folder into the one closing line CI reads: "N passed, N failed".
//
// Usage: node scripts/totals.mjs DIR [--expect name,name,...] [--exit name=N,name=N,...]
// Every failure counts, wherever it happened:
// - a vitest file whose hook (beforeAll/afterAll/…) or loading failed: one failure for the file,
//   besides its tests (a failed afterAll leaves its tests "passed", a failed beforeAll "skipped");
// - Playwright's top-level errors (globalSetup, a worker that died): one failure each;
// - an expected report that is missing or unreadable (the runner died before writing it): one failure;
// - a runner that exited non-zero (`--exit name=N`) while its report shows no failure: one failure
//   (vitest leaves unhandled rejections and errors out of its JSON report, yet exits 1 for them);
// - plain {passed, failed} reports (type check, security gate). A gate's reviewed findings
//   (`suppressed`) are suppressions, printed on a line of their own and never counted as passes.
// A plain report's `note` (the security gate's npm audit summary: its counts, or why it did not run)
// is printed just above the closing line, where it is read; it counts for nothing.
// Each failure outside a test is named on stderr, so the closing line can be traced.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';

/**
 * `exits` maps a runner (its report's name) to the status it exited with; a runner whose report adds
 * no failure yet exited non-zero failed somewhere its report does not say.
 */
export function totals(dir, expected = [], exits = {}) {
  const sum = { passed: 0, failed: 0, skipped: 0, suppressed: 0, problems: [], notes: [] };
  const fail = (problem) => {
    sum.failed += 1;
    sum.problems.push(problem);
  };
  const reported = new Set();
  for (const name of expected) {
    if (!existsSync(join(dir, `${name}.json`))) {
      fail(`${name}: no report was written (the runner died or never ran)`);
      reported.add(name); // already a failure: its exit status adds none
    }
  }
  for (const file of readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort()) {
    const name = basename(file, '.json');
    const failedBefore = sum.failed;
    addReport(dir, file, name, sum, fail);
    if (sum.failed > failedBefore) reported.add(name);
  }
  for (const [name, status] of Object.entries(exits).sort(([a], [b]) => a.localeCompare(b))) {
    if (status !== 0 && !reported.has(name)) fail(`${name} exited ${status} with no failure in its report`);
  }
  return sum;
}

function addReport(dir, file, name, sum, fail) {
  let report;
  try {
    report = JSON.parse(readFileSync(join(dir, file), 'utf8'));
  } catch (error) {
    fail(`${name}: unreadable report (${error instanceof Error ? error.message : String(error)})`);
    return;
  }
  if (report === null || typeof report !== 'object') {
    fail(`${name}: the report is not an object`);
  } else if ('numPassedTests' in report) {
    addVitest(sum, report, fail);
  } else if (report.stats && 'expected' in report.stats) {
    addPlaywright(sum, report, fail);
  } else {
    sum.passed += Number(report.passed ?? 0);
    sum.failed += Number(report.failed ?? 0);
    sum.suppressed += Number(report.suppressed ?? 0);
    if (typeof report.note === 'string' && report.note !== '') sum.notes.push(report.note);
    if (!('passed' in report) && !('failed' in report)) fail(`${name}: a report with no counts`);
  }
}

/** `name=N,name=N` as given to --exit; a malformed entry is an error, not a silently ignored status. */
export function parseExits(text) {
  const exits = {};
  for (const entry of text.split(',').filter(Boolean)) {
    const match = /^([^=]+)=(\d+)$/.exec(entry);
    if (!match) throw new Error(`--exit takes name=N,...; got "${entry}"`);
    exits[match[1]] = Number(match[2]);
  }
  return exits;
}

function addVitest(sum, report, fail) {
  sum.passed += report.numPassedTests;
  sum.failed += report.numFailedTests;
  sum.skipped += report.numPendingTests + report.numTodoTests;
  for (const file of report.testResults ?? []) {
    const assertions = file.assertionResults ?? [];
    // A failed file none of whose tests failed: a hook or the file itself failed.
    if (file.status === 'failed' && !assertions.some((a) => a.status === 'failed')) {
      const message = String(file.message ?? '').split('\n')[0] || 'failed outside any test';
      fail(`${file.name}: ${message}`);
    }
  }
}

function addPlaywright(sum, report, fail) {
  sum.passed += report.stats.expected + report.stats.flaky;
  sum.failed += report.stats.unexpected;
  sum.skipped += report.stats.skipped;
  for (const error of report.errors ?? []) {
    const message = String(error?.message ?? error?.value ?? 'error').split('\n')[0];
    fail(`playwright: ${message}`);
  }
}

export function closingLine({ passed, failed, skipped }) {
  return skipped ? `${passed} passed, ${failed} failed, ${skipped} skipped` : `${passed} passed, ${failed} failed`;
}

if (process.argv[1] && import.meta.url === new URL(`file://${process.argv[1]}`).href) {
  const dir = process.argv[2];
  const at = process.argv.indexOf('--expect');
  const expected = at > 0 ? (process.argv[at + 1] ?? '').split(',').filter(Boolean) : [];
  const exitAt = process.argv.indexOf('--exit');
  const exits = exitAt > 0 ? parseExits(process.argv[exitAt + 1] ?? '') : {};
  const sum = totals(dir, expected, exits);
  for (const problem of sum.problems) console.error(`failed outside a test: ${problem}`);
  if (sum.suppressed) console.log(`security gate: ${sum.suppressed} reviewed suppressions (listed above; not counted as passes)`);
  for (const note of sum.notes) console.log(note);
  console.log(closingLine(sum));
  process.exit(sum.failed === 0 ? 0 : 1);
}
