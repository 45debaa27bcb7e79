/**
 * The OS adapters behind the core's ports and the shell's small rules, each driven through a typed
 * fake of the Electron API it wraps: notifications, tray, safeStorage, microphone, sleep/network,
 * click-to-dial and the single-instance lock, machine policy and auto-update, the main window.
 */
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import type { NotificationConstructorOptions } from 'electron';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { decideUpdates, loadElectronUpdater, startAutoUpdates, type UpdaterPort } from '../../electron/shell/autoUpdate.js';
import { SafeStorageCredentialStore, type SafeStoragePort } from '../../electron/shell/credentials.js';
import { findDialLink, parseDialLink } from '../../electron/shell/dialLinks.js';
import {
  MAC_MANAGED_PREFERENCES,
  machinePolicyFile,
  parseRegQuery,
  readMachinePolicy,
  WINDOWS_POLICY_KEY,
  type PolicyReaders,
} from '../../electron/shell/machinePolicy.js';
import { createMainWindow, showAndFocus, type MainWindowPort } from '../../electron/shell/mainWindow.js';
import { ensureMicrophoneAccess, type MediaAccessPort } from '../../electron/shell/microphone.js';
import { ElectronNotifier, type NotificationHandle } from '../../electron/shell/notifier.js';
import { watchPowerAndNetwork, type PowerMonitorPort } from '../../electron/shell/powerEvents.js';
import {
  acquireSingleInstance,
  claimDialSchemes,
  type ProtocolClientApp,
  type SingleInstanceApp,
} from '../../electron/shell/singleInstance.js';
import { TrayStatusIndicator, trayMenuTemplate, type TrayPort } from '../../electron/shell/tray.js';
import { textMatching } from '../support/matchers.js';

afterEach(() => vi.useRealTimers());

class FakeNotification implements NotificationHandle {
  readonly handlers = new Map<string, () => void>();
  shown = false;
  closed = false;
  constructor(readonly options: NotificationConstructorOptions) {}
  on(event: 'click' | 'close', listener: () => void): this {
    this.handlers.set(event, listener);
    return this;
  }
  show(): void {
    this.shown = true;
  }
  close(): void {
    this.closed = true;
    this.handlers.get('close')?.();
  }
}

describe('notifications', () => {
  it('show urgent toasts that do not time out; a click focuses the window, then brings the call forward', () => {
    const made: FakeNotification[] = [];
    const order: string[] = [];
    const notifier = new ElectronNotifier({
      create: (o) => (made.push(new FakeNotification(o)), made.at(-1)!),
      focusWindow: () => order.push('focus'),
    });
    notifier.show({ id: 't1', title: 'Warm transfer from Alice', body: 'Billing question', urgent: true }, () => order.push('call'));
    expect(made[0]!.options).toMatchObject({ title: 'Warm transfer from Alice', urgency: 'critical', timeoutType: 'never' });
    expect(made[0]!.shown).toBe(true);
    expect(notifier.open).toBe(1); // held until clicked or closed, or Electron loses the click
    made[0]!.handlers.get('click')!();
    expect(order).toEqual(['focus', 'call']);
    expect(notifier.open).toBe(0);
  });

  it('replace a toast with the same id, and close on request', () => {
    const made: FakeNotification[] = [];
    const notifier = new ElectronNotifier({ create: (o) => (made.push(new FakeNotification(o)), made.at(-1)!), focusWindow: () => {} });
    notifier.show({ id: 'x', title: 'a', body: '', urgent: false }, () => {});
    const second = notifier.show({ id: 'x', title: 'b', body: '', urgent: false }, () => {});
    expect(made[0]!.closed).toBe(true);
    second.close();
    expect(made[1]!.closed).toBe(true);
    expect(notifier.open).toBe(0);
  });

  it('do nothing where the OS has no notifications', () => {
    const create = vi.fn();
    new ElectronNotifier({ create, focusWindow: () => {}, isSupported: () => false })
      .show({ id: 'x', title: 'a', body: '', urgent: false }, () => {})
      .close();
    expect(create).not.toHaveBeenCalled();
  });
});

