/**
 * The SIP grammar SIP.js runs is the one scripts/sipjs-grammar/compile-grammar.mjs generates from the
 * grammar.js SIP.js ships (install.mjs puts it in place at install and build): SIP.js's own
 * `Grammar.parse` goes through it, the installed file is exactly what the generator makes of the
 * shipped file, and it gives the shipped grammar's results for every header of a corpus of real and
 * torture messages, for fuzzed mutations of them, and for whole messages through SIP.js's Parser.
 * After an install that skipped scripts (`npm ci --ignore-scripts`) the first two fail.
 */
import { describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { Core, Grammar } from 'sip.js';
import { canonical, parseStock, stockParse, STOCK_GRAMMAR_FILE } from '../support/stockGrammar.js';
import { CORPUS } from '../fixtures/sip/corpus.js';
import { tortureCases } from '../fixtures/sip/torture.js';
import { scanMessage } from '../../electron/core/sip/ingress/sipScanner.js';
import { checkSipGrammar, deliverWith, grammarFiles } from '../../electron/core/sip/sipGrammar.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const FIX = 'run `node scripts/sipjs-grammar/install.mjs` (an install with --ignore-scripts skips it)';

const RULE_BY_HEADER: Record<string, string> = {
  via: 'Via',
  from: 'From',
  to: 'To',
  'call-id': 'Call_ID',
  cseq: 'CSeq',
  contact: 'Contact',
  'content-length': 'Content_Length',
  'content-type': 'Content_Type',
  'max-forwards': 'Max_Forwards',
  'record-route': 'Record_Route',
  'refer-to': 'Refer_To',
  'referred-by': 'Referred_By',
  replaces: 'Replaces',
  event: 'Event',
  'subscription-state': 'Subscription_State',
  supported: 'Supported',
  require: 'Require',
  'www-authenticate': 'WWW_Authenticate',
  'proxy-authenticate': 'Proxy_Authenticate',
  'session-expires': 'Session_Expires',
};

/** Every (value, rule) pair SIP.js would parse in `text`, plus its start line and URIs. */
function grammarInputs(text: string): Array<[string, string]> {
  const scanned = scanMessage(text, 500);
  const inputs: Array<[string, string]> = [[text.slice(0, Math.max(0, text.indexOf('\r\n'))), 'Request_Response']];
  if (!scanned.ok) return inputs;
  for (const header of scanned.message.headers) {
    const rule = RULE_BY_HEADER[header.name];
    if (rule) inputs.push([header.value, rule]);
    inputs.push([header.value, 'Name_Addr_Header']);
  }
  if (scanned.message.startLine.kind === 'request') inputs.push([scanned.message.startLine.requestUri, 'SIP_URI']);
  return inputs;
}

const MESSAGES = [...CORPUS.map((c) => c.text), ...tortureCases('b4kqz0t1', 5066).map((t) => t.text)];

describe('the SIP grammar SIP.js runs', () => {
  it("is the generated one, reached through SIP.js's own Grammar.parse (the start-up check)", async () => {
    const check = await checkSipGrammar();
    expect(check.ok ? 'ok' : check.problem).toBe('ok');
  });

  it('hands SIP.js an offered result in place of a parse, only while the offer stands', () => {
    const offered = { offered: true };
    const offer = { take: (input: string, rule: string): unknown => (input === 'x@y' && rule === 'Call_ID' ? offered : undefined) };
    expect(
      deliverWith(offer, (): unknown => Grammar.parse('x@y', 'Call_ID')),
      FIX,
    ).toBe(offered);
    expect(deliverWith(offer, (): unknown => Grammar.parse('z@y', 'Call_ID'))).toBe('z@y');
    expect(Grammar.parse('x@y', 'Call_ID')).toBe('x@y');
  });

  it('is exactly what the generator makes of the grammar.js SIP.js ships', () => {
    const files = grammarFiles();
    expect(STOCK_GRAMMAR_FILE, FIX).toBe(files.stock);
    const stock = readFileSync(files.stock);
    // The one file the generator was checked against: SIP.js 0.21.2's grammar.js as published.
    expect(createHash('sha256').update(stock).digest('hex')).toBe('66f6eabdcec39bfe90b9dbf3104e42af6169a6f4f5a1773694fce36c0262ab03');
    const out = join(mkdtempSync(join(tmpdir(), 'baton-grammar-')), 'grammar.js');
    execFileSync(process.execPath, [join(ROOT, 'scripts/sipjs-grammar/compile-grammar.mjs'), files.stock, out]);
    expect(readFileSync(files.installed, 'utf8') === readFileSync(out, 'utf8'), FIX).toBe(true);
  });

  it('gives the stock results for every header of the corpus and the torture messages', () => {
    let compared = 0;
    for (const text of MESSAGES) {
      for (const [input, rule] of grammarInputs(text)) {
        expect(canonical(Grammar.parse(input, rule)), `${rule}: ${input}`).toBe(canonical(stockParse(input, rule)));
        compared += 1;
      }
    }
    expect(compared).toBeGreaterThan(300);
  });

  it('gives the stock results for fuzzed header values (failures included)', () => {
    const pairs = MESSAGES.flatMap(grammarInputs);
    const alphabet = fc.constantFrom(...'<>;:=@"\\%,? \t/[]0123456789abcxyzSIP.-_~'.split(''));
    fc.assert(
      fc.property(
        fc.constantFrom(...pairs),
        fc.nat(),
        fc.array(alphabet, { maxLength: 4 }).map((chars) => chars.join('')),
        fc.nat({ max: 3 }),
        ([value, rule], at, insert, cut) => {
          const position = value.length ? at % value.length : 0;
          const mutated = value.slice(0, position) + insert + value.slice(position + cut);
          expect(canonical(Grammar.parse(mutated, rule))).toBe(canonical(stockParse(mutated, rule)));
        },
      ),
      { numRuns: 1500, seed: 8 },
    );
  }, 60_000);

  it('parses whole messages to the same objects through SIP.js Parser', () => {
    const logger = { error: () => {}, warn: () => {}, log: () => {}, debug: () => {} } as unknown as Parameters<
      typeof Core.Parser.parseMessage
    >[1];
    const installed = MESSAGES.map((text) => canonical(Core.Parser.parseMessage(text, logger)));
    expect(installed).toEqual(MESSAGES.map((text) => canonical(parseStock(text))));
  });
});
