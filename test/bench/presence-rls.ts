/**
 * Subscriptions to the roster, one per user or one RLS list: both measured at 500 users, to choose.
 * This bench runs both strategies against the lab Kamailio with the same raw WebSocket watcher, so
 * the comparison is of the strategy, not of the SIP stack:
 *
 *  - per-user: the watcher sends one SUBSCRIBE (Event: presence) per bot, 16 in flight.
 *  - rls: the watcher sends one SUBSCRIBE (Supported: eventlist) to a resource-list URI covering
 *    all bots; Kamailio's rls module (lab option `rls`) subscribes to every member itself and sends
 *    multipart/related NOTIFYs (RLMI + one PIDF per resource), batched every `waitn_time` (1 s).
 *
 * Each mode gets a fresh lab and fresh bots (500 raw WebSocket agents that PUBLISH their PIDF).
 * Measured per mode: time until the watcher knows all bots, bytes and count of NOTIFYs, the
 * watcher's CPU spent parsing and its event-loop delay, Kamailio's CPU; then a stream of state
 * changes (one bot PUBLISH every BENCH_CHANGE_GAP_MS) → the watcher parsed it (p50/p99).
 * `test/bench/presence-fanout.ts` measures the same per-user directory with the real core (SIP.js).
 *
 * The multipart/RLMI reader here is deliberately minimal (bench only; not for electron/core).
 *
 * Knobs: BENCH_BOTS, BENCH_CHANGES, BENCH_CHANGE_GAP_MS, BENCH_MODES=per-user,rls, BENCH_TRACE=1
 * (one line per list NOTIFY), BENCH_RLS_MAX_BODY (rls max_notify_body_length; 0 = Kamailio's
 * default, which never delivered the 500-member list here), BENCH_EXTRA_WATCHERS (more agents
 * watching all bots the same way first; 20 RLS watchers exhausted Kamailio's 256 MB shm here),
 * BENCH_KNOWN_TIMEOUT_MS, BENCH_LOG_LEVEL.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import WebSocket from 'ws';
import type { AgentStatus } from '../../shared/agentState.js';
import { buildPidf, parsePidf } from '../../electron/core/presence/index.js';
import { startLab, type Lab } from '../lab/lab.js';
import { bestEffort } from '../lab/bestEffort.js';
import { waitFor, within } from '../support/waitFor.js';
import { ms, summarize } from './stats.js';

const BOTS = Number(process.env.BENCH_BOTS ?? 500);
const CHANGES = Number(process.env.BENCH_CHANGES ?? 200);
const CHANGE_GAP_MS = Number(process.env.BENCH_CHANGE_GAP_MS ?? 25);
const IN_FLIGHT = 16;
/** Other agents watching the same 500 the same way, set up before the measured watcher (load on Kamailio). */
const EXTRA_WATCHERS = Number(process.env.BENCH_EXTRA_WATCHERS ?? 0);
const KNOWN_TIMEOUT_MS = Number(process.env.BENCH_KNOWN_TIMEOUT_MS ?? 120_000);
const MODES = (process.env.BENCH_MODES ?? 'per-user,rls').split(',').map((m) => m.trim()) as Mode[];
const LIST = 'roster';
const TRACE = process.env.BENCH_TRACE === '1';
/** rls `max_notify_body_length` to try instead of the lab's 48000 (0 = Kamailio's default, no limit). */
const MAX_BODY = process.env.BENCH_RLS_MAX_BODY !== undefined ? Number(process.env.BENCH_RLS_MAX_BODY) : undefined;
let traceZero = 0;
const WATCHER = 'watcher';

type Mode = 'per-user' | 'rls';

const token = () => randomBytes(6).toString('hex');

interface Received {
  readonly head: readonly string[];
  readonly body: string;
  readonly bytes: number;
  readonly at: number;
  header(name: string): string | undefined;
}

/** One raw WebSocket SIP endpoint: requests out, 200 to every NOTIFY, responses matched by Call-ID + CSeq. */
class Endpoint {
  private socket: WebSocket | undefined;
  private cseq = 1;
  private etag: string | undefined;
  private readonly publishCallId = `${token()}@bench`;
  private readonly waiting = new Map<string, (status: number, message: Received) => void>();
  onNotify: ((message: Received) => void) | undefined;
  failures: string[] = [];
  sentBytes = 0;

  constructor(
    private readonly lab: Lab,
    readonly name: string,
  ) {}

