/**
 * A process that starts a lab, prints Kamailio's pid and waits to be killed: labWatchdog.test.ts
 * kills it with SIGKILL, which runs no exit hook, and checks its Kamailio goes too.
 */
import { readFileSync } from 'node:fs';
import { startLab } from '../lab/lab.js';

const lab = await startLab();
const pid = Number(readFileSync(`${lab.runDir}/kamailio.pid`, 'utf8'));
console.log(JSON.stringify({ pid, runDir: lab.runDir }));
// Kept alive until killed.
setInterval(() => {}, 60_000);
