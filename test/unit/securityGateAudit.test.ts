/**
 * The security gate's report of `npm audit --omit=dev`: every advisory against a production
 * dependency is named with its severity, and an audit that cannot reach the registry says so
 * instead of passing for "no advisories". The real gate code runs against a stand-in `npm` first
 * on PATH that prints what npm 11 prints (the registry itself is out of reach of the tests).
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
    expect(log).toContain('npm audit (production dependencies, reported, not failing): 1 high, 1 moderate');
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
    expect(log).toContain('npm audit (production dependencies, reported, not failing): no known advisories');
  });

  it('says the audit did not run when the registry refuses it', () => {
    const { log } = audit(
      {
        message: '405 Method Not Allowed - POST https://registry.npmjs.org/-/npm/v1/security/advisories/bulk',
        error: { summary: '', detail: '' },
      },
      1,
    );
    expect(log).toContain('npm audit (production dependencies): not run — 405 Method Not Allowed');
    expect(log).not.toContain('no known advisories');
  });
});
