/** The provisioning document: what is accepted, and that every refusal says where and what was expected. */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { formatIssue, parseProvisioning, parseUserSettings } from '../../shared/provisioning/index.js';
import { textMatching } from '../support/matchers.js';

const example = (name: string) => readFileSync(new URL(`../../resources/provisioning/${name}`, import.meta.url), 'utf8');
const SRC = 'policy file /etc/baton/provisioning.json';

function base(): Record<string, unknown> {
  return JSON.parse(example('lab.json')) as Record<string, unknown>;
}
function issuesOf(doc: unknown): Array<{ path: string; expected: string }> {
  const result = parseProvisioning(typeof doc === 'string' ? doc : JSON.stringify(doc), SRC);
  if (result.ok) throw new Error('expected the document to be refused');
  for (const issue of result.issues) expect(issue.source).toBe(SRC);
  return result.issues.map(({ path, expected }) => ({ path, expected }));
}

describe('the example documents', () => {
  it.each(['example-it.json', 'lab.json'])('%s is valid', (name) => {
    const result = parseProvisioning(example(name), name);
    expect(result.ok ? [] : result.issues.map(formatIssue)).toEqual([]);
  });

  it('fills policy defaults the document leaves out', () => {
    const doc = base();
    delete doc.policies;
    delete doc.notReadyReasons;
    const result = parseProvisioning(JSON.stringify(doc), SRC);
    expect(result.ok && result.value.policies).toEqual({ nonRecommendedTransfer: 'warn', noteMaxLength: 500, rememberChoices: true });
    expect(result.ok && result.value.notReadyReasons).toEqual(['Break', 'Lunch', 'Training']);
  });
});

describe('the dead-connection bound (sip.deadConnectionSec)', () => {
  it('is optional: left out, the phone keeps its default', () => {
    const result = parseProvisioning(JSON.stringify(base()), SRC);
    expect(result.ok && result.value.sip.deadConnectionSec).toBeUndefined();
  });
  it.each([4, 30, 600])('accepts %i seconds', (seconds) => {
    const doc = base();
    doc.sip = { ...(doc.sip as object), deadConnectionSec: seconds };
    const result = parseProvisioning(JSON.stringify(doc), SRC);
    expect(result.ok && result.value.sip.deadConnectionSec).toBe(seconds);
  });
});

