/**
 * Reads the parts of From/To/Refer-To/Contact-style values (name-addr or addr-spec, then
 * parameters) that the ingress rules need: the URI and the parameters outside it. Never throws.
 */

export interface AddressParts {
  readonly uri: string;
  readonly scheme: string;
  /** Parameters after the address, lower-case names; a flag parameter maps to "". */
  readonly params: ReadonlyMap<string, string>;
  /** True when the URI was in angle brackets (its own ;params and ?headers belong to the URI). */
  readonly bracketed: boolean;
}

const SCHEME = /^([A-Za-z][A-Za-z0-9+.-]*):/;

export function readAddress(value: string): AddressParts | undefined {
  let i = 0;
  const text = value.trim();
  let uri: string;
  let rest: string;
  let bracketed = false;
  // Skip a quoted display name, which may itself contain '<' or ';'.
  if (text.startsWith('"')) {
    i = 1;
    while (i < text.length && text[i] !== '"') i += text[i] === '\\' ? 2 : 1;
    if (i >= text.length) return undefined;
    i += 1;
  }
  const open = text.indexOf('<', i);
  if (open >= 0) {
    const close = text.indexOf('>', open);
    if (close < 0) return undefined;
    // Between the display name and '<' only a token display name is allowed; no scheme there.
    if (i === 0 && /[;?]/.test(text.slice(0, open))) return undefined;
    uri = text.slice(open + 1, close).trim();
    rest = text.slice(close + 1);
    bracketed = true;
  } else {
    if (i > 0) return undefined; // a quoted display name needs <uri>
    const semi = text.indexOf(';');
    uri = (semi < 0 ? text : text.slice(0, semi)).trim();
    rest = semi < 0 ? '' : text.slice(semi);
    // addr-spec form: a URI with ?headers or , must be bracketed (RFC 3261 §20).
    if (/[?,]/.test(uri) || /\s/.test(uri)) return undefined;
  }
  const scheme = SCHEME.exec(uri)?.[1]?.toLowerCase();
  if (!scheme || uri.length <= scheme.length + 1) return undefined;
  const params = readParams(rest);
  if (!params) return undefined;
  return { uri, scheme, params, bracketed };
}

/** `;name=value;flag` → map; undefined when text other than parameters follows the address. */
export function readParams(text: string): Map<string, string> | undefined {
  const params = new Map<string, string>();
  const trimmed = text.trim();
  if (!trimmed) return params;
  if (!trimmed.startsWith(';')) return undefined;
  for (const part of trimmed.slice(1).split(';')) {
    const eq = part.indexOf('=');
    const name = (eq < 0 ? part : part.slice(0, eq)).trim().toLowerCase();
    const val = eq < 0 ? '' : part.slice(eq + 1).trim();
    if (!name || !/^[A-Za-z0-9\-.!%*_+`'~]+$/.test(name)) return undefined;
    params.set(name, val.startsWith('"') && val.endsWith('"') && val.length >= 2 ? val.slice(1, -1) : val);
  }
  return params;
}

/** True when every %-escape is two hex digits and the escapes decode as UTF-8. */
export function hasValidEscapes(text: string): boolean {
  if (!text.includes('%')) return true;
  if (/%(?![0-9A-Fa-f]{2})/.test(text)) return false;
  try {
    decodeURIComponent(text);
    return true;
  } catch {
    // A malformed %-escape is exactly what this check answers false for.
    return false;
  }
}