  get aor(): string {
    return `sip:${this.name}@${this.lab.domain}`;
  }

  get published(): boolean {
    return this.etag !== undefined;
  }

  connect(): Promise<void> {
    return new Promise((resolve, reject) => {
      const socket = new WebSocket(this.lab.wsUrl, 'sip', { perMessageDeflate: false });
      this.socket = socket;
      socket.once('open', () => resolve());
      socket.once('error', reject);
      // After the handshake a reset must not crash the bench: it is counted as a failure.
      socket.on('error', (error) => this.failures.push(`${this.name} socket: ${error.message}`));
      socket.on('message', (data: Buffer) => this.receive(data));
    });
  }

  publish(status: AgentStatus): void {
    const body = buildPidf(this.aor, status, new Date());
    const headers = [`Event: presence`, `Expires: 3600`, `Content-Type: application/pidf+xml`];
    if (this.etag !== undefined) headers.push(`SIP-If-Match: ${this.etag}`);
    void this.request('PUBLISH', this.aor, this.publishCallId, headers, body);
  }

  /** Resolves with the final status code. */
  subscribe(target: string, extra: readonly string[] = []): Promise<number> {
    const headers = [`Event: presence`, `Expires: 3600`, `Contact: <sip:${this.name}@${this.name}.invalid;transport=ws>`, ...extra];
    if (!extra.some((h) => h.startsWith('Accept:'))) headers.push(`Accept: application/pidf+xml`);
    return this.request('SUBSCRIBE', target, `${token()}@bench`, headers, '');
  }

  close(): void {
    this.socket?.terminate();
  }

  private request(method: string, ruri: string, callId: string, headers: readonly string[], body: string): Promise<number> {
    const cseq = this.cseq++;
    const text = [
      `${method} ${ruri} SIP/2.0`,
      `Via: SIP/2.0/WS ${this.name}.invalid;branch=z9hG4bK${token()}`,
      `Max-Forwards: 70`,
      `From: <${this.aor}>;tag=${token()}`,
      `To: <${ruri}>`,
      `Call-ID: ${callId}`,
      `CSeq: ${cseq} ${method}`,
      ...headers,
      `Content-Length: ${Buffer.byteLength(body)}`,
      '',
      body,
    ].join('\r\n');
    this.sentBytes += Buffer.byteLength(text);
    return new Promise((resolve) => {
      this.waiting.set(`${callId} ${cseq}`, (status, message) => {
        if (method === 'PUBLISH' && status < 300) this.etag = message.header('SIP-ETag') ?? this.etag;
        if (status >= 300) this.failures.push(`${method} ${ruri} → ${status}`);
        resolve(status);
      });
      this.socket?.send(text);
    });
  }

  private receive(data: Buffer): void {
    const at = performance.now();
    const text = data.toString('utf8');
    const split = text.indexOf('\r\n\r\n');
    const head = (split >= 0 ? text.slice(0, split) : text).split('\r\n');
    const body = split >= 0 ? text.slice(split + 4) : '';
    const header = (name: string) => headerOf(head, name);
    const message: Received = { head, body, bytes: data.length, at, header };
    const first = head[0] ?? '';
    if (first.startsWith('SIP/2.0 ')) {
      const status = Number(first.split(' ')[1]);
      if (status < 200) return;
      const key = `${header('Call-ID') ?? header('i')} ${(header('CSeq') ?? '').split(' ')[0]}`;
      const done = this.waiting.get(key);
      this.waiting.delete(key);
      done?.(status, message);
      return;
    }
    if (!first.startsWith('NOTIFY ')) return;
    const copied = head.filter((line) => /^(via|v|from|f|to|t|call-id|i|cseq):/i.test(line));
    this.socket?.send(['SIP/2.0 200 OK', ...copied, 'Content-Length: 0', '', ''].join('\r\n'));
    this.onNotify?.(message);
  }
}

function headerOf(head: readonly string[], name: string): string | undefined {
  const lower = `${name.toLowerCase()}:`;
  return head
    .find((line) => line.toLowerCase().startsWith(lower))
    ?.slice(lower.length)
    .trim();
}

// ---- minimal multipart/related + RLMI reader (RFC 2387, RFC 4662) ---------------------------------

interface ListReading {
  readonly fullState: boolean;
  readonly version: number;
  /** Resource URI → status, for resources whose instance carried a PIDF part. */
  readonly statuses: Map<string, AgentStatus>;
  /** Resources listed in the RLMI document (with or without a body). */
  readonly resources: number;
}