describe('refusals name the JSON path and the expectation', () => {
  const cases: Array<[string, (doc: Record<string, unknown>) => unknown, string, RegExp]> = [
    ['not JSON', () => '{ "version": 1, ', '$', /valid JSON/],
    ['unknown version', (d) => ({ ...d, version: 2 }), '$.version', /version 1/],
    [
      'plain ws:// to a real host',
      (d) => ({ ...d, sip: { server: 'ws://sip.example.com', domain: '127.0.0.1' } }),
      '$.sip.server',
      /wss:\/\//,
    ],
    ['missing domain', (d) => ({ ...d, sip: { server: 'wss://sip.example.com' } }), '$.sip.domain', /missing/],
    ['misspelt key', (d) => ({ ...d, polices: {} }), '$', /unknown: polices/],
    [
      'bad roster URI',
      (d) => ({ ...d, roster: [{ id: 'a', displayName: 'A', sipUri: 'alice', team: 't' }] }),
      '$.roster[0].sipUri',
      /SIP URI/,
    ],
    [
      'roster user in another domain',
      (d) => ({ ...d, roster: [{ id: 'a', displayName: 'A', sipUri: 'sip:a@elsewhere.org', team: 't' }] }),
      '$.roster[0].sipUri',
      /domain 127\.0\.0\.1/,
    ],
    [
      'duplicate user id',
      (d) => ({ ...d, roster: [...(d.roster as unknown[]), (d.roster as unknown[])[0]] }),
      '$.roster[3].id',
      /unique user id \("alice" is also at \[0\]\)/,
    ],
    [
      'outcome for an unknown team',
      (d) => ({ ...d, outcomes: [{ id: 'x', label: 'X', appliesTo: { teams: ['nope'] } }] }),
      '$.outcomes[0].appliesTo.teams[0]',
      /team of the roster \(lab\)/,
    ],
    [
      'unknown transfer method',
      (d) => ({ ...d, outcomes: [{ id: 'x', label: 'X', appliesTo: { methods: ['blind'] } }] }),
      '$.outcomes[0].appliesTo.methods[0]',
      /"cold" or "warm"/,
    ],
    ['no disposition codes', (d) => ({ ...d, dispositions: [] }), '$.dispositions', /at least one disposition code/],
    [
      'bad policy',
      (d) => ({ ...d, policies: { nonRecommendedTransfer: 'deny' } }),
      '$.policies.nonRecommendedTransfer',
      /"warn", "block" or "allow"/,
    ],
    ['note limit too long to travel', (d) => ({ ...d, policies: { noteMaxLength: 100000 } }), '$.policies.noteMaxLength', /at most 1000/],
    [
      'a number given as text is wrong, not missing',
      (d) => ({ ...d, policies: { noteMaxLength: '5' } }),
      '$.policies.noteMaxLength',
      /^a number$/,
    ],
    ['a label that is a number', (d) => ({ ...d, outcomes: [{ id: 'x', label: 5 }] }), '$.outcomes[0].label', /label/],
    [
      'dead-connection bound too short',
      (d) => ({ ...d, sip: { ...(d.sip as object), deadConnectionSec: 1 } }),
      '$.sip.deadConnectionSec',
      /at least 4/,
    ],
    [
      'dead-connection bound too long',
      (d) => ({ ...d, sip: { ...(d.sip as object), deadConnectionSec: 3600 } }),
      '$.sip.deadConnectionSec',
      /at most 600/,
    ],
    [
      'dead-connection bound not whole',
      (d) => ({ ...d, sip: { ...(d.sip as object), deadConnectionSec: 7.5 } }),
      '$.sip.deadConnectionSec',
      /whole number/,
    ],
    [
      'dead-connection bound as text',
      (d) => ({ ...d, sip: { ...(d.sip as object), deadConnectionSec: '30' } }),
      '$.sip.deadConnectionSec',
      /^a number of seconds$/,
    ],
  ];
  it.each(cases)('%s', (_name, mutate, path, expected) => {
    const issues = issuesOf(mutate(base()));
    expect(issues.map((i) => i.path)).toContain(path);
    expect(issues.find((i) => i.path === path)?.expected).toMatch(expected);
  });

  it('refuses a password anywhere, naming where it was, and says where passwords go', () => {
    const doc = base();
    doc.sip = { ...(doc.sip as object), password: 'hunter2' };
    const issues = issuesOf(doc);
    expect(issues).toEqual([{ path: '$.sip.password', expected: textMatching(/OS secure store/) }]);
    expect(JSON.stringify(issues)).not.toContain('hunter2');
  });

  it('formats an issue as source, path and expectation on one line', () => {
    const result = parseProvisioning('[]', SRC);
    if (result.ok) throw new Error('expected a refusal');
    expect(formatIssue(result.issues[0]!)).toMatch(/^policy file \/etc\/baton\/provisioning.json: at \$: expected /);
  });

  it('refuses an oversized document before parsing it', () => {
    expect(issuesOf(' '.repeat(3 * 1024 * 1024))[0]?.expected).toMatch(/at most/);
  });

  it('accepts a UTF-8 BOM (Notepad writes one)', () => {
    expect(parseProvisioning(`\uFEFF${example('lab.json')}`, SRC).ok).toBe(true);
  });
});

describe('user settings', () => {
  it("accept only what is the user's", () => {
    expect(parseUserSettings('{"version":1,"userId":"bob"}', 'u').ok).toBe(true);
    const refused = parseUserSettings('{"version":1,"policies":{}}', 'u');
    expect(refused.ok ? [] : refused.issues.map((i) => i.path)).toEqual(['$']);
  });
});

