/**
 * The transfer context on the wire: encode → decode gives the context back (history trimmed from the
 * oldest end to fit), the header never carries anything SIP would have to escape, and decoding treats
 * whatever arrives as hostile — every failure is a value, never a throw.
 *
 * "Valid" below means what the decoder accepts: identifiers, names and labels at most 200 UTF-16
 * units with no C0 control or DEL; notes at most MAX_NOTE_CHARS code points, anything allowed inside;
 * history entries with a non-empty id, contactId and at.
 */
import { Buffer } from 'node:buffer';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { ContactHistoryEntry, ContactHistoryKind } from '../../shared/history.js';
import type { ContextProblem, DecodedContext, TransferContext } from '../../shared/transfer/context.js';
import {
  MAX_ENCODED_CONTEXT,
  MAX_NOTE_CHARS,
  TRANSFER_CONTEXT_VERSION,
  TransferContextError,
  base64UrlDecode,
  base64UrlEncode,
  contextJson,
  decodeContextHeader,
  decodeContextJson,
  encodeContextHeader,
  noteProblem,
} from '../../shared/transfer/context.js';
import type { TransferMethod } from '../../shared/transfer/transferModel.js';

// ─── Oracles, written independently of context.ts (Node's Buffer does the base64url) ─────────────────

const MAX_HISTORY = 20;
const MAX_TEXT = 200;
const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
const PROBLEMS: readonly ContextProblem[] = ['oversize', 'encoding', 'json', 'version', 'shape'];
const KINDS: readonly ContactHistoryKind[] = [
  'call',
  'transfer-started',
  'transfer-completed',
  'transfer-cancelled',
  'transfer-failed',
  'disposition',
];

const b64url = (bytes: Uint8Array | string): string =>
  (typeof bytes === 'string' ? Buffer.from(bytes, 'utf8') : Buffer.from(bytes)).toString('base64url');
/** Length of the header that would carry this JSON. */
const encodedLength = (json: string): number => b64url(json).length;
const codePoints = (s: string): number => [...s].length;
// eslint-disable-next-line no-control-regex -- control and line-separator characters are what the decoder refuses
const isShortText = (s: string): boolean => s.length <= MAX_TEXT && !/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/.test(s);

/** The JSON the context would take with this history (key order does not change the size). */
const jsonWith = (context: TransferContext, history: readonly ContactHistoryEntry[]): string => JSON.stringify({ ...context, history });
const fitsWithoutHistory = (context: TransferContext): boolean => encodedLength(jsonWith(context, [])) <= MAX_ENCODED_CONTEXT;
/** The last k entries (slice(-0) would be all of them). */
const lastN = <T>(items: readonly T[], k: number): readonly T[] => (k === 0 ? [] : items.slice(-k));

/** Takes whole code points while the UTF-16 length stays within max (surrogate pairs are never split). */
function fitUnits(s: string, max: number): string {
  let out = '';
  for (const cp of s) {
    if (out.length + cp.length > max) break;
    out += cp;
  }
  return out;
}
const fitCodePoints = (s: string, max: number): string => [...s].slice(0, max).join('');

/** Whatever decodes, the result obeys the documented contract. */
function expectContract(result: DecodedContext): void {
  if (!result.ok) {
    expect(PROBLEMS).toContain(result.problem);
    return;
  }
  const c = result.context;
  expect(c.v).toBe(TRANSFER_CONTEXT_VERSION);
  expect(['warm', 'cold']).toContain(c.method);
  for (const s of [
    c.transferId,
    c.token,
    c.sentAt,
    c.contact.id,
    c.contact.name,
    c.contact.number,
    c.outcome.id,
    c.outcome.label,
    c.initiator.id,
    c.initiator.name,
    c.initiator.uri,
  ]) {
    expect(typeof s).toBe('string');
    expect(isShortText(s)).toBe(true);
  }
  expect(codePoints(c.note)).toBeLessThanOrEqual(MAX_NOTE_CHARS);
  expect(c.history.length).toBeLessThanOrEqual(MAX_HISTORY);
  for (const e of c.history) {
    expect(e.id.length > 0 && e.contactId.length > 0 && e.at.length > 0).toBe(true);
    expect(KINDS).toContain(e.kind);
    expect(isShortText(e.actor.id) && isShortText(e.actor.name)).toBe(true);
    if (e.note !== undefined) expect(codePoints(e.note)).toBeLessThanOrEqual(MAX_NOTE_CHARS);
    if (e.detail !== undefined) expect(isShortText(e.detail)).toBe(true);
  }
}

function expectThrowsCode(fn: () => unknown, code: TransferContextError['code']): void {
  let thrown: unknown;
  try {
    fn();
  } catch (error) {
    thrown = error;
  }
  expect(thrown).toBeInstanceOf(TransferContextError);
  expect((thrown as TransferContextError).code).toBe(code);
  expect((thrown as TransferContextError).name).toBe('TransferContextError');
}

/**
 * numRuns, plus a cap on the whole run: shrinking a failing context of 30 history entries can take
 * minutes, and a counterexample part-shrunk after a few seconds is enough to read the bug.
 */
const runs = (numRuns: number): { numRuns: number; plugins: fc.UniversalPlugin[] } => ({
  numRuns,
  plugins: [fc.interruptAfterTimeLimit(5_000)],
});

