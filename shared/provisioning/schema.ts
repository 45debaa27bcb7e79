/**
 * The provisioning document IT ships (version 1), as a zod schema. Objects are strict: a misspelt
 * key is an error, not a silently ignored setting. Custom messages read as "what was expected",
 * since every error is shown as source + JSON path + expectation.
 *
 * Passwords never belong here (they go to the OS secure store): any key named like one is refused
 * wherever it appears, with a message saying so.
 */
import { z } from 'zod';
import { MAX_NOTE_CHARS } from '../transfer/context.js';

export const PROVISIONING_VERSION = 1;

const id = z
  .string({ error: 'an id (letters, digits, . _ -)' })
  .regex(/^[A-Za-z0-9._-]{1,64}$/, { error: 'an id of 1–64 letters, digits, ".", "_" or "-"' });
const label = z.string({ error: 'a label' }).trim().min(1, { error: 'a non-empty label' }).max(80, { error: 'a label of at most 80 characters' });
const hostname = z
  .string({ error: 'a domain name' })
  .regex(/^(?=.{1,253}$)[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$/, {
    error: 'a domain name such as sip.example.com',
  });

const webSocketUrl = z.string({ error: 'a wss:// URL' }).refine(
  (value) => {
    const url = parseUrl(value);
    return url !== undefined && (url.protocol === 'wss:' || (url.protocol === 'ws:' && isLoopback(url.hostname)));
  },
  { error: 'a wss:// URL (ws:// only for 127.0.0.1 or localhost labs)' },
);

const sipUri = z
  .string({ error: 'a SIP URI' })
  .regex(/^sips?:[A-Za-z0-9._~!$&'()*+,;=%-]+@[A-Za-z0-9.-]+(:\d{1,5})?$/, { error: 'a SIP URI such as sip:alice@example.com' });

export const TRANSFER_METHODS = ['cold', 'warm'] as const;
/** Where a disposition code can be filed. */
export const CALL_KINDS = ['inbound', 'outbound', 'transferred-in', 'consult'] as const;
export const NON_RECOMMENDED_TRANSFER_POLICIES = ['warn', 'block', 'allow'] as const;

const rosterUser = z.strictObject({
  id,
  displayName: label,
  sipUri,
  team: id,
  extension: z.string().regex(/^[0-9*#]{1,15}$/, { error: 'an extension of 1–15 digits' }).optional(),
});

const outcome = z.strictObject({
  id,
  label,
  appliesTo: z
    .strictObject({
      methods: z.array(z.enum(TRANSFER_METHODS, { error: '"cold" or "warm"' })).min(1).optional(),
      teams: z.array(id).min(1).optional(),
    })
    .default({}),
});

const disposition = z.strictObject({
  id,
  label,
  appliesTo: z
    .strictObject({
      callKinds: z.array(z.enum(CALL_KINDS, { error: `one of ${CALL_KINDS.join(', ')}` })).min(1).optional(),
      teams: z.array(id).min(1).optional(),
    })
    .default({}),
});

const policies = z.strictObject({
  nonRecommendedTransfer: z.enum(NON_RECOMMENDED_TRANSFER_POLICIES, { error: '"warn", "block" or "allow"' }).default('warn'),
  noteMaxLength: z.number({ error: 'a number' }).int({ error: 'a whole number' }).min(1, { error: 'at least 1' }).max(MAX_NOTE_CHARS, { error: `at most ${MAX_NOTE_CHARS} (the note travels in the transfer context)` }).default(500),
  rememberChoices: z.boolean({ error: 'true or false' }).default(true),
});

export const provisioningSchema = z
  .strictObject({
    version: z.literal(PROVISIONING_VERSION, { error: `version ${PROVISIONING_VERSION} (the version this Baton understands)` }),
    sip: z.strictObject({
      server: webSocketUrl,
      domain: hostname,
      realm: z.string().min(1, { error: 'a non-empty realm' }).optional(),
    }),
    roster: z.array(rosterUser, { error: 'a list of users' }).max(5000, { error: 'at most 5000 users' }),
    outcomes: z.array(outcome, { error: 'a list of transfer outcomes' }).min(1, { error: 'at least one transfer outcome' }),
    dispositions: z.array(disposition, { error: 'a list of disposition codes' }).min(1, { error: 'at least one disposition code' }),
    notReadyReasons: z.array(label).min(1).default(['Break', 'Lunch', 'Training']),
    policies: policies.default({ nonRecommendedTransfer: 'warn', noteMaxLength: 500, rememberChoices: true }),
  })
  .superRefine((doc, ctx) => {
    unique(doc.roster, 'roster', 'user id', ctx);
    unique(doc.outcomes, 'outcomes', 'outcome id', ctx);
    unique(doc.dispositions, 'dispositions', 'disposition id', ctx);
    const teams = new Set(doc.roster.map((user) => user.team));
    const checkTeams = (list: readonly { appliesTo: { teams?: readonly string[] | undefined } }[], key: string) =>
      list.forEach((item, i) =>
        item.appliesTo.teams?.forEach((team, t) => {
          if (!teams.has(team)) ctx.addIssue({ code: 'custom', path: [key, i, 'appliesTo', 'teams', t], message: `a team of the roster (${[...teams].join(', ') || 'none'}), not "${team}"` });
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
    if (first !== undefined) ctx.addIssue({ code: 'custom', path: [key, i, 'id'], message: `a unique ${what} ("${item.id}" is also at [${first}])` });
    else seen.set(item.id, i);
  });
}

function parseUrl(value: string): URL | undefined {
  try {
    return new URL(value);
  } catch {
    return undefined;
  }
}

function isLoopback(host: string): boolean {
  return host === '127.0.0.1' || host === 'localhost' || host === '[::1]';
}
