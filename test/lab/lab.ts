/**
 * Starts a private Kamailio (WebSocket on 127.0.0.1) for integration tests and the demo.
 * Each lab owns a run folder, a port and a process group, so several can run side by side and none
 * touches the system's Kamailio service.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import {
  accessSync,
  constants,
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  closeSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { createServer } from 'node:net';
import { delimiter, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import WebSocket from 'ws';
import { createSocket } from 'node:dgram';
import { isSafeToken, renderKamailioConfig, type KamailioConfigInput } from './kamailio-config.js';
import { startRtpengine, type Rtpengine } from './rtpengine.js';
import { signalGroup, signalProcess } from './signalGroup.js';

export interface LabUser {
  readonly user: string;
  readonly password: string;
}

/** A resource list served by Kamailio's rls module (RFC 4662): SUBSCRIBE to sip:<name>@domain. */
export interface LabRlsList {
  /** User part of the list URI. */
  readonly name: string;
  /** The only watcher allowed to use it: rls looks lists up by the SUBSCRIBE's From user. */
  readonly owner: string;
  /** User names of the members (sip:<member>@domain). */
  readonly members: readonly string[];
}

export interface LabOptions {
  /** When set, REGISTER and initial requests From our domain need digest auth against these users. */
  readonly auth?: { readonly users: readonly LabUser[]; readonly realm?: string };
  /** Default: a free port found by binding 127.0.0.1:0. */
  readonly port?: number;
  /** Kamailio `debug` level, default 1 (quiet). */
  readonly logLevel?: number;
  /** Load presence + presence_xml (PUBLISH/SUBSCRIBE). Default true; cheap (see README). */
  readonly presence?: boolean;
  /**
   * Opt-in: load rls + pua and provision these resource lists (needs presence). Default: no rls at
   * all. Measured in test/bench/presence-rls.ts; Baton itself subscribes per user.
   */
  readonly rls?: { readonly lists: readonly LabRlsList[] };
  /**
   * Opt-in: a UDP listener (same port) for plain-RTP phones, and a private rtpengine that relays media
   * between them and WebSocket agents. Agent↔agent calls never touch rtpengine. Default off.
   */
  readonly mediaRelay?: boolean;
  /**
   * Opt-in: SIP Outbound (RFC 5626) at the registrar (Debian: kamailio-outbound-modules). Bindings
   * with reg-id + instance replace the device's older flow; REGISTER 2xx says `Require: outbound`
   * and carries `Flow-Timer` (outboundFlowTimerSec, default 25). Default off.
   */
  readonly outbound?: boolean;
  readonly outboundFlowTimerSec?: number;
  /**
   * The config's route[STALE_ALIAS] (see kamailio-config.ts), default true. False: a server that
   * answers 500 to an in-dialog request whose alias names a connection it no longer has, as
   * Kamailio does out of the box.
   */
  readonly staleAliasRoute?: boolean;
  /**
   * Opt-in: WebSocket over TLS (wss://) on a second port, with this certificate and private key (PEM
   * file paths; the test makes its own CA). Needs Debian's kamailio-tls-modules. Default off.
   */
  readonly tls?: { readonly certificate: string; readonly privateKey: string };
  /** @internal For tests of the "not installed" path; normally found on PATH or in /usr/sbin. */
  readonly kamailioBinary?: string;
}

/** Where plain SIP phones reach the lab (only with `mediaRelay`). */
export interface LabMediaRelay {
  /** Outbound proxy for a UDP phone: `sip:127.0.0.1:PORT;transport=udp`. */
  readonly sipUdpUri: string;
  /** rtpengine's control port on 127.0.0.1. */
  readonly ngPort: number;
  /** What rtpengine wrote so far, for error messages. */
  log(): string;
}

