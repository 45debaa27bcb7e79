/**
 * The dial plan IT sets for transfers to external numbers (provisioning `dialPlan`): which numbers
 * may be dialled, in what form they are sent, and which never. Pure, so the panel checks as the agent
 * types and main enforces the same verdict on Confirm (the renderer's check is a courtesy only).
 *
 * A number is read with libphonenumber-js in IT's default region ("020 7946 0018" in GB is
 * +442079460018) and sent in E.164. Only "possible" numbers (right length for the country) pass: the
 * plan's prefixes, not the library's list of assigned ranges, decide what is dialled, so a range the
 * library does not yet know (or a test range) still works once IT allows it.
 *
 * Emergency numbers are the library's blind spot (it leaves short codes out on purpose), so they are
 * listed here, and a number is refused when taking its dialling prefixes off — international prefix,
 * country code, trunk prefix, in the orders a phone network accepts them — leaves one of them
 * ("0112", "+49 (0) 112", "00112", "0011 61 000"). Only the whole remainder counts, so an ordinary
 * number that merely contains those digits (+49 30 112345) is dialled.
 */
import {
  Metadata,
  getCountries,
  getCountryCallingCode,
  isSupportedCountry,
  parseDigits,
  parsePhoneNumberFromString,
  type CountryCode,
} from 'libphonenumber-js';

export interface SpeedDial {
  readonly name: string;
  readonly number: string;
}

export interface DialPlan {
  /** ISO 3166 alpha-2 region for numbers typed without a country code, e.g. "US", "GB". */
  readonly defaultRegion: string;
  /** E.164 prefixes a number must start with ("+44", "+1555"); "+" alone allows every country. */
  readonly allow: readonly string[];
  /** E.164 prefixes refused even when allowed (premium rate, satellite…). */
  readonly deny: readonly string[];
  /** Numbers never transferred to, as dialled (digits only): emergency calls are the agent's own to place. */
  readonly emergency: readonly string[];
  /** IT's list of external destinations the panel offers. */
  readonly speedDial: readonly SpeedDial[];
}

/**
 * Emergency numbers refused whatever IT lists: a transferred caller must dial these themselves. One
 * list for every region — a number short enough to equal one is no ordinary number anywhere, and a
 * desk set up for one country still refuses a neighbour's. The well-known short codes: 112 (Europe,
 * and any GSM phone), 911, 999, 000 (Australia), 111 (New Zealand), France's 15/17/18/115/119/196,
 * the 110/118/119/120/122 of Japan, Germany and China, Italy's 113/115/118, India's 100–108, Brazil's
 * 190–199, Austria's and Switzerland's 117/122/133/140/144, Greece's 166, Spain's 061/080/085/091/092,
 * South Africa's 10111/10177, and others' 08 and 101–104.
 */
export const ALWAYS_EMERGENCY = [
  '112',
  '911',
  '999',
  '000',
  '111',
  '110',
  '113',
  '114',
  '115',
  '116',
  '117',
  '118',
  '119',
  '120',
  '122',
  '133',
  '140',
  '144',
  '166',
  '08',
  '15',
  '17',
  '18',
  '196',
  '100',
  '101',
  '102',
  '103',
  '104',
  '106',
  '107',
  '108',
  '190',
  '191',
  '192',
  '193',
  '194',
  '197',
  '199',
  '061',
  '080',
  '085',
  '091',
  '092',
  '10111',
  '10177',
] as const;

export type DialRefusal =
  /** IT set no dial plan: transfers to external numbers are off */
  'no-dial-plan' | 'empty' | 'not-a-number' | 'emergency' | 'not-allowed' | 'denied';

export type DialVerdict = { readonly ok: true; readonly e164: string; readonly display: string } | DialRefused;

export interface DialRefused {
  readonly ok: false;
  readonly code: DialRefusal;
  readonly message: string;
}

const MAX_INPUT = 40;
/** The longest raw text main accepts for a number: room for pasted spaces, marks and separators. */
export const MAX_TYPED_NUMBER = MAX_INPUT * 4;