// ─── Arbitraries ───────────────────────────────────────────────────────────────────────────────────

const codePointIn = (min: number, max: number): fc.Arbitrary<string> => fc.integer({ min, max }).map((cp) => String.fromCodePoint(cp));

const emoji = fc.constantFrom('😀', '🎉', '👍🏽', '👨‍👩‍👧', '🇫🇷', '❤️', '🧑🏿‍💻', '🦄');
/** Hebrew and Arabic letters, Arabic-Indic digits, and the bidi controls people paste into names. */
const rtl = fc.oneof(
  codePointIn(0x05d0, 0x05ea),
  codePointIn(0x0621, 0x064a),
  codePointIn(0x0660, 0x0669),
  fc.constantFrom('\u200e', '\u200f', '\u202b', '\u202e', '\u2067', '\u2069', '\u061c'),
);
const sipish = fc.constantFrom(' ', '"', "'", '\\', '<', '>', ';', ',', '=', ':', '@', '%', '&', '中', 'é', 'ß', '\u0301');
/** One unit of a short single-line text: never a C0/C1 control, DEL or line separator (the decoder refuses those). */
const textUnit: fc.Arbitrary<string> = fc
  .oneof(
    { weight: 6, arbitrary: fc.string({ unit: 'grapheme-ascii', minLength: 1, maxLength: 1 }) },
    { weight: 2, arbitrary: emoji },
    { weight: 2, arbitrary: rtl },
    { weight: 2, arbitrary: sipish },
    { weight: 1, arbitrary: fc.string({ unit: 'grapheme', minLength: 1, maxLength: 1 }) },
    // Lone surrogates: legal in a JS string, escaped by JSON.stringify, must survive the trip.
    { weight: 1, arbitrary: codePointIn(0xd800, 0xdfff) },
  )
  .filter((unit) => !/[\u0080-\u009f\u2028\u2029]/.test(unit));
/** Notes are free text: line breaks, tabs, quotes, markup and any control character are allowed. */
const noteUnit: fc.Arbitrary<string> = fc.oneof(
  { weight: 4, arbitrary: textUnit },
  { weight: 2, arbitrary: fc.constantFrom('\r', '\n', '\r\n', '\t', '"', '<', '>', ';', ',', '&', '\\') },
  { weight: 1, arbitrary: fc.constantFrom('\u0000', '\u001b', '\u007f', '\u0085', '\u2028', '\u2029', '\ufeff') },
);

const shortText = fc.string({ unit: textUnit, maxLength: 24 }).map((s) => fitUnits(s, MAX_TEXT));
const longText = fc.string({ unit: textUnit, maxLength: MAX_TEXT, size: 'max' }).map((s) => fitUnits(s, MAX_TEXT));
const textField: fc.Arbitrary<string> = fc.oneof({ weight: 8, arbitrary: shortText }, { weight: 1, arbitrary: longText });
const nonEmptyText = textField.filter((s) => s.length > 0);
const isoDate = fc.date({ noInvalidDate: true }).map((d) => d.toISOString());

const shortNote = fc.string({ unit: noteUnit, maxLength: 40 });
const longNote = fc.string({ unit: noteUnit, maxLength: MAX_NOTE_CHARS, size: 'max' }).map((s) => fitCodePoints(s, MAX_NOTE_CHARS));
/** Exactly MAX_NOTE_CHARS code points, of characters that are at most 2 bytes in the JSON. */
const fullNote = fc.string({
  unit: fc.constantFrom('a', 'Z', ' ', '\r', '\n', '\t', '"', '<', ';', ',', 'é', '\\'),
  minLength: MAX_NOTE_CHARS,
  maxLength: MAX_NOTE_CHARS,
});
const noteArb: fc.Arbitrary<string> = fc.oneof(
  { weight: 6, arbitrary: shortNote },
  { weight: 2, arbitrary: longNote },
  { weight: 1, arbitrary: fullNote },
);

const historyEntryArb: fc.Arbitrary<ContactHistoryEntry> = fc.record(
  {
    id: nonEmptyText,
    contactId: nonEmptyText,
    at: fc.oneof(isoDate, nonEmptyText),
    kind: fc.constantFrom(...KINDS),
    actor: fc.record({ id: textField, name: textField }),
    outcome: fc.record({ id: textField, label: textField }),
    note: fc.oneof({ weight: 4, arbitrary: shortNote }, { weight: 1, arbitrary: longNote }),
    detail: textField,
  },
  { requiredKeys: ['id', 'contactId', 'at', 'kind', 'actor'] },
);

const tinyText = fc.string({ unit: textUnit, maxLength: 4 });
/** Required fields only, so that 20 of them usually fit and the 20-entry cap is what trims. */
const lightEntryArb: fc.Arbitrary<ContactHistoryEntry> = fc.record({
  id: tinyText.filter((s) => s.length > 0),
  contactId: tinyText.filter((s) => s.length > 0),
  at: fc.constantFrom('2025-03-01T09:30:00Z', 't0'),
  kind: fc.constantFrom(...KINDS),
  actor: fc.record({ id: tinyText, name: tinyText }),
});