export interface Lab {
  readonly wsUrl: string;
  /** wss://127.0.0.1:PORT/ when started with `tls`, else undefined. */
  readonly wssUrl: string | undefined;
  readonly port: number;
  /** "127.0.0.1": AORs are sip:user@127.0.0.1. */
  readonly domain: string;
  /** Absolute per-run folder: config, pid file, db_text tables, log. */
  readonly runDir: string;
  /** Set when started with `mediaRelay: true`. */
  readonly mediaRelay: LabMediaRelay | undefined;
  /**
   * The password of a lab user when the lab authenticates (`auth`), else undefined: every lab peer
   * (agents, bots, customers) signs in with it, as on a server that authenticates everyone.
   */
  passwordOf(user: string): string | undefined;
  /** SIGTERM, SIGKILL after 3 s; removes runDir unless KEEP_LAB=1. */
  stop(): Promise<void>;
  /** SIGKILL the whole process group (a crash); runDir is kept so restart() works. */
  kill(): Promise<void>;
  /** Start again on the same port with the same config and wait until ready. */
  restart(): Promise<void>;
  /** What Kamailio wrote so far, for error messages. */
  log(): string;
}

export type LabErrorCode = 'kamailio-missing' | 'config-invalid' | 'start-timeout' | 'exited';

export class LabError extends Error {
  override readonly name = 'LabError';
  constructor(
    readonly code: LabErrorCode,
    message: string,
  ) {
    super(message);
  }
}

const DOMAIN = '127.0.0.1';
const READY_TIMEOUT_MS = 5_000;
const STOP_GRACE_MS = 3_000;
const PORT_RELEASE_TIMEOUT_MS = 2_000;
const PORT_ATTEMPTS = 3;
const LOG_TAIL_CHARS = 3_000;
const INSTALL_HINT =
  'apt-get install kamailio kamailio-websocket-modules kamailio-presence-modules kamailio-outbound-modules kamailio-tls-modules';
const RUN_ROOT = fileURLToPath(new URL('../../.lab-run/', import.meta.url));
const DBTEXT_SOURCE = '/usr/share/kamailio/dbtext/kamailio';
const PRESENCE_TABLES = ['version', 'presentity', 'active_watchers', 'watchers', 'xcap', 'pua'];
const RLS_TABLES = ['rls_presentity', 'rls_watchers'];
/** rls.so looks rls-services documents up with xcap_client's RLS_SERVICE type (1 << 3). */
const XCAP_DOC_TYPE_RLS_SERVICES = 8;
const MODULE_DIRS = [
  '/usr/lib/x86_64-linux-gnu/kamailio/modules',
  '/usr/lib/aarch64-linux-gnu/kamailio/modules',
  '/usr/lib64/kamailio/modules',
  '/usr/lib/kamailio/modules',
  '/usr/local/lib64/kamailio/modules',
  '/usr/local/lib/kamailio/modules',
];
/** sun_path is 108 bytes on Linux; beyond that ctl cannot bind and Kamailio would refuse to start. */
const MAX_UNIX_SOCKET_PATH = 100;
const OWNER_FILE = 'owner.pid';

export async function startLab(options: LabOptions = {}): Promise<Lab> {
  const settings = validateOptions(options);
  const install = findInstallation(
    options.kamailioBinary,
    settings.presence,
    settings.rlsLists !== undefined,
    settings.mediaRelay,
    settings.outbound !== undefined,
    settings.tls !== undefined,
  );
  for (let attempt = 1; ; attempt++) {
    const port = options.port ?? (await findFreePort());
    try {
      return await startOn(port, settings, install);
    } catch (error) {
      // Another process may grab a port between our probe and Kamailio's bind: pick another one.
      const retry = options.port === undefined && attempt < PORT_ATTEMPTS && isPortConflict(error);
      if (!retry) throw error;
    }
  }
}

function isPortConflict(error: unknown): boolean {
  return error instanceof LabError && error.code === 'exited' && error.message.includes('Address already in use');
}

async function startOn(port: number, settings: Settings, install: Installation): Promise<Lab> {
  const runDir = createRunDir(port);
  let rtpengine: Rtpengine | undefined;
  try {
    if (settings.mediaRelay) {
      const mediaPorts = mediaPortRange();
      rtpengine = await startRtpengine({ runDir, ngPort: await findFreeUdpPort(), ...mediaPorts });
    }
    const mediaRelay = rtpengine === undefined ? undefined : { ngPort: rtpengine.ngPort };
    const tls = settings.tls === undefined ? undefined : { ...settings.tls, port: await findFreePort() };
    const cfgPath = writeConfig(runDir, { ...settings, tls, mediaRelay, port, moduleDir: install.moduleDir });
    checkConfig(install.binary, cfgPath);
    const lab = new KamailioLab(install.binary, port, runDir, cfgPath, rtpengine, settings.auth?.users ?? [], tls?.port);
    await lab.restart();
    return lab;
  } catch (error) {
    await rtpengine?.stop();
    removeRunDir(runDir);
    throw error;
  }
}