function param(value: string, name: string): string | undefined {
  const match = new RegExp(`(?:^|;)\\s*${name}\\s*=\\s*(?:"([^"]*)"|([^;\\s]+))`, 'i').exec(value);
  return match?.[1] ?? match?.[2];
}

function attr(tag: string, name: string): string | undefined {
  return new RegExp(`\\s${name}\\s*=\\s*"([^"]*)"`).exec(tag)?.[1] ?? new RegExp(`\\s${name}\\s*=\\s*'([^']*)'`).exec(tag)?.[1];
}

function readList(contentType: string, body: string): ListReading {
  const boundary = param(contentType, 'boundary');
  if (!/^multipart\/related/i.test(contentType) || boundary === undefined) throw new Error(`not multipart/related: ${contentType}`);
  const parts = new Map<string, { type: string; body: string }>();
  let rlmi: string | undefined;
  for (const chunk of body.split(`--${boundary}`).slice(1)) {
    if (chunk.startsWith('--')) break;
    const text = chunk.replace(/^\r\n/, '');
    const split = text.indexOf('\r\n\r\n');
    if (split < 0) continue;
    const head = text.slice(0, split).split('\r\n');
    const partBody = text.slice(split + 4).replace(/\r\n$/, '');
    const type = headerOf(head, 'Content-Type') ?? '';
    const id = (headerOf(head, 'Content-ID') ?? '').replace(/^<|>$/g, '');
    if (/application\/rlmi\+xml/i.test(type)) rlmi = partBody;
    else parts.set(id, { type, body: partBody });
  }
  if (rlmi === undefined) throw new Error('no RLMI part');
  const listTag = /<list\b[^>]*>/.exec(rlmi)?.[0] ?? '';
  const statuses = new Map<string, AgentStatus>();
  let resources = 0;
  for (const match of rlmi.matchAll(/<resource\b([^>]*)>([\s\S]*?)<\/resource>|<resource\b([^>]*)\/>/g)) {
    resources += 1;
    const uri = attr(` ${match[1] ?? match[3] ?? ''}`, 'uri');
    const inner = match[2] ?? '';
    if (uri === undefined) continue;
    for (const instance of inner.matchAll(/<instance\b[^>]*>/g)) {
      const cid = attr(instance[0], 'cid');
      const part = cid !== undefined ? parts.get(cid) : undefined;
      if (part === undefined) continue;
      const reading = parsePidf(part.body);
      if (reading.kind === 'status') statuses.set(uri, reading.status);
    }
  }
  return { fullState: attr(listTag, 'fullState') === 'true', version: Number(attr(listTag, 'version') ?? -1), statuses, resources };
}

// ---- the watcher: one connection, either strategy -------------------------------------------------

class Watcher {
  readonly known = new Map<string, AgentStatus>();
  notifies = 0;
  bytes = 0;
  maxBytes = 0;
  parseMs = 0;
  firstFullStateAt: number | undefined;
  unreadable = 0;
  onStatus: ((uri: string, status: AgentStatus, at: number) => void) | undefined;

  constructor(
    readonly endpoint: Endpoint,
    private readonly mode: Mode,
  ) {
    endpoint.onNotify = (message) => this.notified(message);
  }

  resetCounters(): void {
    this.notifies = 0;
    this.bytes = 0;
    this.maxBytes = 0;
    this.parseMs = 0;
  }

  private notified(message: Received): void {
    this.notifies += 1;
    this.bytes += message.bytes;
    this.maxBytes = Math.max(this.maxBytes, message.bytes);
    const t0 = performance.now();
    try {
      if (this.mode === 'rls') {
        const reading = readList(message.header('Content-Type') ?? message.header('c') ?? '', message.body);
        if (TRACE)
          console.log(
            `  NOTIFY ${message.bytes} B, version ${reading.version}, fullState ${reading.fullState}, ${reading.resources} resources, ${reading.statuses.size} with PIDF, +${(message.at - traceZero).toFixed(0)} ms`,
          );
        if (reading.fullState && this.firstFullStateAt === undefined) this.firstFullStateAt = message.at;
        for (const [uri, status] of reading.statuses) this.set(uri, status, message.at);
      } else {
        const from = /<([^>]+)>/.exec(message.header('From') ?? message.header('f') ?? '')?.[1];
        const reading = parsePidf(message.body);
        if (from !== undefined && reading.kind === 'status') this.set(from, reading.status, message.at);
        else this.unreadable += 1;
      }
    } catch (error) {
      this.unreadable += 1;
      if (this.unreadable <= 3) console.error(`unreadable NOTIFY: ${String(error)}`);
    }
    this.parseMs += performance.now() - t0;
  }

