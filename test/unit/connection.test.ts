/**
 * The Connect screen's rules (electron/core/provisioning/connection.ts, connectDesk.ts): which server
 * addresses are accepted, the document an account becomes, the sentence each failure gives, what is
 * saved and when. The registration itself runs against a real Kamailio in test/e2e/connect.spec.ts.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ConnectDesk, type Account, type Connected } from '../../electron/core/provisioning/connectDesk.js';
import {
  connectFailure,
  documentForAccount,
  readSavedConnection,
  serverAddressProblem,
} from '../../electron/core/provisioning/connection.js';
import { PhoneError } from '../../electron/core/sip/phoneError.js';
import type { CredentialStore } from '../../electron/core/ports.js';
import { textMatching } from '../support/matchers.js';
import { parseCommand } from '../../shared/ipc.js';
import { CONNECT_FIELDS } from '../../shared/connectFields.js';
import { MAX_DISPLAY_NAME_CHARS } from '../../shared/limits.js';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function folder(): string {
  const dir = mkdtempSync(join(tmpdir(), 'baton-connect-'));
  dirs.push(dir);
  return dir;
}

function memoryCredentials(): CredentialStore & { secrets: Map<string, string> } {
  const secrets = new Map<string, string>();
  return {
    available: true,
    secrets,
    save: (u, s) => void secrets.set(u, s),
    load: (u) => secrets.get(u) ?? null,
    clear: (u) => void secrets.delete(u),
  };
}

describe('server addresses', () => {
  it('takes wss:// anywhere and ws:// only on this computer', () => {
    expect(serverAddressProblem('wss://sip.example.com')).toBeNull();
    expect(serverAddressProblem('ws://127.0.0.1:5080')).toBeNull();
    expect(serverAddressProblem('ws://localhost:5080')).toBeNull();
    expect(serverAddressProblem('ws://sip.example.com')).toBe('The server address must start with wss:// (an encrypted connection).');
    expect(serverAddressProblem('https://sip.example.com')).toBe('The server address must start with wss://, not https://.');
    expect(serverAddressProblem('sip.example.com')).toMatch(/^The server address is not a web address/);
  });
});

describe('an account as a provisioning document', () => {
  it('is a roster of one on the server’s domain, or the domain the user id names', () => {
    const doc = documentForAccount({
      version: 1,
      kind: 'account',
      server: 'wss://sip.example.com/ws',
      userId: 'alice',
      displayName: 'Alice M',
    });
    expect(doc.sip).toMatchObject({ server: 'wss://sip.example.com/ws', domain: 'sip.example.com' });
    expect(doc.roster).toEqual([expect.objectContaining({ id: 'alice', displayName: 'Alice M', sipUri: 'sip:alice@sip.example.com' })]);
    const other = documentForAccount({
      version: 1,
      kind: 'account',
      server: 'wss://edge.example.com',
      userId: 'sip:bob@corp.example',
      displayName: '',
    });
    expect(other.roster[0]).toMatchObject({ id: 'bob', displayName: 'bob', sipUri: 'sip:bob@corp.example' });
  });
});

describe('failure sentences', () => {
  const where = { server: 'wss://sip.example.com', userId: 'alice' };
  it('says what to do for each cause', () => {
    expect(connectFailure(new PhoneError('auth-failed', 'x', 401), where)).toBe(
      'The server refused the password for alice. Check it and try again (passwords are case-sensitive).',
    );
    expect(connectFailure(new PhoneError('unknown-user', 'x', 404), where)).toBe(
      'The server does not know the user alice. Check the user name IT gave you.',
    );
    expect(connectFailure(new PhoneError('connection-refused', 'x'), where)).toMatch(
      /^Baton cannot reach sip\.example\.com\. Check the server address/,
    );
    const tls = new PhoneError('server-unreachable', 'x', undefined, {
      cause: Object.assign(new Error('self-signed certificate'), { code: 'DEPTH_ZERO_SELF_SIGNED_CERT' }),
    });
    expect(connectFailure(tls, where)).toBe(
      "This computer does not trust the certificate of sip.example.com (DEPTH_ZERO_SELF_SIGNED_CERT). Ask IT to install the company's certificate, or check the server address.",
    );
  });
});

describe('ConnectDesk', () => {
  const account = { kind: 'account', server: 'ws://127.0.0.1:5080', userId: 'alice', password: 'pw', displayName: 'Alice' } as const;

  it('saves nothing when the account does not register, and says why', async () => {
    const dir = folder();
    const credentials = memoryCredentials();
    const connected: Connected[] = [];
    const desk = new ConnectDesk({
      connectionFile: join(dir, 'connection.json'),
      credentials,
      onConnected: (c) => void connected.push(c),
      probe: () => Promise.reject(new PhoneError('auth-failed', 'no', 401)),
    });
    expect(desk.snapshot().session.connect).toEqual({ server: '', userId: '', displayName: '', provisioningUrl: '' });
    const outcome = await desk.handle('session.connect', account);
    expect(outcome).toEqual({
      ok: false,
      error: { code: 'connect-failed', message: textMatching(/refused the password for alice/) },
    });
    expect(existsSync(join(dir, 'connection.json'))).toBe(false);
    expect(credentials.secrets.size).toBe(0);
    expect(connected).toEqual([]);
    expect(desk.snapshot().session.registration).toBe('failed');
  });

  it('saves the settings (no password) and the password in the credential store once the account registered', async () => {
    const dir = folder();
    const file = join(dir, 'connection.json');
    const credentials = memoryCredentials();
    const probed: Account[] = [];
    const connected: Connected[] = [];
    const desk = new ConnectDesk({
      connectionFile: file,
      credentials,
      onConnected: (c) => void connected.push(c),
      probe: async (a) => void probed.push(a),
    });
    expect(await desk.handle('session.connect', account)).toEqual({ ok: true, value: undefined });
    expect(probed).toEqual([{ server: 'ws://127.0.0.1:5080', aor: 'sip:alice@127.0.0.1', password: 'pw', displayName: 'Alice' }]);
    expect(readFileSync(file, 'utf8')).not.toContain('pw"');
    expect(await readSavedConnection(file)).toEqual({
      version: 1,
      kind: 'account',
      server: 'ws://127.0.0.1:5080',
      userId: 'alice',
      displayName: 'Alice',
    });
    expect(credentials.secrets.get('alice')).toBe('pw');
    expect(connected[0]?.signIn).toEqual({ userId: 'alice', password: 'pw' });
    expect(connected[0]?.document.roster[0]?.id).toBe('alice');
    expect(await desk.handle('session.connect', account)).toMatchObject({ ok: false, error: { code: 'already-configured' } });
  });

  it('refuses every other command with a sentence, and a bad payload by its schema', async () => {
    const desk = new ConnectDesk({ connectionFile: join(folder(), 'c.json'), credentials: memoryCredentials(), onConnected: () => {} });
    expect(await desk.handle('call.dial', { target: 'bob' })).toEqual({
      ok: false,
      error: { code: 'not-connected', message: 'Connect Baton to your server first.' },
    });
    expect(await desk.handle('session.connect', { kind: 'account', server: 'x' })).toEqual({
      ok: false,
      error: { code: 'invalid-payload', message: 'Baton could not read the user name: type it again.' },
    });
  });

  it('takes a provisioning URL (https only) whose document is valid, and keeps the address', async () => {
    const dir = folder();
    const file = join(dir, 'connection.json');
    const lab = readFileSync(new URL('../../resources/provisioning/lab.json', import.meta.url), 'utf8');
    const connected: Connected[] = [];
    const desk = new ConnectDesk({
      connectionFile: file,
      credentials: memoryCredentials(),
      onConnected: (c) => void connected.push(c),
      fetch: async (url) => (url.endsWith('/good.json') ? { ok: true, text: lab } : { ok: true, text: '{"version":1}' }),
    });
    expect(await desk.handle('session.connect', { kind: 'provisioningUrl', url: 'http://it.example.com/good.json' })).toMatchObject({
      ok: false,
      error: { message: 'The provisioning address must start with https://.' },
    });
    expect(await desk.handle('session.connect', { kind: 'provisioningUrl', url: 'https://it.example.com/bad.json' })).toMatchObject({
      ok: false,
      error: { message: textMatching(/^The provisioning document at this address is not valid/) },
    });
    expect(existsSync(file)).toBe(false);
    expect(await desk.handle('session.connect', { kind: 'provisioningUrl', url: 'https://it.example.com/good.json' })).toEqual({
      ok: true,
      value: undefined,
    });
    expect(await readSavedConnection(file)).toEqual({ version: 1, kind: 'provisioningUrl', url: 'https://it.example.com/good.json' });
    expect(connected[0]?.signIn).toBeNull();
  });

  it('ignores a saved file it cannot use', async () => {
    const file = join(folder(), 'connection.json');
    writeFileSync(file, '{"version":1,"kind":"account","server":"http://x","userId":"a","displayName":""}');
    expect(await readSavedConnection(file)).toBeUndefined();
    writeFileSync(file, 'not json');
    expect(await readSavedConnection(file)).toBeUndefined();
  });
});

/**
 * What the contract refuses in a session.connect payload (main's IpcBridge checks it before the
 * Connect desk sees it) and what the provisioning schema refuses in the document an account becomes:
 * one sentence about the field the agent typed, never a schema's words.
 */