describe('tray', () => {
  class FakeTray implements TrayPort {
    tip = '';
    title = '';
    click: (() => void) | undefined;
    setToolTip(text: string): void {
      this.tip = text;
    }
    setTitle(text: string): void {
      this.title = text;
    }
    on(_event: 'click', listener: () => void): this {
      this.click = listener;
      return this;
    }
  }
  it('shows the agent state in the tooltip, and as menu-bar text on macOS only', () => {
    const mac = new FakeTray();
    new TrayStatusIndicator(mac, 'darwin', () => {}).setStatus('Not ready (Lunch)\n');
    expect(mac.tip).toBe('Baton — Not ready (Lunch) ');
    expect(mac.title).toBe('Not ready (Lunch) ');
    const win = new FakeTray();
    const shown: number[] = [];
    new TrayStatusIndicator(win, 'win32', () => shown.push(1)).setStatus('Ready');
    expect(win.title).toBe('');
    win.click?.();
    expect(shown).toEqual([1]);
  });
  it('offers Show and Quit', () => {
    const quit = vi.fn();
    const menu = trayMenuTemplate({ show: () => {}, quit });
    expect(menu.map((m) => m.label ?? m.type)).toEqual(['Show Baton', 'separator', 'Quit Baton']);
    (menu[2]!.click as () => void)();
    expect(quit).toHaveBeenCalled();
  });
});

describe('credentials (safeStorage)', () => {
  const dirs: string[] = [];
  afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));
  const file = () => {
    const dir = mkdtempSync(join(tmpdir(), 'baton-cred-'));
    dirs.push(dir);
    return join(dir, 'sub', 'credentials.json');
  };
  /** Reversible "encryption" that is visibly not plaintext. */
  const fakeSafeStorage = (backend?: string, available = true): SafeStoragePort => ({
    isEncryptionAvailable: () => available,
    encryptString: (text) => Buffer.from(`enc:${Buffer.from(text).toString('hex')}`),
    decryptString: (data) => {
      const text = data.toString();
      if (!text.startsWith('enc:')) throw new Error('bad key');
      return Buffer.from(text.slice(4), 'hex').toString();
    },
    ...(backend ? { getSelectedStorageBackend: () => backend } : {}),
  });

  it('round-trips a password that never reaches the disk in plain text, in a user-only file', () => {
    const path = file();
    const store = new SafeStorageCredentialStore(fakeSafeStorage(), path, 'darwin');
    expect(store.available).toBe(true);
    store.save('alice', 'hunter2-secret');
    expect(readFileSync(path, 'utf8')).not.toContain('hunter2');
    if (process.platform !== 'win32') expect(statSync(path).mode & 0o077).toBe(0);
    expect(new SafeStorageCredentialStore(fakeSafeStorage(), path, 'darwin').load('alice')).toBe('hunter2-secret');
    store.clear('alice');
    expect(store.load('alice')).toBeNull();
    expect(existsSync(path)).toBe(false);
  });

  it('treats "__proto__" as an ordinary user id', () => {
    const store = new SafeStorageCredentialStore(fakeSafeStorage(), file(), 'win32');
    store.save('__proto__', 'p');
    expect(store.load('__proto__')).toBe('p');
    expect(store.load('constructor')).toBeNull();
  });

  it.each([
    ['Linux without a keyring (basic_text)', fakeSafeStorage('basic_text'), 'linux'],
    ['no encryption at all', fakeSafeStorage(undefined, false), 'win32'],
  ] as const)('saves nothing with %s', (_label, safe, platform) => {
    const path = file();
    const store = new SafeStorageCredentialStore(safe, path, platform);
    expect(store.available).toBe(false);
    store.save('alice', 'x');
    expect(existsSync(path)).toBe(false);
    expect(store.load('alice')).toBeNull();
  });

  it('uses the Secret Service on Linux when present', () => {
    expect(new SafeStorageCredentialStore(fakeSafeStorage('gnome_libsecret'), file(), 'linux').available).toBe(true);
  });

  it('forgets a secret that no longer decrypts (new OS key) and asks again', () => {
    const path = file();
    const logs: string[] = [];
    const store = new SafeStorageCredentialStore(fakeSafeStorage(), path, 'darwin', (m) => logs.push(m));
    store.save('alice', 'x');
    writeFileSync(path, JSON.stringify({ alice: Buffer.from('garbage').toString('base64') }));
    expect(store.load('alice')).toBeNull();
    expect(existsSync(path)).toBe(false);
    expect(logs.join()).toMatch(/could not be decrypted/);
  });

  /** The files beside the vault that hold a set-aside copy. */
  const asideOf = (path: string): string[] =>
    readdirSync(dirname(path))
      .filter((name) => name.startsWith(`${basename(path)}.corrupt-`))
      .map((name) => join(dirname(path), name));

  const sealed = `enc:${Buffer.from('alice-old-secret').toString('hex')}`;
  it.each([
    ['cut short (not JSON)', `{"alice":"${Buffer.from(sealed).toString('base64')}`, /is not valid JSON/],
    ['an array', JSON.stringify([Buffer.from(sealed).toString('base64')]), /is not a JSON object/],
    [
      'a value that is no sealed password',
      JSON.stringify({ alice: Buffer.from(sealed).toString('base64'), bob: 7 }),
      /not a sealed password/,
    ],
  ])('moves a vault that is %s aside with its bytes intact, says so without its content, and saves anew', (_what, corrupt, reason) => {
    const path = file();
    const logs: string[] = [];
    new SafeStorageCredentialStore(fakeSafeStorage(), path, 'darwin').save('carol', 'c'); // creates the folder
    writeFileSync(path, corrupt);
    const store = new SafeStorageCredentialStore(fakeSafeStorage(), path, 'darwin', (m) => logs.push(m));

    store.save('bob', 'bob-new-secret');

    const [aside, ...more] = asideOf(path);
    expect(more).toEqual([]);
    expect(readFileSync(aside!, 'utf8')).toBe(corrupt);
    expect(store.load('bob')).toBe('bob-new-secret');
    expect(store.load('alice')).toBeNull();
    expect(logs).toHaveLength(1);
    expect(logs[0]).toMatch(reason);
    expect(logs[0]).toContain(`moved to ${aside}`);
    expect(logs[0]).not.toContain(Buffer.from(sealed).toString('base64').slice(0, 12));
  });

  it('moves an unreadable vault aside (a folder where the file should be) rather than reading it as empty', () => {
    const path = file();
    const logs: string[] = [];
    mkdirSync(path, { recursive: true });
    writeFileSync(join(path, 'inside'), 'kept');
    const store = new SafeStorageCredentialStore(fakeSafeStorage(), path, 'darwin', (m) => logs.push(m));

    expect(store.load('alice')).toBeNull();

    const [aside] = asideOf(path);
    expect(readFileSync(join(aside!, 'inside'), 'utf8')).toBe('kept');
    expect(existsSync(path)).toBe(false);
    expect(logs.join()).toMatch(/could not be read \(EISDIR\): moved to/);
  });
});

