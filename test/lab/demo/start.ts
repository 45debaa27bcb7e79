/**
 * What `npm start` runs when there is no provisioning (the demo) or no window (the browser fallback):
 *
 *   node --import tsx test/lab/demo/start.ts [--window-unavailable "why"] [--electron] [--port N] [--provisioning FILE]
 *
 * - Demo (no --provisioning): a private Kamailio on 127.0.0.1, the demo's bots (demoBots.ts), and a
 *   desk signed in as the demo agent.
 * - The desk opens in Electron with --electron (in the browser after all if Electron fails); otherwise the production bundle is served on
 *   http://127.0.0.1:PORT with the token-protected loopback bridge of the E2E suite (main's own
 *   IpcBridge and sender checks in front of a Desk in this process), and the URL is printed.
 * - With --provisioning FILE (browser fallback for a real server): no lab, no bots, the sign-in screen.
 *
 * Ctrl+C (or SIGTERM) stops everything this process started, by pid, and removes the folders it
 * made (bundle copy, stores); nothing is left behind. npm start runs it with only the loopback
 * interface visible (scripts/loopback-preload.sh): it binds 127.0.0.1 only.
 * Never part of a packaged build (electron-builder.yml packages dist/ only).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { COMMAND_NAMES } from '../../../shared/ipc.js';
import { parseProvisioning, type ProvisioningDocument } from '../../../shared/provisioning/index.js';
import { AgentEndpoint } from '../../e2e/harness/agentEndpoint.js';
import { startBridgeServer, type BridgeServer } from '../../e2e/harness/bridgeServer.js';
import { MEDIA_HOST_PATH } from '../../../electron/shell/appIdentity.js';
import { jsFlagsSwitch } from '../../../electron/shell/launchFlags.js';
import { MAIN_PROCESS_V8_FLAGS } from '../../../electron/core/runtimeFlags.js';
import { BUNDLE_DIR, REPO_ROOT } from '../../e2e/harness/paths.js';
import { LabError, startLab, type Lab } from '../lab.js';
import { CONTRACT_EVENTS } from '../../support/contractEvents.js';
import { startDemoBots } from './demoBots.js';
import { DEMO_AGENT, DEMO_COLLEAGUES, demoDeskOptions, demoDocument } from './demoDocument.js';
import { kamailioAdvice } from './kamailioAdvice.js';

const USAGE = 'usage: node --import tsx test/lab/demo/start.ts [--window-unavailable "why"] [--electron] [--port N] [--provisioning FILE]';
/** renderer/media's MEDIA_OPTIONS_GLOBAL: the demo's media stays on 127.0.0.1. */
const MEDIA_OPTIONS_GLOBAL = '__BATON_MEDIA_OPTIONS__';

interface Args {
  readonly electron: boolean;
  readonly windowUnavailable: string | undefined;
  readonly port: number | undefined;
  readonly provisioning: string | undefined;
}

function parseArgs(argv: readonly string[]): Args {
  let electron = false;
  let windowUnavailable: string | undefined;
  let port: number | undefined;
  let provisioning: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const value = (): string => {
      const next = argv[++i];
      if (next === undefined) fail(`${arg} needs a value`);
      return next;
    };
    if (arg === '--electron') electron = true;
    else if (arg === '--window-unavailable') windowUnavailable = value();
    else if (arg === '--provisioning') provisioning = value();
    else if (arg === '--port') {
      const text = value();
      port = Number(text);
      if (!Number.isInteger(port) || port < 0 || port > 65535) fail(`--port needs a port number, got ${text}`);
    } else fail(`unknown argument ${arg ?? ''}`);
  }
  return { electron, windowUnavailable, port, provisioning };
}

function fail(message: string): never {
  console.error(`${message}\n${USAGE}`);
  process.exit(2);
}

/** Things to stop on the way out, last started first. */
const cleanups: Array<{ readonly what: string; readonly stop: () => Promise<unknown> }> = [];
let stopping: Promise<void> | undefined;

