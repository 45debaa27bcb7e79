/**
 * wss:// to a SIP server whose certificate comes from a company CA: Kamailio's TLS module with a CA
 * and server certificate this test makes (openssl). Trusted through provisioning's
 * `sip.trustedCaCertificates` (via shell/trustedCas.ts, as main does), two desks register and call
 * each other; without it, sign-in is refused with a sentence for the agent and a log line for IT.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tls from 'node:tls';
import { createServer as createHttpServer, type Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { WebSocketServer } from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAppLog } from '../../electron/core/log/log.js';
import { trustedCas } from '../../electron/shell/trustedCas.js';
import { parseProvisioning, type ProvisioningDocument } from '../../shared/provisioning/index.js';
import { startLab, type Lab } from '../lab/lab.js';
import { createTestDesk, labDocument, type TestDesk } from '../support/deskFixture.js';
import { ConnectDesk, type Connected } from '../../electron/core/provisioning/connectDesk.js';
import { fetchDocument } from '../../electron/core/provisioning/fetchDocument.js';
import { createServer as createTcpServer, type Server as TcpServer, type Socket } from 'node:net';

let lab: Lab;
let caPem: string;
let certDir: string;
const open: TestDesk[] = [];

/** A private CA and a server certificate for 127.0.0.1 signed by it. */
function makeCertificates(dir: string): { ca: string; cert: string; key: string } {
  const run = (...args: string[]): void => void execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
  run(
    'req',
    '-x509',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-days',
    '2',
    '-subj',
    '/CN=Baton Test Company CA',
    '-keyout',
    'ca.key',
    '-out',
    'ca.pem',
    '-addext',
    'basicConstraints=critical,CA:TRUE',
    '-addext',
    'keyUsage=critical,keyCertSign,cRLSign',
  );
  return { ca: join(dir, 'ca.pem'), ...issueCertificate(dir, 'server', 'serverAuth') };
}

/** A certificate for 127.0.0.1 signed by the CA in `dir`, for `usage` only (its extended key usage). */
function issueCertificate(dir: string, name: string, usage: 'serverAuth' | 'clientAuth'): { cert: string; key: string } {
  const run = (...args: string[]): void => void execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
  run('req', '-newkey', 'rsa:2048', '-nodes', '-subj', '/CN=127.0.0.1', '-keyout', `${name}.key`, '-out', `${name}.csr`);
  writeFileSync(join(dir, `${name}.cnf`), `subjectAltName=IP:127.0.0.1\nbasicConstraints=CA:FALSE\nextendedKeyUsage=${usage}\n`);
  const x509 = ['-req', '-in', `${name}.csr`, '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-days', '2'];
  run('x509', ...x509, '-extfile', `${name}.cnf`, '-out', `${name}.pem`);
  return { cert: join(dir, `${name}.pem`), key: join(dir, `${name}.key`) };
}

beforeAll(async () => {
  const dir = mkdtempSync(join(tmpdir(), 'baton-tls-'));
  certDir = dir;
  const files = makeCertificates(dir);
  caPem = readFileSync(files.ca, 'utf8');
  lab = await startLab({ tls: { certificate: files.cert, privateKey: files.key } });
});
afterAll(async () => {
  await Promise.all(open.splice(0).map((d) => d.dispose()));
  await lab?.stop();
});

function wssDocument(extra: Record<string, unknown>): ProvisioningDocument {
  const base = labDocument(lab);
  const parsed = parseProvisioning(JSON.stringify({ ...base, sip: { ...base.sip, server: lab.wssUrl, ...extra } }), 'tls test');
  if (!parsed.ok) throw new Error(parsed.issues.map((i) => `${i.path}: ${i.expected}`).join('\n'));
  return parsed.value;
}

