/**
 * E2E: the production renderer bundle in Debian's Chromium, wired to agent desks running in Node
 * through the loopback bridge (test/e2e/README.md). Run: `npx playwright test`.
 * BATON_E2E_JSON=<file> adds a JSON report there (scripts/test.sh sums it into the closing line).
 */
import { defineConfig } from '@playwright/test';
import { FAKE_MIC_WAV } from './test/e2e/harness/paths.js';

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
  forbidOnly: !!process.env.CI,
  reporter: [['list'], ...(json ? [['json', { outputFile: json }] as const] : [])],
  use: {
    headless: true,
    screenshot: 'only-on-failure',
    trace: 'retain-on-failure',
    launchOptions: {
      executablePath: '/usr/bin/chromium',
      args: [
        '--use-fake-device-for-media-stream',
        '--use-fake-ui-for-media-stream',
        // A speech-like signal instead of the default once-a-second beep (see harness/fakeMicrophone.ts).
        `--use-file-for-fake-audio-capture=${FAKE_MIC_WAV}`,
        '--allow-loopback-in-peer-connection',
        '--autoplay-policy=no-user-gesture-required',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run',
      ],
    },
  },
});