  private set(uri: string, status: AgentStatus, at: number): void {
    this.known.set(uri, status);
    this.onStatus?.(uri, status, at);
  }
}

// ---- Kamailio CPU (all processes of the lab's group) ----------------------------------------------

function kamailioCpuMs(lab: Lab): number {
  let group: number;
  try {
    group = Number(readFileSync(join(lab.runDir, 'kamailio.pid'), 'utf8').trim());
  } catch {
    // No pid file, no reading: NaN prints as "not measured" in the table rather than a false zero.
    return Number.NaN;
  }
  let ticks = 0;
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      // After "pid (comm) ": state ppid pgrp … utime is field 14, stime 15 (1-based, whole line).
      if (Number(fields[2]) !== group) continue;
      ticks += Number(fields[11]) + Number(fields[12]);
    } catch (error) {
      // A process that went away between the listing and the read (ENOENT, ESRCH) has no ticks left to count.
      const code = (error as NodeJS.ErrnoException).code;
      if (code !== 'ENOENT' && code !== 'ESRCH') throw error;
    }
  }
  return ticks * 10; // USER_HZ = 100 on Linux.
}

// ---- one mode -------------------------------------------------------------------------------------

interface ModeResult {
  readonly mode: Mode;
  readonly subscribeBytes: number;
  readonly subscribes: number;
  readonly firstFullStateMs: number | undefined;
  readonly allKnownMs: number;
  readonly initialNotifies: number;
  readonly initialBytes: number;
  readonly initialMaxBytes: number;
  readonly initialParseMs: number;
  readonly initialLoopP99: number;
  readonly initialLoopMax: number;
  readonly initialKamailioCpuMs: number;
  readonly changeLatencies: number[];
  readonly changeNotifies: number;
  readonly changeBytes: number;
  readonly changeMaxBytes: number;
  readonly changeParseMs: number;
  readonly changeLoopP99: number;
  readonly changeKamailioCpuMs: number;
  readonly missed: number;
  readonly failures: string[];
}

async function withMaxNotifyBody(lab: Lab, bytes: number): Promise<void> {
  const cfgPath = join(lab.runDir, 'kamailio.cfg');
  const cfg = readFileSync(cfgPath, 'utf8');
  writeFileSync(cfgPath, cfg.replace(/"max_notify_body_length", \d+/, `"max_notify_body_length", ${bytes}`));
  await lab.restart();
}

async function inBatches<T>(items: readonly T[], size: number, fn: (item: T) => Promise<void>): Promise<void> {
  for (let i = 0; i < items.length; i += size) await Promise.all(items.slice(i, i + size).map(fn));
}

