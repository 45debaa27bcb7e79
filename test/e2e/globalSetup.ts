/**
 * Before any worker starts: the production renderer bundle is built if missing or older than its
 * sources, and the fake microphone's recording exists.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { BUNDLE_DIR, FAKE_MIC_HZ, FAKE_MIC_WAV, REPO_ROOT } from './harness/paths.js';
import { writeSpeechLikeWav } from './harness/fakeMicrophone.js';

const SOURCES = ['renderer', 'shared', 'vite.config.ts', 'package-lock.json'];

export default function globalSetup(): void {
  writeSpeechLikeWav(FAKE_MIC_WAV, FAKE_MIC_HZ);
  const built = join(BUNDLE_DIR, 'index.html');
  const builtAt = existsSync(built) ? statSync(built).mtimeMs : 0;
  const newest = Math.max(...SOURCES.map((s) => newestMtime(join(REPO_ROOT, s))));
  if (process.env.BATON_E2E_SKIP_BUILD === '1' && builtAt > 0) return;
  if (builtAt >= newest) return;
  // The UI's vite.config.ts builds renderer/ into dist/renderer. Until it exists, the same by flags.
  const args = existsSync(join(REPO_ROOT, 'vite.config.ts'))
    ? ['vite', 'build', '--logLevel', 'warn']
    : ['vite', 'build', 'renderer', '--outDir', BUNDLE_DIR, '--emptyOutDir', '--logLevel', 'warn'];
  const started = Date.now();
  const result = spawnSync('npx', args, { cwd: REPO_ROOT, stdio: 'inherit' });
  if (result.status !== 0) throw new Error(`npx ${args.join(' ')} failed (exit ${result.status ?? result.signal})`);
  if (!existsSync(built)) throw new Error(`npx ${args.join(' ')} produced no ${built}`);
  console.log(`» renderer bundle built in ${Date.now() - started} ms`);
}

function newestMtime(path: string): number {
  if (!existsSync(path)) return 0;
  const info = statSync(path);
  if (!info.isDirectory()) return info.mtimeMs;
  let newest = info.mtimeMs;
  for (const entry of readdirSync(path)) {
    if (entry === 'node_modules') continue;
    newest = Math.max(newest, newestMtime(join(path, entry)));
  }
  return newest;
}
