/**
 * Electron glue only: composes the core (electron/core, plain Node) with the Electron adapters in
 * electron/shell. Every rule lives in a shell module with its own tests; what is left here is
 * wiring that only a real Electron can exercise.
 */
import {
  app,
  BrowserWindow,
  crashReporter,
  dialog,
  globalShortcut,
  ipcMain,
  Menu,
  nativeImage,
  net,
  Notification,
  powerMonitor,
  protocol,
  safeStorage,
  session,
  shell,
  systemPreferences,
  Tray,
} from 'electron';
import { dirname, join } from 'node:path';
import * as tls from 'node:tls';
import { fileURLToPath } from 'node:url';
import { Desk } from './core/desk.js';
import { RendererMediaPort } from './core/media/rendererMediaPort.js';
import { describeIssues, ProvisioningLoader, sourcesFromCommandLine } from './core/provisioning/index.js';
import { ConnectDesk, type Connected } from './core/provisioning/connectDesk.js';
import { documentForAccount, readSavedConnection } from './core/provisioning/connection.js';
import type { ProvisioningDocument } from '../shared/provisioning/index.js';
import { DeskSlot } from './shell/deskSlot.js';
import { openStore, type Store } from './core/store/index.js';
import type { Disposable } from './core/typedEmitter.js';
import { APP_ID, APP_MEDIA_HOST_URL, APP_SCHEME, APP_START_URL } from './shell/appIdentity.js';
import { createAppRequestHandler, APP_SCHEME_PRIVILEGES } from './shell/appProtocol.js';
import { decideUpdates, loadElectronUpdater, startAutoUpdates } from './shell/autoUpdate.js';
import { SafeStorageCredentialStore } from './shell/credentials.js';
import { findDialLink } from './shell/dialLinks.js';
import { GlobalShortcuts } from './shell/globalShortcuts.js';
import { IpcBridge } from './shell/ipcBridge.js';
import { nodePolicyReaders, readMachinePolicy } from './shell/machinePolicy.js';
import { createMainWindow, showAndFocus, type MainContentsPort, type MainWindowPort } from './shell/mainWindow.js';
import { MediaHost } from './shell/mediaHostWindow.js';
import { ensureMicrophoneAccess } from './shell/microphone.js';
import { ElectronNotifier } from './shell/notifier.js';
import { watchPowerAndNetwork } from './shell/powerEvents.js';
import { SenderPolicy } from './shell/senderPolicy.js';
import { QUIT_BUTTONS, QuitGuard } from './shell/quitGuard.js';
import { acquireSingleInstance, claimDialSchemes } from './shell/singleInstance.js';
import { TrayStatusIndicator, trayMenuTemplate } from './shell/tray.js';
import { installPermissionHandlers } from './shell/windowSecurity.js';
import { MAIN_PROCESS_V8_FLAGS } from './core/runtimeFlags.js';
import { checkSipGrammar } from './core/sip/sipGrammar.js';
import type { AppLog } from './core/log/log.js';
import { scrubText } from './core/log/redact.js';
import { crashDumpFiles, openAppLog } from './shell/logs.js';
import { startCrashReporter } from './shell/crashReporter.js';
import { exportDiagnostics } from './shell/diagnosticsExport.js';
import { nodeSystemCertificates, readCaFiles, trustedCas, type CaSource } from './shell/trustedCas.js';
import { relaunchArgs } from './shell/launchFlags.js';
// The preload is a .cts (a sandboxed preload cannot be an ES module), which tsconfig's `*.ts`
// globs do not match: this import puts it in the program, so it is type-checked and built.
import type {} from './preload.cjs';
import type {} from './mediaPreload.cjs';

const here = dirname(fileURLToPath(import.meta.url)); // dist/electron
// Until the log files are open (the first lines of start()), and for the shell's one-line messages.
let appLog: AppLog | undefined;
const log = (message: string): void => {
  if (appLog) appLog.child('shell').info(message);
  else console.log(`[baton] ${message}`);
};