/**
 * rtpengine skips ports it cannot bind, so a range below Linux's ephemeral ports (32768+), placed at
 * random, is enough to keep two labs' relays (and wrtc's own sockets) apart.
 */
function mediaPortRange(): { portMin: number; portMax: number } {
  const size = 400;
  const portMin = 20_000 + 2 * Math.floor((Math.random() * (12_000 - size)) / 2);
  return { portMin, portMax: portMin + size - 1 };
}

function findFreeUdpPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const socket = createSocket('udp4');
    socket.once('error', reject);
    socket.bind(0, DOMAIN, () => {
      const { port } = socket.address();
      socket.close(() => resolve(port));
    });
  });
}

interface Settings {
  readonly logLevel: number;
  readonly presence: boolean;
  readonly auth: KamailioConfigInput['auth'];
  readonly rlsLists: readonly LabRlsList[] | undefined;
  readonly mediaRelay: boolean;
  readonly outbound: KamailioConfigInput['outbound'];
  readonly tls: { readonly certificate: string; readonly privateKey: string } | undefined;
  readonly staleAlias: boolean;
}

/** Everything that ends up in the config is checked before anything is created or started. */
function validateOptions(options: LabOptions): Settings {
  const logLevel = options.logLevel ?? 1;
  if (!Number.isInteger(logLevel) || logLevel < -5 || logLevel > 5) invalid(`logLevel must be an integer in -5..5, got ${logLevel}`);
  if (options.port !== undefined && (!Number.isInteger(options.port) || options.port < 1 || options.port > 65_535)) {
    invalid(`port must be an integer in 1..65535, got ${options.port}`);
  }
  const presence = options.presence ?? true;
  // rls's own back-end SUBSCRIBEs (From the watcher, over TCP to this server) carry no credentials.
  if (options.rls !== undefined && options.auth !== undefined) invalid('rls cannot be combined with auth in the lab');
  const flowTimerSec = options.outboundFlowTimerSec ?? 25;
  if (!Number.isInteger(flowTimerSec) || flowTimerSec < 1 || flowTimerSec > 3600)
    invalid(`outboundFlowTimerSec must be an integer in 1..3600, got ${flowTimerSec}`);
  const outbound = options.outbound === true ? { flowTokenSecret: randomBytes(16).toString('hex'), flowTimerSec } : undefined;
  for (const path of options.tls ? [options.tls.certificate, options.tls.privateKey] : []) {
    if (!/^\/[^"\n]+$/.test(path) || !existsSync(path))
      invalid(`tls files must be existing absolute paths without quotes, got ${JSON.stringify(path)}`);
  }
  return {
    logLevel,
    presence,
    auth: validateAuth(options.auth),
    rlsLists: validateRls(options.rls, presence),
    mediaRelay: options.mediaRelay ?? false,
    outbound,
    tls: options.tls,
    staleAlias: options.staleAliasRoute ?? true,
  };
}

function validateRls(rls: LabOptions['rls'], presence: boolean): Settings['rlsLists'] {
  if (rls === undefined) return undefined;
  if (!presence) invalid('rls needs presence');
  const names = new Set<string>();
  for (const list of rls.lists) {
    for (const token of [list.name, list.owner, ...list.members]) {
      if (!isSafeToken(token)) invalid(`rls list token ${JSON.stringify(token)} must match [A-Za-z0-9._-]+`);
    }
    if (names.has(list.name)) invalid(`rls list ${list.name} is listed twice`);
    names.add(list.name);
  }
  return rls.lists.map((list) => ({ name: list.name, owner: list.owner, members: [...list.members] }));
}

function validateAuth(auth: LabOptions['auth']): Settings['auth'] {
  if (auth === undefined) return undefined;
  const realm = auth.realm ?? DOMAIN;
  if (!isSafeToken(realm)) invalid(`realm ${JSON.stringify(realm)} must match [A-Za-z0-9._-]+`);
  const seen = new Set<string>();
  for (const { user, password } of auth.users) {
    if (!isSafeToken(user)) invalid(`user name ${JSON.stringify(user)} must match [A-Za-z0-9._-]+`);
    if (!isSafeToken(password)) invalid(`password of ${user} must match [A-Za-z0-9._-]+`);
    if (seen.has(user)) invalid(`user ${user} is listed twice`);
    seen.add(user);
  }
  return { users: auth.users.map(({ user, password }) => ({ user, password })), realm, secret: randomBytes(16).toString('hex') };
}

function invalid(message: string): never {
  throw new LabError('config-invalid', message);
}

interface Installation {
  readonly binary: string;
  readonly moduleDir: string;
}

function findInstallation(
  binaryOverride: string | undefined,
  presence: boolean,
  rls: boolean,
  mediaRelay: boolean,
  outbound = false,
  tls = false,
): Installation {
  const binary = findBinary(binaryOverride);
  const needed = [
    'websocket.so',
    ...(presence ? ['presence.so', 'presence_xml.so'] : []),
    ...(presence && rls ? ['pua.so', 'rls.so'] : []),
    ...(mediaRelay ? ['rtpengine.so'] : []),
    ...(outbound ? ['outbound.so'] : []),
    ...(tls ? ['tls.so'] : []),
  ];
  const moduleDir = MODULE_DIRS.find((dir) => needed.every((module) => existsSync(join(dir, module))));
  if (moduleDir === undefined) {
    throw new LabError(
      'kamailio-missing',
      `Kamailio modules (${needed.join(', ')}) not found in ${MODULE_DIRS.join(', ')}. Install them: ${INSTALL_HINT}`,
    );
  }
  return { binary, moduleDir };
}

function findBinary(override: string | undefined): string {
  const pathDirs = (process.env.PATH ?? '').split(delimiter).filter((dir) => dir !== '');
  const candidates =
    override !== undefined
      ? [override]
      : [...pathDirs.map((dir) => join(dir, 'kamailio')), '/usr/sbin/kamailio', '/usr/local/sbin/kamailio'];
  const found = candidates.find(isExecutableFile);
  if (found === undefined) {
    const where = override !== undefined ? override : 'PATH, /usr/sbin, /usr/local/sbin';
    throw new LabError('kamailio-missing', `Kamailio not found (looked in ${where}). Install it: ${INSTALL_HINT}`);
  }
  return found;
}

function isExecutableFile(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return statSync(path).isFile();
  } catch {
    // Missing or not executable: not this candidate, which false says.
    return false;
  }
}

/** Ports handed out by this process, so two labs started at once never get the same one. */
const portsInUse = new Set<number>();

async function findFreePort(): Promise<number> {
  for (;;) {
    const port = await bindEphemeralPort();
    if (!portsInUse.has(port)) {
      portsInUse.add(port);
      return port;
    }
  }
}

function bindEphemeralPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, DOMAIN, () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => (port > 0 ? resolve(port) : reject(new Error('no port from 127.0.0.1:0'))));
    });
  });
}