const contextArb: fc.Arbitrary<TransferContext> = fc.record({
  v: fc.constant(TRANSFER_CONTEXT_VERSION),
  transferId: textField,
  token: textField,
  method: fc.constantFrom<TransferMethod>('warm', 'cold'),
  contact: fc.record({ id: textField, name: textField, number: textField }),
  outcome: fc.record({ id: textField, label: textField }),
  // Notes the panel would refuse are covered by the note-limit tests below.
  note: noteArb.filter((note) => noteProblem(note) === null),
  initiator: fc.record({ id: textField, name: textField, uri: textField }),
  sentAt: fc.oneof(isoDate, textField),
  history: fc.oneof(
    fc.array(lightEntryArb, { maxLength: 30, size: 'max' }),
    // Entries with long texts and notes: the size cap trims.
    fc.array(historyEntryArb, { maxLength: 30, size: 'max' }),
  ),
});

const alphabetChar = fc.constantFrom(...ALPHABET);
const anyChar = fc.string({ unit: 'binary', minLength: 1, maxLength: 1 });
/** fast-check 4 dropped fullUnicodeString / string16bits; these are their equivalents. */
const fullUnicodeString = fc.string({ unit: 'binary', maxLength: 300 });
const utf16String = fc.string({ unit: codePointIn(0, 0xffff), maxLength: 300 }); // lone surrogates too

// ─── Fixtures ──────────────────────────────────────────────────────────────────────────────────────

const ENTRY: ContactHistoryEntry = {
  id: 'h-1',
  contactId: 'c-42',
  at: '2025-03-01T09:30:00.000Z',
  kind: 'call',
  actor: { id: 'u-1', name: 'Alice Martin' },
  outcome: { id: 'o-sale', label: 'Sale' },
  note: 'Called back;\r\nasked for "the <manager>"',
  detail: 'inbound call',
};

const BASE: TransferContext = {
  v: TRANSFER_CONTEXT_VERSION,
  transferId: 'xfer-7f3a',
  token: 'tok-19c2',
  method: 'warm',
  contact: { id: 'c-42', name: 'Zoë Ünal 🦄', number: '+33 6 12 34 56 78' },
  outcome: { id: 'o-sale', label: 'Sale' },
  note: 'Wants a refund, see ticket #123.\nAngry; speak slowly.',
  initiator: { id: 'u-1', name: 'אליס מרטין', uri: 'sip:alice@pbx.example;transport=ws' },
  sentAt: '2025-03-01T09:31:00.000Z',
  history: [ENTRY, { ...ENTRY, id: 'h-2', kind: 'transfer-started' }],
};

type Doc = Record<string, unknown>;
/** A deep, mutable copy of the wire document for BASE. */
const baseDoc = (): Doc => JSON.parse(JSON.stringify(BASE)) as Doc;
function withField(path: readonly string[], value: unknown): Doc {
  const doc = baseDoc();
  const [first, second] = path;
  if (first === undefined) return doc;
  if (second === undefined) doc[first] = value;
  else (doc[first] as Doc)[second] = value;
  return doc;
}
function withoutField(path: readonly string[]): Doc {
  const doc = baseDoc();
  const [first, second] = path;
  if (first === undefined) return doc;
  if (second === undefined) delete doc[first];
  else delete (doc[first] as Doc)[second];
  return doc;
}
/** Both carriers: the header (base64url of the JSON) and the MESSAGE body (the JSON). */
function decodeBoth(doc: unknown): readonly [DecodedContext, DecodedContext] {
  const json = JSON.stringify(doc);
  return [decodeContextHeader(b64url(json)), decodeContextJson(json)];
}
function problemsOf(doc: unknown): readonly (ContextProblem | 'ok')[] {
  return decodeBoth(doc).map((r) => (r.ok ? 'ok' : r.problem));
}

const TEXT_PATHS: readonly (readonly string[])[] = [
  ['transferId'],
  ['token'],
  ['sentAt'],
  ['contact', 'id'],
  ['contact', 'name'],
  ['contact', 'number'],
  ['outcome', 'id'],
  ['outcome', 'label'],
  ['initiator', 'id'],
  ['initiator', 'name'],
  ['initiator', 'uri'],
];

// ─── Round trip ────────────────────────────────────────────────────────────────────────────────────

/**
 * The decoded context equals the input with its history replaced by the most recent entries that
 * fit: a suffix of the last 20, and maximal (one more entry would break the cap).
 */
function expectRoundTrip(input: TransferContext, decoded: DecodedContext, encodedSize: number): void {
  expect(encodedSize).toBeLessThanOrEqual(MAX_ENCODED_CONTEXT);
  expect(decoded.ok).toBe(true);
  if (!decoded.ok) return;
  const last = input.history.slice(-MAX_HISTORY);
  const kept = decoded.context.history.length;
  expect(kept).toBeLessThanOrEqual(last.length);
  expect(decoded.context).toEqual({ ...input, history: lastN(last, kept) });
  if (kept < last.length) {
    expect(encodedLength(jsonWith(input, lastN(last, kept + 1)))).toBeGreaterThan(MAX_ENCODED_CONTEXT);
  }
}

