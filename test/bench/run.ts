/**
 * `npm run bench`: every benchmark in its own process (wrtc must not outlive one), one after
 * another so they do not share the two cores. `npm run bench -- call-setup` runs one.
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';

const BENCHES = ['call-setup', 'store', 'core-rss', 'presence-fanout', 'presence-rls', 'transfer', 'sip-ingress', 'renderer-reload', 'network-blip'];
const here = dirname(fileURLToPath(import.meta.url));
const chosen = process.argv.slice(2).filter((name) => !name.startsWith('-'));
let failed = 0;
for (const name of chosen.length ? chosen : BENCHES) {
  if (!BENCHES.includes(name)) {
    console.error(`unknown bench "${name}"; known: ${BENCHES.join(', ')}`);
    process.exit(2);
  }
  const result = spawnSync(process.execPath, ['--import', 'tsx', join(here, 'one.ts'), name], { stdio: 'inherit' });
  if (result.status !== 0) {
    failed += 1;
    console.error(`bench ${name} failed (exit ${result.status ?? result.signal})`);
  }
}
process.exit(failed ? 1 : 0);