/** Binding with SO_REUSEADDR (as Kamailio does) fails only while someone still listens there. */
function isPortFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, DOMAIN, () => server.close(() => resolve(true)));
  });
}

async function waitForPortFree(port: number, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (!(await isPortFree(port))) {
    if (Date.now() > deadline) return false;
    await sleep(25);
  }
  return true;
}

function createRunDir(port: number): string {
  mkdirSync(RUN_ROOT, { recursive: true });
  reapOrphans();
  const runDir = mkdtempSync(join(RUN_ROOT, `lab-${port}-`));
  writeFileSync(join(runDir, OWNER_FILE), String(process.pid));
  return runDir;
}

/**
 * A test process killed by a signal never runs its exit hook, and its lab (a separate process group)
 * lives on. Whoever starts the next lab kills such orphans; their folders stay for inspection.
 */
function reapOrphans(): void {
  for (const entry of readdirSync(RUN_ROOT)) {
    const runDir = join(RUN_ROOT, entry);
    const owner = readPid(join(runDir, OWNER_FILE));
    if (owner === undefined || isAlive(owner)) continue;
    for (const pidFile of ['kamailio.pid', 'rtpengine.pid']) {
      const pid = readPid(join(runDir, pidFile));
      if (pid !== undefined && isProcessOf(pid, runDir)) signalGroup(pid, 'SIGKILL');
    }
  }
}

