/**
 * The window's hardening: web preferences, navigation and new windows blocked, and permissions
 * limited to the microphone for our own page. Everything here takes small ports so the rules are
 * tested without Electron; main.ts passes the real session and webContents.
 */
import type { PermissionCheckHandlerHandlerDetails, WebPreferences } from 'electron';
import { isOurPage } from './senderPolicy.js';

/** The renderer is a web page with no Node, in Chromium's sandbox, isolated from the preload. */
export function secureWebPreferences(preloadPath: string): WebPreferences {
  return {
    preload: preloadPath,
    contextIsolation: true,
    sandbox: true,
    nodeIntegration: false,
    nodeIntegrationInWorker: false,
    nodeIntegrationInSubFrames: false,
    webSecurity: true,
    allowRunningInsecureContent: false,
    experimentalFeatures: false,
    webviewTag: false,
    navigateOnDragDrop: false,
    safeDialogs: true,
    // A middle click would otherwise try to open a link in a new window (denied anyway below).
    disableBlinkFeatures: 'Auxclick',
    spellcheck: true,
  };
}

interface PreventableEvent {
  preventDefault(): void;
}

/** The webContents events hardened here (Electron's WebContents satisfies it). */
export interface HardenableContents {
  on(event: 'will-navigate', listener: (event: PreventableEvent, url: string) => void): unknown;
  on(event: 'will-redirect', listener: (event: PreventableEvent, url: string) => void): unknown;
  on(event: 'will-attach-webview', listener: (event: PreventableEvent) => void): unknown;
  setWindowOpenHandler(handler: (details: { url: string }) => { action: 'deny' }): void;
}

/**
 * No navigation, no redirects, no webviews, no new windows. The page is a single-page app: any
 * navigation means something went wrong (a dropped file, a link, injected content), and a page
 * elsewhere would inherit the preload. Reloads do not pass through here and stay allowed.
 */
export function hardenWebContents(contents: HardenableContents, log: (message: string) => void = () => {}): void {
  contents.on('will-navigate', (event, url) => {
    event.preventDefault();
    log(`blocked navigation to ${url.slice(0, 200)}`);
  });
  contents.on('will-redirect', (event, url) => {
    event.preventDefault();
    log(`blocked redirect to ${url.slice(0, 200)}`);
  });
  contents.on('will-attach-webview', (event) => event.preventDefault());
  contents.setWindowOpenHandler(({ url }) => {
    log(`blocked new window for ${url.slice(0, 200)}`);
    return { action: 'deny' };
  });
}

/** The details Electron passes with a permission request (PermissionRequest | MediaAccessPermissionRequest …). */
export interface PermissionRequestInfo {
  readonly isMainFrame: boolean;
  readonly requestingUrl: string;
  readonly mediaTypes?: readonly ('video' | 'audio')[];
}

/**
 * Grants only 'media' (getUserMedia) for audio alone, to our own page's top frame. The camera, the
 * screen, notifications from the page (main shows them), clipboard, geolocation… are all refused.
 */
export function allowPermissionRequest(permission: string, details: PermissionRequestInfo): boolean {
  if (permission !== 'media') return false;
  if (!details.isMainFrame || !isOurPage(details.requestingUrl)) return false;
  const types = details.mediaTypes ?? [];
  return types.length > 0 && types.every((type) => type === 'audio');
}

/** Chromium's synchronous permission checks (e.g. enumerateDevices labels): same rule, audio only. */
export function allowPermissionCheck(
  permission: string,
  requestingOrigin: string,
  details: Pick<PermissionCheckHandlerHandlerDetails, 'mediaType' | 'isMainFrame'>,
): boolean {
  if (permission !== 'media') return false;
  if (!isOurPage(requestingOrigin)) return false;
  return details.mediaType === undefined || details.mediaType === 'audio';
}

/** The parts of Electron's Session used here. */
export interface PermissionSession {
  setPermissionRequestHandler(
    handler: (contents: unknown, permission: string, callback: (granted: boolean) => void, details: PermissionRequestInfo) => void,
  ): void;
  setPermissionCheckHandler(
    handler: (contents: unknown, permission: string, requestingOrigin: string, details: PermissionCheckHandlerHandlerDetails) => boolean,
  ): void;
}

export function installPermissionHandlers(session: PermissionSession, log: (message: string) => void = () => {}): void {
  session.setPermissionRequestHandler((_contents, permission, callback, details) => {
    const granted = allowPermissionRequest(permission, details);
    if (!granted) log(`refused permission ${permission} for ${details.requestingUrl.slice(0, 200)}`);
    callback(granted);
  });
  session.setPermissionCheckHandler((_contents, permission, requestingOrigin, details) =>
    allowPermissionCheck(permission, requestingOrigin, details),
  );
}
