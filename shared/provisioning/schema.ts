/**
 * The provisioning document IT ships (version 1), as a zod schema. Objects are strict: a misspelt
 * key is an error, not a silently ignored setting. Custom messages read as "what was expected",
 * since every error is shown as source + JSON path + expectation.
 *
 * Passwords never belong here (they go to the OS secure store): any key named like one is refused
 * wherever it appears, with a message saying so.
 */
import { z } from 'zod';
import { DEFAULT_NOTE_MAX_CHARS, MAX_NOTE_CHARS } from '../notes.js';
import { checkNumber } from '../transfer/dialPlan.js';
import { DEFAULT_SHORTCUT_KEYS, SHORTCUT_ACTIONS, type ShortcutAction } from './shortcutDefaults.js';

export { SHORTCUT_ACTIONS, type ShortcutAction } from './shortcutDefaults.js';

export const PROVISIONING_VERSION = 1;

const id = z
  .string({ error: 'an id (letters, digits, . _ -)' })
  .regex(/^[A-Za-z0-9._-]{1,64}$/, { error: 'an id of 1–64 letters, digits, ".", "_" or "-"' });
const label = z
  .string({ error: 'a label' })
  .trim()
  .min(1, { error: 'a non-empty label' })
  .max(80, { error: 'a label of at most 80 characters' });