function readPid(path: string): number | undefined {
  try {
    const pid = Number(readFileSync(path, 'utf8').trim());
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    // No pid file: the daemon never started or has cleaned up after itself.
    return undefined;
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    // kill(pid, 0) throws ESRCH for a process that is gone: the answer sought.
    return false;
  }
}

/** Guards against a recycled pid: only a process whose command line names this run folder is killed. */
function isProcessOf(pid: number, runDir: string): boolean {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(runDir);
  } catch {
    // The process is gone (no /proc entry): nothing of this run to kill.
    return false;
  }
}

function removeRunDir(runDir: string): void {
  if (process.env.KEEP_LAB === '1') return;
  rmSync(runDir, { recursive: true, force: true });
}

function writeConfig(
  runDir: string,
  input: Omit<Settings, 'mediaRelay' | 'tls'> & {
    readonly port: number;
    readonly moduleDir: string;
    readonly mediaRelay: KamailioConfigInput['mediaRelay'];
    readonly tls: KamailioConfigInput['tls'];
  },
): string {
  const dbDir = join(runDir, 'db');
  if (input.presence) copyPresenceTables(dbDir);
  if (input.rlsLists !== undefined) writeRlsTables(dbDir, input.rlsLists);
  const ctlSocket = join(runDir, 'ctl.sock');
  const cfg = renderKamailioConfig({
    ...input,
    rls: input.rlsLists !== undefined,
    domain: DOMAIN,
    dbDir,
    ctlSocket: ctlSocket.length <= MAX_UNIX_SOCKET_PATH ? ctlSocket : undefined,
  });
  const cfgPath = join(runDir, 'kamailio.cfg');
  writeFileSync(cfgPath, cfg);
  return cfgPath;
}

/** db_text writes into its folder, so each run gets its own copy of the (empty) tables. */
function copyPresenceTables(dbDir: string): void {
  mkdirSync(dbDir);
  for (const table of PRESENCE_TABLES) copyFileSync(join(DBTEXT_SOURCE, table), join(dbDir, table));
}

/** One rls-services document per owner, in the xcap table rls reads in integrated_xcap_server mode. */
function writeRlsTables(dbDir: string, lists: readonly LabRlsList[]): void {
  for (const table of RLS_TABLES) copyFileSync(join(DBTEXT_SOURCE, table), join(dbDir, table));
  const byOwner = new Map<string, LabRlsList[]>();
  for (const list of lists) byOwner.set(list.owner, [...(byOwner.get(list.owner) ?? []), list]);
  const header = readFileSync(join(DBTEXT_SOURCE, 'xcap'), 'utf8').split('\n')[0] ?? '';
  const rows = [...byOwner].map(([owner, owned], index) => {
    const services = owned.map((list) => {
      const entries = list.members.map((member) => `<entry uri="sip:${member}@${DOMAIN}"/>`).join('');
      return `<service uri="sip:${list.name}@${DOMAIN}"><list name="${list.name}">${entries}</list><packages><package>presence</package></packages></service>`;
    });
    const doc = `<?xml version="1.0" encoding="UTF-8"?><rls-services xmlns="urn:ietf:params:xml:ns:rls-services" xmlns:rl="urn:ietf:params:xml:ns:resource-lists">${services.join('')}</rls-services>`;
    const docUri = `/xcap-root/rls-services/users/sip:${owner}@${DOMAIN}/index`;
    // id:username:domain:doc:doc_type:etag:source:doc_uri:port
    return [String(index + 1), owner, DOMAIN, doc, String(XCAP_DOC_TYPE_RLS_SERVICES), `e${index + 1}`, '0', docUri, '0']
      .map(dbTextEscape)
      .join(':');
  });
  writeFileSync(join(dbDir, 'xcap'), `${header}\n${rows.join('\n')}\n`);
}

/** db_text separates columns with ':' and escapes it (and '\\', newlines) with a backslash. */
function dbTextEscape(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/:/g, '\\:').replace(/\n/g, '\\n').replace(/\r/g, '\\r');
}

