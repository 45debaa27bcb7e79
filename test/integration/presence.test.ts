/**
 * Presence through the real Kamailio: several agents, each with the agent-state desk (PUBLISH)
 * and the directory (one SUBSCRIBE per roster user).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { AgentStatus } from '../../shared/agentState.js';
import { startLab, type Lab } from '../lab/lab.js';
import { waitFor } from '../support/waitFor.js';
import { rosterOf, startPresenceAgent, type PresenceAgent } from './presenceAgents.js';

const NAMES = ['alice', 'bob', 'carol', 'dave'];
let lab: Lab;
const running: PresenceAgent[] = [];
const children: ChildProcess[] = [];

/**
 * Stopgap until the lab config sets it (asked for in the issue note): Kamailio's presence module
 * removes expired publications — and tells watchers — only every `clean_period` seconds (default
 * 100), far too slow for a test of a crashed agent.
 */
async function shortenPresenceCleanPeriod(target: Lab, seconds: number): Promise<void> {
  const cfgPath = join(target.runDir, 'kamailio.cfg');
  const cfg = readFileSync(cfgPath, 'utf8');
  if (cfg.includes('"clean_period"')) return;
  writeFileSync(
    cfgPath,
    cfg.replace(
      'modparam("presence", "publ_cache", 2)',
      `modparam("presence", "publ_cache", 2)\nmodparam("presence", "clean_period", ${seconds})`,
    ),
  );
  await target.restart();
}

beforeAll(async () => {
  lab = await startLab();
  await shortenPresenceCleanPeriod(lab, 1);
});

afterEach(async () => {
  for (const child of children.splice(0)) child.kill('SIGKILL');
  await Promise.all(running.splice(0).map((a) => a.stop()));
});

afterAll(async () => {
  await lab?.stop();
});

const roster = () => rosterOf(lab, NAMES);

async function agent(name: string): Promise<PresenceAgent> {
  const a = await startPresenceAgent(lab, name, roster());
  running.push(a);
  return a;
}

function statusAt(watcher: PresenceAgent, of: string): AgentStatus | undefined {
  const entry = watcher.directory.entry(of);
  return entry?.known ? entry.status : undefined;
}

function sees(watcher: PresenceAgent, of: string, expected: AgentStatus, timeoutMs = 3000): Promise<unknown> {
  return waitFor(
    `${watcher.name} to see ${of} ${JSON.stringify(expected)} (now ${JSON.stringify(statusAt(watcher, of))})`,
    () => JSON.stringify(statusAt(watcher, of)) === JSON.stringify(expected),
    timeoutMs,
  );
}

