/**
 * Every E2E spec takes its `test` from the page-fault watch (test/e2e/harness/pageFaults.ts, directly
 * or through test/e2e/fixtures.ts), so no page any spec opens can throw or fail an own-origin request
 * unnoticed. A spec importing `test` straight from @playwright/test would open unwatched pages.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

const e2e = new URL('../e2e/', import.meta.url);
const specs = readdirSync(e2e)
  .filter((f) => f.endsWith('.spec.ts'))
  .sort();

/** The module each `import { …test… } from '…'` of a spec names. */
function testSources(source: string): string[] {
  const found: string[] = [];
  for (const match of source.matchAll(/^import\s*\{([^}]*)\}\s*from\s*'([^']+)'/gm)) {
    const names = (match[1] ?? '').split(',').map((n) =>
      n
        .trim()
        .split(/\s+as\s+/)[0]
        ?.trim(),
    );
    if (names.includes('test')) found.push(match[2] ?? '');
  }
  return found;
}

describe('E2E specs', () => {
  it('exist', () => {
    expect(specs.length).toBeGreaterThan(10);
  });

  it.each(specs.map((s) => [s]))('%s takes `test` from the page-fault watch', (spec) => {
    const sources = testSources(readFileSync(new URL(spec, e2e), 'utf8'));
    expect(sources, `${spec} imports test from`).toHaveLength(1);
    expect(['./fixtures.js', './harness/pageFaults.js']).toContain(sources[0]);
  });

  it('fixtures.ts builds its test on the watch', () => {
    expect(testSources(readFileSync(new URL('fixtures.ts', e2e), 'utf8'))).toEqual(['./harness/pageFaults.js']);
  });
});