async function runMode(mode: Mode): Promise<ModeResult> {
  const names = Array.from({ length: BOTS }, (_, i) => `bot-${i}`);
  const logLevel = Number(process.env.BENCH_LOG_LEVEL ?? 1);
  const watcherNames = [WATCHER, ...Array.from({ length: EXTRA_WATCHERS }, (_, k) => `${WATCHER}-x${k}`)];
  const lists = watcherNames.map((owner) => ({ name: owner === WATCHER ? LIST : `${LIST}-${owner}`, owner, members: names }));
  const lab = await startLab(mode === 'rls' ? { logLevel, rls: { lists } } : { logLevel });
  if (mode === 'rls' && MAX_BODY !== undefined) await withMaxNotifyBody(lab, MAX_BODY);
  const bots = names.map((name) => new Endpoint(lab, name));
  const endpoint = new Endpoint(lab, WATCHER);
  const watcher = new Watcher(endpoint, mode);
  const extraEndpoints = lists.slice(1).map((list) => new Endpoint(lab, list.owner));
  try {
    await inBatches(bots, 50, (bot) => bot.connect());
    for (const bot of bots) bot.publish({ kind: 'Ready' });
    await waitFor('every bot published', () => bots.every((bot) => bot.published), 30_000, 10);
    await endpoint.connect();
    const extras = lists.slice(1).map((list, k) => ({ list, watcher: new Watcher(extraEndpoints[k]!, mode) }));
    if (extras.length > 0) {
      const x0 = performance.now();
      const xcpu = kamailioCpuMs(lab);
      for (const extra of extras) {
        await extra.watcher.endpoint.connect();
        if (mode === 'rls') {
          await within(
            'extra list SUBSCRIBE',
            extra.watcher.endpoint.subscribe(`sip:${extra.list.name}@${lab.domain}`, [
              'Supported: eventlist',
              'Accept: multipart/related, application/rlmi+xml, application/pidf+xml',
            ]),
            10_000,
          );
        } else {
          await inBatches(bots, IN_FLIGHT, async (bot) => {
            await extra.watcher.endpoint.subscribe(bot.aor);
          });
        }
      }
      await waitFor(
        `${extras.length} extra watchers know all`,
        () => extras.every((x) => x.watcher.known.size === BOTS),
        KNOWN_TIMEOUT_MS,
        20,
      ).catch((error: unknown) => {
        const known = extras.map((x) => x.watcher.known.size);
        throw new Error(`${String(error)}; known: ${known.join(',')}; Kamailio log tail:\n${lab.log().slice(-3000)}`);
      });
      console.log(
        `${mode}: ${extras.length} extra watchers know all ${BOTS} after ${ms(performance.now() - x0)}; Kamailio CPU ${ms(kamailioCpuMs(lab) - xcpu)}`,
      );
      await new Promise((resolve) => setTimeout(resolve, 2_000));
    }

    // 1. Initial: until the watcher knows every bot.
    const loop = monitorEventLoopDelay({ resolution: 5 });
    const cpu0 = kamailioCpuMs(lab);
    loop.enable();
    const s0 = performance.now();
    traceZero = s0;
    if (mode === 'rls') {
      // rls sends no reply at all when it fails (see the log), hence the time limit.
      const status = await within(
        'the list SUBSCRIBE to be answered',
        endpoint.subscribe(`sip:${LIST}@${lab.domain}`, [
          'Supported: eventlist',
          'Accept: multipart/related, application/rlmi+xml, application/pidf+xml',
        ]),
        10_000,
      ).catch((error: unknown) => {
        throw new Error(`${String(error)}; Kamailio log tail:\n${lab.log().slice(-3000)}`);
      });
      if (status !== 200) throw new Error(`list SUBSCRIBE answered ${status}\n${lab.log().slice(-3000)}`);
    } else {
      await inBatches(bots, IN_FLIGHT, async (bot) => {
        await endpoint.subscribe(bot.aor);
      });
    }
    const subscribeBytes = endpoint.sentBytes;
    try {
      await waitFor(`watcher knows all ${BOTS} (${mode})`, () => watcher.known.size === BOTS, KNOWN_TIMEOUT_MS, 5);
    } catch (error) {
      console.error(
        `${mode}: known ${watcher.known.size}/${BOTS}, NOTIFYs ${watcher.notifies}, unreadable ${watcher.unreadable}; Kamailio log tail:\n${lab.log().slice(-4000)}`,
      );
      throw error;
    }
    const allKnownMs = performance.now() - s0;
    loop.disable();
    const cpu1 = kamailioCpuMs(lab);
    const initial = { notifies: watcher.notifies, bytes: watcher.bytes, maxBytes: watcher.maxBytes, parseMs: watcher.parseMs };
    // Let stragglers (rls batches, late NOTIFYs) settle before measuring changes.
    await new Promise((resolve) => setTimeout(resolve, 2_000));

    // 2. A stream of state changes, one bot PUBLISH every CHANGE_GAP_MS.
    watcher.resetCounters();
    const pending = new Map<string, { uri: string; start: number }>();
    const latencies: number[] = [];
    watcher.onStatus = (uri, status, at) => {
      if (status.kind !== 'NotReady') return;
      const change = pending.get(status.reason);
      if (change === undefined || change.uri !== uri) return;
      // A batched list NOTIFY may carry only the newest of several changes of one user: the
      // older ones are superseded, and seen as of now.
      for (const [reason, older] of pending) {
        if (older.uri === uri && older.start <= change.start) {
          pending.delete(reason);
          latencies.push(at - older.start);
        }
      }
    };
    const loop2 = monitorEventLoopDelay({ resolution: 5 });
    loop2.enable();
    const cpu2 = kamailioCpuMs(lab);
    for (let i = 0; i < CHANGES; i++) {
      const bot = bots[(i * 37) % BOTS]!;
      const reason = `c${i}`;
      pending.set(reason, { uri: bot.aor, start: performance.now() });
      bot.publish({ kind: 'NotReady', reason });
      await new Promise((resolve) => setTimeout(resolve, CHANGE_GAP_MS));
    }
    // Changes never seen stay in `pending` and are reported as lost below, so a timeout here is measured, not hidden.
    await waitFor('every change seen', () => pending.size === 0, 15_000, 5).catch(bestEffort('waiting for every change'));
    loop2.disable();
    const cpu3 = kamailioCpuMs(lab);
    return {
      mode,
      subscribeBytes,
      subscribes: mode === 'rls' ? 1 : BOTS,
      firstFullStateMs: watcher.firstFullStateAt !== undefined ? watcher.firstFullStateAt - s0 : undefined,
      allKnownMs,
      initialNotifies: initial.notifies,
      initialBytes: initial.bytes,
      initialMaxBytes: initial.maxBytes,
      initialParseMs: initial.parseMs,
      initialLoopP99: loop.percentile(99) / 1e6,
      initialLoopMax: loop.max / 1e6,
      initialKamailioCpuMs: cpu1 - cpu0,
      changeLatencies: latencies,
      changeNotifies: watcher.notifies,
      changeBytes: watcher.bytes,
      changeMaxBytes: watcher.maxBytes,
      changeParseMs: watcher.parseMs,
      changeLoopP99: loop2.percentile(99) / 1e6,
      changeKamailioCpuMs: cpu3 - cpu2,
      missed: pending.size,
      failures: [...endpoint.failures, ...bots.flatMap((bot) => bot.failures)],
    };
  } finally {
    for (const bot of bots) bot.close();
    endpoint.close();
    for (const extra of extraEndpoints) extra.close();
    await lab.stop();
  }
}

