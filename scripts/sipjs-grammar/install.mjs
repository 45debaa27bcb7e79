#!/usr/bin/env node
/**
 * Puts Baton's generated SIP grammar where SIP.js loads its own: rewrites the installed
 * node_modules/sip.js/lib/grammar/pegjs/dist/grammar.js — the one module SIP.js's `Grammar` imports —
 * with what compile-grammar.mjs makes of it, and keeps the file as shipped beside it as
 * grammar.stock.js (the reference of the tests, the bench and the start-up check). Run by
 * `postinstall` and by `npm run build`; idempotent (a second run regenerates from grammar.stock.js,
 * so a changed generator takes effect without reinstalling).
 *
 * Why rewrite the installed file rather than a loader hook or an alias: main is not bundled (tsc
 * emits one file per module and electron-builder packages node_modules as installed), so an alias
 * would need a bundler for main alone, and a loader hook has to be registered before anything
 * imports SIP.js in every kind of process that does — Electron's main, each test worker, the bench,
 * the lab bots, the demo — each in its own way. The rewritten file is what all of them load, the
 * packaged app included. Its one failure mode, an install that skipped scripts, leaves the stock
 * grammar (correct, only slower); electron/core/sip/sipGrammar.ts detects that at start-up and
 * test/unit/ingress-grammar.test.ts fails on it.
 */
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative } from 'node:path';
import { compileGrammar, GENERATED_MARK } from './compile-grammar.mjs';

const sipjs = dirname(createRequire(import.meta.url).resolve('sip.js/package.json'));
const dir = join(sipjs, 'lib', 'grammar', 'pegjs', 'dist');
const installedPath = join(dir, 'grammar.js');
const stockPath = join(dir, 'grammar.stock.js');
const shown = (path) => relative(process.cwd(), path) || path;

/** Writes through a temporary file, so an interrupted run never leaves half a module behind. */
function writeAtomically(path, text) {
  const temporary = `${path}.${process.pid}.tmp`;
  writeFileSync(temporary, text);
  renameSync(temporary, path);
}

try {
  const installed = readFileSync(installedPath, 'utf8');
  let stock;
  if (installed.startsWith(GENERATED_MARK)) {
    if (!existsSync(stockPath)) {
      throw new Error(
        `${shown(installedPath)} is generated but ${shown(stockPath)} is gone; reinstall SIP.js (rm -rf node_modules/sip.js && npm ci)`,
      );
    }
    stock = readFileSync(stockPath, 'utf8');
  } else {
    // A fresh SIP.js (or one reinstalled over ours): what it ships becomes the reference.
    stock = installed;
    if (!existsSync(stockPath) || readFileSync(stockPath, 'utf8') !== stock) writeAtomically(stockPath, stock);
  }
  const generated = compileGrammar(stock);
  const changed = generated !== installed;
  if (changed) writeAtomically(installedPath, generated);
  console.log(`sip.js grammar: ${changed ? 'generated' : 'up to date'} — ${shown(installedPath)} (stock kept as grammar.stock.js)`);
} catch (error) {
  console.error(`sip.js grammar: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
}