describe('round trip', () => {
  it('encodeContextHeader → decodeContextHeader gives the context back, history trimmed to fit', () => {
    fc.assert(
      fc.property(contextArb, (context) => {
        if (!fitsWithoutHistory(context)) {
          // Documented: only when even the bare context is over the cap (see the BUG test below).
          expectThrowsCode(() => encodeContextHeader(context), 'context-too-large');
          return;
        }
        const header = encodeContextHeader(context);
        expect(header).toMatch(/^[A-Za-z0-9_-]*$/);
        expectRoundTrip(context, decodeContextHeader(header), header.length);
      }),
      runs(200),
    );
  });

  it('contextJson → decodeContextJson gives the context back, history trimmed to fit', () => {
    fc.assert(
      fc.property(contextArb, (context) => {
        if (!fitsWithoutHistory(context)) {
          expectThrowsCode(() => contextJson(context), 'context-too-large');
          return;
        }
        const json = contextJson(context);
        expectRoundTrip(context, decodeContextJson(json), encodedLength(json));
        // The two carriers send the same document.
        expect(decodeContextHeader(encodeContextHeader(context))).toEqual(decodeContextJson(json));
      }),
      runs(200),
    );
  });

  it('the header only ever contains [A-Za-z0-9_-]: no CR/LF, space, quote, comma or semicolon', () => {
    fc.assert(
      fc.property(contextArb, (context) => {
        fc.pre(fitsWithoutHistory(context));
        const header = encodeContextHeader(context);
        expect(header).toMatch(/^[A-Za-z0-9_-]*$/);
        expect(header).toBe(b64url(contextJson(context)));
      }),
      runs(100),
    );
  });

  it('keeps a small context whole: unicode names, a multi-line note, every history field', () => {
    const header = encodeContextHeader(BASE);
    expect(decodeContextHeader(header)).toEqual({ ok: true, context: BASE });
    expect(decodeContextJson(contextJson(BASE))).toEqual({ ok: true, context: BASE });
    expect(JSON.parse(Buffer.from(header, 'base64url').toString('utf8'))).toEqual(BASE);
  });

  it('sends at most the 20 most recent history entries', () => {
    const history = Array.from({ length: 30 }, (_, i): ContactHistoryEntry => ({
      id: `h-${i}`,
      contactId: 'c',
      at: 't',
      kind: 'call',
      actor: { id: 'u', name: 'A' },
    }));
    expect(encodedLength(jsonWith(BASE, history.slice(-20)))).toBeLessThanOrEqual(MAX_ENCODED_CONTEXT);
    const decoded = decodeContextHeader(encodeContextHeader({ ...BASE, history }));
    expect(decoded).toEqual({ ok: true, context: { ...BASE, history: history.slice(-20) } });
  });

  it('drops the oldest entries first when the history does not fit, and fills the cap as far as it can', () => {
    const history = Array.from({ length: 20 }, (_, i): ContactHistoryEntry => ({ ...ENTRY, id: `h-${i}`, note: 'n'.repeat(300) }));
    const header = encodeContextHeader({ ...BASE, history });
    const decoded = decodeContextHeader(header);
    expect(decoded.ok).toBe(true);
    if (!decoded.ok) return;
    const kept = decoded.context.history.length;
    expect(kept).toBeGreaterThan(0);
    expect(kept).toBeLessThan(20);
    expect(decoded.context.history).toEqual(history.slice(-kept));
    expect(header.length).toBeLessThanOrEqual(MAX_ENCODED_CONTEXT);
    expect(encodedLength(jsonWith(BASE, history.slice(-(kept + 1))))).toBeGreaterThan(MAX_ENCODED_CONTEXT);
  });

  it('survives surrounding whitespace on the header value', () => {
    expect(decodeContextHeader(` \t${encodeContextHeader(BASE)}\r\n`)).toEqual({ ok: true, context: BASE });
  });

  it('keeps short texts at exactly 200 UTF-16 units, lone surrogates included', () => {
    const context: TransferContext = {
      ...BASE,
      contact: { ...BASE.contact, name: '😀'.repeat(100) },
      initiator: { ...BASE.initiator, name: 'x'.repeat(199) + '\ud800' },
      transferId: '\udfff',
    };
    expect(decodeContextHeader(encodeContextHeader(context))).toEqual({ ok: true, context });
  });

  it('throws context-too-large when even the bare context is over the cap', () => {
    const big = '中'.repeat(MAX_TEXT);
    const context: TransferContext = {
      ...BASE,
      transferId: big,
      token: big,
      contact: { id: big, name: big, number: big },
      outcome: { id: big, label: big },
    };
    expectThrowsCode(() => contextJson(context), 'context-too-large');
    expectThrowsCode(() => encodeContextHeader(context), 'context-too-large');
  });
});

// ─── Note limit ────────────────────────────────────────────────────────────────────────────────────

