// The lint gate's own rules: the swallowed-error rule catches each way of dropping an error and lets
// a handled or logged one pass, and the config turns on, as errors, the typed rules the gate exists
// for, on every layer. ESLint and its plugins come from tools/ (see eslint.config.mjs for why).
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '..', '..');
const fromTools = createRequire(join(root, 'tools', 'package.json'));

interface LintMessage {
  readonly ruleId: string | null;
  readonly messageId?: string;
  readonly line: number;
}
interface LinterLike {
  verify(code: string, config: unknown): LintMessage[];
}
interface EslintLike {
  calculateConfigForFile(path: string): Promise<{ rules: Record<string, unknown> }>;
}
interface EslintModule {
  Linter: new (options: { configType: 'flat' }) => LinterLike;
  ESLint: new (options: { cwd: string }) => EslintLike;
}

async function load<T>(specifier: string): Promise<T> {
  return (await import(pathToFileURL(specifier).href)) as T;
}

async function swallowed(code: string): Promise<LintMessage[]> {
  const { Linter } = await load<EslintModule>(fromTools.resolve('eslint'));
  const rule = (await load<{ default: unknown }>(join(root, 'tools', 'eslint-rules', 'no-swallowed-error.mjs'))).default;
  const linter = new Linter({ configType: 'flat' });
  return linter.verify(code, {
    languageOptions: { ecmaVersion: 2024, sourceType: 'module' },
    plugins: { baton: { rules: { 'no-swallowed-error': rule } } },
    rules: { 'baton/no-swallowed-error': 'error' },
  });
}

describe('baton/no-swallowed-error', () => {
  it('reports each way of dropping an error unseen, on its line', async () => {
    const messages = await swallowed(
      [
        'p.catch(() => {});',
        'p.catch(() => undefined);',
        'p.catch(function () {});',
        'p.catch(() => null);',
        'p.catch(() => void 0);',
        'p.then(ok, () => {});',
        'try { f(); } catch { }',
        'try { f(); } catch (e) { /* only a comment */ }',
      ].join('\n'),
    );
    expect(messages.map((m) => [m.line, m.messageId])).toEqual([
      [1, 'noopCatch'],
      [2, 'noopCatch'],
      [3, 'noopCatch'],
      [4, 'noopCatch'],
      [5, 'noopCatch'],
      [6, 'noopCatch'],
      [7, 'emptyCatch'],
      [8, 'emptyCatch'],
    ]);
  });

  it('lets a handled or logged error pass', async () => {
    const messages = await swallowed(
      [
        'p.catch((e) => log.warn("closing failed", e));',
        'p.catch(logged("closing"));',
        'p.catch(() => fallback);',
        'p.then(ok);',
        'try { f(); } catch (e) { if (e.code !== "ESRCH") throw e; }',
        'try { f(); } catch { x = undefined; }',
      ].join('\n'),
    );
    expect(messages).toEqual([]);
  });
});

describe('the lint config', () => {
  const files = [
    'electron/core/sip/phone.ts',
    'electron/preload.cts',
    'shared/desk.ts',
    'renderer/app/App.tsx',
    'test/lab/bots.ts',
    'scripts/totals.mjs',
  ];
  const severity = (rules: Record<string, unknown>, rule: string): unknown => [rules[rule]].flat()[0];
  let configFor: (file: string) => Promise<{ rules: Record<string, unknown> }>;

  // Loading the config loads typescript-eslint and the React compiler's rules: seconds on a busy machine.
  beforeAll(async () => {
    const { ESLint } = await load<EslintModule>(fromTools.resolve('eslint'));
    const eslint = new ESLint({ cwd: root });
    configFor = (file) => eslint.calculateConfigForFile(join(root, file));
    await configFor(files[0]!);
  }, 60_000);

  it('turns the promise, switch and swallowed-error rules on as errors for every layer', async () => {
    for (const file of files) {
      const { rules } = await configFor(file);
      for (const rule of [
        '@typescript-eslint/no-floating-promises',
        '@typescript-eslint/no-misused-promises',
        '@typescript-eslint/switch-exhaustiveness-check',
        'baton/no-swallowed-error',
      ]) {
        expect({ file, rule, severity: severity(rules, rule) }).toEqual({ file, rule, severity: 2 });
      }
    }
  });

  it('runs the React hooks rules on the renderer', async () => {
    const { rules } = await configFor('renderer/app/App.tsx');
    expect(severity(rules, 'react-hooks/rules-of-hooks')).toBe(2);
    expect(severity(rules, 'react-hooks/exhaustive-deps')).toBeGreaterThan(0);
  });
});