describe('wss:// with a private CA (Kamailio TLS)', () => {
  it('registers and calls when provisioning adds the company CA', async () => {
    const doc = wssDocument({ trustedCaCertificates: [caPem] });
    const cas = trustedCas({
      bundled: tls.rootCertificates,
      system: { systemCertificates: () => [] },
      extra: (doc.sip.trustedCaCertificates ?? []).map((pem) => ({ source: 'provisioning', pem })),
    });
    expect(cas.issues).toEqual([]);
    expect(cas.added[0]?.subject).toContain('Baton Test Company CA');
    const alice = createTestDesk(doc, { toneHz: 440, ...(cas.ca ? { trustedCa: cas.ca } : {}) });
    const bob = createTestDesk(doc, { toneHz: 660, ...(cas.ca ? { trustedCa: cas.ca } : {}) });
    open.push(alice, bob);
    for (const [d, userId] of [
      [alice, 'alice'],
      [bob, 'bob'],
    ] as const) {
      const outcome = await d.desk.handle('session.signIn', { userId, password: '' });
      expect(outcome).toEqual({ ok: true, value: undefined });
    }
    expect(alice.state().session.registration).toBe('registered');
    const dialled = await alice.desk.handle('call.dial', { target: 'bob' });
    expect(dialled.ok).toBe(true);
    const ringing = await bob.until('bob rings', (s) => s.calls.some((c) => c.state === 'ringing'));
    expect((await bob.desk.handle('call.answer', { callId: ringing.calls[0]?.id ?? '' })).ok).toBe(true);
    await alice.until('connected over wss', (s) => s.calls[0]?.state === 'established');
  });

  it('refuses a certificate from an unknown CA: a sentence for the agent, a log line for IT', async () => {
    const logDir = mkdtempSync(join(tmpdir(), 'baton-tls-log-'));
    const log = createAppLog({ dir: logDir });
    const carol = createTestDesk(wssDocument({}), { log });
    open.push(carol);
    const outcome = await carol.desk.handle('session.signIn', { userId: 'carol', password: '' });
    expect(outcome.ok).toBe(false);
    if (outcome.ok) return;
    expect(outcome.error.code).toBe('certificate-untrusted');
    expect(outcome.error.message).toMatch(/^The SIP server's certificate is issued by an authority this computer does not trust.*Ask IT/);
    log.close();
    const lines = readFileSync(join(logDir, 'baton.log'), 'utf8');
    const line = lines.split('\n').find((l) => l.includes('"component":"phone"') && l.includes('connecting to wss://127.0.0.1:'));
    expect(line).toMatch(/"level":"warn"/);
    expect(line).toMatch(/"code":"(SELF_SIGNED_CERT_IN_CHAIN|UNABLE_TO_VERIFY_LEAF_SIGNATURE|UNABLE_TO_GET_ISSUER_CERT_LOCALLY)"/);
  });
});

describe('TLS failures other than an unknown CA', () => {
  /** A WebSocket server on 127.0.0.1 that is not a SIP server: only the TLS handshake matters here. */
  async function listen(server: Server): Promise<string> {
    new WebSocketServer({ server, handleProtocols: () => 'sip' });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
    return `wss://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  }

  async function signInAt(server: string): Promise<{ code: string; message: string; log: string }> {
    const logDir = mkdtempSync(join(tmpdir(), 'baton-tls-log-'));
    const log = createAppLog({ dir: logDir });
    const cas = trustedCas({
      bundled: tls.rootCertificates,
      system: { systemCertificates: () => [] },
      extra: [{ source: 'provisioning', pem: caPem }],
    });
    const dave = createTestDesk(wssDocument({ server }), { log, ...(cas.ca ? { trustedCa: cas.ca } : {}) });
    open.push(dave);
    const outcome = await dave.desk.handle('session.signIn', { userId: 'carol', password: '' });
    log.close();
    if (outcome.ok) throw new Error('signed in');
    return { code: outcome.error.code, message: outcome.error.message, log: readFileSync(join(logDir, 'baton.log'), 'utf8') };
  }

  it('a server certificate issued for clients only (extended key usage) is a certificate sentence', async () => {
    const clientOnly = issueCertificate(certDir, 'client-only', 'clientAuth');
    const server = createHttpsServer({ key: readFileSync(clientOnly.key), cert: readFileSync(clientOnly.cert) });
    try {
      const failed = await signInAt(await listen(server));
      expect(failed.code).toBe('certificate-untrusted');
      expect(failed.message).toMatch(
        /^The SIP server's certificate is not meant for a server \(it was issued for another purpose\).*Ask IT/,
      );
      expect(failed.log).toContain('"code":"INVALID_PURPOSE"'); // the code is IT's, in the log
    } finally {
      server.close();
    }
  });

  it('plain ws:// behind a wss:// address: one sentence for the agent, OpenSSL’s words only in the log', async () => {
    const server = createHttpServer();
    try {
      const address = await listen(server);
      const failed = await signInAt(address);
      expect(failed.code).toBe('secure-connection-failed');
      expect(failed.message).toBe(
        `The secure connection to the SIP server ${address} failed, so Baton did not connect. Ask IT to check that the server accepts secure (wss://) connections at this address.`,
      );
      expect(failed.message).not.toMatch(/EPROTO|SSL|version/);
      expect(failed.log).toMatch(/"code":"EPROTO"[\s\S]*wrong version number|wrong version number[\s\S]*"code":"EPROTO"/);
    } finally {
      server.close();
    }
  });
});

