/**
 * The agent's own connection, for a computer IT did not provision (the Connect screen): a server and
 * account, or a provisioning URL. Kept in `connection.json` in the user-data folder (never the
 * password: that goes to the CredentialStore). IT's provisioning, when present, always wins: this
 * file is read only when no organisation document was found.
 */
import { readFile, rename, writeFile } from 'node:fs/promises';
import { parseProvisioning, type ProvisioningDocument } from '../../../shared/provisioning/index.js';
import { DEFAULT_NOTE_MAX_CHARS } from '../../../shared/notes.js';
import { MAX_DISPLAY_NAME_CHARS } from '../../../shared/limits.js';
import { PhoneError } from '../sip/phoneError.js';
import { certificateCode, untrustedCertificateSentence } from './certificateTrust.js';

export type SavedConnection =
  | { readonly version: 1; readonly kind: 'account'; readonly server: string; readonly userId: string; readonly displayName: string }
  | { readonly version: 1; readonly kind: 'provisioningUrl'; readonly url: string };

const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]']);

/** Null when the server address is usable; otherwise what to fix, as a sentence. */
export function serverAddressProblem(server: string): string | null {
  let url: URL;
  try {
    url = new URL(server);
  } catch {
    // Not a URL at all: the sentence says what one looks like, which is all the agent can act on.
    return 'The server address is not a web address: it looks like wss://sip.example.com.';
  }
  // It would travel with the address into logs and diagnostics; the account has fields of its own.
  if (url.username !== '' || url.password !== '')
    return 'The server address must not hold a user name or password: type them in their own fields.';
  if (url.protocol === 'wss:') return null;
  // Plain ws:// only on this computer itself (labs, the demo): anywhere else calls would travel unencrypted.
  if (url.protocol === 'ws:' && LOOPBACK_HOSTS.has(url.hostname)) return null;
  if (url.protocol === 'ws:') return 'The server address must start with wss:// (an encrypted connection).';
  return `The server address must start with wss://, not ${url.protocol}//.`;
}

/** Null when the URL can be fetched; https only, as for IT's own provisioning URL. */
export function provisioningUrlProblem(text: string): string | null {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    // Not a URL at all: the sentence says what one looks like, which is all IT can act on.
    return 'The provisioning address is not a web address: it looks like https://it.example.com/baton.json.';
  }
  return url.protocol === 'https:' ? null : 'The provisioning address must start with https://.';
}

/** The user part of a SIP address the agent may type as "alice", "sip:alice@host" or "alice@host". */
export function accountUser(userId: string): string {
  const bare = userId.replace(/^sips?:/i, '');
  const at = bare.indexOf('@');
  return at >= 0 ? bare.slice(0, at) : bare;
}

/** The SIP domain: the one in the user id when given, else the server's host. */
export function accountDomain(userId: string, server: string): string {
  const bare = userId.replace(/^sips?:/i, '');
  const at = bare.indexOf('@');
  if (at >= 0) return bare.slice(at + 1);
  return new URL(server).hostname.replace(/^\[|\]$/g, '');
}

/** A provisioning document for one agent on their own server: a roster of one, plain outcomes. */
export function documentForAccount(connection: Extract<SavedConnection, { kind: 'account' }>): ProvisioningDocument {
  const user = accountUser(connection.userId);
  const domain = accountDomain(connection.userId, connection.server);
  const doc = {
    version: 1,
    sip: { server: connection.server, domain },
    roster: [{ id: user, displayName: connection.displayName || user, sipUri: `sip:${user}@${domain}`, team: 'me' }],
    outcomes: [{ id: 'other', label: 'Other' }],
    dispositions: [{ id: 'resolved', label: 'Resolved' }],
    policies: { nonRecommendedTransfer: 'allow', noteMaxLength: DEFAULT_NOTE_MAX_CHARS, rememberChoices: true },
  };
  const parsed = parseProvisioning(JSON.stringify(doc), 'connection');
  if (!parsed.ok) throw new Error(accountIssueSentence(parsed.issues[0]?.path ?? '$', connection));
  return parsed.value;
}

/** The roster id's length bound (shared/provisioning/schema.ts `id`): the user part of the user name. */
const MAX_USER_PART_CHARS = 64;

