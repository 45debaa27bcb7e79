/**
 * The shell's ports are narrow views of Electron's API. These assignments are checked by
 * `tsc -p tsconfig.test.json` against node_modules/electron/electron.d.ts: if an Electron upgrade
 * changes a signature the shell relies on, the type check fails here rather than at run time in a
 * window nobody can start on these machines.
 */
import type {
  App,
  ContextBridge,
  IpcMain,
  IpcRenderer,
  PowerMonitor,
  SafeStorage,
  Session,
  SystemPreferences,
  Tray,
  WebContents,
} from 'electron';
import { describe, expect, it } from 'vitest';
import type { IpcMainPort, RendererPort } from '../../electron/shell/ipcBridge.js';
import type { MainContentsPort } from '../../electron/shell/mainWindow.js';
import type { MediaAccessPort } from '../../electron/shell/microphone.js';
import type { PowerMonitorPort } from '../../electron/shell/powerEvents.js';
import type { SafeStoragePort } from '../../electron/shell/credentials.js';
import type { ProtocolClientApp, SingleInstanceApp } from '../../electron/shell/singleInstance.js';
import type { TrayPort } from '../../electron/shell/tray.js';
import type { HardenableContents, PermissionSession } from '../../electron/shell/windowSecurity.js';

// Each function only compiles if Electron's type is assignable to the port.
const asIpcMain = (x: IpcMain): IpcMainPort => x;
const asRenderer = (x: WebContents): RendererPort => x;
const asHardenable = (x: WebContents): HardenableContents => x;
const asMainContents = (x: WebContents): MainContentsPort => x;
const asPermissionSession = (x: Session): PermissionSession => x;
const asSafeStorage = (x: SafeStorage): SafeStoragePort => x;
const asMediaAccess = (x: SystemPreferences): MediaAccessPort => x;
const asPowerMonitor = (x: PowerMonitor): PowerMonitorPort => x;
const asTray = (x: Tray): TrayPort => x;
const asSingleInstanceApp = (x: App): SingleInstanceApp => x;
const asProtocolClientApp = (x: App): ProtocolClientApp => x;
// The preload's fakes implement these Electron picks (test/unit/shellPreload.test.ts).
type PreloadNeeds = [Pick<ContextBridge, 'exposeInMainWorld'>, Pick<IpcRenderer, 'invoke' | 'send' | 'on'>];

describe('Electron API shapes', () => {
  it('match the shell ports (checked by tsc; this only keeps vitest from reporting an empty file)', () => {
    const checks = [
      asIpcMain,
      asRenderer,
      asHardenable,
      asMainContents,
      asPermissionSession,
      asSafeStorage,
      asMediaAccess,
      asPowerMonitor,
      asTray,
      asSingleInstanceApp,
      asProtocolClientApp,
    ];
    const preload: PreloadNeeds | undefined = undefined;
    expect(checks.every((check) => typeof check === 'function') && preload === undefined).toBe(true);
  });
});