describe('note limit', () => {
  it('a note of MAX_NOTE_CHARS code points is accepted; one more is refused with note-too-long', () => {
    const atLimit = 'a'.repeat(MAX_NOTE_CHARS);
    expect(noteProblem(atLimit)).toBeNull();
    expect(decodeContextHeader(encodeContextHeader({ ...BASE, note: atLimit }))).toEqual({ ok: true, context: { ...BASE, note: atLimit } });

    const over = atLimit + 'a';
    expect(noteProblem(over)).toBe(`The note is ${MAX_NOTE_CHARS + 1} characters; the limit is ${MAX_NOTE_CHARS}.`);
    expectThrowsCode(() => encodeContextHeader({ ...BASE, note: over }), 'note-too-long');
    expectThrowsCode(() => contextJson({ ...BASE, note: over }), 'note-too-long');
  });

  it('counts code points, not UTF-16 units, then bytes: 500 emoji pass, 1000 are refused with a length that fits', () => {
    expect(noteProblem('😀'.repeat(500))).toBeNull();
    expect(noteProblem('😀'.repeat(MAX_NOTE_CHARS))).toMatch(/shorten it to about \d+ characters/);
    expect(noteProblem('😀'.repeat(MAX_NOTE_CHARS + 1))).toMatch(/1001 characters; the limit is 1000/);
    expect(noteProblem('中'.repeat(MAX_NOTE_CHARS))).toMatch(/shorten it to about \d{3} characters/);
    expect(noteProblem('abc', 2)).toBe('The note is 3 characters; the limit is 2.');
    expect(noteProblem('ab', 2)).toBeNull();
  });

  it('at the limit, notes full of line breaks, tabs, quotes and separators still go through', () => {
    fc.assert(
      fc.property(fullNote, (note) => {
        expect(noteProblem(note)).toBeNull();
        const context = { ...BASE, note };
        expect(decodeContextHeader(encodeContextHeader(context))).toEqual({ ok: true, context });
        expect(decodeContextJson(contextJson(context))).toEqual({ ok: true, context });
      }),
      runs(50),
    );
  });

  it('any note over the limit is refused by noteProblem and by both encoders', () => {
    fc.assert(
      fc.property(fc.string({ unit: noteUnit, minLength: MAX_NOTE_CHARS + 1, maxLength: MAX_NOTE_CHARS + 50 }), (note) => {
        fc.pre(codePoints(note) > MAX_NOTE_CHARS);
        expect(noteProblem(note)).toEqual(expect.stringContaining(`limit is ${MAX_NOTE_CHARS}`));
        expectThrowsCode(() => encodeContextHeader({ ...BASE, note }), 'note-too-long');
        expectThrowsCode(() => contextJson({ ...BASE, note }), 'note-too-long');
      }),
      runs(50),
    );
  });

  it('a note noteProblem accepts can always be sent (1000 CJK characters are refused up front)', () => {
    const note = '中'.repeat(MAX_NOTE_CHARS);
    let sendable = true;
    try {
      encodeContextHeader({ ...BASE, note });
    } catch {
      // Refused is the outcome under test: the assertion below asks that noteProblem foresaw it.
      sendable = false;
    }
    expect(noteProblem(note) !== null || sendable).toBe(true);
  });
});

// ─── Hostile input ─────────────────────────────────────────────────────────────────────────────────

type Mutation = { readonly kind: 'flip' | 'insert' | 'delete'; readonly at: number; readonly ch: string };
const mutationsArb: fc.Arbitrary<readonly Mutation[]> = fc.array(
  fc.record({
    kind: fc.constantFrom<Mutation['kind']>('flip', 'insert', 'delete'),
    at: fc.nat(),
    ch: fc.oneof({ weight: 3, arbitrary: alphabetChar }, { weight: 1, arbitrary: anyChar }),
  }),
  { minLength: 1, maxLength: 6 },
);
function mutate(s: string, mutations: readonly Mutation[]): string {
  let out = s;
  for (const m of mutations) {
    const i = out.length === 0 ? 0 : m.at % out.length;
    if (m.kind === 'insert') out = out.slice(0, i) + m.ch + out.slice(i);
    else if (m.kind === 'delete') out = out.slice(0, i) + out.slice(i + 1);
    else out = out.slice(0, i) + m.ch + out.slice(i + 1);
  }
  return out;
}
/** Contexts small enough to encode, generated cheaply for the fuzzing below. */
const smallContextArb = contextArb.filter(fitsWithoutHistory);

describe('decoding never throws', () => {
  const neverThrows = (input: string): void => {
    expectContract(decodeContextHeader(input));
    expectContract(decodeContextJson(input));
  };

  it('on arbitrary strings', () => {
    fc.assert(fc.property(fc.string({ maxLength: 300 }), neverThrows), runs(300));
    fc.assert(fc.property(fullUnicodeString, neverThrows), runs(300));
    fc.assert(fc.property(utf16String, neverThrows), runs(300));
    fc.assert(fc.property(fc.string({ unit: alphabetChar, maxLength: 300 }), neverThrows), runs(300));
  });

  it('on random bytes, base64url-encoded', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 600 }), (bytes) => {
        const result = decodeContextHeader(b64url(bytes));
        expectContract(result);
        expect(result.ok ? 'ok' : result.problem).not.toBe('oversize');
      }),
      runs(300),
    );
  });

  it('on JSON values of any shape, with and without v: 1', () => {
    fc.assert(
      fc.property(fc.jsonValue(), fc.dictionary(fc.string(), fc.jsonValue()), (value, dict) => {
        neverThrows(JSON.stringify(value));
        expectContract(decodeContextHeader(b64url(JSON.stringify(value))));
        const doc = { ...dict, v: 1 };
        expectContract(decodeContextJson(JSON.stringify(doc)));
        expectContract(decodeContextHeader(b64url(JSON.stringify(doc))));
      }),
      runs(200),
    );
  });

  it('on a valid document with one field replaced by any JSON value', () => {
    const paths: readonly (readonly string[])[] = [
      ...TEXT_PATHS,
      ['method'],
      ['note'],
      ['contact'],
      ['outcome'],
      ['initiator'],
      ['history'],
      ['v'],
    ];
    fc.assert(
      fc.property(fc.constantFrom(...paths), fc.jsonValue(), (path, value) => {
        for (const r of decodeBoth(withField(path, value))) expectContract(r);
      }),
      runs(300),
    );
  });

  it('on mutated valid encodings (characters flipped, inserted, deleted)', () => {
    fc.assert(
      fc.property(smallContextArb, mutationsArb, (context, mutations) => {
        expectContract(decodeContextHeader(mutate(encodeContextHeader(context), mutations)));
        expectContract(decodeContextJson(mutate(contextJson(context), mutations)));
      }),
      runs(200),
    );
  });
});

