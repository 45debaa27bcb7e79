/**
 * One Baton per user session: a second copy would register the same SIP account twice and split
 * the agent's calls. The second launch hands its command line (a clicked tel:/sip: link) to the
 * first and exits; the first shows its window and opens the dialer.
 */
import { DIAL_SCHEMES } from './appIdentity.js';
import { findDialLink, parseDialLink } from './dialLinks.js';

/** The parts of Electron's app used here. */
export interface SingleInstanceApp {
  requestSingleInstanceLock(): boolean;
  quit(): void;
  on(event: 'second-instance', listener: (event: unknown, argv: string[]) => void): unknown;
  on(event: 'open-url', listener: (event: { preventDefault(): void }, url: string) => void): unknown;
}

export interface LinkHandlers {
  /** Show and focus the main window. */
  readonly focus: () => void;
  /** A link asked for the dialer (Desk.dialRequest). */
  readonly dial: (target: string) => void;
}

/** False when another instance holds the lock: this one has already been told to quit. */
export function acquireSingleInstance(app: SingleInstanceApp, handlers: LinkHandlers): boolean {
  if (!app.requestSingleInstanceLock()) {
    app.quit();
    return false;
  }
  app.on('second-instance', (_event, argv) => {
    handlers.focus();
    const target = findDialLink(argv);
    if (target !== null) handlers.dial(target);
  });
  // macOS delivers links as an event, also before 'ready' when a link launched the app.
  app.on('open-url', (event, url) => {
    event.preventDefault();
    const target = parseDialLink(url);
    if (target === null) return;
    handlers.focus();
    handlers.dial(target);
  });
  return true;
}

/** The parts of Electron's app used to claim the dial schemes. */
export interface ProtocolClientApp {
  isDefaultProtocolClient(protocol: string, path?: string, args?: string[]): boolean;
  setAsDefaultProtocolClient(protocol: string, path?: string, args?: string[]): boolean;
}

/**
 * Asks the OS to route tel:/sip:/sips: here. In development (`electron .`) the OS must launch
 * electron with our folder as argument; packaged, the installer has registered the schemes too
 * (electron-builder `protocols`), and on Windows the user or IT policy chooses the default app.
 */
export function claimDialSchemes(
  app: ProtocolClientApp,
  launch: { readonly defaultApp: boolean; readonly execPath: string; readonly appPath: string },
): string[] {
  const claimed: string[] = [];
  // In development the OS must start electron with our folder; packaged, the app itself.
  const target: [string?, string[]?] = launch.defaultApp ? [launch.execPath, [launch.appPath]] : [];
  for (const scheme of DIAL_SCHEMES) {
    // electronegativity-reviewed: PROTOCOL_HANDLER_JS_CHECK — only tel/sip/sips; a link is parsed by parseDialLink (number or user@host, headers dropped) and only prefills the dialer, never dials
    if (app.isDefaultProtocolClient(scheme, ...target) || app.setAsDefaultProtocolClient(scheme, ...target)) claimed.push(scheme);
  }
  return claimed;
}
