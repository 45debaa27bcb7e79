/**
 * What electron-builder.yml's `files` lets into the installer: the app's build output, never the
 * test suite's (it writes E2E screenshots and the fake microphone's recording under dist/e2e/).
 * The patterns are applied as electron-builder applies them: in order, the last match deciding,
 * `!` excluding, matched by the minimatch app-builder-lib itself uses.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../..', import.meta.url));
const require = createRequire(import.meta.url);
const builder = require.resolve('app-builder-lib/package.json');
const yaml = require(require.resolve('js-yaml', { paths: [builder] })) as { load(text: string): unknown };
const { minimatch } = require(require.resolve('minimatch', { paths: [builder] })) as {
  minimatch: (path: string, pattern: string, options?: { dot?: boolean }) => boolean;
};

const config = yaml.load(readFileSync(join(root, 'electron-builder.yml'), 'utf8')) as { files: string[] };

function packaged(path: string): boolean {
  let included = false;
  for (const pattern of config.files) {
    const negated = pattern.startsWith('!');
    if (minimatch(path, negated ? pattern.slice(1) : pattern, { dot: true })) included = !negated;
  }
  return included;
}

describe("electron-builder.yml's files", () => {
  it('leave out the test output under dist/e2e/', () => {
    expect(packaged('dist/e2e')).toBe(false);
    expect(packaged('dist/e2e/fake-mic-speech-550hz.wav')).toBe(false);
    expect(packaged('dist/e2e/demo/desk.png')).toBe(false);
  });

  it('keep the app: main, preload, renderer bundle, package.json — and no source maps', () => {
    expect(packaged('dist/main/main.js')).toBe(true);
    expect(packaged('dist/renderer/index.html')).toBe(true);
    expect(packaged('dist/renderer/assets/index-abc123.js')).toBe(true);
    expect(packaged('package.json')).toBe(true);
    expect(packaged('dist/renderer/assets/index-abc123.js.map')).toBe(false);
  });
});
