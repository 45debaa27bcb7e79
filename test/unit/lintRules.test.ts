// The lint gate's own rules: the swallowed-error rule catches each way of dropping an error and lets
// a used or explained one pass; the disable rule refuses a disable without a reason; and the config
// turns on, as errors, the typed rules the gate exists for, on every layer, the root configs and our
// rules included. ESLint and its plugins come from tools/ (see eslint.config.mjs for why).
import { readFileSync } from 'node:fs';
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
  readonly fatal?: boolean;
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

/** Runs one of our rules (tools/eslint-rules/NAME.mjs) alone over `code`. */
async function lintWith(name: string, code: string): Promise<LintMessage[]> {
  const { Linter } = await load<EslintModule>(fromTools.resolve('eslint'));
  const rule = (await load<{ default: unknown }>(join(root, 'tools', 'eslint-rules', `${name}.mjs`))).default;
  const linter = new Linter({ configType: 'flat' });
  return linter.verify(code, {
    languageOptions: { ecmaVersion: 2024, sourceType: 'module' },
    // The examples disable rules that are not configured here: that is not what is under test.
    linterOptions: { reportUnusedDisableDirectives: 'off' },
    plugins: { baton: { rules: { [name]: rule } } },
    rules: { [`baton/${name}`]: 'error' },
  });
}

/** What the rule reports for `code`: [line, messageId] for each of its messages. */
async function reported(name: string, code: string): Promise<[number, string | undefined][]> {
  const messages = await lintWith(name, code);
  // A parse error means the example itself is broken.
  expect(messages.filter((m) => m.fatal)).toEqual([]);
  return messages.filter((m) => m.ruleId === `baton/${name}`).map((m) => [m.line, m.messageId]);
}

describe('baton/no-swallowed-error', () => {
  // Each example drops the error unseen: no use of it, no comment on why that is safe.
  const dropped: [string, string, string][] = [
    ['an empty arrow', 'p.catch(() => {});', 'droppedHandler'],
    ['an arrow to undefined', 'p.catch(() => undefined);', 'droppedHandler'],
    ['an empty function', 'p.catch(function () {});', 'droppedHandler'],
    ['an arrow to null', 'p.catch(() => null);', 'droppedHandler'],
    ['an arrow to void 0', 'p.catch(() => void 0);', 'droppedHandler'],
    ['a failure turned into false', 'p.catch(() => false);', 'droppedHandler'],
    ['an unused parameter turned into 0', 'p.catch((_e) => 0);', 'droppedHandler'],
    ['a bare return', 'p.catch(() => { return; });', 'droppedHandler'],
    ['a fallback value', 'p.catch(() => fallback);', 'droppedHandler'],
    ['a second then argument', 'p.then(ok, () => {});', 'droppedHandler'],
    ['an error silenced with void', 'p.catch((e) => { void e; });', 'droppedHandler'],
    ['a named no-op function', 'function noop() {}\np.catch(noop);', 'droppedHandler'],
    ['a named no-op const', 'const noop = () => undefined;\np.catch(noop);', 'droppedHandler'],
    ['a named no-op as then’s handler', 'function noop() {}\np.then(undefined, noop);', 'droppedHandler'],
    ['an imported no-op', "import { noop } from './noop.js';\np.catch(noop);", 'unknownHandler'],
    ['an unresolved name', 'p.catch(ignore);', 'unknownHandler'],
    ['a member not named for handling', 'p.catch(helpers.noop);', 'unknownHandler'],
    ['a factory not named for handling', "p.catch(ignoring('close'));", 'unknownHandler'],
    ['an empty catch', 'try { f(); } catch { }', 'droppedCatch'],
    ['a catch whose error is silenced with void', 'try { f(); } catch (e) { void e; }', 'droppedCatch'],
    ['a catch that returns', 'function g() { try { f(); } catch { return; } }', 'droppedCatch'],
    ['a catch that sets a fallback', 'try { f(); } catch { x = undefined; }', 'droppedCatch'],
    ['a catch whose comment is no reason', 'try { f(); } catch (e) { /* ignore */ }', 'droppedCatch'],
    ['a catch under a directive only', '// eslint-disable-next-line no-empty\ntry { f(); } catch { }', 'droppedCatch'],
  ];
  it.each(dropped)('reports %s', async (_what, code, messageId) => {
    const lines = code.split('\n').length;
    expect(await reported('no-swallowed-error', code)).toEqual([[lines, messageId]]);
  });

  // Each example uses its error, or says where it is or why dropping it is safe.
  const kept: [string, string][] = [
    ['a logged error', 'p.catch((e) => log.warn("closing failed", e));'],
    ['a rethrown error', 'try { f(); } catch (e) { if (e.code !== "ESRCH") throw e; }'],
    ['an error passed on', 'p.catch((error) => reject(new Error("failed", { cause: error })));'],
    ['an error inspected', 'p.catch((e) => e instanceof TypeError);'],
    ['a destructured error', 'p.catch(({ message }) => show(message));'],
    ['no rejection handler', 'p.then(ok);'],
    ['then with undefined', 'p.then(ok, undefined);'],
    ['a settler', 'new Promise((resolve, reject) => { p.then(resolve).catch(reject); });'],
    ['a logger member', 'p.catch(console.error);'],
    ['a logging factory', "p.catch(logged('closing'));"],
    ['a logging factory on this', "p.catch(this.book.sideEffectFailed(t, 'ending the consult'));"],
    ['the lab’s debug-log factory', "p.catch(bestEffort('hang-up'));"],
    ['a named function that logs', 'function warnOf(e) { log.warn(e); }\np.catch(warnOf);'],
    ['a const made by a logging factory', "const drop = logged('x');\np.catch(drop);"],
    ['a named no-op that says why', '// The socket is closing anyway; nothing is left to tell.\nfunction noop() {}\np.catch(noop);'],
    ['a comment inside the handler', 'p.catch(() => {\n  // The file may not exist yet: absent reads as empty.\n  return false;\n});'],
    ['a comment right above the handler', '// A closed port means the host went away first.\np.catch(() => false);'],
    ['a comment on the handler’s line', 'p.catch(() => false); // the file may be gone already'],
    [
      'a comment above a chain',
      '// The peer may have hung up first; its BYE ends the call anyway.\nvoid call\n  .hangUp()\n  .then(done)\n  .catch(() => undefined);',
    ],
    ['a comment inside a catch', 'try { f(); } catch {\n  // Already gone is what we wanted.\n}'],
    ['a comment between try and catch', 'try {\n  f();\n} /* Already gone is what we wanted. */ catch {\n  x = 1;\n}'],
    ['a comment above the try', '// A missing file reads as no settings at all.\ntry {\n  f();\n} catch {\n  x = undefined;\n}'],
  ];
  it.each(kept)('lets %s pass', async (_what, code) => {
    expect(await reported('no-swallowed-error', code)).toEqual([]);
  });
});

