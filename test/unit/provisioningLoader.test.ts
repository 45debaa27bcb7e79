/** The loader over real files and a real HTTP server on 127.0.0.1. */
import { createServer, type Server } from 'node:http';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  defaultPolicyPath,
  ProvisioningLoader,
  sourcesFromCommandLine,
  type ProvisioningSources,
} from '../../electron/core/provisioning/index.js';
import { textContaining } from '../support/matchers.js';

const LAB = readFileSync(new URL('../../resources/provisioning/lab.json', import.meta.url), 'utf8');
const withServer = (server: string) => JSON.stringify({ ...JSON.parse(LAB), sip: { server, domain: '127.0.0.1' } });

let dir: string;
let servers: Server[];
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'baton-prov-'));
  servers = [];
});
afterEach(async () => {
  await Promise.all(servers.map((s) => new Promise((resolve) => s.close(resolve))));
  rmSync(dir, { recursive: true, force: true });
});

const file = (name: string, text?: string) => {
  const path = join(dir, name);
  if (text !== undefined) writeFileSync(path, text);
  return path;
};

function sources(overrides: Partial<ProvisioningSources> = {}): ProvisioningSources {
  return {
    policyFile: file('policy.json'),
    flagFile: file('flag.json'),
    userSettingsFile: file('settings.json'),
    lastGoodFile: file('last-good.json'),
    ...overrides,
  };
}

async function serve(handler: (res: import('node:http').ServerResponse) => void): Promise<string> {
  const server = createServer((_req, res) => handler(res));
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  return `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}/provisioning.json`;
}

describe('source order', () => {
  it('the policy file beats the flag file, which beats the URL', async () => {
    const url = await serve((res) => res.end(withServer('wss://from-url.example.com')));
    file('flag.json', withServer('wss://from-flag.example.com'));
    file('policy.json', withServer('wss://from-policy.example.com'));
    const fetchOptions = { allowInsecureLoopbackForTests: true };
    const all = await new ProvisioningLoader({ sources: sources({ url }), fetch: fetchOptions }).load();
    expect(all.config?.document.sip.server).toBe('wss://from-policy.example.com');
    expect(all.config?.source).toMatch(/^policy file /);

    rmSync(file('policy.json'));
    const noPolicy = await new ProvisioningLoader({ sources: sources({ url }), fetch: fetchOptions }).load();
    expect(noPolicy.config?.document.sip.server).toBe('wss://from-flag.example.com');

    rmSync(file('flag.json'));
    const urlOnly = await new ProvisioningLoader({ sources: sources({ url }), fetch: fetchOptions }).load();
    expect(urlOnly).toMatchObject({ fresh: true, issues: [] });
    expect(urlOnly.config?.document.sip.server).toBe('wss://from-url.example.com');
  });

  it('a present but bad policy file is not bypassed by a lesser source', async () => {
    file('policy.json', '{"version": 1}');
    file('flag.json', LAB);
    const result = await new ProvisioningLoader({ sources: sources() }).load();
    expect(result.config).toBeUndefined();
    expect(result.issues.map((i) => `${i.source} ${i.path}`)).toContain(`policy file ${file('policy.json')} $.sip`);
  });

  it('says where it looked when there is no document anywhere', async () => {
    const result = await new ProvisioningLoader({ sources: sources() }).load();
    expect(result.config).toBeUndefined();
    expect(result.issues).toEqual([{ source: 'provisioning', path: '$', expected: textContaining(file('policy.json')) }]);
  });

  it('refuses plain http unless the test allowance is given', async () => {
    const url = await serve((res) => res.end(LAB));
    const result = await new ProvisioningLoader({ sources: sources({ url }) }).load();
    expect(result.issues).toEqual([{ source: `provisioning URL ${url}`, path: '$', expected: 'an https:// URL, not http://' }]);
  });

  it('reports an HTTP error, an oversized body and an unreachable server as issues of the URL source', async () => {
    const notFound = await serve((res) => {
      res.statusCode = 404;
      res.end();
    });
    const huge = await serve((res) => res.end('x'.repeat(3 * 1024 * 1024)));
    const fetchOptions = { allowInsecureLoopbackForTests: true, timeoutMs: 2000 };
    const a = await new ProvisioningLoader({ sources: sources({ url: notFound }), fetch: fetchOptions }).load();
    expect(a.issues[0]?.expected).toBe('HTTP 200 (got 404)');
    const b = await new ProvisioningLoader({ sources: sources({ url: huge }), fetch: fetchOptions }).load();
    expect(b.issues[0]?.expected).toMatch(/at most/);
    const c = await new ProvisioningLoader({ sources: sources({ url: 'http://127.0.0.1:1/x' }), fetch: fetchOptions }).load();
    expect(c.issues[0]?.expected).toMatch(/reachable server/);
  });
});

