// Lint gate: ESLint with type information (eslint.config.mjs) over the code we write, then
// `prettier --check`. Both run from tools/ (pinned by tools/package-lock.json; see eslint.config.mjs
// for why the linter cannot use the app's TypeScript 7).
//
// Usage: node scripts/lint.mjs [--json FILE] [PATH...]
//   PATHs narrow ESLint to those files or folders (default: every folder of code we write).
//   FILE receives {"passed":N,"failed":M}, one count per check (eslint, prettier): a check fails on
//   any ESLint error or warning, or any file Prettier would change.
// Format the tree (what the Prettier check expects): tools/node_modules/.bin/prettier --write .
import { spawnSync } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
/**
 * What ESLint reads: every folder of code we write, our own lint rules and the root configs.
 * Generated code and test data (test/fixtures) are ignored in the config, which says why.
 */
export const LINTED = [
  'electron',
  'renderer',
  'shared',
  'test',
  'scripts',
  'tools/eslint-rules',
  'eslint.config.mjs',
  'vite.config.ts',
  'vitest.config.ts',
  'playwright.config.ts',
];

/** A tool's command-line script in tools/node_modules, run with this Node (no shell, any OS). */
const BIN = { eslint: 'eslint/bin/eslint.js', prettier: 'prettier/bin/prettier.cjs' };

function tool(name) {
  const path = join(root, 'tools', 'node_modules', BIN[name]);
  if (!existsSync(path)) throw new Error(`${name} is not installed. Run:\n  npm ci --prefix tools`);
  return path;
}

/** Runs one check with its output on the terminal; true when it passed. */
function check(name, args) {
  const started = Date.now();
  console.log(`  ${name}: ${[name, ...args].join(' ')}`);
  const run = spawnSync(process.execPath, [tool(name), ...args], { cwd: root, stdio: 'inherit' });
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  if (run.error) console.error(`  ${name}: could not run (${run.error.message})`);
  const passed = run.status === 0;
  console.log(`  ${name}: ${passed ? 'passed' : 'FAILED'} in ${seconds} s`);
  return passed;
}

export function runLint(paths = LINTED) {
  const results = [
    // A warning fails too: one left to scroll past is one nobody reads.
    check('eslint', ['--no-warn-ignored', '--max-warnings', '0', ...paths]),
    check('prettier', ['--check', '--log-level', 'warn', '.']),
  ];
  return { passed: results.filter(Boolean).length, failed: results.filter((ok) => !ok).length };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const jsonAt = process.argv.indexOf('--json');
  const out = jsonAt > 0 ? process.argv[jsonAt + 1] : undefined;
  const paths = process.argv.slice(2).filter((arg, i, args) => !arg.startsWith('--') && args[i - 1] !== '--json');
  let summary;
  try {
    summary = runLint(paths.length > 0 ? paths : LINTED);
  } catch (error) {
    console.error(`lint: ${error instanceof Error ? error.message : String(error)}`);
    summary = { passed: 0, failed: 1 };
  }
  if (out) writeFileSync(out, JSON.stringify(summary));
  process.exit(summary.failed === 0 ? 0 : 1);
}