describe('baton/disable-needs-reason', () => {
  const reasonless: [string, string][] = [
    ['a next-line disable', '// eslint-disable-next-line no-control-regex\nconst r = /\\x00/;'],
    ['a same-line disable', 'const r = /\\x00/; // eslint-disable-line no-control-regex'],
    ['a disable of every rule after the first line', 'const a = 1;\n/* eslint-disable */\nconst b = 2;'],
    ['a same-line disable of every rule', 'const a = 1;\nconst r = /\\x00/; // eslint-disable-line'],
    ['a disable of this very rule', 'const a = 1;\nconst b = 2; // eslint-disable-line baton/disable-needs-reason'],
    ['a disable with an empty reason', '// eslint-disable-next-line no-control-regex --\nconst r = /\\x00/;'],
    ['a rule reconfigured in place', '/* eslint no-control-regex: off */\nconst a = 1;'],
  ];
  it.each(reasonless)('reports %s', async (_what, code) => {
    expect(await reported('disable-needs-reason', code)).toEqual([[1, 'noReason']]);
  });

  const explained: [string, string][] = [
    ['a next-line disable with a reason', '// eslint-disable-next-line no-control-regex -- the decoder rejects these\nconst r = /\\x00/;'],
    ['a block disable with a reason', '/* eslint-disable no-console -- a command-line tool prints */\nconst a = 1;'],
    ['an enable', '/* eslint-enable */\nconst a = 1;'],
    ['a comment that mentions eslint', '// eslint runs from tools/\nconst a = 1;'],
  ];
  it.each(explained)('lets %s pass', async (_what, code) => {
    expect(await reported('disable-needs-reason', code)).toEqual([]);
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
    'vite.config.ts',
    'vitest.config.ts',
    'playwright.config.ts',
    'eslint.config.mjs',
    'tools/eslint-rules/no-swallowed-error.mjs',
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
        'baton/disable-needs-reason',
      ]) {
        expect({ file, rule, severity: severity(rules, rule) }).toEqual({ file, rule, severity: 2 });
      }
    }
  });

  it('is run by the gate on the root configs and our rules, with warnings failing', async () => {
    const { LINTED } = await load<{ LINTED: readonly string[] }>(join(root, 'scripts', 'lint.mjs'));
    for (const path of ['vite.config.ts', 'vitest.config.ts', 'playwright.config.ts', 'eslint.config.mjs', 'tools/eslint-rules']) {
      expect(LINTED).toContain(path);
    }
    expect(readFileSync(join(root, 'scripts', 'lint.mjs'), 'utf8')).toContain("'--max-warnings', '0'");
  });

  it('does not take a default for a switch over a union that has every case', async () => {
    const { rules } = await configFor('shared/desk.ts');
    expect([rules['@typescript-eslint/switch-exhaustiveness-check']].flat()[1]).toMatchObject({
      considerDefaultExhaustiveForUnions: false,
    });
  });

  it('runs the React hooks rules on the renderer', async () => {
    const { rules } = await configFor('renderer/app/App.tsx');
    expect(severity(rules, 'react-hooks/rules-of-hooks')).toBe(2);
    expect(severity(rules, 'react-hooks/exhaustive-deps')).toBe(2);
  });
});