function stopAll(code: number): Promise<void> {
  stopping ??= (async () => {
    for (const { what, stop } of cleanups.reverse()) {
      await Promise.race([stop(), new Promise((resolve) => setTimeout(resolve, 5000).unref())]).catch((error: unknown) =>
        console.error(`stopping ${what}: ${String(error)}`),
      );
    }
    console.log('» stopped: nothing this demo started is running any more.');
    process.exit(code);
  })();
  return stopping;
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(signal, () => void stopAll(0));
  // npm start runs this under `sh -c`, which neither execs it nor forwards a SIGTERM sent to npm
  // alone: npm and the shell go and this process is re-parented. Stop then as on a signal.
  const parent = process.ppid;
  setInterval(() => {
    if (process.ppid !== parent) void stopAll(0);
  }, 500).unref();
  const demo = args.provisioning === undefined;
  let doc: ProvisioningDocument;
  let lab: Lab | undefined;
  if (demo) {
    // Each cleanup is registered before the work that makes what it removes: a Ctrl+C during
    // start-up exits from the signal handler, and whatever was half made must go too.
    const labStarting = startLab();
    cleanups.push({ what: 'Kamailio', stop: () => onceStarted(labStarting, (started) => started.stop()) });
    try {
      lab = await labStarting;
    } catch (error) {
      const advice = error instanceof LabError ? kamailioAdvice(error) : undefined;
      if (advice) {
        console.error(advice);
        process.exit(1);
      }
      throw error;
    }
    doc = demoDocument(lab);
    console.log(`» Kamailio on ${lab.wsUrl} (private to this demo, pid file in ${lab.runDir})`);
    const botsDir = mkdtempSync(join(tmpdir(), 'baton-demo-bots-'));
    // After the bots stopped (or gave up stopping): their stores' folder goes either way.
    cleanups.push({ what: "the bots' folder", stop: async () => rmSync(botsDir, { recursive: true, force: true }) });
    const botsStarting = startDemoBots(lab, doc, { dir: botsDir, log: (m) => console.error(`  ${m}`) });
    cleanups.push({ what: 'the bots', stop: () => onceStarted(botsStarting, (started) => started.dispose()) });
    await botsStarting;
    console.log('» bots signed in:');
    for (const c of Object.values(DEMO_COLLEAGUES)) console.log(`    ${c.name.padEnd(12)} ${c.part}`);
    console.log('    a customer   calls you, and again a few seconds after each call ends');
  } else {
    const file = args.provisioning ?? '';
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (error) {
      // The agent acts on the sentence (which file, why); Node's stack would only hide it.
      const code = (error as NodeJS.ErrnoException).code;
      const why =
        code === 'ENOENT'
          ? 'there is no such file'
          : code === 'EACCES'
            ? 'this user may not read it'
            : code === 'EISDIR'
              ? 'it is a folder'
              : String(code ?? error);
      console.error(`The provisioning file ${file} cannot be read: ${why}. Give the path of the provisioning document IT sent you.`);
      process.exit(1);
    }
    const parsed = parseProvisioning(text, file);
    if (!parsed.ok) {
      const problems = parsed.issues.map((i) => `${i.path}: expected ${i.expected}`).join('; ');
      console.error(`The provisioning document ${file} cannot be used (${problems}). Ask IT for a corrected one.`);
      process.exit(1);
    }
    doc = parsed.value;
  }

  if (args.electron) await openElectron(doc, (why) => serveInBrowser(doc, demo, { ...args, windowUnavailable: why }));
  else await serveInBrowser(doc, demo, args);
}

/** Electron with the demo's document: the agent signs in as the first roster user (Sam). */
async function openElectron(doc: ProvisioningDocument, fallBack: (why: string) => Promise<void>): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'baton-demo-'));
  cleanups.push({ what: 'the demo folder', stop: async () => rmSync(dir, { recursive: true, force: true }) });
  const file = join(dir, 'provisioning.json');
  writeFileSync(file, JSON.stringify(doc));
  // With main's V8 flags given, Electron does not relaunch itself (electron/shell/launchFlags.ts):
  // this child is the app, and its exit code says whether it quit or failed.
  const launch = [jsFlagsSwitch(MAIN_PROCESS_V8_FLAGS), '.', '--provisioning', file, `--user-data-dir=${join(dir, 'user-data')}`];
  // BATON_DEMO_ELECTRON: another launcher in its place (the E2E suite's one that cannot open a window).
  const launcher = process.env.BATON_DEMO_ELECTRON;
  const child: ChildProcess = spawn(launcher ?? 'npx', launcher ? launch : ['electron', ...launch], {
    cwd: REPO_ROOT,
    stdio: 'inherit',
  });
  cleanups.push({ what: 'Electron', stop: () => stopChild(child) });
  child.once('exit', (code, signal) => {
    if (stopping) return;
    // The agent closing the window ends the demo; Electron failing (no window could open) does not.
    if (code === 0) return void stopAll(0);
    const why = `Electron stopped (${signal ?? `exit code ${String(code)}`}) without a window.`;
    fallBack(why).catch((error: unknown) => {
      console.error(error);
      void stopAll(1);
    });
  });
  console.log(
    `» Baton opened in its window; sign in as ${doc.roster[0]?.displayName ?? DEMO_AGENT} (no password). Ctrl+C here stops everything.`,
  );
}