describe('microphone permission', () => {
  const system = (status: ReturnType<MediaAccessPort['getMediaAccessStatus']>, answer = true) => {
    const asked: string[] = [];
    const port: MediaAccessPort = { getMediaAccessStatus: () => status, askForMediaAccess: async (t) => (asked.push(t), answer) };
    return { port, asked };
  };
  it('asks on macOS when undetermined', async () => {
    const { port, asked } = system('not-determined');
    expect(await ensureMicrophoneAccess(port, 'darwin')).toEqual({ granted: true });
    expect(asked).toEqual(['microphone']);
  });
  it('explains a refusal on macOS and on Windows', async () => {
    expect(await ensureMicrophoneAccess(system('not-determined', false).port, 'darwin')).toMatchObject({
      granted: false,
      advice: textMatching(/System Settings/),
    });
    expect(await ensureMicrophoneAccess(system('denied').port, 'win32')).toMatchObject({
      granted: false,
      advice: textMatching(/Privacy/),
    });
  });
  it('does not ask again when granted, nor on Linux', async () => {
    const granted = system('granted');
    expect(await ensureMicrophoneAccess(granted.port, 'darwin')).toEqual({ granted: true });
    expect(granted.asked).toEqual([]);
    expect(await ensureMicrophoneAccess(system('denied').port, 'linux')).toEqual({ granted: true });
  });
});

