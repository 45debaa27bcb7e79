/** The dial plan's verdicts: what an agent may type, what is sent, and why a number is refused. */
import { describe, expect, it } from 'vitest';
import { checkNumber, externalUri, nationalPrefixOf, type DialPlan } from '../../shared/transfer/dialPlan.js';

const GB: DialPlan = { defaultRegion: 'GB', allow: ['+44'], deny: ['+449'], emergency: ['101'], speedDial: [] };
const LAB: DialPlan = { defaultRegion: 'US', allow: ['+1555'], deny: ['+1555019'], emergency: [], speedDial: [] };
/** Every country allowed, nothing denied: what is left to refuse is the emergency rule alone. */
const open = (defaultRegion: string): DialPlan => ({ defaultRegion, allow: ['+'], deny: [], emergency: [], speedDial: [] });

describe('checkNumber', () => {
  it.each([
    [GB, '020 7946 0018', '+442079460018', '+44 20 7946 0018'],
    [GB, '+44 (0)20 7946-0018', '+442079460018', '+44 20 7946 0018'],
    [LAB, '(555) 010-0100', '+15550100100', '+1 555 010 0100'],
    [LAB, '+1.555.010.0101', '+15550100101', '+1 555 010 0101'],
  ])('reads %j as the default region says: %s → %s', (plan, typed, e164, display) => {
    expect(checkNumber(typed, plan)).toEqual({ ok: true, e164, display });
  });
  it.each([
    [GB, '999', 'emergency'],
    [GB, '112', 'emergency'],
    [GB, '101', 'emergency'],
    [LAB, '911', 'emergency'],
    [LAB, '+1 911', 'emergency'],
    [GB, '+33 1 23 45 67 89', 'not-allowed'],
    [GB, '0909 879 0000', 'denied'],
    [LAB, '+1 555 019 0000', 'denied'],
    [GB, '020 79', 'not-a-number'],
    [GB, 'sip:evil@example.com', 'not-a-number'],
    [GB, '020 7946 0018;xfer=1', 'not-a-number'],
    [GB, '   ', 'empty'],
    [undefined, '020 7946 0018', 'no-dial-plan'],
  ] as const)('refuses under %j: %j (%s), with a message', (plan, typed, code) => {
    const verdict = checkNumber(typed, plan);
    expect(verdict).toMatchObject({ ok: false, code });
    expect(verdict.ok ? '' : verdict.message).not.toBe('');
  });
  it('allows every country with "+"', () => {
    expect(checkNumber('+33 1 23 45 67 89', { ...GB, allow: ['+'] })).toMatchObject({ ok: true, e164: '+33123456789' });
  });
  it('dials through the SIP server in E.164', () => {
    expect(externalUri('+15550100100', 'sip.example.com')).toBe('sip:+15550100100@sip.example.com');
  });
});

// ─── Emergency numbers, in every form a number reaches the plan ───────────────────────────────────
// Each region's emergency numbers typed as an agent might: bare, behind the trunk prefix, behind
// the international prefix, with the country code (and the "(0)" some write after it), spaced.
const EMERGENCY_FORMS: Readonly<Record<string, readonly string[]>> = {
  US: ['911', '9-1-1', '1 911', '1-911', '+1 911', '+1911', '011 1 911', '112'],
  GB: [
    '999',
    '112',
    '0999',
    '0112',
    '0 999',
    '+44 999',
    '+44 112',
    '+44 (0) 999',
    '0044 999',
    '0044 0 112',
    '00 44 112',
    '00112',
    '00999',
    '101',
  ],
  DE: [
    '110',
    '112',
    '0110',
    '0112',
    '0 112',
    '0 1 1 0',
    '+49 112',
    '+49 110',
    '+49 (0) 112',
    '+490112',
    '0049 112',
    '0049 0110',
    '00112',
    '00 112',
    '(0) 112',
    '0-112',
    '01 12',
  ],
  AU: ['000', '112', '0000', '0112', '0 000', '+61 000', '+61 112', '+61 (0) 000', '0011 61 000', '0011 61 112', '0011 000', '0011 112'],
  FR: [
    '15',
    '17',
    '18',
    '112',
    '015',
    '017',
    '0 18',
    '0112',
    '+33 15',
    '+33 17',
    '+33 18',
    '+33 112',
    '+33 (0) 18',
    '0033 15',
    '00 33 17',
    '00112',
    '0018',
  ],
  NZ: ['111', '0111', '+64 111', '00 64 111'],
  JP: ['110', '119', '0110', '0119', '+81 110', '010 81 119'],
  IT: ['112', '113', '115', '118', '+39 112', '0039 113'],
  IN: ['112', '100', '101', '102', '108', '+91 108', '0108'],
  CH: ['112', '117', '118', '144', '0144', '+41 117', '0041 144', '+41 (0) 118'],
  AT: ['112', '122', '133', '144', '0133', '+43 133', '0043 0 122'],
  ES: ['112', '091', '061', '080', '+34 091', '0034 112', '00 34 061'],
  ZA: ['10111', '10177', '112', '010111', '+27 10111', '00 27 10177'],
};
describe('emergency numbers are refused in every form', () => {
  const cases = Object.entries(EMERGENCY_FORMS).flatMap(([region, forms]) => forms.map((typed) => ({ region, typed })));
  it.each(cases)('$region: $typed', ({ region, typed }) => {
    expect(checkNumber(typed, open(region))).toMatchObject({ ok: false, code: 'emergency' });
  });
  it.each([
    ['DE', '5555', '05555'],
    ['GB', '5555', '+44 5555'],
    ['US', '5555', '011 44 5555'],
  ])('IT’s own emergency numbers too (%s: %s typed as %s)', (region, listed, typed) => {
    expect(checkNumber(typed, { ...open(region), emergency: [listed] })).toMatchObject({ ok: false, code: 'emergency' });
  });
  it.each([
    ['DE', '+49 30 112345', '+4930112345'],
    ['DE', '030 112345', '+4930112345'],
    ['DE', '0049 30 1101100', '+49301101100'],
    ['DE', '+49 112 345678', '+49112345678'],
    ['GB', '+44 20 7946 0999', '+442079460999'],
    ['GB', '0999 123 4567', '+449991234567'],
    ['US', '+1 212 911 0000', '+12129110000'],
    ['US', '(911) 555-0100', '+19115550100'],
    ['AU', '+61 2 9000 0000', '+61290000000'],
    ['AU', '02 9112 0000', '+61291120000'],
    ['FR', '+33 1 15 17 18 12', '+33115171812'],
    ['FR', '01 18 17 15 12', '+33118171512'],
    ['CH', '+41 44 117 11 11', '+41441171111'],
    ['ES', '91 123 45 67', '+34911234567'],
    ['ZA', '010 111 2222', '+27101112222'],
  ])('an ordinary number that merely contains those digits is allowed (%s: %s)', (region, typed, e164) => {
    expect(checkNumber(typed, open(region))).toMatchObject({ ok: true, e164 });
  });
  it.each([
    ['DE', '0'],
    ['GB', '0'],
    ['AU', '0'],
    ['FR', '0'],
    ['US', '1'],
    ['RU', '8'],
    ['HU', '06'],
    ['IT', undefined],
  ] as const)('the library still gives the trunk prefix it parses with (%s: %s)', (region, prefix) =>
    expect(nationalPrefixOf(region)).toBe(prefix),
  );
});