describe('decoding names the problem', () => {
  it('undefined → shape', () => {
    expect(decodeContextHeader(undefined)).toEqual({ ok: false, problem: 'shape' });
  });

  it('garbage characters in the header → encoding', () => {
    for (const value of ['!!!!', 'abc$', 'ab cd', 'Zm9v+/==', 'Zm9vYg==', 'Zm9v\r\nYmFy', 'A', 'AAAAA', 'é', '😀😀']) {
      expect(decodeContextHeader(value), JSON.stringify(value)).toEqual({ ok: false, problem: 'encoding' });
    }
    fc.assert(
      fc.property(
        fc.string({ unit: alphabetChar, minLength: 1, maxLength: 40 }),
        anyChar.filter((c) => !ALPHABET.includes(c)),
        fc.string({ unit: alphabetChar, minLength: 1, maxLength: 40 }),
        (before, bad, after) => {
          expect(decodeContextHeader(before + bad + after)).toEqual({ ok: false, problem: 'encoding' });
        },
      ),
      runs(300),
    );
  });

  it('valid base64url of invalid UTF-8 → encoding', () => {
    const invalid: readonly (readonly number[])[] = [
      [0xc3, 0x28], // 2-byte lead, bad continuation
      [0xff],
      [0xfe, 0xff],
      [0xc0, 0x80], // overlong NUL
      [0xed, 0xa0, 0x80], // encoded surrogate
      [0xe2, 0x82], // truncated
      [0xf4, 0x90, 0x80, 0x80], // above U+10FFFF
      [...Buffer.from('{"v":1,"note":"'), 0xff, ...Buffer.from('"}')],
    ];
    for (const bytes of invalid) {
      expect(decodeContextHeader(b64url(Uint8Array.from(bytes))), bytes.join(',')).toEqual({ ok: false, problem: 'encoding' });
    }
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 1, maxLength: 200 }), (bytes) => {
        let valid = true;
        try {
          new TextDecoder('utf-8', { fatal: true }).decode(bytes);
        } catch {
          // A throw is how a fatal TextDecoder says the bytes are not UTF-8: that is the answer sought.
          valid = false;
        }
        fc.pre(!valid);
        expect(decodeContextHeader(b64url(bytes))).toEqual({ ok: false, problem: 'encoding' });
      }),
      runs(200),
    );
  });

  it('valid base64url of text that is not JSON → json', () => {
    for (const text of ['hello', '{', '{"v":1,}', "{'v':1}", 'NaN', 'undefined', '{"v":1} x', '', '   ']) {
      expect(decodeContextHeader(b64url(text)), JSON.stringify(text)).toEqual({ ok: false, problem: 'json' });
      expect(decodeContextJson(text), JSON.stringify(text)).toEqual({ ok: false, problem: 'json' });
    }
    expect(decodeContextHeader('')).toEqual({ ok: false, problem: 'json' });
  });

  it('JSON that is not an object → shape', () => {
    for (const value of [null, 1, 'x', true, [], [BASE]]) expect(problemsOf(value)).toEqual(['shape', 'shape']);
  });

  it('another version → version', () => {
    for (const v of [2, 0, '1', null, 1.5, [1]]) expect(problemsOf({ ...baseDoc(), v }), String(v)).toEqual(['version', 'version']);
    expect(problemsOf(withoutField(['v']))).toEqual(['version', 'version']);
    expect(problemsOf({ v: 2 })).toEqual(['version', 'version']);
  });

  it('a short text of the wrong type, too long, or carrying CR/LF or a control character → shape', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...TEXT_PATHS),
        fc.oneof(
          fc.jsonValue().filter((v) => typeof v !== 'string'),
          fc.constantFrom('\r\n', 'xfer\r\nVia: evil', 'a\nb', '\t', '\u0000', '\u007f', 'x'.repeat(MAX_TEXT + 1), '😀'.repeat(101)),
        ),
        (path, value) => {
          expect(problemsOf(withField(path, value))).toEqual(['shape', 'shape']);
        },
      ),
      runs(300),
    );
  });

  it('a transferId containing "\\r\\n" → shape', () => {
    expect(problemsOf(withField(['transferId'], 'abc\r\ndef'))).toEqual(['shape', 'shape']);
  });

  it('a missing or malformed required part → shape', () => {
    for (const path of [
      ['contact'],
      ['outcome'],
      ['initiator'],
      ['method'],
      ['note'],
      ['history'],
      ['transferId'],
      ['contact', 'name'],
      ['initiator', 'uri'],
    ]) {
      expect(problemsOf(withoutField(path)), path.join('.')).toEqual(['shape', 'shape']);
    }
    const cases: readonly (readonly [readonly string[], unknown])[] = [
      [['contact'], null],
      [['contact'], []],
      [['contact'], 'c-42'],
      [['outcome'], 1],
      [['initiator'], [BASE.initiator]],
      [['method'], 'blind'],
      [['method'], 'WARM'],
      [['method'], null],
      [['note'], 42],
      [['note'], null],
      [['note'], 'n'.repeat(MAX_NOTE_CHARS + 1)],
      [['history'], {}],
      [['history'], null],
      [['history'], 'h-1'],
    ];
    for (const [path, value] of cases) {
      expect(problemsOf(withField(path, value)), `${path.join('.')}=${JSON.stringify(value)}`).toEqual(['shape', 'shape']);
    }
  });

  it('a value longer than MAX_ENCODED_CONTEXT → oversize', () => {
    expect(decodeContextHeader('A'.repeat(MAX_ENCODED_CONTEXT + 1))).toEqual({ ok: false, problem: 'oversize' });
    expect(decodeContextHeader('A'.repeat(MAX_ENCODED_CONTEXT))).not.toEqual({ ok: false, problem: 'oversize' });
    expect(decodeContextJson(' '.repeat(MAX_ENCODED_CONTEXT + 1))).toEqual({ ok: false, problem: 'oversize' });
    // Under the cap in UTF-16 units but over it in UTF-8 bytes.
    const wide = JSON.stringify({ ...baseDoc(), note: '中'.repeat(1400) });
    expect(wide.length).toBeLessThanOrEqual(MAX_ENCODED_CONTEXT);
    expect(decodeContextJson(wide)).toEqual({ ok: false, problem: 'oversize' });
    fc.assert(
      fc.property(
        fc.string({ minLength: 1, maxLength: 20 }),
        fc.integer({ min: MAX_ENCODED_CONTEXT + 1, max: 3 * MAX_ENCODED_CONTEXT }),
        (seed, n) => {
          const value = seed.repeat(Math.ceil(n / seed.length)).slice(0, n);
          expect(decodeContextHeader(value)).toEqual({ ok: false, problem: 'oversize' });
          expect(decodeContextJson(value)).toEqual({ ok: false, problem: 'oversize' });
        },
      ),
      runs(100),
    );
  });
});