async function serveInBrowser(doc: ProvisioningDocument, demo: boolean, args: Args): Promise<void> {
  if (!existsSync(join(BUNDLE_DIR, 'index.html'))) {
    console.error(`No renderer bundle in ${BUNDLE_DIR}: run \`npx vite build\` first (npm start does).`);
    process.exit(1);
  }
  // Served from a copy: a rebuild meanwhile would empty dist/renderer under the page.
  const bundle = mkdtempSync(join(tmpdir(), 'baton-bundle-'));
  cpSync(BUNDLE_DIR, bundle, { recursive: true });
  cleanups.push({ what: 'the bundle copy', stop: async () => rmSync(bundle, { recursive: true, force: true }) });
  const server: BridgeServer = await startBridgeServer(bundle, {
    ...(args.port !== undefined ? { port: args.port } : {}),
    browserPage: {
      commands: COMMAND_NAMES,
      events: CONTRACT_EVENTS,
      // The demo's peers are all on 127.0.0.1; a real server's are not.
      ...(demo ? { mediaOptions: { name: MEDIA_OPTIONS_GLOBAL, value: { loopbackOnly: true } } } : {}),
    },
  });
  cleanups.push({ what: 'the web server', stop: () => server.close() });
  const userId = demo ? DEMO_AGENT : (doc.roster[0]?.id ?? DEMO_AGENT);
  const endpoint = new AgentEndpoint({ userId, provisioning: doc, ...(demo ? { desk: demoDeskOptions(doc) } : {}) });
  server.register(endpoint);
  cleanups.push({ what: "the desk's folder", stop: async () => rmSync(endpoint.dir, { recursive: true, force: true }) });
  cleanups.push({ what: 'the desk', stop: () => endpoint.dispose() });
  if (demo) {
    const signedIn = await endpoint.desk.handle('session.signIn', { userId: DEMO_AGENT, password: '' });
    if (!signedIn.ok) throw new Error(`the demo agent could not sign in: ${signedIn.error.message}`);
    await endpoint.until('the demo agent registered', (s) => s.session.registration === 'registered', 10_000);
    await endpoint.desk.handle('agent.setStatus', { kind: 'Ready' });
  }
  const url = `${server.origin}/#token=${endpoint.token}`;
  // The calls' audio lives in a page of its own (the media host), as in the app's hidden window.
  const mediaUrl = `${server.origin}${MEDIA_HOST_PATH}#token=${endpoint.token}`;
  console.log('');
  if (args.windowUnavailable) console.log(`No Baton window here: ${args.windowUnavailable}`);
  console.log(`Baton ${demo ? 'demo desk' : 'desk'} in your browser (loopback only; the token in the link is the key to this desk):`);
  console.log(`  ${url}`);
  console.log("and, in a tab of its own that stays open (the calls' audio: the desk tab may reload freely; the desk links to it too):");
  console.log(`  ${mediaUrl}`);
  if (demo) console.log('  Audio stays on 127.0.0.1: in Chromium, start it with --allow-loopback-in-peer-connection to hear the calls.');
  if (demo)
    console.log(
      `Signed in as ${doc.roster.find((u) => u.id === DEMO_AGENT)?.displayName ?? DEMO_AGENT}, Ready. The customer calls within seconds.`,
    );
  console.log(demo ? 'Ctrl+C stops the desk, the bots and Kamailio.' : 'Ctrl+C stops the desk.');
  console.log(`BATON_DESK_URL=${url}`);
  console.log(`BATON_MEDIA_URL=${mediaUrl}`);
}

/**
 * Stops what `starting` starts, once it has. A start that failed has nothing to stop, and its error
 * is main()'s to report: this waits for the start only to know.
 */
async function onceStarted<T>(starting: Promise<T>, stop: (started: T) => Promise<unknown>): Promise<void> {
  const [outcome] = await Promise.allSettled([starting]);
  if (outcome?.status === 'fulfilled') await stop(outcome.value);
}

function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });
}

main().catch((error: unknown) => {
  console.error(error instanceof LabError ? `${error.code}: ${error.message}` : error);
  void stopAll(1);
});