describe('keyboard shortcut policy (optional)', () => {
  const withShortcuts = (shortcuts: unknown): Record<string, unknown> => {
    const doc = base();
    doc.policies = { ...(doc.policies as object), shortcuts };
    return doc;
  };

  it('is absent unless IT sets it, and accepts rebinding, switching off and the system-wide keys', () => {
    const plain = parseProvisioning(JSON.stringify(base()), SRC);
    expect(plain.ok && plain.value.policies.shortcuts).toBeUndefined();
    const result = parseProvisioning(
      JSON.stringify(
        withShortcuts({
          keys: { answer: 'Control+Shift+A', hangUp: 'F4', toasts: null },
          global: { mode: 'on', answer: 'CommandOrControl+Alt+F9' },
        }),
      ),
      SRC,
    );
    expect(result.ok ? result.value.policies.shortcuts : result.issues.map(formatIssue)).toEqual({
      keys: { answer: 'Control+Shift+A', hangUp: 'F4', toasts: null },
      global: { mode: 'on', answer: 'CommandOrControl+Alt+F9' },
    });
  });

  it('the system-wide mode defaults to the agent’s choice', () => {
    const result = parseProvisioning(JSON.stringify(withShortcuts({ global: {} })), SRC);
    expect(result.ok && result.value.policies.shortcuts?.global?.mode).toBe('agent');
  });

  const cases: Array<[string, unknown, string, RegExp]> = [
    ['an unknown action', { keys: { teleport: 'Q' } }, '$.policies.shortcuts.keys', /unknown: teleport/],
    ['a lower-case or multi-letter key', { keys: { answer: 'ctrl+a' } }, '$.policies.shortcuts.keys.answer', /Control\+Shift\+T/],
    ['a modifier twice', { keys: { answer: 'Shift+Shift+A' } }, '$.policies.shortcuts.keys.answer', /each modifier once/],
    ['two actions on one key', { keys: { hold: 'A' } }, '$.policies.shortcuts.keys.hold', /no other action uses \("A" is also answer's\)/],
    ['a system-wide key without a modifier', { global: { answer: 'F9' } }, '$.policies.shortcuts.global.answer', /at least one modifier/],
    [
      'the same system-wide key for both',
      { global: { answer: 'Alt+F9', hangUp: 'Alt+F9' } },
      '$.policies.shortcuts.global.hangUp',
      /other than the one that answers/,
    ],
    ['an unknown mode', { global: { mode: 'always' } }, '$.policies.shortcuts.global.mode', /"off", "agent" or "on"/],
  ];
  it.each(cases)('refuses %s, naming where', (_name, shortcuts, path, expected) => {
    const issues = issuesOf(withShortcuts(shortcuts));
    expect(issues.map((i) => i.path)).toContain(path);
    expect(issues.find((i) => i.path === path)?.expected).toMatch(expected);
  });
});

describe('the dial plan for external transfers (dialPlan)', () => {
  const plan = (dialPlan: unknown): Record<string, unknown> => ({ ...base(), dialPlan });
  it('is optional: left out, transfers to external numbers are off', () => {
    const doc = base();
    delete doc.dialPlan;
    const result = parseProvisioning(JSON.stringify(doc), SRC);
    expect(result.ok && result.value.dialPlan).toBeUndefined();
  });
  it('fills deny, emergency and speedDial when left out', () => {
    const result = parseProvisioning(JSON.stringify(plan({ defaultRegion: 'GB', allow: ['+44'] })), SRC);
    expect(result.ok && result.value.dialPlan).toEqual({ defaultRegion: 'GB', allow: ['+44'], deny: [], emergency: [], speedDial: [] });
  });
  it.each([
    [{ defaultRegion: 'gb', allow: ['+44'] }, 'dialPlan.defaultRegion', /two-letter region/],
    [{ defaultRegion: 'GB', allow: [] }, 'dialPlan.allow', /at least one prefix/],
    [{ defaultRegion: 'GB', allow: ['44'] }, 'dialPlan.allow[0]', /E\.164 prefix/],
    [{ defaultRegion: 'GB', allow: ['+44'], emergency: ['9'] }, 'dialPlan.emergency[0]', /2–6 digits/],
    [{ defaultRegion: 'GB', allow: ['+44'], dialplan: true }, 'dialPlan', /dialplan/],
  ])('refuses %j at %s', (dialPlan, path, expected) => {
    const issues = issuesOf(plan(dialPlan));
    expect(issues.some((i) => i.path.startsWith(`$.${path}`) && expected.test(`${i.path} ${i.expected}`))).toBe(true);
  });
  it.each([
    ['a number outside the allowed prefixes', '+33 1 23 45 67 89', /only to numbers starting \+44/],
    ['an emergency number', '999', /Emergency numbers/],
    ['a denied prefix', '+44 909 879 0000', /does not allow transfers to numbers starting \+449/],
    ['not a phone number', 'call me', /has digits/],
  ])('refuses a speed-dial entry with %s, saying why', (_why, number, expected) => {
    const issues = issuesOf(plan({ defaultRegion: 'GB', allow: ['+44'], deny: ['+449'], speedDial: [{ name: 'X', number }] }));
    const issue = issues.find((i) => i.path === '$.dialPlan.speedDial[0].number');
    expect(issue?.expected).toMatch(expected);
  });
});