describe('the last good document stays in force', () => {
  it('a bad new document is refused whole; nothing of it applies', async () => {
    const loader = new ProvisioningLoader({ sources: sources() });
    file('flag.json', LAB);
    const first = await loader.load();
    expect(first.fresh).toBe(true);
    // Valid sip section, broken roster: had it half-applied, the new server would show.
    file(
      'flag.json',
      JSON.stringify({ ...JSON.parse(LAB), sip: { server: 'wss://new.example.com', domain: '127.0.0.1' }, roster: [{ id: 'x' }] }),
    );
    const second = await loader.load();
    expect(second.fresh).toBe(false);
    expect(second.config?.document).toEqual(first.config?.document);
    expect(second.issues.map((i) => i.path)).toContain('$.roster[0].displayName');
  });

  it('survives a restart: the kept copy is used when the URL is down', async () => {
    let up = true;
    const url = await serve((res) => {
      if (!up) {
        res.statusCode = 503;
        res.end();
        return;
      }
      res.end(LAB);
    });
    const options = { sources: sources({ url }), fetch: { allowInsecureLoopbackForTests: true } };
    expect((await new ProvisioningLoader(options).load()).fresh).toBe(true);
    up = false;
    const afterRestart = await new ProvisioningLoader(options).load();
    expect(afterRestart.fresh).toBe(false);
    expect(afterRestart.config?.source).toBe(`last good copy of provisioning URL ${url}`);
    expect(afterRestart.config?.document.roster.map((u) => u.id)).toEqual(['alice', 'bob', 'carol']);
    expect(afterRestart.issues[0]?.expected).toBe('HTTP 200 (got 503)');
  });

  it('ignores a tampered kept copy rather than trusting it', async () => {
    file(
      'last-good.json',
      JSON.stringify({ source: 'x', document: { version: 1, sip: { server: 'ws://evil.example.com', domain: 'a' } } }),
    );
    const result = await new ProvisioningLoader({ sources: sources() }).load();
    expect(result.config).toBeUndefined();
    expect(result.issues.some((i) => i.source.startsWith('last good copy') && i.path === '$.sip.server')).toBe(true);
  });
});

describe('user settings', () => {
  it('choose the signed-in roster user', async () => {
    file('flag.json', LAB);
    file('settings.json', '{"version":1,"userId":"bob"}');
    const result = await new ProvisioningLoader({ sources: sources() }).load();
    expect(result.config?.userSettings).toEqual({ version: 1, userId: 'bob' });
    expect(result.issues).toEqual([]);
  });

  it('a user id not in the roster is an issue of the settings, and the document still applies', async () => {
    file('flag.json', LAB);
    file('settings.json', '{"version":1,"userId":"mallory"}');
    const result = await new ProvisioningLoader({ sources: sources() }).load();
    expect(result.fresh).toBe(true);
    expect(result.config?.userSettings).toEqual({ version: 1 });
    expect(result.issues).toEqual([
      { source: `user settings ${file('settings.json')}`, path: '$.userId', expected: 'a user id from the roster, not "mallory"' },
    ]);
  });
});

describe('where the sources are', () => {
  it("uses each platform's policy location", () => {
    expect(defaultPolicyPath('win32', { ProgramData: 'D:\\PD' })).toMatch(/^D:\\PD.Baton.provisioning\.json$/);
    expect(defaultPolicyPath('darwin', {})).toBe('/Library/Application Support/Baton/provisioning.json');
    expect(defaultPolicyPath('linux', {})).toBe('/etc/baton/provisioning.json');
  });

  it('reads the flag before the environment, in both flag spellings', () => {
    const env = { BATON_PROVISIONING: '/env.json', BATON_PROVISIONING_URL: 'https://env' };
    expect(sourcesFromCommandLine(['--provisioning', '/flag.json'], env, 'linux', '/ud')).toMatchObject({
      flagFile: '/flag.json',
      url: 'https://env',
    });
    expect(sourcesFromCommandLine(['--provisioning-url=https://flag'], env, 'linux', '/ud')).toMatchObject({
      flagFile: '/env.json',
      url: 'https://flag',
    });
    expect(sourcesFromCommandLine([], {}, 'linux', '/ud')).toEqual({
      policyFile: '/etc/baton/provisioning.json',
      userSettingsFile: '/ud/settings.json',
      lastGoodFile: '/ud/provisioning.last-good.json',
    });
  });
});
