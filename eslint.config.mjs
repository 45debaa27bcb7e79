// ESLint for Baton, run by scripts/lint.mjs (and so by `npm test`).
//
// The linter lives in tools/ with its own lockfile: typescript-eslint's typed rules need
// TypeScript's JavaScript API (TypeScript ≤ 6), which the app's pinned TypeScript 7 (the native
// compiler) does not have. So everything here is loaded from tools/node_modules, and the typed rules
// run on tools' TypeScript 5 over two programs: the renderer under tsconfig.web.json (DOM, no Node),
// everything else under tools/tsconfig.lint.json (the tests' config, which spans electron/ and
// shared/, widened to the preloads and the .mjs scripts). Two programs, not one per tsconfig per
// file, keep the typed lint affordable on a small machine.
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = dirname(fileURLToPath(import.meta.url));
const fromTools = createRequire(`${root}/tools/package.json`);
const load = async (name) => (await import(pathToFileURL(fromTools.resolve(name)).href)).default;

const js = await load('@eslint/js');
const tseslint = await load('typescript-eslint');
const reactHooks = await load('eslint-plugin-react-hooks');
const noSwallowedError = (await import('./tools/eslint-rules/no-swallowed-error.mjs')).default;
const disableNeedsReason = (await import('./tools/eslint-rules/disable-needs-reason.mjs')).default;

export default tseslint.config(
  {
    // test/fixtures/ is data, not code: SIP messages and SDP offers kept byte for byte as they arrive
    // on the wire (torture cases with control characters, odd spacing and deliberate malformations),
    // which lint and formatting must not "fix"; the tests that read them are linted.
    ignores: ['**/node_modules/**', 'dist/**', 'release/**', 'test-results/**', 'test/fixtures/**'],
  },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: {
        project: ['tools/tsconfig.lint.json'],
        tsconfigRootDir: root,
      },
    },
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    plugins: { baton: { rules: { 'no-swallowed-error': noSwallowedError, 'disable-needs-reason': disableNeedsReason } } },
    rules: {
      'baton/no-swallowed-error': 'error',
      'baton/disable-needs-reason': 'error',
      // The gate's reason to exist: a promise nobody awaits loses its rejection; a promise handed
      // where a void callback is expected (an event handler) does the same; a switch over a union
      // that misses a member is a state the code forgot.
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      // A `default:` does not make a switch over a union exhaustive: a member added later would fall
      // into it unseen. Every member has its case, or the switch says in place (a disable with its
      // reason) why the default is right for all the rest.
      '@typescript-eslint/switch-exhaustiveness-check': ['error', { considerDefaultExhaustiveForUnions: false }],
      // Off: an `async` function without `await` is how this code keeps a synchronous throw a
      // rejection where the contract is a Promise (MediaSession methods, stop()); the rule would push
      // toward dropping `async` and throwing synchronously from promise-returning functions.
      '@typescript-eslint/require-await': 'off',
      // `_name` marks a parameter a signature requires but the body does not use.
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    files: ['renderer/**/*.ts', 'renderer/**/*.tsx'],
    ...reactHooks.configs.flat['recommended-latest'],
    languageOptions: {
      parserOptions: {
        project: ['tsconfig.web.json'],
        tsconfigRootDir: root,
      },
    },
    rules: {
      ...reactHooks.configs.flat['recommended-latest'].rules,
      // An effect that misses a dependency runs with stale values: a bug, not advice, so an error
      // here rather than the preset's warning.
      'react-hooks/exhaustive-deps': 'error',
    },
  },
  {
    files: ['**/*.mjs', '**/*.cjs', '**/*.js'],
    languageOptions: {
      // Node's globals the scripts use (no-undef reads only JavaScript; TypeScript checks its own).
      globals: Object.fromEntries(
        ['console', 'process', 'Buffer', 'URL', 'setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'queueMicrotask'].map(
          (name) => [name, 'readonly'],
        ),
      ),
    },
    rules: {
      // Plain JavaScript has no declared types: to the checker nearly every value there is `any`, so
      // these would flag each property access of every script. The promise and switch rules stay on.
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
      '@typescript-eslint/restrict-template-expressions': 'off',
    },
  },
);