function checkConfig(binary: string, cfgPath: string): void {
  const result = spawnSync(binary, ['-c', '-f', cfgPath], { encoding: 'utf8', timeout: 10_000 });
  if (result.status === 0) return;
  const output = `${result.stderr ?? ''}${result.stdout ?? ''}`;
  const reason = result.error !== undefined ? result.error.message : `exit ${result.status ?? result.signal}`;
  throw new LabError('config-invalid', `kamailio -c -f ${cfgPath} failed (${reason}):\n${tail(output)}`);
}

function tail(text: string): string {
  return text.length <= LOG_TAIL_CHARS ? text : `…${text.slice(-LOG_TAIL_CHARS)}`;
}

/** Process groups of running labs, killed if this process exits without stopping them. */
const liveGroups = new Set<number>();
let exitHookInstalled = false;

function trackGroup(pid: number): void {
  liveGroups.add(pid);
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.once('exit', () => {
    for (const group of liveGroups) signalGroup(group, 'SIGKILL');
  });
}

/**
 * Kills process group `group` once this process is gone, however it went (SIGKILL included, which
 * runs no exit hook): a `sh` that waits for end-of-file on its stdin, a pipe (libuv's socket pair)
 * whose other end only this process holds. The kernel closes that end when this process dies, the
 * read returns, and the shell kills the group.
 * Linux's PR_SET_PDEATHSIG would do it without a shell, but Node has no prctl, and it would reach
 * Kamailio's main process only: the watchdog reaches its workers too (the whole group). Node opens
 * the pipe close-on-exec, so no other child inherits this end and keeps it open. The watchdog
 * ignores the terminal's signals (Ctrl+C reaches the whole foreground group), so it stays until
 * this process goes; a lab stopped normally kills it first.
 */
function groupWatchdog(group: number): ChildProcess {
  const script = `trap '' INT TERM HUP; read -r _; kill -9 -${group} 2>/dev/null; exit 0`;
  const watchdog = spawn('/bin/sh', ['-c', script], { stdio: ['pipe', 'ignore', 'ignore'] });
  // Neither the watchdog nor its pipe keeps this process alive.
  watchdog.unref();
  (watchdog.stdin as (NodeJS.WritableStream & { unref?: () => void }) | null)?.unref?.();
  // Its exit (killed by stop, or the group it watched is gone) needs nothing done.
  watchdog.once('error', (error) => console.warn(`the lab's watchdog for process group ${group} failed: ${error.message}`));
  return watchdog;
}

interface Running {
  readonly child: ChildProcess;
  readonly pid: number;
  readonly exited: Promise<void>;
  readonly watchdog: ChildProcess;
}

class KamailioLab implements Lab {
  readonly wsUrl: string;
  readonly wssUrl: string | undefined;
  readonly domain = DOMAIN;
  readonly mediaRelay: LabMediaRelay | undefined;
  private readonly logPath: string;
  private running: Running | undefined;
  private stopping: Promise<void> | undefined;
  private lastLog = '';

  constructor(
    private readonly binary: string,
    readonly port: number,
    readonly runDir: string,
    private readonly cfgPath: string,
    private readonly rtpengine: Rtpengine | undefined,
    private readonly users: readonly LabUser[],
    tlsPort?: number,
  ) {
    this.wsUrl = `ws://${DOMAIN}:${port}`;
    this.wssUrl = tlsPort === undefined ? undefined : `wss://${DOMAIN}:${tlsPort}`;
    this.logPath = join(runDir, 'kamailio.log');
    let rtpengineLog = '';
    this.mediaRelay =
      rtpengine === undefined
        ? undefined
        : {
            sipUdpUri: `sip:${DOMAIN}:${port};transport=udp`,
            ngPort: rtpengine.ngPort,
            log: () => (rtpengineLog = rtpengine.log() || rtpengineLog),
          };
  }

  passwordOf(user: string): string | undefined {
    return this.users.find((u) => u.user === user)?.password;
  }

  async restart(): Promise<void> {
    if (this.stopping !== undefined) throw new LabError('exited', `lab on port ${this.port} was stopped; start a new one`);
    // Both leave the port free, so the new process can bind it.
    if (this.running !== undefined) await this.terminate();
    const running = this.launch();
    this.running = running;
    try {
      await this.waitUntilReady(running);
    } catch (error) {
      await this.killGroup(running);
      throw error;
    }
  }

