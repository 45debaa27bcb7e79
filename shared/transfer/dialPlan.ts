/**
 * The dial plan IT sets for transfers to external numbers (provisioning `dialPlan`): which numbers
 * may be dialled, in what form they are sent, and which never. Pure, so the panel checks as the agent
 * types and main enforces the same verdict on Confirm (the renderer's check is a courtesy only).
 *
 * A number is read with libphonenumber-js in IT's default region ("020 7946 0018" in GB is
 * +442079460018) and sent in E.164. Only "possible" numbers (right length for the country) pass: the
 * plan's prefixes, not the library's list of assigned ranges, decide what is dialled, so a range the
 * library does not yet know (or a test range) still works once IT allows it.
 */
import { isSupportedCountry, parsePhoneNumberFromString, type CountryCode } from 'libphonenumber-js';

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

/** Emergency numbers refused whatever IT lists: a transferred caller must dial these themselves. */
export const ALWAYS_EMERGENCY = ['112', '911', '999', '000', '110', '119', '118', '08', '100', '101', '102', '103', '190', '193'] as const;

export type DialRefusal =
  /** IT set no dial plan: transfers to external numbers are off */
  | 'no-dial-plan'
  | 'empty'
  | 'not-a-number'
  | 'emergency'
  | 'not-allowed'
  | 'denied';

export type DialVerdict =
  | { readonly ok: true; readonly e164: string; readonly display: string }
  | { readonly ok: false; readonly code: DialRefusal; readonly message: string };

const MAX_INPUT = 40;

/** Whether `input` may be dialled under `plan`, and the number to send (E.164) when it may. */
export function checkNumber(input: string, plan: DialPlan | undefined): DialVerdict {
  if (plan === undefined) return refuse('no-dial-plan', 'Your administrator has not set up transfers to external numbers.');
  const typed = input.trim();
  if (typed === '') return refuse('empty', 'Type a phone number.');
  if (typed.length > MAX_INPUT || !/^[+]?[0-9 ()./-]+$/.test(typed)) {
    return refuse('not-a-number', 'A phone number has digits, and may start with "+" (spaces, dashes, dots and brackets are fine).');
  }
  const digits = typed.replace(/[^0-9]/g, '');
  // Checked before parsing: "112" is not a possible number anywhere, and must be refused as what it is.
  if (!typed.startsWith('+') && isEmergency(digits, plan)) return emergency();
  const parsed = parsePhoneNumberFromString(typed, region(plan.defaultRegion));
  if (parsed !== undefined && isEmergency(parsed.nationalNumber, plan)) return emergency();
  if (parsed === undefined || !parsed.isPossible()) {
    return refuse('not-a-number', `“${typed}” is not a complete phone number${typed.startsWith('+') ? '' : ` in ${plan.defaultRegion}`}.`);
  }
  const e164 = parsed.number;
  const display = parsed.formatInternational();
  const denied = plan.deny.find((prefix) => e164.startsWith(prefix));
  if (denied !== undefined) return refuse('denied', `Your administrator does not allow transfers to numbers starting ${denied} (${display}).`);
  if (!plan.allow.some((prefix) => e164.startsWith(prefix))) {
    return refuse('not-allowed', `Your administrator allows transfers only to numbers starting ${plan.allow.join(', ')}; ${display} is not one.`);
  }
  return { ok: true, e164, display };
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

function refuse(code: DialRefusal, message: string): DialVerdict {
  return { ok: false, code, message };
}
