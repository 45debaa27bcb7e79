/**
 * The media host window: hidden, hardened like the UI window, never throttled; when its page dies
 * main is told at once and a new media host starts (at once, then backing off in a crash loop);
 * once Baton quits, none starts again. Driven through typed fakes of BrowserWindow / webContents.
 */
import { describe, expect, it } from 'vitest';
import type { BrowserWindowConstructorOptions } from 'electron';
import { MediaHost, mediaHostPreferences, restartDelayMs, type MediaHostWindowPort } from '../../electron/shell/mediaHostWindow.js';
import type { MainContentsPort } from '../../electron/shell/mainWindow.js';

type Listener = (...args: unknown[]) => void;

let nextId = 10;

class FakeContents {
  readonly id = nextId++;
  readonly listeners = new Map<string, Listener[]>();
  on(event: string, listener: Listener): this {
    this.listeners.set(event, [...(this.listeners.get(event) ?? []), listener]);
    return this;
  }
  emit(event: string, ...args: unknown[]): void {
    for (const listener of this.listeners.get(event) ?? []) listener(...args);
  }
  setWindowOpenHandler(): void {}
  send(): void {}
  isDestroyed(): boolean {
    return false;
  }
}

class FakeWindow implements MediaHostWindowPort {
  readonly contents = new FakeContents();
  destroyed = false;
  loaded: string[] = [];
  constructor(readonly options: BrowserWindowConstructorOptions) {}
  get webContents(): MainContentsPort {
    return this.contents as unknown as MainContentsPort;
  }
  loadURL(url: string): Promise<void> {
    this.loaded.push(url);
    return Promise.resolve();
  }
  isDestroyed(): boolean {
    return this.destroyed;
  }
  destroy(): void {
    if (this.destroyed) return;
    this.destroyed = true;
    this.contents.emit('destroyed');
  }
}

function setup(now = { t: 0 }) {
  const windows: FakeWindow[] = [];
  const lost: number[] = [];
  const created: number[] = [];
  const timers: Array<{ ms: number; run: () => void }> = [];
  const host = new MediaHost(
    {
      create: (options) => {
        const window = new FakeWindow(options);
        windows.push(window);
        return window;
      },
      preloadPath: '/app/mediaPreload.cjs',
      url: 'app://baton/mediaHost/index.html',
      onCreated: (id) => created.push(id),
      onLost: (id) => lost.push(id),
      setTimer: (run, ms) => timers.push({ ms, run }),
    },
    () => now.t,
  );
  return { host, windows, lost, created, timers, now };
}

describe('media host window', () => {
  it('is hidden, sandboxed and isolated like the UI window, and never throttled', () => {
    const { host, windows } = setup();
    host.start();
    const options = windows[0]!.options;
    expect(options.show).toBe(false);
    expect(options.webPreferences).toMatchObject({
      preload: '/app/mediaPreload.cjs',
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      webSecurity: true,
      backgroundThrottling: false,
    });
    expect(mediaHostPreferences('/x')?.autoplayPolicy).toBe('no-user-gesture-required');
    expect(windows[0]!.loaded).toEqual(['app://baton/mediaHost/index.html']);
  });

  it('a crash: main is told once, and a new media host starts at once', () => {
    const { host, windows, lost, created } = setup();
    host.start();
    const first = windows[0]!;
    first.contents.emit('render-process-gone');
    expect(lost).toEqual([first.contents.id]);
    expect(first.destroyed).toBe(true);
    expect(windows).toHaveLength(2);
    expect(created).toEqual([first.contents.id, windows[1]!.contents.id]);
    expect(host.webContentsId).toBe(windows[1]!.contents.id);
  });

  it('a reload tells main the engine is gone but keeps the window', () => {
    const { host, windows, lost } = setup();
    host.start();
    windows[0]!.contents.emit('did-start-navigation', {}, 'app://baton/mediaHost/index.html', false, true);
    expect(lost).toEqual([windows[0]!.contents.id]);
    expect(windows).toHaveLength(1);
    expect(host.webContentsId).toBe(windows[0]!.contents.id);
  });

  it('backs off in a crash loop, and starts at once again after a healthy while', () => {
    const { host, windows, timers, now } = setup();
    host.start();
    windows[0]!.contents.emit('render-process-gone'); // 1st: at once
    windows[1]!.contents.emit('render-process-gone'); // 2nd in a row: 1 s
    expect(timers.map((t) => t.ms)).toEqual([1000]);
    timers[0]!.run();
    windows[2]!.contents.emit('render-process-gone'); // 3rd: 2 s
    expect(timers.map((t) => t.ms)).toEqual([1000, 2000]);
    timers[1]!.run();
    now.t = 120_000;
    windows[3]!.contents.emit('render-process-gone'); // up for two minutes: at once again
    expect(windows).toHaveLength(5);
    expect(restartDelayMs(20)).toBe(30_000);
  });

  it('after stop (Baton quits), it closes and nothing starts again', () => {
    const { host, windows, timers } = setup();
    host.start();
    host.stop();
    expect(windows[0]!.destroyed).toBe(true);
    expect(windows).toHaveLength(1);
    expect(timers).toEqual([]);
    expect(host.webContentsId).toBeUndefined();
  });
});