/** Whether `input` may be dialled under `plan`, and the number to send (E.164) when it may. */
export function checkNumber(input: string, plan: DialPlan | undefined): DialVerdict {
  if (plan === undefined) return refuse('no-dial-plan', 'Your administrator has not set up transfers to external numbers.');
  const read = readTyped(input);
  if (!read.ok) return read;
  const typed = read.text;
  if (typed === '') return refuse('empty', 'Type a phone number.');
  if (typed.length > MAX_INPUT) return refuse('not-a-number', `A phone number has at most ${MAX_INPUT} characters.`);
  const home = region(plan.defaultRegion);
  // Checked before parsing: "112" is not a possible number anywhere, and must be refused as what it is.
  if (dialledAs(typed, home).some((digits) => isEmergency(digits, plan))) return emergency();
  const parsed = parsePhoneNumberFromString(typed, home);
  if (parsed !== undefined && isEmergency(parsed.nationalNumber, plan)) return emergency();
  if (parsed === undefined || !parsed.isPossible()) {
    return refuse('not-a-number', `“${typed}” is not a complete phone number${typed.startsWith('+') ? '' : ` in ${plan.defaultRegion}`}.`);
  }
  const e164 = parsed.number;
  const display = parsed.formatInternational();
  const denied = plan.deny.find((prefix) => e164.startsWith(prefix));
  if (denied !== undefined)
    return refuse('denied', `Your administrator does not allow transfers to numbers starting ${denied} (${display}).`);
  if (!plan.allow.some((prefix) => e164.startsWith(prefix))) {
    return refuse(
      'not-allowed',
      `Your administrator allows transfers only to numbers starting ${plan.allow.join(', ')}; ${display} is not one.`,
    );
  }
  return { ok: true, e164, display };
}

const NOT_A_NUMBER = 'A phone number has digits, and may start with "+" (spaces, dashes, dots and brackets are fine)';

/**
 * The number as typed or pasted, in plain ASCII: what a web page, PDF, chat or spreadsheet adds to a
 * number on the way — no-break and other spaces, invisible marks (zero-width space and joiners,
 * direction marks, byte-order mark), Unicode dashes, full-width forms, other scripts' digits — is
 * read for what it means; anything else is refused, naming the first character that does not belong.
 */
function readTyped(input: string): { readonly ok: true; readonly text: string } | DialRefused {
  // Far longer than any number with its decorations: not worth reading character by character.
  if (input.length > MAX_TYPED_NUMBER) return refuse('not-a-number', `A phone number has at most ${MAX_INPUT} characters.`);
  let text = '';
  for (const original of input) {
    const char = fullWidthToAscii(original);
    if (/^[0-9+ ()./-]$/.test(char)) text += char;
    else if (/^[\s\p{Zs}]$/u.test(char)) text += ' ';
    else if (/^\p{Cf}$/u.test(char)) continue;
    else if (/^[\p{Pd}\u2212]$/u.test(char)) text += '-';
    else if (/^\p{Nd}$/u.test(char) && parseDigits(char) !== '') text += parseDigits(char);
    else return refuse('not-a-number', `${NOT_A_NUMBER}; ${nameOf(original)} is not part of one.`);
  }
  text = text.trim();
  if (text.indexOf('+', 1) !== -1) return refuse('not-a-number', 'A phone number may have “+” only at its start.');
  return { ok: true, text };
}

/** U+FF01–FF5E are ASCII's full-width twins (Ｗ, ０, ＋, （): East Asian keyboards and documents. */
function fullWidthToAscii(char: string): string {
  const code = char.codePointAt(0) ?? 0;
  return code >= 0xff01 && code <= 0xff5e ? String.fromCodePoint(code - 0xfee0) : char;
}

/** A character as an agent can find it: quoted when visible, its code point when not. */
function nameOf(char: string): string {
  return /^[\p{L}\p{N}\p{P}\p{S}]$/u.test(char)
    ? `“${char}”`
    : `the character U+${(char.codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, '0')}`;
}

