/**
 * The security gate's report of `npm audit --omit=dev`: every advisory against a production
 * dependency is named with its severity, and an audit that cannot run says so, and why, instead of
 * passing for "no advisories" — in the gate's output and again beside the closing totals. The real
 * gate code runs against a stand-in `npm` first on PATH that prints what npm 11 printed here (the
 * registry itself is out of reach of the tests).
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const gate = new URL('../../scripts/security-gate.mjs', import.meta.url).href;

/** Runs the gate's audit step with an `npm` that prints `stdout` and exits with `status`; returns its log and the `npm` arguments. */
function audit(stdout: unknown, status: number): { log: string; args: string } {
  const dir = mkdtempSync(join(tmpdir(), 'baton-audit-'));
  writeFileSync(join(dir, 'report.json'), JSON.stringify(stdout));
  const npm = join(dir, 'npm');
  writeFileSync(npm, `#!/bin/sh\necho "$@" > "${dir}/args"\ncat "${dir}/report.json"\nexit ${status}\n`);
  chmodSync(npm, 0o755);
  const run = spawnSync(
    process.execPath,
    ['--input-type=module', '-e', `const m = await import(${JSON.stringify(gate)}); m.auditProduction();`],
    {
      encoding: 'utf8',
      env: { ...process.env, PATH: `${dir}:${process.env.PATH ?? ''}` },
    },
  );
  expect(run.status, run.stderr).toBe(0);
  return { log: run.stdout, args: readFileSync(join(dir, 'args'), 'utf8').trim() };
}

describe('security gate: npm audit of the production dependencies', () => {
  it('names each advisory and sums them by severity, without failing', () => {
    const { log, args } = audit(
      {
        auditReportVersion: 2,
        vulnerabilities: {
          ws: {
            name: 'ws',
            severity: 'high',
            via: [{ title: 'ws affected by a DoS when handling a request with many HTTP headers' }],
            range: '8.0.0 - 8.17.0',
            fixAvailable: true,
          },
          'sip.js': { name: 'sip.js', severity: 'moderate', via: ['ws'], range: '*', fixAvailable: false },
        },
        metadata: { vulnerabilities: { info: 0, low: 0, moderate: 1, high: 1, critical: 0, total: 2 } },
      },
      1,
    );
    expect(args).toBe('audit --omit=dev --json');
    expect(log).toContain(
      'audit high     ws@8.0.0 - 8.17.0: ws affected by a DoS when handling a request with many HTTP headers (fix available)',
    );
    expect(log).toContain('audit moderate sip.js@*: via ws');
    expect(log).toContain('npm audit: 1 high, 1 moderate (advisories against production dependencies; reported, not failing)');
  });

  it('says "no known advisories" only for a clean report', () => {
    const { log } = audit(
      {
        auditReportVersion: 2,
        vulnerabilities: {},
        metadata: { vulnerabilities: { info: 0, low: 0, moderate: 0, high: 0, critical: 0, total: 0 } },
      },
      0,
    );
    expect(log).toContain('npm audit: no known advisories against production dependencies');
  });

  // Recorded on this machine (npm 11, `npm audit --omit=dev --json`): the registry here has no
  // audit endpoint; inside scripts/loopback-only.sh there is no network at all.
  const REFUSED = {
    message: '405 Method Not Allowed - POST https://registry.npmjs.org/-/npm/v1/security/advisories/bulk',
    method: 'POST',
    uri: 'https://registry.npmjs.org/-/npm/v1/security/advisories/bulk',
    headers: { allow: ['GET,HEAD'], date: ['Mon, 07 Dec 2026 11:21:16 GMT'], 'content-length': ['0'], 'x-fetch-attempts': ['1'] },
    statusCode: 405,
    body: '',
    error: { summary: '', detail: '' },
  };
  const OFFLINE = {
    message:
      'request to https://registry.npmjs.org/-/npm/v1/security/advisories/bulk failed, reason: getaddrinfo EAI_AGAIN registry.npmjs.org',
    error: { summary: '', detail: '' },
  };

  it('says the audit did not run, and why, when the registry refuses it or cannot be reached', () => {
    const refused = audit(REFUSED, 1).log;
    expect(refused).toContain('npm audit: not run — registry answered 405 Method Not Allowed\n');
    expect(refused).not.toContain('no known advisories');
    expect(audit(OFFLINE, 1).log).toContain('npm audit: not run — registry not reachable (getaddrinfo EAI_AGAIN registry.npmjs.org)\n');
  });

  it('its summary reaches the closing totals: the gate writes it as the note totals.mjs prints above them', async () => {
    const { describeAudit } = (await import(gate)) as {
      describeAudit: (run: { stdout: string; status: number }) => { summary: string };
    };
    const dir = mkdtempSync(join(tmpdir(), 'baton-audit-totals-'));
    const note = describeAudit({ stdout: JSON.stringify(REFUSED), status: 1 }).summary;
    writeFileSync(join(dir, 'security-gate.json'), JSON.stringify({ passed: 1, failed: 0, auditAdvisories: null, note }));
    const totals = spawnSync(process.execPath, [new URL('../../scripts/totals.mjs', import.meta.url).pathname, dir], { encoding: 'utf8' });
    expect(totals.status, 'an audit that did not run does not fail the totals').toBe(0);
    expect(totals.stdout.trim().split('\n').slice(-2)).toEqual([
      'npm audit: not run — registry answered 405 Method Not Allowed',
      '1 passed, 0 failed',
    ]);
  });
});
