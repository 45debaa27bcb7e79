/**
 * The layers the compiler alone does not hold (STYLE.md §1): shared/ is pure, electron/core never
 * imports Electron, the renderer reaches main only through the shared contract.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '..', '..');

function sources(dir: string): string[] {
  const full = join(root, dir);
  try {
    statSync(full);
  } catch {
    // A layer folder that does not exist has no imports to check.
    return [];
  }
  return readdirSync(full, { recursive: true, encoding: 'utf8' })
    .filter((f) => /\.(ts|tsx)$/.test(f))
    .map((f) => join(full, f));
}

function imports(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  // import/export … from '…' (no '=' or ';' before `from`: that is code, not an import), and import '…'.
  const statics = [...text.matchAll(/^\s*(?:import|export)\b[^;=]*?\bfrom\s*['"]([^'"]+)['"]|^\s*import\s*['"]([^'"]+)['"]/gm)];
  const dynamics = [...text.matchAll(/\b(?:import|require)\s*\(\s*['"]([^'"]+)['"]/g)];
  return [...statics, ...dynamics].map((m) => m[1] ?? m[2] ?? '');
}

function offenders(dir: string, forbidden: (specifier: string) => boolean): string[] {
  return sources(dir).flatMap((file) =>
    imports(file)
      .filter(forbidden)
      .map((spec) => `${relative(root, file)} → ${spec}`),
  );
}

describe('layers', () => {
  // Besides zod, libphonenumber-js: pure functions and metadata (no I/O, no globals), so the dial
  // plan is one rule that main enforces and the transfer panel previews.
  it('shared/ imports only shared/, zod and libphonenumber-js', () => {
    expect(
      offenders(
        'shared',
        (s) =>
          !(s.startsWith('./') || s.startsWith('../') || s === 'zod' || s === 'libphonenumber-js') ||
          /\.\.\/(\.\.\/)*(electron|renderer|test)\//.test(s),
      ),
    ).toEqual([]);
  });
  it('electron/core never imports electron', () => {
    expect(offenders('electron/core', (s) => s === 'electron' || s.startsWith('electron/'))).toEqual([]);
  });
  it('renderer/ never imports main-process code or Node-only packages', () => {
    expect(
      offenders(
        'renderer',
        (s) => /(^|\/)electron(\/|$)/.test(s) || ['sip.js', 'better-sqlite3', 'ws'].includes(s) || s.startsWith('node:'),
      ),
    ).toEqual([]);
  });
});
