/**
 * The media host: a hidden window of its own whose page (renderer/mediaHost) owns every call's
 * RTCPeerConnection, the microphone, speaker, ringer and DTMF. The UI window can reload, crash or
 * close and no call's audio notices. When the media host itself dies, a new one is started and main
 * moves the calls to it (IpcBridge attach → Desk.mediaEngineAttached: one re-INVITE per call).
 *
 * Same hardening as the UI window (secureWebPreferences, hardenWebContents); never shown, never
 * throttled in the background (it plays the calls), closed only when Baton quits.
 */
import type { BrowserWindowConstructorOptions } from 'electron';
import { PRODUCT_NAME } from './appIdentity.js';
import type { MainContentsPort } from './mainWindow.js';
import { hardenWebContents, secureWebPreferences } from './windowSecurity.js';

/** The parts of a BrowserWindow used here. */
export interface MediaHostWindowPort {
  readonly webContents: MainContentsPort;
  loadURL(url: string): Promise<void>;
  isDestroyed(): boolean;
  destroy(): void;
}

export interface MediaHostOptions {
  readonly create: (options: BrowserWindowConstructorOptions) => MediaHostWindowPort;
  readonly preloadPath: string;
  readonly url: string;
  /** A media host's page was created: main trusts its webContents. */
  readonly onCreated: (webContentsId: number) => void;
  /** A media host's page reloaded, crashed or closed: its engine (and its answers) are gone. */
  readonly onLost: (webContentsId: number) => void;
  /** How long to wait before the n-th restart in a row (crash loops back off); default restartDelayMs. */
  readonly restartDelayMs?: (attempt: number) => number;
  readonly setTimer?: (callback: () => void, ms: number) => unknown;
  readonly log?: (message: string) => void;
}

/** Restarts at once, then backs off when a new media host dies again and again (1 s, 2 s … 30 s). */
export function restartDelayMs(attempt: number): number {
  return attempt <= 1 ? 0 : Math.min(30_000, 1000 * 2 ** (attempt - 2));
}

/** A media host that stayed up this long is healthy again: the next crash restarts it at once. */
const HEALTHY_AFTER_MS = 60_000;

export function mediaHostPreferences(preloadPath: string): BrowserWindowConstructorOptions['webPreferences'] {
  return {
    ...secureWebPreferences(preloadPath),
    // Hidden for ever, yet it plays the calls and answers SIP's media requests in time.
    backgroundThrottling: false,
    autoplayPolicy: 'no-user-gesture-required',
    spellcheck: false,
  };
}

export class MediaHost {
  private window: MediaHostWindowPort | undefined;
  private attempts = 0;
  private startedAt = 0;
  private stopped = false;

  constructor(
    private readonly options: MediaHostOptions,
    private readonly now: () => number = Date.now,
  ) {}

  /** The webContents id of the media host running now, if any. */
  get webContentsId(): number | undefined {
    const window = this.window;
    return window && !window.isDestroyed() ? window.webContents.id : undefined;
  }

  get contents(): MainContentsPort | undefined {
    const window = this.window;
    return window && !window.isDestroyed() ? window.webContents : undefined;
  }

  start(): void {
    if (this.stopped || this.window) return;
    this.startedAt = this.now();
    const window = this.options.create({
      show: false,
      width: 320,
      height: 240,
      title: `${PRODUCT_NAME} audio`,
      skipTaskbar: true,
      webPreferences: mediaHostPreferences(this.options.preloadPath),
    });
    this.window = window;
    const contents = window.webContents;
    const id = contents.id;
    this.options.onCreated(id);
    hardenWebContents(contents, this.options.log);
    let lost = false;
    const gone = (why: string): void => {
      if (lost) return;
      lost = true;
      this.options.onLost(id);
      if (this.window === window) this.window = undefined;
      if (!window.isDestroyed()) window.destroy();
      if (this.stopped) return;
      this.attempts = this.now() - this.startedAt > HEALTHY_AFTER_MS ? 1 : this.attempts + 1;
      const delay = (this.options.restartDelayMs ?? restartDelayMs)(this.attempts);
      this.options.log?.(`the media host ${why}; starting a new one${delay > 0 ? ` in ${delay} ms` : ''}`);
      const restart = (): void => this.start();
      if (delay === 0) restart();
      else (this.options.setTimer ?? setTimeout)(restart, delay);
    };
    contents.on('render-process-gone', () => gone('crashed'));
    contents.on('destroyed', () => gone('closed'));
    // A reload (devtools, a stuck page) starts a new document: the old engine is gone, the same window stays.
    contents.on('did-start-navigation', (_event, _url, isInPlace, isMainFrame) => {
      if (isMainFrame && !isInPlace) this.options.onLost(id);
    });
    void window
      .loadURL(this.options.url)
      .catch((error: unknown) => this.options.log?.(`could not load ${this.options.url}: ${String(error)}`));
  }

  /** Baton quits: the media host closes for good. */
  stop(): void {
    this.stopped = true;
    const window = this.window;
    this.window = undefined;
    if (window && !window.isDestroyed()) window.destroy();
  }
}
