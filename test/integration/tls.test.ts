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
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAppLog } from '../../electron/core/log/log.js';
import { trustedCas } from '../../electron/shell/trustedCas.js';
import { parseProvisioning, type ProvisioningDocument } from '../../shared/provisioning/index.js';
import { startLab, type Lab } from '../lab/lab.js';
import { createTestDesk, labDocument, type TestDesk } from '../support/deskFixture.js';

let lab: Lab;
let caPem: string;
const open: TestDesk[] = [];

/** A private CA and a server certificate for 127.0.0.1 signed by it. */
function makeCertificates(dir: string): { ca: string; cert: string; key: string } {
  const run = (...args: string[]): void => void execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
  run('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '2', '-subj', '/CN=Baton Test Company CA', '-keyout', 'ca.key', '-out', 'ca.pem', '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign');
  run('req', '-newkey', 'rsa:2048', '-nodes', '-subj', '/CN=127.0.0.1', '-keyout', 'server.key', '-out', 'server.csr');
  writeFileSync(join(dir, 'ext.cnf'), 'subjectAltName=IP:127.0.0.1\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n');
  run('x509', '-req', '-in', 'server.csr', '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-days', '2', '-extfile', 'ext.cnf', '-out', 'server.pem');
  return { ca: join(dir, 'ca.pem'), cert: join(dir, 'server.pem'), key: join(dir, 'server.key') };
}

beforeAll(async () => {
  const dir = mkdtempSync(join(tmpdir(), 'baton-tls-'));
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
    const cas = trustedCas({ bundled: tls.rootCertificates, system: { systemCertificates: () => [] }, extra: (doc.sip.trustedCaCertificates ?? []).map((pem) => ({ source: 'provisioning', pem })) });
    expect(cas.issues).toEqual([]);
    expect(cas.added[0]?.subject).toContain('Baton Test Company CA');
    const alice = createTestDesk(doc, { toneHz: 440, ...(cas.ca ? { trustedCa: cas.ca } : {}) });
    const bob = createTestDesk(doc, { toneHz: 660, ...(cas.ca ? { trustedCa: cas.ca } : {}) });
    open.push(alice, bob);
    for (const [d, userId] of [[alice, 'alice'], [bob, 'bob']] as const) {
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
