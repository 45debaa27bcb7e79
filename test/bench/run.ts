/**
 * `npm run bench`: every benchmark in its own process (wrtc must not outlive one), one after
 * another so they do not share the two cores. `npm run bench -- call-setup` runs one.
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';

const BENCHES = [
  'call-setup',
  'store',
  'core-rss',
  'presence-fanout',
  'presence-rls',
  'transfer',
  'sip-ingress',
  'renderer-reload',
  'network-blip',
  'ui',
  'soak',
];
const here = dirname(fileURLToPath(import.meta.url));
// `--name value` options go to the benches (`soak --n 50`); the other words name benches.
const args = process.argv.slice(2);
const options = args.flatMap((arg, i) =>
  arg.startsWith('--') ? [arg, ...(args[i + 1] !== undefined && !args[i + 1]?.startsWith('-') ? [args[i + 1] ?? ''] : [])] : [],
);
const chosen = args.filter((arg, i) => !arg.startsWith('-') && !(args[i - 1]?.startsWith('--') ?? false));
let failed = 0;
for (const name of chosen.length ? chosen : BENCHES) {
  if (!BENCHES.includes(name)) {
    console.error(`unknown bench "${name}"; known: ${BENCHES.join(', ')}`);
    process.exit(2);
  }
  const result = spawnSync(process.execPath, ['--import', 'tsx', join(here, 'one.ts'), name, ...options], { stdio: 'inherit' });
  if (result.status !== 0) {
    failed += 1;
    console.error(`bench ${name} failed (exit ${result.status ?? result.signal})`);
  }
}
process.exit(failed ? 1 : 0);