function kb(bytes: number): string {
  return `${(bytes / 1024).toFixed(1)} kB`;
}

export async function run(): Promise<void> {
  const results: ModeResult[] = [];
  for (const mode of MODES) {
    const result = await runMode(mode);
    results.push(result);
    console.log(
      `${mode}: done (${result.failures.length} SIP failures${result.failures.length ? `: ${result.failures.slice(0, 3).join('; ')}` : ''})`,
    );
  }
  const rows: [string, (r: ModeResult) => string][] = [
    ['watcher SUBSCRIBEs sent (bytes)', (r) => `${r.subscribes} (${kb(r.subscribeBytes)})`],
    ['first full-state list NOTIFY parsed', (r) => (r.firstFullStateMs !== undefined ? ms(r.firstFullStateMs) : '—')],
    [`watcher knows all ${BOTS}`, (r) => ms(r.allKnownMs)],
    ['  NOTIFYs received / bytes / largest', (r) => `${r.initialNotifies} / ${kb(r.initialBytes)} / ${kb(r.initialMaxBytes)}`],
    ['  watcher CPU parsing them', (r) => ms(r.initialParseMs)],
    ['  watcher event-loop delay p99 / max', (r) => `${ms(r.initialLoopP99)} / ${ms(r.initialLoopMax)}`],
    ['  Kamailio CPU', (r) => ms(r.initialKamailioCpuMs)],
    [`change → watcher parsed it p50`, (r) => ms(summarize(r.changeLatencies).p50)],
    [`change → watcher parsed it p99`, (r) => ms(summarize(r.changeLatencies).p99)],
    ['  changes seen / sent', (r) => `${r.changeLatencies.length} / ${CHANGES}`],
    ['  NOTIFYs / bytes / largest', (r) => `${r.changeNotifies} / ${kb(r.changeBytes)} / ${kb(r.changeMaxBytes)}`],
    ['  bytes per change', (r) => `${(r.changeBytes / CHANGES).toFixed(0)} B`],
    ['  watcher CPU parsing', (r) => ms(r.changeParseMs)],
    ['  watcher event-loop delay p99', (r) => ms(r.changeLoopP99)],
    ['  Kamailio CPU', (r) => ms(r.changeKamailioCpuMs)],
  ];
  console.log(`\n${BOTS} users, raw WebSocket watcher, changes every ${CHANGE_GAP_MS} ms (${CHANGES})`);
  console.log(`${''.padEnd(40)}${results.map((r) => r.mode.padStart(24)).join('')}`);
  for (const [label, cell] of rows) console.log(`${label.padEnd(40)}${results.map((r) => cell(r).padStart(24)).join('')}`);
}