describe('a refused connect request: one sentence per field', () => {
  const account = { kind: 'account', server: 'wss://sip.example.com', userId: 'alice', password: 'pw', displayName: 'Alice' };
  const refusal = (payload: unknown): string => {
    const parsed = parseCommand('session.connect', payload);
    if (parsed.ok) throw new Error('accepted');
    expect(parsed.error.code).toBe('invalid-payload');
    return parsed.error.message;
  };

  it.each([
    ['server', { ...account, server: `wss://${'x'.repeat(600)}` }, 'The server address can be at most 512 characters.'],
    ['userId', { ...account, userId: 'a'.repeat(129) }, 'The user name can be at most 128 characters.'],
    ['password', { ...account, password: 'p'.repeat(257) }, 'The password can be at most 256 characters.'],
    ['displayName', { ...account, displayName: 'D'.repeat(81) }, 'The display name can be at most 80 characters.'],
    [
      'url',
      { kind: 'provisioningUrl', url: `https://it.example.com/${'x'.repeat(2048)}` },
      'The provisioning address can be at most 2048 characters.',
    ],
    ['server (blank)', { ...account, server: '   ' }, 'Enter the server address.'],
    ['userId (blank)', { ...account, userId: '' }, 'Enter the user name.'],
    ['password (not text)', { ...account, password: 42 }, 'Baton could not read the password: type it again.'],
    ['kind (missing)', { server: 'wss://x' }, 'Baton could not read these connection settings: reload the window and try again.'],
  ])('%s', (_field, payload, sentence) => {
    expect(refusal(payload)).toBe(sentence);
  });

  it('the limits the screen bounds its inputs with are the contract’s', () => {
    for (const [field, { max }] of Object.entries(CONNECT_FIELDS)) {
      const base = field === 'url' ? { kind: 'provisioningUrl', url: 'https://it.example.com/' } : { ...account };
      const prefix = field === 'url' ? 'https://it.example.com/' : field === 'server' ? 'wss://' : '';
      const value = `${prefix}${'w'.repeat(max)}`.slice(0, max);
      expect(parseCommand('session.connect', { ...base, [field]: value }).ok, `${field} at its limit`).toBe(true);
      expect(parseCommand('session.connect', { ...base, [field]: `${value}w` }).ok, `${field} past its limit`).toBe(false);
    }
  });

  it('a display name as long as the screen allows becomes the roster label', () => {
    const name = 'N'.repeat(MAX_DISPLAY_NAME_CHARS);
    const doc = documentForAccount({ version: 1, kind: 'account', server: 'wss://sip.example.com', userId: 'alice', displayName: name });
    expect(doc.roster[0]?.displayName).toBe(name);
  });

  it.each([
    ['alice@', 'wss://sip.example.com', 'The user name “alice@” is not valid: use the name IT gave you, without @ or spaces.'],
    ['al ice', 'wss://sip.example.com', 'The user name “al ice” is not valid: use the name IT gave you, without @ or spaces.'],
    ['sip:', 'wss://sip.example.com', 'The user name “sip:” is not valid: use the name IT gave you, without @ or spaces.'],
    [
      'alice@exa mple.com',
      'wss://sip.example.com',
      'The user name “alice@exa mple.com” is not valid: use the name IT gave you, without @ or spaces.',
    ],
    ['a'.repeat(65), 'wss://sip.example.com', 'The user name can be at most 64 characters before the @.'],
    [
      'alice',
      'wss://[::1]:8443',
      'Baton cannot use [::1]:8443 as the SIP domain: enter the user name with its domain, such as alice@example.com.',
    ],
    [
      'alice',
      'wss://it:secret@sip.example.com',
      'The server address must not hold a user name or password: type them in their own fields.',
    ],
  ])('the user name %j on %s', async (userId, server, sentence) => {
    const connected: Connected[] = [];
    const desk = new ConnectDesk({
      connectionFile: join(folder(), 'c.json'),
      credentials: memoryCredentials(),
      onConnected: (c) => void connected.push(c),
      probe: () => Promise.reject(new Error('not reached: the settings are refused first')),
    });
    const outcome = await desk.handle('session.connect', { kind: 'account', server, userId, password: '', displayName: '' });
    expect(outcome).toEqual({ ok: false, error: { code: 'connect-failed', message: sentence } });
    expect(connected).toEqual([]);
  });
});