// ─── History entries ───────────────────────────────────────────────────────────────────────────────

describe('a bad history entry costs that entry, not the context', () => {
  const BAD_ENTRIES: readonly unknown[] = [
    null,
    42,
    'h-1',
    [],
    {},
    [ENTRY],
    { ...ENTRY, id: '' },
    { ...ENTRY, id: 7 },
    { ...ENTRY, contactId: undefined },
    { ...ENTRY, at: '' },
    { ...ENTRY, at: 'x'.repeat(MAX_TEXT + 1) },
    { ...ENTRY, kind: 'bogus' },
    { ...ENTRY, kind: 'CALL' },
    { ...ENTRY, actor: undefined },
    { ...ENTRY, actor: 'Alice' },
    { ...ENTRY, actor: { id: 'u-1' } },
    { ...ENTRY, actor: { id: 'u-1', name: 'Alice\r\nBob' } },
  ];

  it('drops each kind of bad entry and keeps its neighbours', () => {
    const good1: ContactHistoryEntry = { ...ENTRY, id: 'g-1' };
    const good2: ContactHistoryEntry = { ...ENTRY, id: 'g-2', kind: 'disposition' };
    for (const bad of BAD_ENTRIES) {
      const doc = { ...baseDoc(), history: [good1, bad, good2] };
      for (const r of decodeBoth(doc)) {
        expect(r, JSON.stringify(bad)).toEqual({ ok: true, context: { ...BASE, history: [good1, good2] } });
      }
    }
  });

  it('keeps an entry whose optional parts are bad, without those parts', () => {
    const { outcome: _outcome, note: _note, detail: _detail, ...bare } = ENTRY;
    const withoutOutcome = { ...bare, note: ENTRY.note, detail: ENTRY.detail };
    const withoutNote = { ...bare, outcome: ENTRY.outcome, detail: ENTRY.detail };
    const withoutDetail = { ...bare, outcome: ENTRY.outcome, note: ENTRY.note };
    const cases: readonly (readonly [unknown, ContactHistoryEntry])[] = [
      [{ ...ENTRY, outcome: { id: 'o' } }, withoutOutcome],
      [{ ...ENTRY, outcome: 'Sale' }, withoutOutcome],
      [{ ...ENTRY, outcome: { id: 'o', label: 'a\nb' } }, withoutOutcome],
      [{ ...ENTRY, note: 42 }, withoutNote],
      [{ ...ENTRY, note: 'n'.repeat(MAX_NOTE_CHARS + 1) }, withoutNote],
      [{ ...ENTRY, detail: 'line\nbreak' }, withoutDetail],
      [{ ...ENTRY, detail: 'd'.repeat(MAX_TEXT + 1) }, withoutDetail],
      [{ ...ENTRY, detail: 5 }, withoutDetail],
      [{ ...ENTRY, outcome: null, note: null, detail: null, extra: 'ignored' }, bare],
      [
        { ...ENTRY, note: 'n'.repeat(MAX_NOTE_CHARS) },
        { ...ENTRY, note: 'n'.repeat(MAX_NOTE_CHARS) },
      ],
    ];
    for (const [variant, expected] of cases) {
      for (const r of decodeBoth({ ...baseDoc(), history: [variant] })) {
        expect(r, JSON.stringify(variant)).toEqual({ ok: true, context: { ...BASE, history: [expected] } });
      }
    }
  });

  it('reads at most the 20 most recent entries of a longer history', () => {
    const history = Array.from({ length: 25 }, (_, i): ContactHistoryEntry => ({
      id: `h-${i}`,
      contactId: 'c',
      at: 't',
      kind: 'call',
      actor: { id: 'u', name: 'A' },
    }));
    for (const r of decodeBoth({ ...baseDoc(), history })) {
      expect(r).toEqual({ ok: true, context: { ...BASE, history: history.slice(-MAX_HISTORY) } });
    }
    // The cap counts entries before the bad ones are dropped: 5 bad among the last 20 leave 15.
    const mixed: unknown[] = [...history];
    for (const i of [5, 10, 15, 20, 24]) mixed[i] = null;
    for (const r of decodeBoth({ ...baseDoc(), history: mixed })) {
      expect(r.ok && r.context.history.map((e) => e.id)).toEqual([
        'h-6',
        'h-7',
        'h-8',
        'h-9',
        'h-11',
        'h-12',
        'h-13',
        'h-14',
        'h-16',
        'h-17',
        'h-18',
        'h-19',
        'h-21',
        'h-22',
        'h-23',
      ]);
    }
  });

  it('among any mix of good entries and garbage, exactly the good ones of the last 20 survive, in order', () => {
    const slot = fc.oneof(
      { weight: 2, arbitrary: historyEntryArb.map((entry) => ({ good: true as const, value: entry })) },
      { weight: 1, arbitrary: fc.constantFrom(...BAD_ENTRIES).map((value) => ({ good: false as const, value })) },
      { weight: 1, arbitrary: fc.jsonValue().map((value) => ({ good: false as const, value })) },
    );
    fc.assert(
      fc.property(fc.array(slot, { maxLength: 30 }), (slots) => {
        const doc = { ...baseDoc(), history: slots.map((s) => s.value) };
        const json = JSON.stringify(doc);
        fc.pre(encodedLength(json) <= MAX_ENCODED_CONTEXT);
        const expected = slots
          .slice(-MAX_HISTORY)
          .filter((s) => s.good)
          .map((s) => s.value);
        for (const r of decodeBoth(doc)) expect(r).toEqual({ ok: true, context: { ...BASE, history: expected } });
      }),
      runs(200),
    );
  });
});

