// Security gate: runs @doyensec/electronegativity over the code Baton ships and fails on any HIGH
// or MEDIUM finding that is not reviewed in the source; then reports `npm audit --omit=dev`, the
// known advisories against the production dependencies (what the packaged app contains).
//
// Why programmatic: the CLI exits 0 whatever it finds. Why in tools/ (its own package.json and
// lockfile, `npm ci --prefix tools`): its TypeScript parser breaks when hoisted beside TypeScript 7.
//
// Why the audit reports and never fails: its answer changes with the advisory database, not with
// the code, so failing on it would turn a green commit red overnight and make no run reproducible;
// and it needs the registry, which offline and loopback-only runs do not reach, and a registry
// without the audit endpoint answers 405: then it says so, here and beside the totals (`note`).
// Every advisory is listed with its package and severity on every run, and counted in the JSON.
//
// Review convention — a comment on the finding's line or in the comment lines directly above it:
//     // electronegativity-reviewed: CHECK_ID — why this is safe here
// The reason is required (at least a few words). A finding without a location (a global check,
// e.g. CSP_GLOBAL_CHECK) is reviewed by such a comment anywhere in the scanned sources.
//
// Usage: node scripts/security-gate.mjs [--json FILE]   FILE receives {"passed":N,"failed":M}
//   passed = 1 for a completed scan; suppressed = each reviewed HIGH/MEDIUM finding (reported apart)
//   failed = each unreviewed HIGH/MEDIUM finding + each file the scanner could not parse
//   auditAdvisories = the audit's count (null: not run); note = its one-line summary, for the totals
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, extname, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const TOOL = join(root, 'tools');
/** What ships in the app (and the renderer it loads). Tests and lab code do not ship. */
const SCANNED = ['electron', 'shared', 'renderer'];
/** The scanner reads only .js/.jsx/.ts/.tsx/.html: module-specific extensions are staged under those. */
const RENAME = { '.cts': '.ts', '.mts': '.ts', '.cjs': '.js', '.mjs': '.js' };
const SOURCE = new Set(['.ts', '.tsx', '.js', '.jsx', '.html', '.htm', ...Object.keys(RENAME)]);
const REVIEW = /electronegativity-reviewed:\s*([A-Z0-9_]+)\s*(?:—|–|-{1,2}|:)\s*(\S.{9,})/g;
const FAIL_AT = 2; // MEDIUM (HIGH is 3)

export async function runGate({ log = console.log } = {}) {
  const runner = loadRunner();
  const staging = mkdtempSync(join(tmpdir(), 'baton-eng-'));
  try {
    const staged = stage(staging);
    const electronVersion = JSON.parse(readFileSync(join(root, 'node_modules', 'electron', 'package.json'), 'utf8')).version;
    const result = await runner(
      {
        input: staging,
        electronVersionOverride: electronVersion,
        isRelative: false,
        severitySet: 'informational',
        confidenceSet: 'tentative',
      },
      false,
    );
    return judge(result, staging, staged, log);
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
}

function loadRunner() {
  const entry = join(TOOL, 'node_modules', '@doyensec', 'electronegativity', 'dist', 'runner.js');
  if (!existsSync(entry)) {
    throw new Error(`electronegativity is not installed. Run:\n  npm ci --prefix tools`);
  }
  const required = createRequire(join(TOOL, 'package.json'))(entry);
  return typeof required === 'function' ? required : required.default;
}

/** Copies the shipped sources into `staging`; returns staged path → original repo path. */
function stage(staging) {
  const staged = new Map();
  const walk = (dir) => {
    for (const name of readdirSync(dir)) {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) {
        if (name !== 'node_modules') walk(path);
        continue;
      }
      const ext = extname(name);
      if (!SOURCE.has(ext)) continue;
      const rel = relative(root, path);
      const target = join(staging, RENAME[ext] ? rel.slice(0, -ext.length) + RENAME[ext] : rel);
      cpSync(path, target);
      staged.set(target, rel);
    }
  };
  for (const dir of SCANNED) if (existsSync(join(root, dir))) walk(join(root, dir));
  cpSync(join(root, 'package.json'), join(staging, 'package.json'));
  return staged;
}

function reviewsIn(text) {
  return [...text.matchAll(REVIEW)].map((m) => ({ id: m[1], reason: m[2].trim() }));
}

function judge(result, staging, staged, log) {
  const original = (file) => staged.get(file) ?? (file.startsWith(staging) ? relative(staging, file).split(sep).join('/') : file);
  const sources = new Map([...staged.values()].map((rel) => [rel, readFileSync(join(root, rel), 'utf8').split('\n')]));
  const anywhere = new Set([...sources.values()].flatMap((lines) => reviewsIn(lines.join('\n')).map((r) => r.id)));

  const reviewed = [];
  const open = [];
  for (const issue of result.issues) {
    const severity = issue.severity?.value ?? 0;
    const where = `${original(issue.file)}:${issue.location?.line ?? 0}`;
    const finding = { id: issue.id, severity: issue.severity?.name ?? '?', where, description: issue.description };
    if (severity < FAIL_AT) {
      log(`  note  ${finding.severity.padEnd(6)} ${finding.id} at ${where}`);
      continue;
    }
    const lines = sources.get(original(issue.file));
    const line = issue.location?.line ?? 0;
    const review =
      lines && line > 0
        ? reviewAt(lines, line, issue.id)
        : anywhere.has(issue.id)
          ? { id: issue.id, reason: '(reviewed in the source)' }
          : undefined;
    if (review) reviewed.push({ ...finding, reason: review.reason });
    else open.push(finding);
  }
  const unparsed = result.errors.filter((e) => !e.tolerable).map((e) => `${original(e.file)}: ${e.message}`);

  for (const f of reviewed) log(`  ok    ${f.severity.padEnd(6)} ${f.id} at ${f.where} — reviewed: ${f.reason}`);
  for (const f of open) log(`  FAIL  ${f.severity.padEnd(6)} ${f.id} at ${f.where} — ${f.description}`);
  for (const e of unparsed) log(`  FAIL  not scanned: ${e}`);
  log(
    `electronegativity: ${result.atomicChecks} atomic + ${result.globalChecks} global checks over ${staged.size} files; ${reviewed.length} reviewed, ${open.length} unreviewed HIGH/MEDIUM, ${unparsed.length} unparsed`,
  );
  // A reviewed finding is a suppression, not a pass: the scan itself is the one thing that passed.
  return { passed: 1, failed: open.length + unparsed.length, reviewed, open, unparsed };
}