describe('a live directory', () => {
  it("shows each colleague's state change to every watcher, in transfer order", async () => {
    const [alice, bob, carol] = await Promise.all([agent('alice'), agent('bob'), agent('carol')]);
    await sees(alice, 'bob', { kind: 'Ready' });
    await sees(carol, 'bob', { kind: 'Ready' });
    await sees(bob, 'alice', { kind: 'Ready' });
    // dave never signed in: known (the server answered) and Offline.
    await waitFor('dave known at alice', () => alice.directory.entry('dave')?.known);
    expect(alice.directory.entry('dave')?.status).toEqual({ kind: 'Offline' });
    expect(alice.directory.entries().map((e) => e.user.id)).toEqual(['bob', 'carol', 'dave']);

    bob.desk.choose({ kind: 'NotReady', reason: 'Lunch & <coffee>' });
    await sees(alice, 'bob', { kind: 'NotReady', reason: 'Lunch & <coffee>' });
    await sees(carol, 'bob', { kind: 'NotReady', reason: 'Lunch & <coffee>' });
    expect(alice.directory.entries().map((e) => [e.user.id, e.recommended])).toEqual([
      ['carol', true],
      ['bob', false],
      ['dave', false],
    ]);

    bob.desk.callStarted('call-1');
    await sees(alice, 'bob', { kind: 'OnCall' });
    bob.desk.callEnded('call-1', true);
    await sees(alice, 'bob', { kind: 'Dispositioning' });
    expect(alice.directory.entry('bob')?.recommended).toBe(true);
    bob.desk.fileDisposition('call-1', 'resolved', '');
    // Back to what bob chose before the call.
    await sees(alice, 'bob', { kind: 'NotReady', reason: 'Lunch & <coffee>' });
  });

  it('a burst of changes ends on the last one at every watcher (newest publication wins)', async () => {
    const [alice, bob] = await Promise.all([agent('alice'), agent('bob')]);
    await sees(alice, 'bob', { kind: 'Ready' });
    for (const reason of ['a', 'b', 'c', 'd']) bob.desk.choose({ kind: 'NotReady', reason });
    bob.desk.choose({ kind: 'Ready' });
    bob.desk.choose({ kind: 'NotReady', reason: 'final' });
    await sees(alice, 'bob', { kind: 'NotReady', reason: 'final' });
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(statusAt(alice, 'bob')).toEqual({ kind: 'NotReady', reason: 'final' });
  });

  it('signing out unpublishes: watchers see Offline at once', async () => {
    const [alice, carol] = await Promise.all([agent('alice'), agent('carol')]);
    await sees(alice, 'carol', { kind: 'Ready' });
    const started = Date.now();
    await carol.stop();
    running.splice(running.indexOf(carol), 1);
    await sees(alice, 'carol', { kind: 'Offline' }, 2000);
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it('a crashed agent (killed, no unpublish) ends Offline when its publication expires', async () => {
    const alice = await agent('alice');
    const script = fileURLToPath(new URL('./presenceCrashAgent.ts', import.meta.url));
    const child = spawn(process.execPath, ['--import', 'tsx', script, lab.wsUrl, lab.domain, 'dave', '4'], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    children.push(child);
    await waitFor(
      'dave to publish',
      () => new Promise<boolean>((resolve) => child.stdout.once('data', (d: Buffer) => resolve(d.toString().includes('published')))),
      15_000,
    );
    await sees(alice, 'dave', { kind: 'Ready' });
    child.kill('SIGKILL');
    const killedAt = Date.now();
    // Expires 4 s, the server sweeps every second: Offline well within 10 s, and not before expiry.
    await sees(alice, 'dave', { kind: 'Offline' }, 10_000);
    expect(Date.now() - killedAt).toBeGreaterThan(2000);
  }, 30_000);

  it('a live agent refreshes its publication before it expires: it stays visible past Expires', async () => {
    const alice = await agent('alice');
    const bob = await startPresenceAgent(lab, 'bob', roster(), { publishExpiresSec: 3 });
    running.push(bob);
    await sees(alice, 'bob', { kind: 'Ready' });
    const offline: number[] = [];
    alice.directory.events.on('entry', (e) => e.user.id === 'bob' && e.status.kind === 'Offline' && offline.push(Date.now()));
    // Three Expires periods, with the server sweeping expired publications every second.
    await new Promise((resolve) => setTimeout(resolve, 8000));
    expect(offline).toEqual([]);
    expect(statusAt(alice, 'bob')).toEqual({ kind: 'Ready' });
  }, 20_000);

  it('a watcher refreshes its subscriptions: changes still arrive after several Expires periods', async () => {
    const alice = await startPresenceAgent(lab, 'alice', roster(), { subscribeExpiresSec: 2 });
    running.push(alice);
    const bob = await agent('bob');
    await sees(alice, 'bob', { kind: 'Ready' });
    const seen: string[] = [];
    alice.directory.events.on('entry', (e) => e.user.id === 'bob' && seen.push(e.status.kind));
    await new Promise((resolve) => setTimeout(resolve, 5000));
    bob.desk.choose({ kind: 'NotReady', reason: 'Meeting' });
    await sees(alice, 'bob', { kind: 'NotReady', reason: 'Meeting' });
    // No flicker through Offline on the way (an expired subscription would read as nothing published).
    expect(seen).toEqual(['NotReady']);
  }, 20_000);

  it('recovers after Kamailio restarts: states are published and watched again', async () => {
    const [alice, bob] = await Promise.all([agent('alice'), agent('bob')]);
    bob.desk.choose({ kind: 'NotReady', reason: 'Training' });
    await sees(alice, 'bob', { kind: 'NotReady', reason: 'Training' });
    await lab.kill();
    await waitFor('alice to notice', () => !alice.directory.live, 5000);
    await lab.restart();
    await waitFor(
      'both to re-register',
      () => alice.phone.registration === 'registered' && bob.phone.registration === 'registered',
      10_000,
    );
    // The restarted server knew nothing: bob's state reaches alice only if bob republished and
    // alice subscribed again.
    await sees(alice, 'bob', { kind: 'NotReady', reason: 'Training' }, 5000);
    bob.desk.choose({ kind: 'Ready' });
    await sees(alice, 'bob', { kind: 'Ready' });
  }, 30_000);
});