/**
 * Every digit string the number could ring as a short code: the digits as typed, and what is left
 * after the prefixes a network strips before routing — the home region's international prefix and
 * trunk prefix, then a country code and that country's trunk prefix ("0049 (0) 110" rings 110).
 */
function dialledAs(typed: string, home: CountryCode | undefined): readonly string[] {
  const digits = typed.replace(/[^0-9]/g, '');
  const forms = new Set<string>([digits]);
  const afterCountryCode = (rest: string): void => {
    forms.add(rest);
    for (const [code, trunks] of trunkPrefixesByCallingCode()) {
      if (!rest.startsWith(code)) continue;
      const national = rest.slice(code.length);
      forms.add(national);
      for (const trunk of trunks) if (national.startsWith(trunk)) forms.add(national.slice(trunk.length));
    }
  };
  if (typed.startsWith('+')) {
    afterCountryCode(digits);
    return [...forms];
  }
  if (home === undefined) return [...forms];
  const trunk = nationalPrefixOf(home);
  if (trunk !== undefined && digits.startsWith(trunk)) forms.add(digits.slice(trunk.length));
  const idd = internationalPrefix(home).exec(digits);
  if (idd !== null) afterCountryCode(digits.slice(idd[0].length));
  return [...forms];
}

function internationalPrefix(country: CountryCode): RegExp {
  const metadata = new Metadata();
  metadata.selectNumberingPlan(country);
  const pattern = metadata.numberingPlan?.IDDPrefix() ?? '';
  return pattern === '' ? /^(?!)/ : new RegExp(`^(?:${pattern})`);
}

/** The numbering plan's trunk prefix as the library parses with it: not in its typings, so read with care. */
interface TrunkPrefixPlan {
  readonly nationalPrefix?: unknown;
}

/**
 * The trunk prefix dialled before a national number in `country` ("0" in DE, GB, AU, FR; "1" in the
 * US; "8" in RU), from the library's metadata. Undefined where there is none (IT keeps its 0 in the
 * number itself).
 */
export function nationalPrefixOf(country: CountryCode): string | undefined {
  const metadata = new Metadata();
  metadata.selectNumberingPlan(country);
  const plan = metadata.numberingPlan as (TrunkPrefixPlan & object) | undefined;
  const read = plan?.nationalPrefix;
  if (typeof read !== 'function') return undefined;
  const prefix: unknown = read.call(plan);
  return typeof prefix === 'string' && /^[0-9]+$/.test(prefix) ? prefix : undefined;
}

let trunksByCallingCode: ReadonlyMap<string, readonly string[]> | null = null;

/** Each country calling code with the trunk prefixes of the countries that share it ("1": US, CA…). */
function trunkPrefixesByCallingCode(): ReadonlyMap<string, readonly string[]> {
  if (trunksByCallingCode !== null) return trunksByCallingCode;
  const map = new Map<string, Set<string>>();
  for (const country of getCountries()) {
    const code = getCountryCallingCode(country);
    const trunks = map.get(code) ?? new Set<string>();
    const trunk = nationalPrefixOf(country);
    if (trunk !== undefined) trunks.add(trunk);
    map.set(code, trunks);
  }
  trunksByCallingCode = new Map([...map].map(([code, trunks]) => [code, [...trunks]]));
  return trunksByCallingCode;
}

/** The SIP URI a number is dialled at through the SIP server: `sip:+15550100100@domain`. */
export function externalUri(e164: string, domain: string): string {
  return `sip:${e164}@${domain}`;
}

function isEmergency(digits: string, plan: DialPlan): boolean {
  return (ALWAYS_EMERGENCY as readonly string[]).includes(digits) || plan.emergency.includes(digits);
}

function emergency(): DialVerdict {
  return refuse('emergency', 'Emergency numbers cannot be transfer targets: the caller must dial them directly.');
}

function region(code: string): CountryCode | undefined {
  return isSupportedCountry(code) ? code : undefined;
}

function refuse(code: DialRefusal, message: string): DialRefused {
  return { ok: false, code, message };
}
