/**
 * Kamailio does not outlive the process that started its lab, even one killed with SIGKILL (no exit
 * hook runs): the lab's watchdog kills Kamailio's whole process group (main process and workers)
 * once its owner is gone.
 */
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';
import { waitFor } from '../support/waitFor.js';

const OWNER = fileURLToPath(new URL('./labOwner.ts', import.meta.url));

/** Running (not zombie) processes whose process group is `group`: Kamailio's main process and workers. */
function groupMembers(group: number): number[] {
  const members: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    let stat: string;
    try {
      stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
    } catch (error) {
      // The process ended between listing and reading: not a member any more.
      if ((error as NodeJS.ErrnoException).code === 'ENOENT' || (error as NodeJS.ErrnoException).code === 'ESRCH') continue;
      throw error;
    }
    // After the command (in parentheses): state, ppid, pgrp.
    const [state, , pgrp] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    if (Number(pgrp) === group && state !== 'Z') members.push(Number(entry));
  }
  return members;
}

it('a lab owner killed with SIGKILL leaves no Kamailio process behind, within 2 s', async () => {
  const owner = spawn(process.execPath, ['--import', 'tsx', OWNER], { stdio: ['ignore', 'pipe', 'inherit'] });
  const exited = new Promise((resolve) => owner.once('exit', resolve));
  const line = await new Promise<string>((resolve, reject) => {
    createInterface({ input: owner.stdout }).once('line', resolve);
    void exited.then(() => reject(new Error('the lab owner exited before starting its lab')));
  });
  const { pid } = JSON.parse(line) as { pid: number };
  // Kamailio leads its own group: the main process and its workers.
  expect(groupMembers(pid).length).toBeGreaterThan(1);
  owner.kill('SIGKILL');
  await exited;
  await waitFor('no Kamailio process left', () => groupMembers(pid).length === 0 || undefined, 2000);
}, 30_000);
