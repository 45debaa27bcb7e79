/**
 * Electron glue only: composes the core (electron/core, plain Node) with the Electron adapters in
 * electron/shell. Every rule lives in a shell module with its own tests; what is left here is
 * wiring that only a real Electron can exercise.
 */
import { app, BrowserWindow, dialog, globalShortcut, ipcMain, Menu, nativeImage, net, Notification, powerMonitor, protocol, safeStorage, session, systemPreferences, Tray } from 'electron';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Desk } from './core/desk.js';
import { RendererMediaPort } from './core/media/rendererMediaPort.js';
import { describeIssues, ProvisioningLoader, sourcesFromCommandLine } from './core/provisioning/index.js';
import { openStore, type Store } from './core/store/index.js';
import type { Disposable } from './core/typedEmitter.js';
import { APP_ID, APP_SCHEME, APP_START_URL } from './shell/appIdentity.js';
import { createAppRequestHandler, APP_SCHEME_PRIVILEGES } from './shell/appProtocol.js';
import { decideUpdates, loadElectronUpdater, startAutoUpdates } from './shell/autoUpdate.js';
import { SafeStorageCredentialStore } from './shell/credentials.js';
import { findDialLink } from './shell/dialLinks.js';
import { GlobalShortcuts } from './shell/globalShortcuts.js';
import { IpcBridge } from './shell/ipcBridge.js';
import { nodePolicyReaders, readMachinePolicy } from './shell/machinePolicy.js';
import { createMainWindow, showAndFocus, type MainWindowPort } from './shell/mainWindow.js';
import { ensureMicrophoneAccess } from './shell/microphone.js';
import { ElectronNotifier } from './shell/notifier.js';
import { watchPowerAndNetwork } from './shell/powerEvents.js';
import { SenderPolicy } from './shell/senderPolicy.js';
import { QUIT_BUTTONS, QuitGuard } from './shell/quitGuard.js';
import { acquireSingleInstance, claimDialSchemes } from './shell/singleInstance.js';
import { TrayStatusIndicator, trayMenuTemplate } from './shell/tray.js';
import { installPermissionHandlers } from './shell/windowSecurity.js';
import { MAIN_PROCESS_V8_FLAGS } from './core/runtimeFlags.js';
// The preload is a .cts (a sandboxed preload cannot be an ES module), which tsconfig's `*.ts`
// globs do not match: this import puts it in the program, so it is type-checked and built.
import type {} from './preload.cjs';

const here = dirname(fileURLToPath(import.meta.url)); // dist/electron
const log = (message: string): void => console.log(`[baton] ${message}`);

let quitting = false;
let window: MainWindowPort | undefined;
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
// electronegativity-reviewed: CUSTOM_ARGUMENTS_JS_CHECK — a fixed V8 memory flag from core/runtimeFlags.ts, nothing from outside
app.commandLine.appendSwitch('js-flags', MAIN_PROCESS_V8_FLAGS.join(' '));
app.setAppUserModelId(APP_ID);

if (acquireSingleInstance(app, { focus: show, dial })) {
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
  installPermissionHandlers(session.defaultSession, log);

  const userData = app.getPath('userData');
  const loader = new ProvisioningLoader({ sources: sourcesFromCommandLine(process.argv, process.env, process.platform, userData), log });
  const loaded = await loader.load();
  if (!loaded.config) {
    dialog.showErrorBox('Baton is not configured', `Ask IT for the provisioning document.\n\n${describeIssues(loaded.issues)}`);
    app.exit(1);
    return;
  }
  const opened = openStore(join(userData, 'baton.sqlite'));
  const media = new RendererMediaPort();
  const tray = new Tray(trayIcon());
  tray.setContextMenu(Menu.buildFromTemplate(trayMenuTemplate({ show, quit: () => app.quit() })));
  const current = new Desk({
    provisioning: loaded.config.document,
    store: opened.store,
    media,
    notifier: new ElectronNotifier({ create: (options) => new Notification(options), focusWindow: show, isSupported: () => Notification.isSupported() }),
    credentials: new SafeStorageCredentialStore(safeStorage, join(userData, 'credentials.json'), process.platform, log),
    status: new TrayStatusIndicator(tray, process.platform, show),
  });
  desk = current;
  // SIP.js can throw from its own timers and promises, past any handler of ours: a fault of the
  // phone's, counted by its transport (repeated ones reset the connection); anything else is logged.
  process.on('unhandledRejection', (reason) => {
    if (!current.containSipThrow(reason)) log(`unhandled rejection: ${String(reason)}`);
  });
  process.on('uncaughtException', (error) => {
    const fromSipJs = String(error.stack).includes(`${'node_modules'}/sip.js/`);
    if (!(fromSipJs && current.containSipThrow(error))) log(`uncaught exception: ${error.stack ?? String(error)}`);
  });
  if (opened.notice) current.notice(`The local database could not be used (${opened.notice.reason}) and was moved to ${opened.notice.movedTo}. Nothing was deleted.`);
  if (loaded.issues.length > 0) current.notice(`Provisioning problems (the last good settings stay in force):\n${describeIssues(loaded.issues)}`);

  const senders = new SenderPolicy();
  const bridge = new IpcBridge({
    ipcMain,
    senders,
    desk: current,
    media,
    renderer: (id) => (window && !window.isDestroyed() && window.webContents.id === id ? window.webContents : undefined),
    log,
  });
  // System-wide answer / hang-up keys: off unless policy or the agent turns them on.
  const globalKeys = new GlobalShortcuts({ shortcuts: globalShortcut, desk: current, policy: loaded.config.document.policies.shortcuts, log });
  const subscriptions: Disposable[] = [
    current.events.on('patch', () => globalKeys.sync()),
    globalKeys,
    current.events.on('snapshot', (snapshot) => bridge.publish('desk.snapshot', snapshot)),
    current.events.on('patch', (patch) => bridge.publish('desk.patch', patch)),
    current.events.on('dialRequest', (request) => bridge.publish('desk.dialRequest', request)),
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

  window = createMainWindow({
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
    onRendererLost: (id) => bridge.rendererLost(id),
    log,
  });
  senders.trust(window.webContents.id);
  for (const target of earlyDials.splice(0)) current.dialRequest(target);

  if (app.isPackaged) claimDialSchemes(app, { defaultApp: process.defaultApp === true, execPath: process.execPath, appPath: app.getAppPath() });
  const microphone = await ensureMicrophoneAccess(systemPreferences, process.platform);
  if (!microphone.granted) current.notice(microphone.advice);

  const policy = await readMachinePolicy(process.platform, process.env, nodePolicyReaders());
  for (const issue of policy.issues) log(`machine policy: ${issue}`);
  const stopUpdates = await startAutoUpdates({ decision: decideUpdates(policy, app.isPackaged), load: () => loadElectronUpdater(), log });

  shutdown = async () => {
    stopUpdates();
    for (const subscription of subscriptions) subscription.dispose();
    bridge.dispose();
    await withDeadline(current.dispose(), 3000);
    closeStore(opened.store);
    tray.destroy();
  };
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
  return Promise.race([work.catch((error: unknown) => log(`shutdown: ${String(error)}`)), new Promise<void>((resolve) => setTimeout(resolve, ms).unref())]);
}