/**
 * The Connect screen (first run without provisioning) trusts exactly what the desk will: main hands
 * it the CAs it works out from the OS store and IT's policy files (electron/main.ts). A company CA
 * given there lets the account's check register over wss:// and a provisioning address be fetched;
 * without it, each says the certificate is not trusted, naming the remedy.
 */
describe('the Connect screen over TLS', () => {
  const untrusted = /\((SELF_SIGNED_CERT_IN_CHAIN|UNABLE_TO_VERIFY_LEAF_SIGNATURE|UNABLE_TO_GET_ISSUER_CERT_LOCALLY)\)/;
  const withCompanyCa = (): readonly string[] => {
    const cas = trustedCas({
      bundled: tls.rootCertificates,
      system: { systemCertificates: () => [] },
      extra: [{ source: 'machine policy', pem: caPem }],
    });
    if (!cas.ca) throw new Error('no CA added');
    return cas.ca;
  };
  const memoryCredentials = () => ({ available: true, save: () => {}, load: () => null, clear: () => {} });
  function connectDesk(trustedCa: readonly string[] | undefined, connected: Connected[]): ConnectDesk {
    return new ConnectDesk({
      connectionFile: join(mkdtempSync(join(tmpdir(), 'baton-connect-tls-')), 'connection.json'),
      credentials: memoryCredentials(),
      onConnected: (c) => void connected.push(c),
      ...(trustedCa ? { trustedCa } : {}),
    });
  }
  const account = () => ({ kind: 'account', server: lab.wssUrl ?? '', userId: 'erin', password: '', displayName: 'Erin' }) as const;

  async function serveHttps(options: { key: Buffer; cert: Buffer }, body: string): Promise<{ url: string; close: () => void }> {
    const server = createHttpsServer(options, (_req, res) => {
      res.setHeader('content-type', 'application/json');
      res.end(body);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
    return { url: `https://127.0.0.1:${(server.address() as AddressInfo).port}/baton.json`, close: () => server.close() };
  }

  it('an account on a company-CA server: registers when main gave the CA, the certificate sentence when not', async () => {
    const trusted: Connected[] = [];
    expect(await connectDesk(withCompanyCa(), trusted).handle('session.connect', account())).toEqual({ ok: true, value: undefined });
    expect(trusted[0]?.signIn).toEqual({ userId: 'erin', password: '' });

    const refused: Connected[] = [];
    const outcome = await connectDesk(undefined, refused).handle('session.connect', account());
    expect(outcome.ok).toBe(false);
    if (outcome.ok) return;
    const host = new URL(lab.wssUrl ?? '').host;
    expect(outcome.error.message).toMatch(new RegExp(`^This computer does not trust the certificate of ${host.replace(/\./g, '\\.')} `));
    expect(outcome.error.message).toMatch(untrusted);
    expect(outcome.error.message).toMatch(/Ask IT to install the company's certificate, or check the server address\.$/);
    expect(refused).toEqual([]);
  });

  it('a provisioning address on a company-CA server: fetched when main gave the CA, the certificate sentence when not', async () => {
    const served = await serveHttps(
      { key: readFileSync(join(certDir, 'server.key')), cert: readFileSync(join(certDir, 'server.pem')) },
      JSON.stringify(labDocument(lab)),
    );
    try {
      const trusted: Connected[] = [];
      const ok = await connectDesk(withCompanyCa(), trusted).handle('session.connect', { kind: 'provisioningUrl', url: served.url });
      expect(ok).toEqual({ ok: true, value: undefined });
      expect(trusted[0]?.document.sip.server).toBe(lab.wsUrl);

      const refused: Connected[] = [];
      const outcome = await connectDesk(undefined, refused).handle('session.connect', { kind: 'provisioningUrl', url: served.url });
      expect(outcome.ok).toBe(false);
      if (outcome.ok) return;
      expect(outcome.error.message).toMatch(/^This computer does not trust the certificate of 127\.0\.0\.1:\d+ /);
      expect(outcome.error.message).toMatch(untrusted);
      expect(outcome.error.message).toMatch(/check the provisioning address\.$/);
      expect(refused).toEqual([]);
    } finally {
      served.close();
    }
  });
});

/** fetchDocument keeps the cause: the agent reads what happened and what to check, IT's issue list the same. */
describe('a provisioning address that cannot be fetched', () => {
  it("Kamailio's TLS port (a CA this computer does not know): the certificate sentence, not 'unreachable'", async () => {
    const port = new URL(lab.wssUrl ?? '').port;
    const fetched = await fetchDocument(`https://127.0.0.1:${port}/baton.json`);
    expect(fetched.ok).toBe(false);
    if (fetched.ok) return;
    expect(fetched.sentence).toMatch(new RegExp(`^This computer does not trust the certificate of 127\\.0\\.0\\.1:${port} `));
    expect(fetched.sentence).toMatch(/\((SELF_SIGNED_CERT_IN_CHAIN|UNABLE_TO_VERIFY_LEAF_SIGNATURE|UNABLE_TO_GET_ISSUER_CERT_LOCALLY)\)/);
    expect(fetched.expected).toMatch(/^a server certificate this computer trusts \(/);
  });

  it('a self-signed certificate: the certificate sentence with its code', async () => {
    execFileSync(
      'openssl',
      ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '2', '-subj', '/CN=127.0.0.1', '-keyout', 'self.key', '-out', 'self.pem'],
      { cwd: certDir, stdio: 'pipe' },
    );
    const server = createHttpsServer(
      { key: readFileSync(join(certDir, 'self.key')), cert: readFileSync(join(certDir, 'self.pem')) },
      (_q, r) => r.end('{}'),
    );
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
    try {
      const port = (server.address() as AddressInfo).port;
      const fetched = await fetchDocument(`https://127.0.0.1:${port}/baton.json`);
      expect(fetched).toMatchObject({
        ok: false,
        sentence: `This computer does not trust the certificate of 127.0.0.1:${port} (DEPTH_ZERO_SELF_SIGNED_CERT). Ask IT to install the company's certificate, or check the provisioning address.`,
      });
    } finally {
      server.close();
    }
  });

  it('nothing listening: says it cannot reach the server and what to check', async () => {
    const probe = createTcpServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', () => resolve()));
    const port = (probe.address() as AddressInfo).port;
    await new Promise<void>((resolve) => probe.close(() => resolve()));
    const fetched = await fetchDocument(`https://127.0.0.1:${port}/baton.json`);
    expect(fetched).toEqual({
      ok: false,
      expected: 'a reachable server (ECONNREFUSED)',
      sentence: `Baton cannot reach 127.0.0.1:${port}. Check the provisioning address and that this computer is on the company network (or VPN).`,
    });
  });

  it('a server that accepts the connection and never answers: says how long Baton waited', async () => {
    const sockets: Socket[] = [];
    const silent: TcpServer = createTcpServer((socket) => void sockets.push(socket));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', () => resolve()));
    try {
      const port = (silent.address() as AddressInfo).port;
      const fetched = await fetchDocument(`https://127.0.0.1:${port}/baton.json`, { timeoutMs: 500 });
      expect(fetched).toEqual({
        ok: false,
        expected: 'an answer within 0.5 s',
        sentence: `The server 127.0.0.1:${port} did not answer within 0.5 s. Check the provisioning address and that this computer is on the company network (or VPN).`,
      });
    } finally {
      for (const socket of sockets) socket.destroy();
      silent.close();
    }
  });
});
