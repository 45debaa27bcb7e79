// Sums the runners' JSON reports in a folder into the one closing line CI reads: "N passed, N failed".
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const dir = process.argv[2];
let passed = 0;
let failed = 0;
let skipped = 0;
for (const file of readdirSync(dir).filter((f) => f.endsWith('.json'))) {
  const report = JSON.parse(readFileSync(join(dir, file), 'utf8'));
  if ('numPassedTests' in report) {
    // vitest: a file that failed to load counts as a failure even if it ran no test.
    passed += report.numPassedTests;
    failed += report.numFailedTests + (report.testResults ?? []).filter((r) => r.status === 'failed' && r.assertionResults.length === 0).length;
    skipped += report.numPendingTests + report.numTodoTests;
  } else if (report.stats && 'expected' in report.stats) {
    // @playwright/test
    passed += report.stats.expected + report.stats.flaky;
    failed += report.stats.unexpected;
    skipped += report.stats.skipped;
  } else {
    passed += report.passed ?? 0;
    failed += report.failed ?? 0;
  }
}
console.log(skipped ? `${passed} passed, ${failed} failed, ${skipped} skipped` : `${passed} passed, ${failed} failed`);