describe('sleep, lock and network', () => {
  class FakePower implements PowerMonitorPort {
    readonly listeners = new Map<string, Set<() => void>>();
    on(event: string, listener: () => void): this {
      (this.listeners.get(event) ?? this.listeners.set(event, new Set()).get(event)!).add(listener);
      return this;
    }
    removeListener(event: string, listener: () => void): this {
      this.listeners.get(event)?.delete(listener);
      return this;
    }
    emit(event: string): void {
      for (const l of this.listeners.get(event) ?? []) l();
    }
  }
  it('reconnect once per burst of resume/unlock, and again after a while', () => {
    let now = 0;
    const power = new FakePower();
    const reconnect = vi.fn();
    const watch = watchPowerAndNetwork({ powerMonitor: power, reconnect, now: () => now });
    power.emit('resume');
    power.emit('unlock-screen');
    expect(reconnect).toHaveBeenCalledTimes(1);
    now = 10_000;
    power.emit('unlock-screen');
    expect(reconnect).toHaveBeenCalledTimes(2);
    watch.dispose();
    now = 20_000;
    power.emit('resume');
    expect(reconnect).toHaveBeenCalledTimes(2);
  });
  it('reconnect when the network comes back', () => {
    vi.useFakeTimers();
    let online = true;
    const reconnect = vi.fn();
    const watch = watchPowerAndNetwork({
      powerMonitor: new FakePower(),
      reconnect,
      isOnline: () => online,
      pollMs: 1000,
      now: () => Date.now(),
    });
    online = false;
    vi.advanceTimersByTime(1000);
    expect(reconnect).not.toHaveBeenCalled();
    online = true;
    vi.advanceTimersByTime(1000);
    expect(reconnect).toHaveBeenCalledTimes(1);
    watch.dispose();
  });
});

describe('click-to-dial links', () => {
  it.each([
    ['tel:+1-555-0100', '+15550100'],
    ['tel:+44 (20) 7946.0958;phone-context=example.com', '+442079460958'],
    ['TEL:1001', '1001'],
    ['sip:bob@example.com', 'sip:bob@example.com'],
    ['sip:bob@example.com;transport=tcp?Subject=hi&X-Evil=1', 'sip:bob@example.com'],
    ['sips:carol@example.com:5061', 'sips:carol@example.com:5061'],
    ['sip://1001', 'sip:1001'],
    ['tel:%2B15550100', '+15550100'],
  ])('%s → %s', (link, target) => {
    expect(parseDialLink(link)).toBe(target);
  });
  it.each([
    'https://example.com',
    'tel:',
    'tel:abc',
    'sip:bob@exa mple.com',
    'sip:<bob@example.com>',
    'tel:1%0d%0aX-Header:1',
    'javascript:alert(1)',
    `tel:${'1'.repeat(40)}`,
    'sip:%zz',
  ])('refuses %s', (link) => {
    expect(parseDialLink(link)).toBeNull();
  });
  it('finds the link in a second instance command line, skipping flags', () => {
    expect(findDialLink(['C:\\Baton\\Baton.exe', '--provisioning-url=https://x', 'tel:1002'])).toBe('1002');
    expect(findDialLink(['/usr/bin/baton', '--flag'])).toBeNull();
  });
});

describe('single instance', () => {
  class FakeApp implements SingleInstanceApp {
    readonly handlers = new Map<string, (event: { preventDefault(): void }, arg: never) => void>();
    quitCalled = false;
    constructor(private readonly lock: boolean) {}
    requestSingleInstanceLock(): boolean {
      return this.lock;
    }
    quit(): void {
      this.quitCalled = true;
    }
    on(event: string, listener: (event: never, arg: never) => void): this {
      this.handlers.set(event, listener as (event: { preventDefault(): void }, arg: never) => void);
      return this;
    }
  }
  it('the second copy quits at once', () => {
    const app = new FakeApp(false);
    expect(acquireSingleInstance(app, { focus: () => {}, dial: () => {} })).toBe(false);
    expect(app.quitCalled).toBe(true);
  });
  it('the first copy focuses and opens the dialer for a link from a second launch or from macOS', () => {
    const app = new FakeApp(true);
    const seen: string[] = [];
    expect(acquireSingleInstance(app, { focus: () => seen.push('focus'), dial: (t) => seen.push(`dial ${t}`) })).toBe(true);
    app.handlers.get('second-instance')!({ preventDefault() {} }, ['Baton.exe', 'sip:bob@example.com?X-A=1'] as never);
    app.handlers.get('second-instance')!({ preventDefault() {} }, ['Baton.exe'] as never);
    let prevented = false;
    app.handlers.get('open-url')!({ preventDefault: () => (prevented = true) }, 'tel:1003' as never);
    expect(seen).toEqual(['focus', 'dial sip:bob@example.com', 'focus', 'focus', 'dial 1003']);
    expect(prevented).toBe(true);
  });
  it('claims tel, sip and sips, with the app folder in development', () => {
    const calls: unknown[][] = [];
    const app: ProtocolClientApp = {
      isDefaultProtocolClient: () => false,
      setAsDefaultProtocolClient: (...args) => (calls.push(args), true),
    };
    expect(claimDialSchemes(app, { defaultApp: true, execPath: '/e/electron', appPath: '/src/baton' })).toEqual(['tel', 'sip', 'sips']);
    expect(calls[0]).toEqual(['tel', '/e/electron', ['/src/baton']]);
    calls.length = 0;
    claimDialSchemes(app, { defaultApp: false, execPath: '/Applications/Baton.app', appPath: '' });
    expect(calls[0]).toEqual(['tel']);
  });
});