let quitting = false;
let window: MainWindowPort | undefined;
let mediaHost: MediaHost | undefined;
let desk: Desk | undefined;
let shutdown: (() => Promise<void>) | undefined;
const earlyDials: string[] = [];
const quitGuard = new QuitGuard({
  liveWork: () => desk?.liveWork() ?? null,
  confirm: async (live) => {
    const options: Electron.MessageBoxOptions = {
      type: 'warning',
      buttons: [...QUIT_BUTTONS],
      defaultId: 0,
      cancelId: 0,
      message: 'Quit Baton?',
      detail: `${live} Quitting ends these calls for everyone on them.`,
    };
    show(); // the question belongs in front of the agent, beside the calls it names
    return (await dialog.showMessageBox(options)).response === 1;
  },
  quit: () => app.quit(),
  log: (message) => log(message),
});

const show = (): void => showAndFocus(window);
const dial = (target: string): void => {
  if (desk) desk.dialRequest(target);
  else earlyDials.push(target); // a link that launched the app arrives before the desk exists
};

// Before 'ready': the scheme's privileges, Chromium's sandbox for every renderer, and the Windows
// identity that toasts and the Start-menu shortcut share.
protocol.registerSchemesAsPrivileged([APP_SCHEME_PRIVILEGES]);
app.enableSandbox();
app.setAppUserModelId(APP_ID);
// The main process's V8 flags take effect only on the launch command line (shell/launchFlags.ts):
// without them, Baton starts itself again once with them and this process leaves.
const relaunch = relaunchArgs(process.argv, MAIN_PROCESS_V8_FLAGS);
if (relaunch !== null) {
  app.relaunch({ args: relaunch });
  app.exit(0);
} else if (acquireSingleInstance(app, { focus: show, dial })) {
  const launchLink = findDialLink(process.argv.slice(1));
  if (launchLink !== null) dial(launchLink);
  app.on('before-quit', (event) => {
    if (quitGuard.onBeforeQuit(event)) quitting = true;
  });
  app.on('activate', show); // macOS: dock icon clicked
  app.on('window-all-closed', () => {
    // Only reached while quitting (closing the window hides it); the tray keeps Baton alive otherwise.
  });
  let cleanedUp = false;
  app.on('will-quit', (event) => {
    if (cleanedUp || !shutdown) return;
    event.preventDefault(); // sign out first (unpublish presence, end calls), then really quit
    void shutdown().finally(() => {
      cleanedUp = true;
      app.quit();
    });
  });
  void app
    .whenReady()
    .then(start)
    .catch((error: unknown) => {
      dialog.showErrorBox('Baton could not start', String(error));
      app.exit(1);
    });
}

