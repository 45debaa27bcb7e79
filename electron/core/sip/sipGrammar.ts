/**
 * The one seam between Baton and the SIP grammar that SIP.js runs. scripts/sipjs-grammar/install.mjs
 * (run at install and build) rewrites sip.js's lib/grammar/pegjs/dist/grammar.js — the module SIP.js's
 * `Grammar` imports — with the faster grammar our generator makes of it, and keeps the shipped file
 * beside it as grammar.stock.js. This module reads what the generated grammar adds, typed, and checks
 * that SIP.js really runs it; nothing here replaces anything of SIP.js's at run time.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Grammar } from 'sip.js';
import * as installed from 'sip.js/lib/grammar/pegjs/dist/grammar.js';

/** Parse results offered to SIP.js during one delivery (see `deliverWith`). */
export interface GrammarOffer {
  /** The result to give out instead of parsing `input` under `startRule`, or undefined to parse. */
  take(input: string, startRule: string): unknown;
}

/** What the generated grammar exports beyond the stock one (scripts/sipjs-grammar/compile-grammar.mjs). */
interface GeneratedGrammar {
  readonly batonGrammar: { readonly generator: string; readonly stockSha256: string; readonly rules: number };
  deliverWith<T>(offer: GrammarOffer, deliver: () => T): T;
}

function isGenerated(module: object): module is GeneratedGrammar {
  return 'batonGrammar' in module && 'deliverWith' in module && typeof module.deliverWith === 'function';
}

/** The module SIP.js imports, when it is the generated one (undefined: SIP.js runs its stock grammar). */
const generated: GeneratedGrammar | undefined = isGenerated(installed) ? installed : undefined;

/**
 * Runs `deliver` (SIP.js handling a message, synchronously) with `offer` consulted before each parse
 * SIP.js makes meanwhile. On the stock grammar nothing is offered: SIP.js parses everything itself,
 * with the same results.
 */
export function deliverWith<T>(offer: GrammarOffer, deliver: () => T): T {
  return generated ? generated.deliverWith(offer, deliver) : deliver();
}

/** What SIP.js's `Grammar.parse` returns with the shipped grammar (-1 for a failure). */
export type StockParse = (input: string, startRule: string) => unknown;

interface PegModule {
  parse(input: string, options: { startRule: string; data?: unknown }): unknown;
}

/** Where SIP.js's grammar module and the shipped copy kept beside it are. */
export function grammarFiles(): { readonly installed: string; readonly stock: string } {
  const path = createRequire(import.meta.url).resolve('sip.js/lib/grammar/pegjs/dist/grammar.js');
  return { installed: path, stock: join(dirname(path), 'grammar.stock.js') };
}

/** Loads the grammar as SIP.js ships it (`file`: the copy kept beside SIP.js's), as `Grammar.parse` would run it. */
export async function loadStockParse(file = grammarFiles().stock): Promise<StockParse> {
  const stock = (await import(pathToFileURL(file).href)) as PegModule;
  return (input, startRule) => {
    const options: { startRule: string; data?: unknown } = { startRule };
    try {
      stock.parse(input, options);
    } catch {
      // SIP.js's Grammar.parse does the same: a syntax error means "no match", which is -1.
      options.data = -1;
    }
    return options.data;
  };
}

/** A serialisation that keeps class names and undefined, so "same text" means "same result". */
export function canonical(value: unknown): string {
  return JSON.stringify(value, function (this: unknown, _key, v: unknown) {
    if (v === undefined) return '__undefined__';
    if (v && typeof v === 'object' && !Array.isArray(v)) {
      const proto = Object.getPrototypeOf(v) as { constructor?: { name?: string } } | null;
      const entries = Object.entries(v as Record<string, unknown>).sort(([a], [b]) => a.localeCompare(b));
      return { __class__: proto?.constructor?.name ?? 'null', ...Object.fromEntries(entries) };
    }
    return v;
  });
}

/** Values of each kind SIP.js parses on every call, and one it must refuse, for the start-up check. */
const SAMPLES: ReadonlyArray<readonly [string, string]> = [
  ['INVITE sip:bob@127.0.0.1:5060;transport=ws SIP/2.0', 'Request_Response'],
  ['SIP/2.0 180 Ringing', 'Request_Response'],
  ['SIP/2.0/WSS df7jal23ls0d.invalid;branch=z9hG4bK1234;rport', 'Via'],
  ['"Jordan Blake" <sip:jordan@127.0.0.1>;tag=8f2a', 'From'],
  ['<sip:ana@127.0.0.1;transport=ws>;tag=b7', 'To'],
  ['<sip:ana@df7jal23ls0d.invalid;transport=ws>;expires=600;+sip.instance="<urn:uuid:1>"', 'Contact'],
  ['<sip:ana@127.0.0.1?Replaces=abc%40h%3Bto-tag%3D1%3Bfrom-tag%3D2>', 'Refer_To'],
  ['application/sdp', 'Content_Type'],
  ['21 INVITE', 'CSeq'],
  ['<sip:bob@127.0.0.1', 'From'],
];

export type GrammarCheck = { readonly ok: true; readonly detail: string } | { readonly ok: false; readonly problem: string };

/**
 * Whether the SIP.js in this process parses with the generated grammar, made from the stock file
 * it ships, with the stock results on a few samples. Never throws.
 */
export async function checkSipGrammar(): Promise<GrammarCheck> {
  try {
    const files = grammarFiles();
    if (!generated) {
      return {
        ok: false,
        problem: `SIP.js runs its stock grammar (${files.installed} was not rewritten: an install that skipped scripts?). Calls work, parsing is many times slower. Fix: node scripts/sipjs-grammar/install.mjs`,
      };
    }
    // SIP.js reaches the grammar through `Grammar.parse`; a result offered only here proves the path.
    const probe = { probe: true };
    const seen = generated.deliverWith(
      { take: (input, rule) => (input === 'probe@baton' && rule === 'Call_ID' ? probe : undefined) },
      (): unknown => Grammar.parse('probe@baton', 'Call_ID'),
    );
    if (seen !== probe) return { ok: false, problem: "SIP.js's Grammar.parse does not go through the generated grammar module" };
    const stockSha256 = createHash('sha256').update(readFileSync(files.stock)).digest('hex');
    if (stockSha256 !== generated.batonGrammar.stockSha256) {
      return {
        ok: false,
        problem: `the generated grammar was made from another file than ${files.stock} (sha256 ${stockSha256}); run node scripts/sipjs-grammar/install.mjs`,
      };
    }
    const stockParse = await loadStockParse();
    for (const [input, rule] of SAMPLES) {
      if (canonical(Grammar.parse(input, rule)) !== canonical(stockParse(input, rule))) {
        return { ok: false, problem: `the generated grammar and the stock one differ on ${rule}: ${input}` };
      }
    }
    return {
      ok: true,
      detail: `generated grammar in use (${generated.batonGrammar.rules} rules, from stock sha256 ${stockSha256.slice(0, 12)}…; same results on ${SAMPLES.length} samples)`,
    };
  } catch (error) {
    return { ok: false, problem: `the grammar check failed: ${error instanceof Error ? error.message : String(error)}` };
  }
}
