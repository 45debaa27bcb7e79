/**
 * The agent's window (the UI; the calls' audio lives in the media host, mediaHostWindow.ts).
 * Closing it hides it instead: Baton keeps working from the tray, and the window comes back as it
 * was. Quit goes through the tray menu, the app menu (macOS) or the OS ending the session.
 */
import type { BrowserWindowConstructorOptions } from 'electron';
import { PRODUCT_NAME } from './appIdentity.js';
import { hardenWebContents, secureWebPreferences, type HardenableContents } from './windowSecurity.js';

interface PreventableEvent {
  preventDefault(): void;
}

/** The parts of a webContents used here (Electron's WebContents satisfies it). */
export type MainContentsPort = HardenableContents & {
  readonly id: number;
  send(channel: string, ...args: unknown[]): void;
  isDestroyed(): boolean;
  on(event: 'render-process-gone', listener: () => void): unknown;
  on(event: 'destroyed', listener: () => void): unknown;
  on(event: 'did-start-navigation', listener: (event: unknown, url: string, isInPlace: boolean, isMainFrame: boolean) => void): unknown;
};

/** The parts of a BrowserWindow used here. */
export interface MainWindowPort {
  readonly webContents: MainContentsPort;
  loadURL(url: string): Promise<void>;
  on(event: 'close', listener: (event: PreventableEvent) => void): unknown;
  on(event: 'session-end', listener: () => void): unknown;
  show(): void;
  hide(): void;
  focus(): void;
  restore(): void;
  isMinimized(): boolean;
  isDestroyed(): boolean;
}

export interface MainWindowOptions {
  readonly create: (options: BrowserWindowConstructorOptions) => MainWindowPort;
  readonly preloadPath: string;
  readonly startUrl: string;
  /** True once the app is quitting: then close really closes. */
  readonly isQuitting: () => boolean;
  /** Windows is ending the session (log-off, shutdown): let the window close. */
  readonly onSessionEnd: () => void;
  /** The UI page reloaded, crashed or closed (the calls' media does not depend on it). */
  readonly onRendererLost: (webContentsId: number) => void;
  readonly log?: (message: string) => void;
}

export function createMainWindow(options: MainWindowOptions): MainWindowPort {
  const window = options.create({
    width: 1100,
    height: 760,
    minWidth: 720,
    minHeight: 520,
    title: PRODUCT_NAME,
    show: true,
    webPreferences: secureWebPreferences(options.preloadPath),
  });
  const contents = window.webContents;
  const id = contents.id;
  hardenWebContents(contents, options.log);
  contents.on('render-process-gone', () => options.onRendererLost(id));
  contents.on('destroyed', () => options.onRendererLost(id));
  contents.on('did-start-navigation', (_event, _url, isInPlace, isMainFrame) => {
    // A reload starts a new document: the old page is no longer the one desk events go to.
    if (isMainFrame && !isInPlace) options.onRendererLost(id);
  });
  window.on('session-end', () => options.onSessionEnd());
  window.on('close', (event) => {
    if (options.isQuitting()) return;
    event.preventDefault();
    window.hide();
  });
  void window.loadURL(options.startUrl).catch((error: unknown) => options.log?.(`could not load ${options.startUrl}: ${String(error)}`));
  return window;
}

/** Brings the window to the front (notification click, tray click, second instance, dial link). */
export function showAndFocus(window: MainWindowPort | undefined): void {
  if (!window || window.isDestroyed()) return;
  if (window.isMinimized()) window.restore();
  window.show();
  window.focus();
}
