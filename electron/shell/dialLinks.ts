/**
 * Click-to-dial: tel:, sip: and sips: links opened anywhere on the computer reach Baton (macOS via
 * 'open-url', Windows and Linux as a command-line argument of a second instance) and open the
 * dialer prefilled — never dial by themselves: a web page must not be able to place calls.
 *
 * A link is untrusted input. Only the number or the user@host part is kept: URI headers
 * (`?X-Foo=`) and parameters are dropped, so a link cannot smuggle SIP headers into our INVITE.
 */
import { DIAL_SCHEMES } from './appIdentity.js';

const MAX_TARGET = 256;

/** The dial target of a tel:/sip:/sips: link, or null when it is not one or not plausible. */
export function parseDialLink(link: string): string | null {
  if (typeof link !== 'string' || link.length > 2048) return null;
  const match = /^([a-z]+):(.*)$/is.exec(link.trim());
  if (!match) return null;
  const scheme = match[1]!.toLowerCase();
  if (!(DIAL_SCHEMES as readonly string[]).includes(scheme)) return null;
  let rest: string;
  try {
    rest = decodeURIComponent(match[2]!.replace(/^\/\//, ''));
  } catch {
    // A malformed %-escape: not a link Baton can dial, which null says.
    return null;
  }
  // eslint-disable-next-line no-control-regex -- control characters are what this refuses
  if (/[\u0000-\u001f\u007f<>"]/.test(rest)) return null;
  return scheme === 'tel' ? telTarget(rest) : sipTarget(scheme, rest);
}

/** tel:+1-555-0100;phone-context=… → "+15550100" (visual separators dropped, RFC 3966). */
function telTarget(rest: string): string | null {
  const number = rest.split(/[;?]/, 1)[0]!.replace(/[\s.\-()]/g, '');
  return /^\+?[0-9*#]{1,32}$/.test(number) ? number : null;
}

/** sip:alice@example.com;transport=tcp?Subject=x → "sip:alice@example.com". */
function sipTarget(scheme: string, rest: string): string | null {
  const address = rest.split(/[;?]/, 1)[0]!;
  if (!/^[A-Za-z0-9._~!$&'()*+,=%-]+@[A-Za-z0-9.-]+(:\d{1,5})?$/.test(address) && !/^\+?[0-9*#]{1,32}$/.test(address)) return null;
  const target = `${scheme}:${address}`;
  return target.length <= MAX_TARGET ? target : null;
}

/** The first dial link in a command line (Windows/Linux pass the clicked link as an argument). */
export function findDialLink(argv: readonly string[]): string | null {
  for (const arg of argv) {
    if (arg.startsWith('-')) continue;
    const target = parseDialLink(arg);
    if (target !== null) return target;
  }
  return null;
}