/**
 * The sentence for what the provisioning schema refused in the document an account becomes, by the
 * JSON path of the first issue: each path is one field the agent typed.
 */
export function accountIssueSentence(path: string, connection: { readonly server: string; readonly userId: string }): string {
  const invalidUser = `The user name “${connection.userId}” is not valid: use the name IT gave you, without @ or spaces.`;
  switch (path) {
    case '$.sip.domain':
      return connection.userId.includes('@')
        ? invalidUser
        : `Baton cannot use ${hostOf(connection.server)} as the SIP domain: enter the user name with its domain, such as alice@example.com.`;
    case '$.roster[0].id':
      return accountUser(connection.userId).length > MAX_USER_PART_CHARS
        ? `The user name can be at most ${MAX_USER_PART_CHARS} characters before the @.`
        : invalidUser;
    case '$.roster[0].sipUri':
      return invalidUser;
    case '$.roster[0].displayName':
      return `The display name can be at most ${MAX_DISPLAY_NAME_CHARS} characters.`;
    case '$.sip.server':
      return 'The server address cannot be used: it looks like wss://sip.example.com, with no user name or password in it.';
    default:
      return 'These settings cannot be used: check the server address and the user name IT gave you.';
  }
}

/**
 * What a failed connection means for the agent, as a sentence that says what to do. Registration
 * errors come typed from the phone (sip/phoneError.ts); TLS errors keep Node's code in the cause.
 */
export function connectFailure(error: unknown, connection: { readonly server: string; readonly userId: string }): string {
  const host = hostOf(connection.server);
  const certificate = certificateCode(error);
  if (certificate !== null) {
    return untrustedCertificateSentence(host, certificate, 'server address');
  }
  if (error instanceof PhoneError) {
    // eslint-disable-next-line @typescript-eslint/switch-exhaustiveness-check -- every other PhoneError code is the server turning the sign-in down, which the default says
    switch (error.code) {
      case 'auth-failed':
      case 'auth-required':
        return `The server refused the password for ${connection.userId}. Check it and try again (passwords are case-sensitive).`;
      case 'unknown-user':
        return `The server does not know the user ${connection.userId}. Check the user name IT gave you.`;
      case 'connection-refused':
      case 'server-unreachable':
      case 'connection-timeout':
      case 'invalid-server-url':
        return `Baton cannot reach ${host}. Check the server address and that this computer is on the company network (or VPN).`;
      case 'certificate-untrusted':
      case 'secure-connection-failed':
        return error.message; // already the agent's sentence (sip/phoneError.ts)
      default:
        return `The server turned the sign-in down: ${error.message} Ask IT whether this account may use Baton.`;
    }
  }
  return `Baton could not connect to ${host}: ${error instanceof Error ? error.message : String(error)}`;
}

export function hostOf(server: string): string {
  try {
    return new URL(server).host;
  } catch {
    // Not a URL: the address as typed is the best name to show for it.
    return server;
  }
}

/** The saved connection, or undefined when there is none or it cannot be used (then the Connect screen shows). */
export async function readSavedConnection(file: string): Promise<SavedConnection | undefined> {
  let value: unknown;
  try {
    value = JSON.parse(await readFile(file, 'utf8'));
  } catch {
    // Missing or damaged, it holds only a server address and user name: the Connect screen asks again.
    return undefined;
  }
  if (typeof value !== 'object' || value === null) return undefined;
  const v = value as Record<string, unknown>;
  if (v.version !== 1) return undefined;
  if (v.kind === 'provisioningUrl' && typeof v.url === 'string' && provisioningUrlProblem(v.url) === null)
    return { version: 1, kind: 'provisioningUrl', url: v.url };
  if (
    v.kind === 'account' &&
    typeof v.server === 'string' &&
    typeof v.userId === 'string' &&
    typeof v.displayName === 'string' &&
    serverAddressProblem(v.server) === null
  ) {
    return { version: 1, kind: 'account', server: v.server, userId: v.userId, displayName: v.displayName };
  }
  return undefined;
}

export async function saveConnection(file: string, connection: SavedConnection): Promise<void> {
  const temporary = `${file}.${process.pid}.tmp`;
  await writeFile(temporary, JSON.stringify(connection, null, 2), { mode: 0o600 });
  await rename(temporary, file); // atomic: the old settings or the new, never half
}
