/**
 * E2E: the production renderer bundle in Debian's Chromium, wired to agent desks running in Node
 * through the loopback bridge (test/e2e/README.md). Run: `npx playwright test`.
 * BATON_E2E_JSON=<file> adds a JSON report there (scripts/test.sh sums it into the closing line).
 */
import { defineConfig } from '@playwright/test';
import { CHROMIUM_ARGS } from './test/e2e/harness/paths.js';

const json = process.env.BATON_E2E_JSON;

export default defineConfig({
  testDir: 'test/e2e',
  testMatch: '**/*.spec.ts',
  globalSetup: './test/e2e/globalSetup.ts',
  outputDir: 'test-results/e2e',
  // Two cores: the worker runs Kamailio, desks, bots and Chromium already.
  workers: 1,
  fullyParallel: false,
  retries: 0,
  timeout: 60_000,
  expect: { timeout: 10_000 },
  // A stray test.only would shrink the suite and still print "N passed, 0 failed": never allowed.
  forbidOnly: true,
  reporter: [['list'], ...(json ? [['json', { outputFile: json }] as const] : [])],
  use: {
    headless: true,
    screenshot: 'only-on-failure',
    trace: 'retain-on-failure',
    launchOptions: {
      executablePath: '/usr/bin/chromium',
      args: [...CHROMIUM_ARGS],
    },
  },
});