async function start(): Promise<void> {
  protocol.handle(APP_SCHEME, createAppRequestHandler({ root: join(here, '..', 'renderer') }));
  const policy = await readMachinePolicy(process.platform, process.env, nodePolicyReaders());
  const files = openAppLog(app, policy, { echo: !app.isPackaged });
  appLog = files;
  files.info('Baton starting', {
    version: app.getVersion(),
    electron: process.versions.electron,
    platform: process.platform,
    release: process.getSystemVersion(),
    policySources: policy.sources,
  });
  for (const issue of policy.issues) files.warn(`machine policy: ${issue}`);
  // Node's warnings, and libraryInternals.ts's when a SIP.js or ws field it reads has moved: to the log, not only stderr.
  process.on('warning', (warning) =>
    files.warn(`process warning: ${warning.message}`, { code: (warning as Error & { code?: string }).code, name: warning.name }),
  );
  // The generated SIP grammar is put in place at install and build; an install that skipped scripts
  // ships SIP.js's stock one (same results, many times slower): say which one this package runs.
  void checkSipGrammar().then((check) =>
    check.ok ? files.child('sip').info(`SIP grammar: ${check.detail}`) : files.child('sip').error(`SIP grammar: ${check.problem}`),
  );
  startCrashReporter(crashReporter, policy, app.getVersion(), log);
  installPermissionHandlers(session.defaultSession, log);

  const userData = app.getPath('userData');
  // What this computer trusts before any provisioning is read (Node's bundle, the OS store, IT's
  // policy files): provisioning URLs and the Connect screen's checks are held to it, so that they
  // accept exactly the servers the desk will; the desk adds provisioning's own CAs below.
  const policyCaFiles = await readCaFiles(policy.trustedCaFiles);
  for (const issue of policyCaFiles.issues) log(`trusted CAs: ${issue}`);
  const machineCas = trustedCas({ bundled: tls.rootCertificates, system: nodeSystemCertificates(tls), extra: policyCaFiles.sources });
  const fetchTrust = machineCas.ca ? { ca: machineCas.ca } : {};
  const provisioningLog = files.child('provisioning');
  const loader = new ProvisioningLoader({
    sources: sourcesFromCommandLine(process.argv, process.env, process.platform, userData),
    log: (message) => provisioningLog.info(message),
    fetch: fetchTrust,
  });
  const loaded = await loader.load();
  const media = new RendererMediaPort();
  const senders = new SenderPolicy();
  const credentials = new SafeStorageCredentialStore(safeStorage, join(userData, 'credentials.json'), process.platform, log);
  // IT's provisioning wins; without it, the agent's own connection (saved by the Connect screen).
  const connectionFile = join(userData, 'connection.json');
  const saved = loaded.config ? undefined : await readSavedConnection(connectionFile);
  let document: ProvisioningDocument | undefined = loaded.config?.document;
  let signIn: Connected['signIn'] = null;
  if (!document && saved?.kind === 'account') {
    document = documentForAccount(saved);
    const userId = document.roster[0]?.id;
    if (userId !== undefined && credentials.load(userId) !== null) signIn = { userId, password: '' };
  } else if (!document && saved?.kind === 'provisioningUrl') {
    const fromUrl = await new ProvisioningLoader({
      sources: { url: saved.url, lastGoodFile: join(userData, 'provisioning.last-good.json') },
      log,
      fetch: fetchTrust,
    }).load();
    document = fromUrl.config?.document;
    if (fromUrl.issues.length > 0) log(`provisioning from the saved address: ${describeIssues(fromUrl.issues)}`);
  }
  let slot: DeskSlot | undefined;
  let bridge: IpcBridge | undefined;
  // Our pages by webContents id: the UI window's, or the media host's (a hidden window of its own).
  const ourContents = (id: number): MainContentsPort | undefined => {
    if (window && !window.isDestroyed() && window.webContents.id === id) return window.webContents;
    return mediaHost?.webContentsId === id ? mediaHost.contents : undefined;
  };
  const isMediaHost = (id: number): boolean => mediaHost?.webContentsId === id;
  // Started once, with the first bridge; it outlives every UI reload and is restarted if it dies.
  const startMediaHost = (through: IpcBridge): void => {
    if (mediaHost) return;
    mediaHost = new MediaHost({
      // electronegativity-reviewed: CONTEXT_ISOLATION_JS_CHECK — mediaHostPreferences() spreads secureWebPreferences (contextIsolation: true), tested
      // electronegativity-reviewed: SANDBOX_JS_CHECK — sandbox: true there, and app.enableSandbox() above covers every renderer
      // electronegativity-reviewed: AUXCLICK_JS_CHECK — mediaHostPreferences() spreads secureWebPreferences (Auxclick disabled) and MediaHost applies hardenWebContents (new windows denied)
      create: (options) => new BrowserWindow(options),
      preloadPath: join(here, 'mediaPreload.cjs'),
      url: APP_MEDIA_HOST_URL,
      onCreated: (id) => senders.trust(id),
      onLost: (id) => through.rendererLost(id),
      log,
    });
    mediaHost.start();
  };
  const openWindow = (through: IpcBridge): MainWindowPort => {
    const opened = createMainWindow({
      // `options` come from shell/windowSecurity.ts secureWebPreferences(), asserted by
      // test/unit/shellWindowSecurity.test.ts; the scanner cannot follow them through the call:
      // electronegativity-reviewed: CONTEXT_ISOLATION_JS_CHECK — contextIsolation: true is set in secureWebPreferences and tested
      // electronegativity-reviewed: SANDBOX_JS_CHECK — sandbox: true there, and app.enableSandbox() above covers every renderer
      // electronegativity-reviewed: AUXCLICK_JS_CHECK — Auxclick is disabled in secureWebPreferences and new windows are denied by hardenWebContents
      create: (options) => new BrowserWindow(options),
      preloadPath: join(here, 'preload.cjs'),
      startUrl: APP_START_URL,
      isQuitting: () => quitting,
      onSessionEnd: () => {
        quitGuard.sessionEnding();
        quitting = true;
      },
      onRendererLost: (id) => through.rendererLost(id),
      log,
    });
    senders.trust(opened.webContents.id);
    return opened;
  };
  if (!document) {
    // First run without provisioning: the Connect screen, until the agent's account or IT's address works.
    if (loaded.issues.length > 0) log(`no provisioning: ${describeIssues(loaded.issues)}`);
    let connected: (value: Connected) => void = () => {};
    const waiting = new Promise<Connected>((resolve) => (connected = resolve));
    const connectDesk = new ConnectDesk({
      connectionFile,
      credentials,
      ...(saved ? { saved } : {}),
      ...(machineCas.ca ? { trustedCa: machineCas.ca } : {}),
      onConnected: (value) => connected(value),
    });
    slot = new DeskSlot(connectDesk);
    const through = new IpcBridge({ ipcMain, senders, desk: slot, media, renderer: ourContents, isMediaHost, log });
    bridge = through;
    startMediaHost(through);
    const patches = connectDesk.events.on('patch', (patch) => through.publish('desk.patch', patch));
    window = openWindow(through);
    const result = await waiting;
    patches.dispose();
    document = result.document;
    signIn = result.signIn;
  }
  const opened = openStore(join(userData, 'baton.sqlite'));
  const storeLog = files.child('store');
  storeLog.info('local database open', { path: opened.store.path, migration: opened.migration });
  if (opened.notice) storeLog.error('local database unusable, moved aside', { ...opened.notice });
  const inForce = document;
  const cas = trustedCas({
    bundled: tls.rootCertificates,
    system: nodeSystemCertificates(tls),
    extra: [...provisioningCas(inForce.sip.trustedCaCertificates ?? []), ...policyCaFiles.sources],
  });
  for (const added of cas.added) files.info('trusted CA added', added);
  for (const issue of cas.issues) files.warn(`trusted CAs: ${issue}`);
  const diagnostics = (): Promise<{ path: string | null }> =>
    exportDiagnostics({
      dialog,
      shell,
      folder: app.getPath('desktop'),
      log,
      gather: () => ({
        logFiles: files.files(),
        about: {
          version: app.getVersion(),
          versions: process.versions,
          os: { platform: process.platform, release: process.getSystemVersion(), arch: process.arch, locale: app.getLocale() },
          memory: process.memoryUsage(),
        },
        provisioning: inForce,
        policy,
        store: opened.store,
        crashDumps: crashDumpFiles(app.getPath('crashDumps')),
      }),
    });
  const tray = new Tray(trayIcon());
  tray.setContextMenu(
    Menu.buildFromTemplate(
      trayMenuTemplate({
        show,
        quit: () => app.quit(),
        exportDiagnostics: () => void diagnostics().catch((error: unknown) => files.error('diagnostics export failed', { error })),
      }),
    ),
  );
  const current = new Desk({
    provisioning: document,
    log: files,
    ...(files.sipTrace ? { sipTrace: files.sipTrace } : {}),
    ...(cas.ca ? { trustedCa: cas.ca } : {}),
    settingsPolicy: { devices: policy.devices },
    exportDiagnostics: diagnostics,
    store: opened.store,
    media,
    notifier: new ElectronNotifier({
      create: (options) => new Notification(options),
      focusWindow: show,
      isSupported: () => Notification.isSupported(),
    }),
    credentials,
    status: new TrayStatusIndicator(tray, process.platform, show),
  });
  desk = current;
  // SIP.js can throw from its own timers and promises, past any handler of ours: a fault of the
  // phone's, counted by its transport (repeated ones reset the connection); anything else is logged.
  process.on('unhandledRejection', (reason) => {
    if (!current.containSipThrow(reason)) files.error('unhandled rejection', { reason });
  });
  process.on('uncaughtException', (error) => {
    const fromSipJs = String(error.stack).includes(`${'node_modules'}/sip.js/`);
    if (!(fromSipJs && current.containSipThrow(error))) files.error('uncaught exception', { error });
  });
  if (opened.notice)
    current.notice(
      `The local database could not be used (${opened.notice.reason}) and was moved to ${opened.notice.movedTo}. Nothing was deleted.`,
    );
  // An issue names its source, a provisioning URL perhaps with IT's credentials in it: the agent reads it without them.
  if (loaded.config && loaded.issues.length > 0)
    current.notice(`Provisioning problems (the last good settings stay in force):\n${scrubText(describeIssues(loaded.issues))}`);

  if (slot) slot.use(current);
  else slot = new DeskSlot(current);
  bridge ??= new IpcBridge({
    ipcMain,
    senders,
    desk: slot,
    media,
    renderer: ourContents,
    isMediaHost,
    log,
  });
  const through = bridge;
  startMediaHost(through);
  // System-wide answer / hang-up keys: off unless policy or the agent turns them on.
  const globalKeys = new GlobalShortcuts({ shortcuts: globalShortcut, desk: current, policy: document.policies.shortcuts, log });
  const subscriptions: Disposable[] = [
    current.events.on('patch', () => globalKeys.sync()),
    globalKeys,
    current.events.on('snapshot', (snapshot) => through.publish('desk.snapshot', snapshot)),
    current.events.on('patch', (patch) => through.publish('desk.patch', patch)),
    current.events.on('dialRequest', (request) => through.publish('desk.dialRequest', request)),
    current.events.on('dialRequest', show),
    watchPowerAndNetwork({ powerMonitor, isOnline: () => net.isOnline(), reconnect: () => current.reconnectNow() }),
  ];

  // macOS and Linux log-off or shutdown (Windows sends the window 'session-end'): no one can answer
  // a dialog, so the calls end cleanly on the way out.
  powerMonitor.on('shutdown', () => {
    quitGuard.sessionEnding();
    quitting = true;
    app.quit();
  });

  if (window)
    through.publish('desk.snapshot', current.snapshot()); // the Connect screen's window now shows the desk
  else window = openWindow(through);
  if (signIn) {
    const outcome = await current.handle('session.signIn', signIn);
    if (!outcome.ok) log(`signing in with the saved connection failed: ${outcome.error.message}`);
  }
  for (const target of earlyDials.splice(0)) current.dialRequest(target);

  if (app.isPackaged)
    claimDialSchemes(app, { defaultApp: process.defaultApp === true, execPath: process.execPath, appPath: app.getAppPath() });
  const microphone = await ensureMicrophoneAccess(systemPreferences, process.platform);
  if (!microphone.granted) current.notice(microphone.advice);

  const stopUpdates = await startAutoUpdates({ decision: decideUpdates(policy, app.isPackaged), load: () => loadElectronUpdater(), log });

  shutdown = async () => {
    stopUpdates();
    for (const subscription of subscriptions) subscription.dispose();
    through.dispose();
    await withDeadline(current.dispose(), 3000);
    mediaHost?.stop();
    closeStore(opened.store);
    tray.destroy();
    files.info('Baton stopped');
    files.close();
  };
}

/** IT's extra CAs from provisioning: PEM text. */
function provisioningCas(fromProvisioning: readonly string[]): CaSource[] {
  return fromProvisioning.map((pem, i) => ({ source: `provisioning sip.trustedCaCertificates[${i}]`, pem }));
}

function trayIcon(): Electron.NativeImage {
  // Packaged: copied beside app.asar by electron-builder `extraResources`; in development: the repo.
  const file = app.isPackaged ? join(process.resourcesPath, 'tray.png') : join(here, '..', '..', 'resources', 'icons', 'tray.png');
  return nativeImage.createFromPath(file);
}

function closeStore(store: Store): void {
  try {
    store.close();
  } catch (error) {
    log(`closing the local database failed: ${String(error)}`);
  }
}

/** Quitting must not hang on an unreachable SIP server. */
function withDeadline(work: Promise<void>, ms: number): Promise<void> {
  return Promise.race([
    work.catch((error: unknown) => log(`shutdown: ${String(error)}`)),
    new Promise<void>((resolve) => setTimeout(resolve, ms).unref()),
  ]);
}
