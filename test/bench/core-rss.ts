/**
 * Memory of the core with a 1,000-user roster: provisioning validated, the store open, the phone
 * registered, our state published and the directory subscribed to all 1,000 colleagues (each
 * confirmed by a NOTIFY). Colleagues are not signed in (the server answers each SUBSCRIBE with an
 * empty NOTIFY): this measures what *our* process holds per watched user, without bots sharing it.
 *
 * Measured honestly: tsx alone adds ~45 MB to a Node process, so the core is compiled with tsc
 * (tsconfig.build.json) into node_modules/.cache and run as plain JS in a child `node --expose-gc`;
 * RSS is that whole process after a forced GC (Electron's main process adds its own runtime on
 * top; this is our share plus Node's). Kamailio runs in the parent's lab. Goal: ≤ 80 MB.
 *
 * The child gets MAIN_PROCESS_V8_FLAGS on its command line, as the packaged main process gets them
 * (`--js-flags` at launch; main relaunches itself with them, shell/launchFlags.ts): a flag set at
 * run time would not size the heap the same way.
 */
import { spawn, spawnSync } from 'node:child_process';
import { MAIN_PROCESS_V8_FLAGS } from '../../electron/core/runtimeFlags.js';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startLab } from '../lab/lab.js';

const ROSTER = Number(process.env.BENCH_ROSTER ?? 1000);
const root = fileURLToPath(new URL('../../', import.meta.url));
const buildDir = join(root, 'node_modules', '.cache', 'baton-bench-core');

/** Plain JS run by the child: the core's public modules only, as main.ts would use them. */
const PROBE = `
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseProvisioning } from './shared/provisioning/index.js';
import { AgentStateDesk, PresenceDirectory } from './electron/core/presence/index.js';
import { Phone } from './electron/core/sip/phone.js';
import { openStore } from './electron/core/store/index.js';
import { createAppLog } from './electron/core/log/index.js';

const [wsUrl, domain, size] = process.argv.slice(2);
const ROSTER = Number(size);
const mb = () => { gc(); gc(); return process.memoryUsage().rss / 1048576; };
const afterImports = mb();
const doc = {
  version: 1,
  sip: { server: wsUrl, domain },
  roster: Array.from({ length: ROSTER }, (_, i) => ({ id: 'agent-' + i, displayName: 'Agent ' + i, sipUri: 'sip:agent-' + i + '@' + domain, team: 'team-' + (i % 20) })),
  outcomes: [{ id: 'other', label: 'Other' }],
  dispositions: [{ id: 'resolved', label: 'Resolved' }],
};
const parsed = parseProvisioning(JSON.stringify(doc), 'bench');
if (!parsed.ok) throw new Error('bench document invalid');
const { store } = openStore(join(mkdtempSync(join(tmpdir(), 'baton-rss-')), 'baton.db'));
// As main runs it: the log files open and the phone logging through them.
const log = createAppLog({ dir: mkdtempSync(join(tmpdir(), 'baton-rss-log-')) }).child('phone');
const phone = new Phone({ server: wsUrl, aor: 'sip:agent-0@' + domain, media: { open: () => Promise.reject(new Error('no media')) }, log: (level, message, detail) => log[level](message, { detail }) });
const desk = new AgentStateDesk(phone, { initial: { kind: 'Ready' }, agentId: 'agent-0', dispositions: store.dispositions });
const directory = new PresenceDirectory(phone, parsed.value.roster, { selfId: 'agent-0', concurrency: 16 });
const t0 = performance.now();
await phone.start();
await desk.published();
while (directory.knownCount() < ROSTER - 1) await new Promise((r) => setTimeout(r, 50));
const subscribedMs = performance.now() - t0;
// Let transactions and their timers finish (SIP.js keeps each for a while): measure the steady state.
await new Promise((r) => setTimeout(r, 10_000));
const loaded = mb();
const heapMb = process.memoryUsage().heapUsed / 1048576;
const heapTotalMb = process.memoryUsage().heapTotal / 1048576;
await phone.stop();
process.stdout.write(JSON.stringify({ afterImports, loaded, heapMb, heapTotalMb, subscribedMs }) + '\\n');
process.exit(0);
`;

interface Probe {
  readonly afterImports: number;
  readonly loaded: number;
  readonly heapMb: number;
  readonly heapTotalMb: number;
  readonly subscribedMs: number;
}

async function probe(wsUrl: string, domain: string): Promise<Probe> {
  const flags = [...MAIN_PROCESS_V8_FLAGS, ...(process.env.BENCH_NODE_FLAGS ?? '').split(' ').filter(Boolean)];
  const child = spawn(process.execPath, ['--expose-gc', ...flags, join(buildDir, 'probe.js'), wsUrl, domain, String(ROSTER)], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  if (code !== 0) throw new Error(`probe exited ${code}`);
  return JSON.parse(out.trim()) as Probe;
}

export async function run(): Promise<void> {
  rmSync(buildDir, { recursive: true, force: true });
  const tsc = spawnSync(
    process.execPath,
    [
      join(root, 'node_modules', 'typescript', 'bin', 'tsc'),
      '-p',
      join(root, 'tsconfig.build.json'),
      '--outDir',
      buildDir,
      '--sourceMap',
      'false',
    ],
    { encoding: 'utf8' },
  );
  if (tsc.error) throw tsc.error; // type errors elsewhere still emit: the probe needs only our modules
  mkdirSync(buildDir, { recursive: true });
  writeFileSync(join(buildDir, 'package.json'), '{"type":"module"}');
  writeFileSync(join(buildDir, 'probe.js'), PROBE);

  const plain = spawnSync(process.execPath, ['--expose-gc', '-e', 'gc(); console.log(process.memoryUsage().rss / 1048576)'], {
    encoding: 'utf8',
  });
  const lab = await startLab();
  const dir = mkdtempSync(join(tmpdir(), 'baton-bench-rss-'));
  try {
    // RSS after GC still moves with how much of V8's heap stays committed (run to run, and with
    // the machine's load): three runs, each a fresh process, and the median is the figure.
    const runs: Probe[] = [];
    for (let i = 0; i < 3; i++) runs.push(await probe(lab.wsUrl, lab.domain));
    for (const r of runs) {
      console.log(
        `  run: subscribed in ${(r.subscribedMs / 1000).toFixed(2)} s; RSS modules ${r.afterImports.toFixed(1)} MB → roster live ${r.loaded.toFixed(1)} MB; V8 heap used ${r.heapMb.toFixed(1)} of ${r.heapTotalMb.toFixed(1)} MB`,
      );
    }
    const median = [...runs].sort((a, b) => a.loaded - b.loaded)[1]!;
    console.log(
      `roster ${ROSTER} (${ROSTER - 1} subscriptions confirmed by NOTIFY), compiled core in plain node after GC: empty node ${Number(plain.stdout).toFixed(1)} MB; median RSS ${median.loaded.toFixed(1)} MB (V8 heap used ${median.heapMb.toFixed(1)} MB)`,
    );
    console.log(`goal core RSS ≤ 80 MB: ${median.loaded <= 80 ? 'met' : 'NOT met'}`);
  } finally {
    await lab.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}