// ─── Pasted numbers ───────────────────────────────────────────────────────────────────────────────
// What a number picks up on the way from a web page, a PDF, a chat or a spreadsheet.
describe('pasted numbers are read for their digits', () => {
  it.each([
    ['no-break space', '020\u00a07946\u00a00018'],
    ['narrow no-break space', '020\u202f7946\u202f0018'],
    ['figure and ideographic spaces', '020\u20077946\u30000018'],
    ['zero-width space', '020\u200b7946\u200b0018'],
    ['zero-width joiner and non-joiner', '\u200d020 7946\u200c 0018'],
    ['left-to-right marks', '\u200e020 7946 0018\u200e'],
    ['right-to-left mark and embedding', '\u200f\u202a+44 20 7946 0018\u202c'],
    ['byte-order mark and word joiner', '\ufeff020\u20607946 0018'],
    ['full-width digits', '０２０ ７９４６ ００１８'],
    ['full-width plus, digits and brackets', '＋４４ （０）２０ ７９４６ ００１８'],
    ['Arabic-Indic digits', '٠٢٠ ٧٩٤٦ ٠٠١٨'],
    ['non-ASCII dashes', '020\u20117946\u20130018'],
    ['a tab and a line break', '\t020 7946 0018\n'],
  ])('%s', (_what, typed) => {
    expect(checkNumber(typed, GB)).toEqual({ ok: true, e164: '+442079460018', display: '+44 20 7946 0018' });
  });
  it.each([
    ['full-width', '１１２'],
    ['no-break space', '0\u00a0112'],
    ['zero-width space', '9\u200b9\u200b9'],
  ])('an emergency number stays one however it is pasted (%s)', (_what, typed) => {
    expect(checkNumber(typed, { ...GB, allow: ['+'] })).toMatchObject({ ok: false, code: 'emergency' });
  });
  it.each([
    ['letters', '020 7946 OO18', '“O”'],
    ['full-width letters', '０２０ ７９４６ ＡＢＣ', '“Ａ”'],
    ['a word', 'call me', '“c”'],
    ['a SIP address', 'sip:+442079460018@evil.example', '“s”'],
    ['a parameter', '020 7946 0018;user=phone', '“;”'],
    ['a star code', '*31#020 7946 0018', '“*”'],
    ['a plus in the middle', '020 +7946 0018', '“+”'],
    ['an invisible control character', '020\u00007946 0018', 'U+0000'],
    ['an unmapped script’s digits', '०२०७९४६००१८', '“०”'],
  ])('%s is refused, naming what is wrong', (_what, typed, named) => {
    const verdict = checkNumber(typed, GB);
    expect(verdict).toMatchObject({ ok: false, code: 'not-a-number' });
    expect(verdict.ok ? '' : verdict.message).toContain(named);
  });
  it('only invisible characters count as nothing typed', () => {
    expect(checkNumber('\u200b\u00a0\u200e', GB)).toMatchObject({ ok: false, code: 'empty' });
  });
});
