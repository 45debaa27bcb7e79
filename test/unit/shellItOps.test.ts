/**
 * The IT-facing ports and rules, with recording fakes: crash reporter (upload only when policy
 * names a server), the OS certificate store feeding the trusted CAs, the launch-flag relaunch and
 * the new-space size it buys, machine policy's support keys, agent settings in the store, and the
 * log's redaction and rotation.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import * as tls from 'node:tls';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { AgentSettings } from '../../electron/core/agentSettings.js';
import { createAppLog } from '../../electron/core/log/log.js';
import { redactSip, scrubText } from '../../electron/core/log/redact.js';
import { RotatingFile } from '../../electron/core/log/rotatingFile.js';
import { MAIN_PROCESS_V8_FLAGS } from '../../electron/core/runtimeFlags.js';
import { openStore } from '../../electron/core/store/index.js';
import { startCrashReporter, type CrashReporterPort } from '../../electron/shell/crashReporter.js';
import { RELAUNCHED_MARK, relaunchArgs } from '../../electron/shell/launchFlags.js';
import { readMachinePolicy, type PolicyReaders } from '../../electron/shell/machinePolicy.js';
import { readCaFiles, trustedCas } from '../../electron/shell/trustedCas.js';

const tmp = (name: string): string => mkdtempSync(join(tmpdir(), `baton-${name}-`));

describe('crash reporter port', () => {
  function fake(): CrashReporterPort & { calls: unknown[] } {
    const calls: unknown[] = [];
    return { calls, start: (options) => void calls.push(options) };
  }
  it('keeps dumps locally unless policy names a server', () => {
    const port = fake();
    const logged: string[] = [];
    expect(startCrashReporter(port, { crashReportUrl: undefined }, '1.2.3', (m) => void logged.push(m))).toEqual({ uploading: false });
    expect(port.calls).toEqual([{ productName: 'Baton', compress: true, globalExtra: { version: '1.2.3' }, uploadToServer: false }]);
    expect(logged[0]).toMatch(/kept on this computer only/);
  });
  it('uploads to the server policy names', () => {
    const port = fake();
    expect(startCrashReporter(port, { crashReportUrl: 'https://crash.example.com/submit' }, '1', () => {})).toEqual({ uploading: true });
    expect(port.calls[0]).toMatchObject({ submitURL: 'https://crash.example.com/submit', uploadToServer: true });
  });
});

describe('trusted CAs: bundle, OS store port, IT additions', () => {
  const bundled = ['-----BEGIN CERTIFICATE-----\nBUNDLED\n-----END CERTIFICATE-----'];
  it('leaves Node’s default alone when nothing is added', () => {
    const reads: string[] = [];
    expect(trustedCas({ bundled, system: { systemCertificates: () => (reads.push('read'), []) }, extra: [] }).ca).toBeUndefined();
    expect(reads).toEqual(['read']);
  });
  it('adds the OS store’s certificates to the bundle, and reports unreadable IT certificates without failing', () => {
    const system = '-----BEGIN CERTIFICATE-----\nSYSTEM\n-----END CERTIFICATE-----';
    const result = trustedCas({
      bundled,
      system: { systemCertificates: () => [system] },
      extra: [{ source: 'policy /etc/baton/ca.pem', pem: '-----BEGIN CERTIFICATE-----\nbroken\n-----END CERTIFICATE-----' }],
    });
    expect(result.ca).toEqual([...bundled, system]);
    expect(result.issues[0]).toMatch(/^policy \/etc\/baton\/ca.pem: not a readable PEM certificate/);
  });
  it('reports an OS store that cannot be read', () => {
    const result = trustedCas({
      bundled,
      system: {
        systemCertificates: () => {
          throw new Error('denied');
        },
      },
      extra: [],
    });
    expect(result.issues).toEqual(["the OS's certificate store could not be read (Error: denied)"]);
  });
});

describe('trusted CA files IT hands over', () => {
  // A real CA certificate to hand around in its several forms: the first of Node's bundle.
  const pem = tls.rootCertificates[0] ?? '';
  const der = new X509Certificate(pem).raw;
  const body = pem.replace(/-----(BEGIN|END) CERTIFICATE-----/g, '').trim();
  const add = (content: string | Uint8Array) =>
    trustedCas({ bundled: [], system: undefined, extra: [{ source: 'machine policy /etc/baton/ca', pem: content }] });

  it('reads a DER certificate (Windows’ .cer export) as well as PEM', () => {
    const fromDer = add(der);
    expect(fromDer.issues).toEqual([]);
    expect(fromDer.added).toHaveLength(1);
    expect(fromDer.added[0]?.sha256).toBe(add(pem).added[0]?.sha256);
    expect(fromDer.ca).toHaveLength(1);
  });

  it.each([
    ['an empty file', '', /^machine policy \/etc\/baton\/ca: is empty/],
    ['DER read as text', der.toString('utf8'), /holds no PEM certificate.*`openssl x509 -inform der -in FILE -out ca\.pem`/],
    [
      'a private key alone',
      '-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBg==\n-----END PRIVATE KEY-----\n',
      /holds a private key and no certificate/,
    ],
    [
      'an OpenSSL TRUSTED CERTIFICATE',
      `-----BEGIN TRUSTED CERTIFICATE-----\n${body}\n-----END TRUSTED CERTIFICATE-----\n`,
      /"TRUSTED CERTIFICATE".*`openssl x509 -in FILE -out ca\.pem`/,
    ],
    [
      'a PKCS#7 bundle',
      '-----BEGIN PKCS7-----\nMIIGbgYJKoZIhvcNAQcCoIIGXzCCBlsCAQEx\n-----END PKCS7-----\n',
      /PKCS#7.*`openssl pkcs7 -print_certs -in FILE -out ca\.pem`/,
    ],
    ['binary that is no certificate', Buffer.from([0x00, 0x01, 0x02, 0xff, 0x10]), /binary but not a DER certificate/],
  ])('reports %s with what to do about it, and adds nothing', (_, content, sentence) => {
    const result = add(content);
    expect(result.added).toEqual([]);
    expect(result.ca).toBeUndefined();
    expect(result.issues).toHaveLength(1);
    expect(result.issues[0]).toMatch(sentence);
  });

  it('adds the certificate of a file that also holds a key, and says the key does not belong there', () => {
    const result = add(`-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEA\n-----END RSA PRIVATE KEY-----\n${pem}`);
    expect(result.added).toHaveLength(1);
    expect(result.issues).toEqual([
      "machine policy /etc/baton/ca: holds a private key, which Baton does not use: give Baton only the CA's certificate, and keep the key where it belongs",
    ]);
  });

  it('reads regular files only: a FIFO, a directory or a missing file is an issue, not a start-up that waits', async () => {
    const dir = tmp('cafiles');
    writeFileSync(join(dir, 'ca.cer'), der);
    writeFileSync(join(dir, 'ca.pem'), pem);
    execFileSync('mkfifo', [join(dir, 'fifo')]); // no writer: a plain read would wait forever
    mkdirSync(join(dir, 'folder'));
    const read = await readCaFiles(['ca.cer', 'ca.pem', 'fifo', 'folder', 'missing.pem'].map((name) => join(dir, name)));
    expect(read.sources.map((s) => s.source)).toEqual([`machine policy ${join(dir, 'ca.cer')}`, `machine policy ${join(dir, 'ca.pem')}`]);
    expect(read.issues).toEqual([
      `machine policy ${join(dir, 'fifo')}: not a regular file, not read (TrustedCaFiles names certificate files)`,
      `machine policy ${join(dir, 'folder')}: not a regular file, not read (TrustedCaFiles names certificate files)`,
      expect.stringMatching(/^machine policy .*missing\.pem: could not be read \(Error: ENOENT/) as unknown as string,
    ]);
    const cas = trustedCas({ bundled: [], system: undefined, extra: read.sources });
    expect(cas.issues).toEqual([]);
    expect(cas.added.map((a) => a.sha256)).toEqual([cas.added[0]?.sha256, cas.added[0]?.sha256]); // the DER file and the PEM file: one certificate
  });
});

describe('V8 flags at launch', () => {
  it('relaunches once with --js-flags, keeping the app path and a dial link; never twice', () => {
    const args = relaunchArgs(['/opt/Baton/baton', 'tel:+15550100'], MAIN_PROCESS_V8_FLAGS);
    expect(args).toEqual([`--js-flags=${MAIN_PROCESS_V8_FLAGS.join(' ')}`, RELAUNCHED_MARK, 'tel:+15550100']);
    expect(relaunchArgs(['/opt/Baton/baton', ...(args ?? [])], MAIN_PROCESS_V8_FLAGS)).toBeNull();
    expect(relaunchArgs(['/opt/Baton/baton', RELAUNCHED_MARK], MAIN_PROCESS_V8_FLAGS)).toBeNull();
    expect(relaunchArgs(['/opt/Baton/baton', `--js-flags=${MAIN_PROCESS_V8_FLAGS.join(' ')}`], MAIN_PROCESS_V8_FLAGS)).toBeNull();
  });

  it('given at launch, the flags cap new space at 8 MB; set at run time they do not', () => {
    const script = `const v8 = require('node:v8'); ${'${RUNTIME}'} let keep = []; for (let i = 0; i < 400000; i++) { keep.push({ i, s: 'x'.repeat(40) }); if (keep.length > 20000) keep = []; } console.log(v8.getHeapSpaceStatistics().find((s) => s.space_name === 'new_space').space_size / 1048576);`;
    const newSpace = (flags: readonly string[], runtime: string): number =>
      Number(spawnSync(process.execPath, [...flags, '-e', script.replace('${RUNTIME}', runtime)], { encoding: 'utf8' }).stdout.trim());
    expect(newSpace(MAIN_PROCESS_V8_FLAGS, '')).toBeLessThanOrEqual(8);
    expect(newSpace([], `v8.setFlagsFromString('${MAIN_PROCESS_V8_FLAGS.join(' ')}');`)).toBeGreaterThan(8);
  });
});

describe('machine policy: what IT sets for support', () => {
  const readers = (files: Record<string, string>): PolicyReaders => ({
    run: async () => null,
    readText: async (path) => files[path] ?? null,
  });
  it('reads trace, level, CA files, crash server and devices; reports bad values', async () => {
    const policy = await readMachinePolicy(
      'linux',
      {},
      readers({
        '/etc/baton/policy.json': JSON.stringify({
          SipTrace: true,
          LogLevel: 'debug',
          TrustedCaFiles: '/etc/ssl/corp.pem;/etc/ssl/corp2.pem',
          CrashReportUrl: 'https://crash.example.com/',
          MicrophoneDevice: 'Jabra Evolve2',
          RingerDevice: 'default',
        }),
      }),
    );
    expect(policy).toMatchObject({
      sipTrace: true,
      logLevel: 'debug',
      trustedCaFiles: ['/etc/ssl/corp.pem', '/etc/ssl/corp2.pem'],
      crashReportUrl: 'https://crash.example.com/',
      devices: { microphone: 'Jabra Evolve2', ringer: 'default' },
    });
    const bad = await readMachinePolicy(
      'linux',
      {},
      readers({ '/etc/baton/policy.json': JSON.stringify({ LogLevel: 'loud', CrashReportUrl: 'http://x/' }) }),
    );
    expect(bad.issues).toEqual([
      '/etc/baton/policy.json: LogLevel must be one of debug, info, warn, error',
      '/etc/baton/policy.json: CrashReportUrl must be an https:// URL',
    ]);
    expect(bad).toMatchObject({ logLevel: undefined, crashReportUrl: undefined, sipTrace: false });
  });
});

describe('agent settings kept in main', () => {
  it('survive a reopen; a device IT fixed wins and cannot be changed', () => {
    const path = join(tmp('settings'), 'baton.db');
    const first = openStore(path).store;
    new AgentSettings(first.settings).set({ devices: { microphone: { id: 'abc', label: 'Headset' } }, globalShortcuts: true });
    first.close();
    const store = openStore(path).store;
    const mine = new AgentSettings(store.settings).view();
    expect(mine).toEqual({
      devices: { microphone: { id: 'abc', label: 'Headset' }, speaker: { id: null, label: null }, ringer: { id: null, label: null } },
      devicesFixed: [],
      globalShortcuts: true,
    });
    const fixed = new AgentSettings(store.settings, { devices: { microphone: 'Jabra Evolve2', ringer: 'default' } });
    expect(fixed.view().devices.microphone).toEqual({ id: null, label: 'Jabra Evolve2' });
    expect(fixed.view().devicesFixed).toEqual(['microphone', 'ringer']);
    expect(() => fixed.set({ devices: { microphone: { id: 'x', label: null } } })).toThrow(/IT set the microphone/);
    expect(new AgentSettings(store.settings).view().devices.microphone).toEqual({ id: 'abc', label: 'Headset' }); // nothing changed
    store.close();
  });
});

describe('log redaction and rotation', () => {
  it('takes digests, transfer secrets and notes out of SIP and free text', () => {
    const invite =
      'INVITE sip:bob@x SIP/2.0\r\nProxy-Authorization: Digest username="alice", response="abc"\r\nX-Baton-Transfer: eyJub3RlIjoi\r\nRefer-To: <sip:bob@x;xfer=SECRETTOKEN123>\r\n\r\nv=0\r\n';
    const out = redactSip(invite);
    expect(out).toContain('Proxy-Authorization: [redacted]');
    expect(out).toContain('X-Baton-Transfer: [redacted]');
    expect(out).toContain(';xfer=[redacted]>');
    expect(out).toContain('v=0');
    expect(redactSip('MESSAGE sip:bob@x SIP/2.0\r\nCSeq: 1 MESSAGE\r\n\r\n{"note":"Card 4242"}')).toMatch(
      /bytes of MESSAGE body not traced\]$/,
    );
    expect(scrubText('failed: {"token":"abc","password":"p"} hunter22', new Set(['hunter22']))).toBe(
      'failed: {"token":"[redacted]","password":"[redacted]"} [redacted]',
    );
  });

  it('writes structured lines, redacts registered secrets and secret keys, and rolls over by size', () => {
    const dir = tmp('log');
    const log = createAppLog({ dir, maxBytes: 2000, keep: 2 });
    log.redact('hunter22');
    log.child('desk').warn('sign-in with hunter22 failed', { password: 'hunter22', note: 'x', callId: 'c1' });
    for (let i = 0; i < 60; i++) log.info(`line ${i}`);
    log.debug('not at info level');
    log.close();
    const files = log.files();
    expect(files.map((f) => f.slice(dir.length + 1))).toEqual(['baton.log', 'baton.log.1', 'baton.log.2']);
    const all = files.map((f) => readFileSync(f, 'utf8')).join('');
    expect(all).not.toContain('hunter22');
    expect(all).not.toContain('not at info level');
    expect(existsSync(join(dir, 'baton.log.3'))).toBe(false);
    const newest =
      readFileSync(files[0] ?? '', 'utf8')
        .trim()
        .split('\n')
        .at(-1) ?? '';
    expect(JSON.parse(newest)).toMatchObject({ level: 'info', msg: 'line 59' });
  });

  it('a rotating file keeps `keep` old files', () => {
    const dir = tmp('rot');
    const file = new RotatingFile(join(dir, 'a.log'), { maxBytes: 10, keep: 1 });
    for (const text of ['0123456789', 'abcdefghij', 'ABCDEFGHIJ']) file.write(text);
    file.close();
    expect(readFileSync(join(dir, 'a.log'), 'utf8')).toBe('ABCDEFGHIJ');
    expect(readFileSync(join(dir, 'a.log.1'), 'utf8')).toBe('abcdefghij');
    expect(existsSync(join(dir, 'a.log.2'))).toBe(false);
  });
});
