import { Grammar } from 'sip.js';
import { deliverWith } from '../sipGrammar.js';
import type { ScannedMessage } from './sipScanner.js';

/** A Via value good enough to route a response back: SIP/2.0/transport host… */
export const VIA_VALUE = /^SIP\s*\/\s*2\.0\s*\/\s*[A-Za-z0-9\-.!%*_+`'~]+\s+[^\s;,]+/i;

/**
 * A Reason-Phrase SIP.js's grammar reads (RFC 3261 §25.1: reserved, unreserved, escaped, UTF-8
 * beyond ASCII, SP, HTAB): no controls, none of "#<>[\\]^`{|}, and % only as an escape.
 */
// eslint-disable-next-line no-control-regex -- the class lists the control characters a phrase must not hold
export const REASON_PHRASE = /^(?:[^\x00-\x08\x0a-\x1f"#%<>[\\\]^`{|}\x7f]|%[0-9A-Fa-f]{2})*$/;

/**
 * What SIP.js's grammar made of the values the ingress checked in one message, keyed by rule and
 * value. The ingress parses most of what SIP.js parses again when the message is delivered (Via,
 * From, To, Contact, Content-Type, Refer-To): `handOver` gives SIP.js these results instead of a
 * second parse of the same text by the same grammar, so each value is parsed once.
 */
type GrammarResults = Map<string, unknown>;
const resultsOf = new WeakMap<ScannedMessage, GrammarResults>();

const key = (value: string, rule: string): string => `${rule}\u0000${value}`;

/** SIP.js's grammar on `value` under `rule` (-1 when it fails), remembered for `message`. */
export function grammarParse(value: string, rule: string, message?: ScannedMessage): unknown {
  if (!message) return Grammar.parse(value, rule);
  let results = resultsOf.get(message);
  const k = key(value, rule);
  if (results?.has(k)) return results.get(k);
  const parsed: unknown = Grammar.parse(value, rule);
  if (!results) resultsOf.set(message, (results = new Map<string, unknown>()));
  results.set(k, parsed);
  return parsed;
}

/** True when SIP.js's own grammar accepts `value` under `rule` (then SIP.js will not choke on it). */
export function grammarAccepts(value: string, rule: string, message?: ScannedMessage): boolean {
  return grammarParse(value, rule, message) !== -1;
}

/**
 * Runs `deliver` (SIP.js handling `message`, synchronously) with the ingress's grammar results for
 * `message` on offer: a parse of a value the ingress already parsed under the same rule gets that
 * result instead. Each result is given out once — the caller owns the object, as with a fresh parse
 * — and the ingress never touched it beyond reading. A value that failed is parsed again (it fails
 * again: same grammar). Whatever SIP.js did not take is dropped when `deliver` returns or throws.
 */
export function handOver<T>(message: ScannedMessage, deliver: () => T): T {
  const results = resultsOf.get(message);
  resultsOf.delete(message);
  if (!results?.size) return deliver();
  const take = (input: string, startRule: string): unknown => {
    const k = key(input, startRule);
    const parsed = results.get(k);
    if (parsed === undefined || parsed === -1) return undefined;
    results.delete(k);
    return parsed;
  };
  return deliverWith({ take }, deliver);
}