describe('machine policy and auto-update', () => {
  const readers = (files: Record<string, string>, programs: Record<string, string> = {}): PolicyReaders => ({
    readText: async (path) => files[path] ?? null,
    run: async (file, args) => programs[`${file} ${args.join(' ')}`] ?? null,
  });
  const env = { ProgramData: 'C:\\ProgramData' };

  it('keeps the policy file beside the provisioning file', () => {
    expect(machinePolicyFile('linux', {})).toBe('/etc/baton/policy.json');
    expect(machinePolicyFile('darwin', {})).toBe('/Library/Application Support/Baton/policy.json');
  });

  it('is off by default', async () => {
    const policy = await readMachinePolicy('linux', {}, readers({}));
    expect(policy).toMatchObject({ autoUpdate: false, updateUrl: undefined, issues: [] });
    expect(decideUpdates(policy, true)).toMatchObject({ enabled: false });
  });

  it('reads the Windows registry policy key, which wins over the file', async () => {
    const reg = `\r\nHKEY_LOCAL_MACHINE\\SOFTWARE\\Policies\\Baton\r\n    AutoUpdate    REG_DWORD    0x1\r\n    UpdateUrl    REG_SZ    https://updates.example.com/baton/\r\n\r\n`;
    const file = machinePolicyFile('win32', env);
    const policy = await readMachinePolicy(
      'win32',
      env,
      readers(
        { [file]: '{"AutoUpdate": false, "UpdateUrl": "https://old.example.com/"}' },
        { [`reg.exe query ${WINDOWS_POLICY_KEY}`]: reg },
      ),
    );
    expect(policy).toMatchObject({ autoUpdate: true, updateUrl: 'https://updates.example.com/baton/', sources: [WINDOWS_POLICY_KEY] });
    expect(decideUpdates(policy, true)).toEqual({ enabled: true, feedUrl: 'https://updates.example.com/baton/' });
    expect(decideUpdates(policy, false)).toMatchObject({ enabled: false });
  });

  it('reads macOS managed preferences (MDM profile)', async () => {
    const policy = await readMachinePolicy(
      'darwin',
      {},
      readers(
        {},
        { [`/usr/bin/plutil -convert json -o - ${MAC_MANAGED_PREFERENCES}`]: '{"AutoUpdate":true,"UpdateUrl":"https://u.example.com/"}' },
      ),
    );
    expect(policy).toMatchObject({ autoUpdate: true, updateUrl: 'https://u.example.com/' });
  });

  it('refuses malformed values and leaves updates off', async () => {
    const policy = await readMachinePolicy(
      'linux',
      {},
      readers({ '/etc/baton/policy.json': '{"AutoUpdate":"yes please","UpdateUrl":"http://insecure.example.com/"}' }),
    );
    expect(policy.autoUpdate).toBe(false);
    expect(policy.issues).toEqual([
      '/etc/baton/policy.json: AutoUpdate must be true/false or 1/0',
      '/etc/baton/policy.json: UpdateUrl must be an https:// URL',
    ]);
    const broken = await readMachinePolicy('linux', {}, readers({ '/etc/baton/policy.json': 'not json' }));
    expect(broken.issues).toEqual(['/etc/baton/policy.json: expected a JSON object']);
    expect(decideUpdates({ autoUpdate: true, updateUrl: undefined }, true)).toMatchObject({
      enabled: false,
      reason: textMatching(/UpdateUrl/),
    });
  });

  it('parses reg query output', () => {
    expect(parseRegQuery('    AutoUpdate    REG_DWORD    0x0\n    Other    REG_BINARY    00\n')).toEqual({ AutoUpdate: 0 });
  });

  it('runs without electron-updater installed, and says so', async () => {
    expect(await loadElectronUpdater(() => Promise.reject(new Error('Cannot find package')))).toBeUndefined();
    expect(await loadElectronUpdater(async () => ({ autoUpdater: { nothing: true } }))).toBeUndefined();
    const logs: string[] = [];
    const stop = await startAutoUpdates({
      decision: { enabled: true, feedUrl: 'https://u.example.com/' },
      load: async () => undefined,
      log: (m) => logs.push(m),
    });
    stop();
    expect(logs).toEqual(['updates: policy enables them but electron-updater is not part of this build']);
  });

  it('points the updater at the policy URL and checks, only when enabled', async () => {
    const feed: unknown[] = [];
    const check = vi.fn(async () => null);
    const updater: UpdaterPort = { setFeedURL: (o) => void feed.push(o), checkForUpdatesAndNotify: check };
    const stop = await startAutoUpdates({
      decision: { enabled: true, feedUrl: 'https://u.example.com/' },
      load: async () => updater,
      log: () => {},
    });
    stop();
    expect(feed).toEqual([{ provider: 'generic', url: 'https://u.example.com/' }]);
    expect(check).toHaveBeenCalledTimes(1);
    const load = vi.fn(async () => updater);
    (await startAutoUpdates({ decision: { enabled: false, reason: 'off' }, load, log: () => {} }))();
    expect(load).not.toHaveBeenCalled();
  });
});

