/**
 * A Baton process killed with SIGKILL in the middle of writing: the file it leaves opens cleanly
 * (no "moved aside"), and every write the process saw committed is there, whole.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, expect, it } from 'vitest';
import { openStore } from '../../electron/core/store/index.js';

const writer = fileURLToPath(new URL('./storeCrashWriter.ts', import.meta.url));
let dir: string | undefined;
afterEach(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

async function killMidWrites(dbPath: string, afterCommits: number): Promise<number> {
  const child = spawn(process.execPath, ['--import', 'tsx', writer, dbPath], { stdio: ['ignore', 'pipe', 'inherit'] });
  let lastCommitted = -1;
  let buffered = '';
  const exited = new Promise<NodeJS.Signals | null>((resolve) => child.once('exit', (_code, signal) => resolve(signal)));
  await new Promise<void>((resolve, reject) => {
    child.once('exit', () => reject(new Error(`writer exited before ${afterCommits} commits`)));
    child.stdout.on('data', (chunk: Buffer) => {
      buffered += chunk.toString();
      const lines = buffered.split('\n');
      buffered = lines.pop() ?? '';
      for (const line of lines) lastCommitted = Number(line.replace('committed ', ''));
      if (lastCommitted >= afterCommits) {
        child.kill('SIGKILL');
        resolve();
      }
    });
  });
  expect(await exited).toBe('SIGKILL');
  return lastCommitted;
}

it('keeps every committed row and no half batch after SIGKILL mid-writes, three times over', async () => {
  dir = mkdtempSync(join(tmpdir(), 'baton-crash-'));
  const dbPath = join(dir, 'baton.db');
  for (const round of [1, 2, 3]) {
    const acknowledged = await killMidWrites(dbPath, 150 * round);
    const { store, notice } = openStore(dbPath);
    try {
      expect(notice).toBeUndefined();
      // Every batch the writer reported is whole; any later batch that made it is whole too.
      const batches = new Map<number, number>();
      for (let c = 0; c < 7; c++) {
        for (let before: number | undefined = undefined; ;) {
          const page = store.history.list(`c-${c}`, { limit: 500, ...(before !== undefined ? { before } : {}) });
          if (page.length === 0) break;
          for (const entry of page) {
            const batch = Number(entry.id.slice(1, entry.id.indexOf('-')));
            batches.set(batch, (batches.get(batch) ?? 0) + 1);
          }
          before = page[page.length - 1]!.at;
        }
      }
      const highest = Math.max(...batches.keys());
      expect(highest).toBeGreaterThanOrEqual(acknowledged);
      for (let batch = 0; batch <= highest; batch++) expect(batches.get(batch), `batch ${batch}`).toBe(10);
      for (let batch = 0; batch <= acknowledged; batch++) expect(store.dispositions.get(`call-${batch}`)?.code).toBe('resolved');
    } finally {
      store.close();
    }
  }
}, 30_000);
