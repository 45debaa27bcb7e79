import { Grammar } from 'sip.js';

/** A Via value good enough to route a response back: SIP/2.0/transport host… */
export const VIA_VALUE = /^SIP\s*\/\s*2\.0\s*\/\s*[A-Za-z0-9\-.!%*_+`'~]+\s+[^\s;,]+/i;

/** True when SIP.js's own grammar accepts `value` under `rule` (then SIP.js will not choke on it). */
export function grammarAccepts(value: string, rule: string): boolean {
  return Grammar.parse(value, rule) !== -1;
}