describe('main window', () => {
  type Listener = (...args: never[]) => void;
  function fakeWindow() {
    const windowHandlers = new Map<string, Listener>();
    const contentsHandlers = new Map<string, Listener>();
    const state = { hidden: false, shown: 0, focused: 0, restored: 0, minimized: true, loaded: '' };
    const window: MainWindowPort = {
      webContents: {
        id: 5,
        send: () => {},
        isDestroyed: () => false,
        on: (event: string, listener: Listener) => contentsHandlers.set(event, listener),
        setWindowOpenHandler: () => {},
      },
      loadURL: async (url) => void (state.loaded = url),
      on: (event: string, listener: Listener) => windowHandlers.set(event, listener),
      show: () => void state.shown++,
      hide: () => void (state.hidden = true),
      focus: () => void state.focused++,
      restore: () => void state.restored++,
      isMinimized: () => state.minimized,
      isDestroyed: () => false,
    };
    return { window, windowHandlers, contentsHandlers, state };
  }

  it('loads app://, hides instead of closing unless quitting, and reports a reloaded renderer', () => {
    const { window, windowHandlers, contentsHandlers, state } = fakeWindow();
    let quitting = false;
    const lost: number[] = [];
    let options: unknown;
    createMainWindow({
      create: (o) => ((options = o), window),
      preloadPath: '/d/preload.cjs',
      startUrl: 'app://baton/index.html',
      isQuitting: () => quitting,
      onSessionEnd: () => (quitting = true),
      onRendererLost: (id) => lost.push(id),
    });
    expect(options).toMatchObject({
      webPreferences: { preload: '/d/preload.cjs', contextIsolation: true, sandbox: true, nodeIntegration: false },
    });
    expect(state.loaded).toBe('app://baton/index.html');
    let prevented = false;
    (windowHandlers.get('close') as (e: { preventDefault(): void }) => void)({ preventDefault: () => (prevented = true) });
    expect(prevented && state.hidden).toBe(true);
    (windowHandlers.get('session-end') as () => void)();
    prevented = false;
    (windowHandlers.get('close') as (e: { preventDefault(): void }) => void)({ preventDefault: () => (prevented = true) });
    expect(prevented).toBe(false);
    const navigate = contentsHandlers.get('did-start-navigation') as (
      e: unknown,
      url: string,
      inPlace: boolean,
      mainFrame: boolean,
    ) => void;
    navigate({}, 'app://baton/index.html#x', true, true);
    navigate({}, 'app://baton/index.html', false, false);
    expect(lost).toEqual([]);
    navigate({}, 'app://baton/index.html', false, true);
    (contentsHandlers.get('render-process-gone') as () => void)();
    expect(lost).toEqual([5, 5]);
    expect(contentsHandlers.has('will-navigate')).toBe(true);
  });

  it('brings a minimized window to the front', () => {
    const { window, state } = fakeWindow();
    showAndFocus(window);
    expect(state).toMatchObject({ restored: 1, shown: 1, focused: 1 });
    showAndFocus(undefined);
  });
});
