/**
 * SIP.js's published grammar beside the faster one the product installs: what "SIP.js would have
 * made of this" means in tests that compare the two.
 */
import { Core, Grammar } from 'sip.js';
import * as stock from '../fixtures/sip/grammar.stock.js';

const quiet = { error: () => {}, warn: () => {}, log: () => {}, debug: () => {} } as unknown as Parameters<typeof Core.Parser.parseMessage>[1];

/** What SIP.js's Grammar.parse returns, with the stock grammar underneath. */
export function stockParse(input: string, startRule: string): unknown {
  const options: { startRule: string; data?: unknown } = { startRule };
  try {
    stock.parse(input, options);
  } catch {
    options.data = -1;
  }
  return options.data;
}

/** A serialisation that keeps class names and undefined, so "same JSON" means "same result". */
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

/** SIP.js's Parser with the installed grammar (undefined when SIP.js cannot parse the message). */
export function parseInstalled(text: string): Core.IncomingMessage | undefined {
  return Core.Parser.parseMessage(text, quiet);
}

/** SIP.js's Parser with the published grammar. */
export function parseStock(text: string): Core.IncomingMessage | undefined {
  const original = Grammar.parse;
  Grammar.parse = stockParse;
  try {
    return Core.Parser.parseMessage(text, quiet);
  } finally {
    Grammar.parse = original;
  }
}