const SEVERITIES = ['critical', 'high', 'moderate', 'low', 'info'];

/**
 * `npm audit --omit=dev` over the lockfile: advisories by severity, one line per vulnerable package.
 * Reports only (see the header); `counts` is undefined when the audit could not run. `summary` is
 * the one line the totals repeat beside the closing line, so a run shows whether the audit ran.
 */
export function auditProduction({ log = console.log, timeoutMs = 60_000 } = {}) {
  const run = spawnSync('npm', ['audit', '--omit=dev', '--json'], {
    cwd: root,
    encoding: 'utf8',
    timeout: timeoutMs,
    shell: process.platform === 'win32',
  });
  const audit = describeAudit({ stdout: run.stdout, stderr: run.stderr, status: run.status, error: run.error });
  for (const line of audit.lines) log(line);
  log(audit.summary);
  return audit;
}

/**
 * What one run of `npm audit --json` said, in words: `lines` names each vulnerable package,
 * `summary` counts the advisories by severity, or says why the audit did not run ("registry
 * answered 405 Method Not Allowed": the registry has no audit endpoint; "registry not reachable":
 * offline). `counts` is undefined when it did not run.
 */
export function describeAudit({ stdout = '', stderr = '', status = null, error = undefined }) {
  let report;
  try {
    report = JSON.parse(stdout || 'null');
  } catch {
    report = undefined; // not JSON: npm died before its report; stderr or the exit status says why
  }
  const counts = report?.metadata?.vulnerabilities;
  if (!counts || report.error)
    return { counts: undefined, lines: [], summary: `npm audit: not run — ${whyNotRun(report, stderr, status, error)}` };
  const lines = Object.entries(report.vulnerabilities ?? {}).map(([name, v]) => {
    const titles = (v.via ?? []).map((via) => (typeof via === 'string' ? `via ${via}` : via.title)).join('; ');
    return `  audit ${String(v.severity).padEnd(8)} ${name}@${v.range}: ${titles}${v.fixAvailable ? ' (fix available)' : ''}`;
  });
  const found = SEVERITIES.filter((s) => counts[s]).map((s) => `${counts[s]} ${s}`);
  const summary = found.length
    ? `npm audit: ${found.join(', ')} (advisories against production dependencies; reported, not failing)`
    : 'npm audit: no known advisories against production dependencies';
  return { counts, lines, summary };
}

function whyNotRun(report, stderr, status, error) {
  const message = String(report?.error?.summary || report?.message || '');
  const http = /^(\d{3}) ([^-]+?)(?: - |$)/.exec(message);
  if (http) return `registry answered ${http[1]} ${http[2].trim()}`;
  const unreachable = /request to \S+ failed, reason: (.+)$/.exec(message);
  if (unreachable) return `registry not reachable (${unreachable[1].trim()})`;
  if (message) return message;
  if (error) return `npm could not be run (${error.message})`;
  return stderr.trim().split('\n').pop() || `npm exited ${status}`;
}

/** A review for `id` on the finding's line, or in the unbroken run of comment lines above it. */
function reviewAt(lines, line, id) {
  const here = reviewsIn(lines[line - 1] ?? '').find((r) => r.id === id);
  if (here) return here;
  for (let i = line - 2; i >= 0; i--) {
    const text = lines[i].trim();
    if (!(text.startsWith('//') || text.startsWith('*') || text.startsWith('/*'))) break;
    const found = reviewsIn(text).find((r) => r.id === id);
    if (found) return found;
  }
  return undefined;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const jsonAt = process.argv.indexOf('--json');
  const out = jsonAt > 0 ? process.argv[jsonAt + 1] : undefined;
  let summary;
  try {
    summary = await runGate();
  } catch (error) {
    console.error(`security gate: ${error instanceof Error ? error.message : String(error)}`);
    summary = { passed: 0, failed: 1 };
  }
  const audit = auditProduction();
  const advisories = audit.counts ? SEVERITIES.reduce((n, s) => n + (audit.counts[s] ?? 0), 0) : null;
  if (out)
    writeFileSync(
      out,
      JSON.stringify({
        passed: summary.passed,
        failed: summary.failed,
        suppressed: summary.reviewed?.length ?? 0,
        auditAdvisories: advisories,
        // Repeated by scripts/totals.mjs beside the closing line: an audit that did not run is seen.
        note: audit.summary,
      }),
    );
  process.exit(summary.failed === 0 ? 0 : 1);
}