// ─── base64url ─────────────────────────────────────────────────────────────────────────────────────

describe('base64url', () => {
  it('matches RFC 4648 test vectors and the URL-safe alphabet', () => {
    const vectors: readonly (readonly [string, string])[] = [
      ['', ''],
      ['f', 'Zg'],
      ['fo', 'Zm8'],
      ['foo', 'Zm9v'],
      ['foob', 'Zm9vYg'],
      ['fooba', 'Zm9vYmE'],
      ['foobar', 'Zm9vYmFy'],
    ];
    for (const [plain, encoded] of vectors) {
      expect(base64UrlEncode(new TextEncoder().encode(plain))).toBe(encoded);
      expect(base64UrlDecode(encoded)).toEqual(new TextEncoder().encode(plain));
    }
    expect(base64UrlEncode(Uint8Array.from([0xfb, 0xff, 0xbf]))).toBe('-_-_');
    expect(base64UrlDecode('-_-_')).toEqual(Uint8Array.from([0xfb, 0xff, 0xbf]));
  });

  it('round-trips random bytes and agrees with Buffer base64url', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 512 }), (bytes) => {
        const encoded = base64UrlEncode(bytes);
        expect(encoded).toBe(Buffer.from(bytes).toString('base64url'));
        expect(encoded).toMatch(/^[A-Za-z0-9_-]*$/);
        expect(base64UrlDecode(encoded)).toEqual(bytes);
      }),
      runs(300),
    );
  });

  it('decodes any alphabet string of a possible length as Buffer does, and refuses impossible lengths', () => {
    fc.assert(
      fc.property(fc.string({ unit: alphabetChar, maxLength: 400 }), (text) => {
        const decoded = base64UrlDecode(text);
        if (text.length % 4 === 1) expect(decoded).toBeNull();
        else expect(decoded).toEqual(new Uint8Array(Buffer.from(text, 'base64url')));
      }),
      runs(300),
    );
  });

  it('refuses any character outside the alphabet, padding and standard base64 included', () => {
    for (const text of ['Zg==', 'Zm9v+w', 'Zm9v/w', 'Zm 9v', 'Zm9v\n', 'Zm9vé']) expect(base64UrlDecode(text), text).toBeNull();
    fc.assert(
      fc.property(
        fc.string({ unit: alphabetChar, maxLength: 20 }),
        anyChar.filter((c) => !ALPHABET.includes(c)),
        fc.string({ unit: alphabetChar, maxLength: 20 }),
        (a, bad, b) => {
          expect(base64UrlDecode(a + bad + b)).toBeNull();
        },
      ),
      runs(200),
    );
  });
});