  stop(): Promise<void> {
    // Shared so that a second stop() (afterAll plus a signal handler, say) waits for the first.
    this.stopping ??= this.terminate().then(async () => {
      await this.rtpengine?.stop();
      this.mediaRelay?.log();
      portsInUse.delete(this.port);
      this.lastLog = this.log();
      removeRunDir(this.runDir);
    });
    return this.stopping;
  }

  async kill(): Promise<void> {
    const running = this.running;
    if (running === undefined) return;
    await this.killGroup(running);
    await waitForPortFree(this.port, PORT_RELEASE_TIMEOUT_MS);
  }

  log(): string {
    try {
      return readFileSync(this.logPath, 'utf8');
    } catch {
      // The run folder is gone after stop(): the log as it was read last is what there is.
      return this.lastLog;
    }
  }

  private async killGroup(running: Running): Promise<void> {
    signalGroup(running.pid, 'SIGKILL');
    await running.exited;
    this.forget(running);
  }

  /** -DD keeps the main process in the foreground (our child, its pid is the group id); -E logs to stderr, which goes to the log file. */
  private launch(): Running {
    const pidPath = join(this.runDir, 'kamailio.pid');
    // A crashed run leaves its pid file behind; Kamailio would only warn, but the log stays cleaner.
    rmSync(pidPath, { force: true });
    const logFd = openSync(this.logPath, 'a');
    // -m 256: 64 MB of shared memory runs out near 500 WebSocket agents (presence fan-out bench).
    const args = ['-f', this.cfgPath, '-P', pidPath, '-Y', this.runDir, '-w', this.runDir, '-m', '256', '-E', '-DD'];
    let child: ChildProcess;
    try {
      // detached = own process group, so kill() reaches the workers too and none is left holding the port.
      child = spawn(this.binary, args, { detached: true, stdio: ['ignore', logFd, logFd] });
    } finally {
      closeSync(logFd);
    }
    const pid = child.pid;
    if (pid === undefined) throw new LabError('exited', `could not spawn ${this.binary}`);
    trackGroup(pid);
    const watchdog = groupWatchdog(pid);
    const exited = new Promise<void>((resolve) => {
      child.once('exit', () => resolve());
      child.once('error', () => resolve());
    });
    return { child, pid, exited, watchdog };
  }

  private async waitUntilReady(running: Running): Promise<void> {
    let exited = false;
    void running.exited.then(() => {
      exited = true;
    });
    const deadline = Date.now() + READY_TIMEOUT_MS;
    while (!exited) {
      if (await acceptsWebSocket(this.wsUrl)) return;
      if (Date.now() > deadline) {
        throw new LabError(
          'start-timeout',
          `Kamailio did not accept WebSocket connections on ${this.wsUrl} within ${READY_TIMEOUT_MS} ms. Log:\n${tail(this.log())}`,
        );
      }
      await sleep(30);
    }
    throw new LabError(
      'exited',
      `Kamailio exited while starting (code ${running.child.exitCode ?? running.child.signalCode}). Log:\n${tail(this.log())}`,
    );
  }

  /** SIGTERM lets the main process stop and reap its workers; SIGKILL the group if it takes too long. */
  private async terminate(): Promise<void> {
    const running = this.running;
    if (running === undefined) return;
    signalProcess(running.pid, 'SIGTERM');
    const inTime = await Promise.race([running.exited.then(() => true), sleep(STOP_GRACE_MS).then(() => false)]);
    if (!inTime) signalGroup(running.pid, 'SIGKILL');
    await running.exited;
    // A worker that outlived its main process would keep the port.
    signalGroup(running.pid, 'SIGKILL');
    this.forget(running);
    await waitForPortFree(this.port, PORT_RELEASE_TIMEOUT_MS);
  }

  private forget(running: Running): void {
    // The group is gone: its watchdog has nothing left to kill (and must not kill a recycled group id).
    if (running.watchdog.pid !== undefined && running.watchdog.exitCode === null && running.watchdog.signalCode === null)
      signalProcess(running.watchdog.pid, 'SIGKILL');
    liveGroups.delete(running.pid);
    if (this.running === running) this.running = undefined;
  }
}

/** Ready means what clients need: a WebSocket handshake with the "sip" subprotocol succeeds. */
function acceptsWebSocket(url: string): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = new WebSocket(url, 'sip', { handshakeTimeout: 1_000 });
    socket.once('open', () => {
      socket.terminate();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}