const hostname = z
  .string({ error: 'a domain name' })
  .regex(/^(?=.{1,253}$)[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$/, {
    error: 'a domain name such as sip.example.com',
  });

const webSocketUrl = z.string({ error: 'a wss:// URL' }).superRefine((value, ctx) => {
  const url = parseUrl(value);
  if (url === undefined || !(url.protocol === 'wss:' || (url.protocol === 'ws:' && isLoopback(url.hostname)))) {
    ctx.addIssue({ code: 'custom', message: 'a wss:// URL (ws:// only for 127.0.0.1 or localhost labs)' });
  } else if (url.username !== '' || url.password !== '') {
    // It would be written wherever the address is (logs, diagnostics, error messages), and sent to
    // the server as a second, unexpected login.
    ctx.addIssue({
      code: 'custom',
      message:
        'a wss:// URL without a user name or password before "@" (each agent\'s password is typed at sign-in and kept in the OS\'s credential store)',
    });
  }
});

const sipUri = z
  .string({ error: 'a SIP URI' })
  .regex(/^sips?:[A-Za-z0-9._~!$&'()*+,;=%-]+@[A-Za-z0-9.-]+(:\d{1,5})?$/, { error: 'a SIP URI such as sip:alice@example.com' });

/** One PEM certificate ("-----BEGIN CERTIFICATE-----" … "-----END CERTIFICATE-----"); the shell parses it. */
const pemCertificate = z
  .string({ error: 'a PEM certificate' })
  .max(16_384, { error: 'a PEM certificate of at most 16 KB' })
  .regex(/^\s*-----BEGIN CERTIFICATE-----\r?\n[A-Za-z0-9+/=\r\n]+-----END CERTIFICATE-----\s*$/, {
    error: 'one PEM certificate, from "-----BEGIN CERTIFICATE-----" to "-----END CERTIFICATE-----"',
  });

export const TRANSFER_METHODS = ['cold', 'warm'] as const;
/** Where a disposition code can be filed. */
export const CALL_KINDS = ['inbound', 'outbound', 'transferred-in', 'consult'] as const;
export const NON_RECOMMENDED_TRANSFER_POLICIES = ['warn', 'block', 'allow'] as const;

const rosterUser = z.strictObject({
  id,
  displayName: label,
  sipUri,
  team: id,
  extension: z
    .string()
    .regex(/^[0-9*#]{1,15}$/, { error: 'an extension of 1–15 digits' })
    .optional(),
});

const outcome = z.strictObject({
  id,
  label,
  appliesTo: z
    .strictObject({
      methods: z
        .array(z.enum(TRANSFER_METHODS, { error: '"cold" or "warm"' }))
        .min(1)
        .optional(),
      teams: z.array(id).min(1).optional(),
    })
    .default({}),
});

const disposition = z.strictObject({
  id,
  label,
  appliesTo: z
    .strictObject({
      callKinds: z
        .array(z.enum(CALL_KINDS, { error: `one of ${CALL_KINDS.join(', ')}` }))
        .min(1)
        .optional(),
      teams: z.array(id).min(1).optional(),
    })
    .default({}),
});

/** A key as `aria-keyshortcuts` writes it: modifiers, then one character or a named key ("Control+Shift+T", "A", "F2"). */
const shortcutKey = z
  .string({ error: 'a key such as "A", "F2" or "Control+Shift+T"' })
  .regex(
    /^((Control|Alt|Shift|Meta)\+){0,3}([A-Z0-9?/.,;'#=-]|F([1-9]|1[0-9]|2[0-4])|Enter|Escape|Space|Home|End|PageUp|PageDown|Insert|Delete)$/,
    {
      error: 'a key such as "A", "F2" or "Control+Shift+T" (modifiers Control, Alt, Shift, Meta; letters in capitals)',
    },
  )
  .refine((value) => new Set(value.split('+').slice(0, -1)).size === value.split('+').length - 1, {
    error: 'a key that names each modifier once',
  });

/** An Electron accelerator for a system-wide key: at least one modifier, so it cannot swallow typing in other applications. */
const globalAccelerator = z
  .string({ error: 'an accelerator such as "CommandOrControl+Shift+F9"' })
  .regex(
    /^((CommandOrControl|CmdOrCtrl|Command|Cmd|Control|Ctrl|Alt|Option|AltGr|Shift|Super|Meta)\+){1,4}([A-Z0-9]|F([1-9]|1[0-9]|2[0-4])|Space|Insert|Delete|Home|End|PageUp|PageDown)$/,
    {
      error: 'an accelerator with at least one modifier, such as "CommandOrControl+Shift+F9"',
    },
  );

const shortcutKeys = z.strictObject(
  Object.fromEntries(SHORTCUT_ACTIONS.map((action) => [action, shortcutKey.nullable().optional()])) as Record<
    ShortcutAction,
    z.ZodOptional<z.ZodNullable<typeof shortcutKey>>
  >,
);

export const GLOBAL_SHORTCUT_MODES = ['off', 'agent', 'on'] as const;

const shortcutPolicy = z
  .strictObject({
    /** In-app keys per action; null switches one off. Unnamed actions keep their default key. */
    keys: shortcutKeys.optional(),
    /** Answer and hang up from any application: "off", the agent's choice ("agent", off until they turn it on), or "on". */
    global: z
      .strictObject({
        mode: z.enum(GLOBAL_SHORTCUT_MODES, { error: '"off", "agent" or "on"' }).default('agent'),
        answer: globalAccelerator.optional(),
        hangUp: globalAccelerator.optional(),
      })
      .optional(),
  })
  .superRefine((value, ctx) => {
    // Two actions on one key: whichever the desk checked first would win, silently.
    const seen = new Map<string, string>();
    for (const action of SHORTCUT_ACTIONS) {
      const override = value.keys?.[action];
      const key = override === undefined ? DEFAULT_SHORTCUT_KEYS[action] : override;
      if (key === null) continue;
      const other = seen.get(key);
      if (other)
        ctx.addIssue({
          code: 'custom',
          path: ['keys', override === undefined ? other : action],
          message: `a key no other action uses ("${key}" is also ${override === undefined ? action : other}'s)`,
        });
      else seen.set(key, action);
    }
    const { answer, hangUp } = value.global ?? {};
    if (answer && hangUp && answer === hangUp)
      ctx.addIssue({ code: 'custom', path: ['global', 'hangUp'], message: 'an accelerator other than the one that answers' });
  });

export type ShortcutKeys = z.infer<typeof shortcutKeys>;
export type ShortcutPolicy = z.infer<typeof shortcutPolicy>;

const policies = z.strictObject({
  nonRecommendedTransfer: z.enum(NON_RECOMMENDED_TRANSFER_POLICIES, { error: '"warn", "block" or "allow"' }).default('warn'),
  noteMaxLength: z
    .number({ error: 'a number' })
    .int({ error: 'a whole number' })
    .min(1, { error: 'at least 1' })
    .max(MAX_NOTE_CHARS, { error: `at most ${MAX_NOTE_CHARS} (the note travels in the transfer context)` })
    .default(DEFAULT_NOTE_MAX_CHARS),
  rememberChoices: z.boolean({ error: 'true or false' }).default(true),
  shortcuts: shortcutPolicy.optional(),
});

/** An E.164 prefix: "+" and up to 15 digits ("+" alone: every country). */
const e164Prefix = z
  .string({ error: 'an E.164 prefix such as "+44" or "+1555"' })
  .regex(/^[+][0-9]{0,15}$/, { error: 'an E.164 prefix such as "+44" or "+1555" ("+" then digits)' });

/**
 * Transfers to external numbers. Absent: the panel offers none. Numbers are read in `defaultRegion`,
 * sent in E.164 through the SIP server (sip:+<digits>@<sip.domain>), and must start with an `allow`
 * prefix and none of `deny`; emergency numbers (the usual ones, and `emergency`) are never allowed.
 */
const dialPlan = z
  .strictObject({
    defaultRegion: z
      .string({ error: 'a two-letter region code such as "US" or "GB"' })
      .regex(/^[A-Z]{2}$/, { error: 'a two-letter region code in capitals, such as "US" or "GB"' }),
    allow: z
      .array(e164Prefix, { error: 'a list of E.164 prefixes' })
      .min(1, { error: 'at least one prefix ("+" allows every country)' })
      .max(200),
    deny: z.array(e164Prefix, { error: 'a list of E.164 prefixes' }).max(200).default([]),
    emergency: z
      .array(z.string().regex(/^[0-9]{2,6}$/, { error: 'an emergency number of 2–6 digits' }))
      .max(50)
      .default([]),
    speedDial: z
      .array(z.strictObject({ name: label, number: z.string({ error: 'a phone number' }).min(1).max(40) }), {
        error: 'a list of { name, number }',
      })
      .max(200, { error: 'at most 200 speed-dial entries' })
      .default([]),
  })
  .superRefine((plan, ctx) => {
    // A speed-dial entry the plan itself would refuse would fail only when an agent clicks it.
    plan.speedDial.forEach((entry, i) => {
      const verdict = checkNumber(entry.number, plan);
      if (!verdict.ok)
        ctx.addIssue({ code: 'custom', path: ['speedDial', i, 'number'], message: `a number the dial plan allows (${verdict.message})` });
    });
  });

export const provisioningSchema = z
  .strictObject({
    version: z.literal(PROVISIONING_VERSION, { error: `version ${PROVISIONING_VERSION} (the version this Baton understands)` }),
    sip: z.strictObject({
      server: webSocketUrl,
      domain: hostname,
      realm: z.string().min(1, { error: 'a non-empty realm' }).optional(),
      /**
       * A connection to the server that silently stops (NAT timeout, network change, half-open TCP)
       * is noticed and replaced within this many seconds: WebSocket pings every half of it. Default
       * 30. Lower finds dead connections sooner at the cost of more pings; keep it under the NAT's
       * and the server's idle timeouts.
       */
      deadConnectionSec: z
        .number({ error: 'a number of seconds' })
        .int({ error: 'a whole number of seconds' })
        .min(4, { error: 'at least 4 (seconds)' })
        .max(600, { error: 'at most 600 (seconds)' })
        .optional(),
      /**
       * Certificate authorities (PEM) that a wss:// server's certificate may chain to, besides the
       * public ones and the OS's: a PBX with a certificate from the company's own CA.
       */
      trustedCaCertificates: z
        .array(pemCertificate, { error: 'a list of PEM certificates' })
        .max(20, { error: 'at most 20 certificates' })
        .optional(),
    }),
    roster: z.array(rosterUser, { error: 'a list of users' }).max(5000, { error: 'at most 5000 users' }),
    outcomes: z.array(outcome, { error: 'a list of transfer outcomes' }).min(1, { error: 'at least one transfer outcome' }),
    dispositions: z.array(disposition, { error: 'a list of disposition codes' }).min(1, { error: 'at least one disposition code' }),
    notReadyReasons: z.array(label).min(1).default(['Break', 'Lunch', 'Training']),
    policies: policies.default({ nonRecommendedTransfer: 'warn', noteMaxLength: DEFAULT_NOTE_MAX_CHARS, rememberChoices: true }),
    dialPlan: dialPlan.optional(),
  })
  .superRefine((doc, ctx) => {
    unique(doc.roster, 'roster', 'user id', ctx);
    unique(doc.outcomes, 'outcomes', 'outcome id', ctx);
    unique(doc.dispositions, 'dispositions', 'disposition id', ctx);
    const teams = new Set(doc.roster.map((user) => user.team));
    const checkTeams = (list: readonly { appliesTo: { teams?: readonly string[] | undefined } }[], key: string) =>
      list.forEach((item, i) =>
        item.appliesTo.teams?.forEach((team, t) => {
          if (!teams.has(team))
            ctx.addIssue({
              code: 'custom',
              path: [key, i, 'appliesTo', 'teams', t],
              message: `a team of the roster (${[...teams].join(', ') || 'none'}), not "${team}"`,
            });
        }),
      );
    checkTeams(doc.outcomes, 'outcomes');
    checkTeams(doc.dispositions, 'dispositions');
    doc.roster.forEach((user, i) => {
      const host = user.sipUri.slice(user.sipUri.indexOf('@') + 1).replace(/:\d+$/, '');
      if (host.toLowerCase() !== doc.sip.domain.toLowerCase()) {
        ctx.addIssue({ code: 'custom', path: ['roster', i, 'sipUri'], message: `a SIP URI in the domain ${doc.sip.domain}` });
      }
    });
  });

export type ProvisioningDocument = z.infer<typeof provisioningSchema>;
export type RosterUser = ProvisioningDocument['roster'][number];
export type TransferOutcome = ProvisioningDocument['outcomes'][number];
export type DispositionCode = ProvisioningDocument['dispositions'][number];
export type Policies = ProvisioningDocument['policies'];
export type ProvisionedDialPlan = NonNullable<ProvisioningDocument['dialPlan']>;

/** The user's own settings: only what is theirs to choose; the rest is IT's. */
export const userSettingsSchema = z.strictObject({
  version: z.literal(1, { error: 'version 1' }),
  /** Which roster user signs in on this computer. */
  userId: id.optional(),
});
export type UserSettings = z.infer<typeof userSettingsSchema>;

function unique(list: readonly { id: string }[], key: string, what: string, ctx: z.RefinementCtx): void {
  const seen = new Map<string, number>();
  list.forEach((item, i) => {
    const first = seen.get(item.id);
    if (first !== undefined)
      ctx.addIssue({ code: 'custom', path: [key, i, 'id'], message: `a unique ${what} ("${item.id}" is also at [${first}])` });
    else seen.set(item.id, i);
  });
}

function parseUrl(value: string): URL | undefined {
  try {
    return new URL(value);
  } catch {
    // Not a URL: the schema's refinement reports the field with what it expects.
    return undefined;
  }
}

function isLoopback(host: string): boolean {
  return host === '127.0.0.1' || host === 'localhost' || host === '[::1]';
}
