/**
 * Builds the project with the real build config and runs the emitted preload (dist's
 * electron/preload.cjs) the way Electron's sandbox does — a classic script whose `require` knows
 * only 'electron' — against typed fakes of contextBridge and ipcRenderer. Checks that the page gets
 * exactly `window.baton` from the contract and nothing else.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runInNewContext } from 'node:vm';
import type { ContextBridge } from 'electron';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { COMMAND_NAMES, MEDIA_HOST_COMMANDS, MEDIA_HOST_EVENTS, type BatonApi } from '../../shared/ipc.js';
import { CHANNELS } from '../../electron/shell/channels.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const outDir = mkdtempSync(join(tmpdir(), 'baton-build-'));
let script = '';

beforeAll(() => {
  let buildFailure = '';
  try {
    execFileSync(
      join(root, 'node_modules', '.bin', 'tsc'),
      ['-p', join(root, 'tsconfig.build.json'), '--outDir', outDir, '--sourceMap', 'false'],
      { cwd: root, stdio: 'pipe' },
    );
  } catch (error) {
    // Type errors elsewhere still emit; what matters here is the preload's output, checked below
    // (tsc's complaint is shown only if that output is missing).
    buildFailure = error instanceof Error ? `; tsc: ${error.message}` : '';
  }
  const built = join(outDir, 'electron', 'preload.cjs');
  expect(existsSync(built), `the build emits electron/preload.cjs (main.ts loads it)${buildFailure}`).toBe(true);
  script = readFileSync(built, 'utf8');
}, 120_000);

afterAll(() => rmSync(outDir, { recursive: true, force: true }));

type Listener = (event: unknown, ...args: unknown[]) => void;

/** Records what the preload does; its Electron counterpart is Pick<IpcRenderer, 'invoke' | 'send' | 'on'> (see shellElectronTypes.test.ts). */
class FakeIpcRenderer {
  readonly invoked: Array<{ channel: string; args: unknown[] }> = [];
  readonly sent: Array<{ channel: string; args: unknown[] }> = [];
  readonly listeners = new Map<string, Listener[]>();
  reply: unknown = { ok: true, value: undefined };
  invoke(channel: string, ...args: unknown[]): Promise<unknown> {
    this.invoked.push({ channel, args });
    return Promise.resolve(this.reply);
  }
  send(channel: string, ...args: unknown[]): void {
    this.sent.push({ channel, args });
  }
  on(channel: string, listener: Listener): this {
    this.listeners.set(channel, [...(this.listeners.get(channel) ?? []), listener]);
    return this;
  }
  emit(channel: string, ...args: unknown[]): void {
    for (const listener of this.listeners.get(channel) ?? []) listener({ sender: this, ports: [] }, ...args);
  }
}

class FakeContextBridge implements Pick<ContextBridge, 'exposeInMainWorld'> {
  readonly exposed: Array<{ key: string; api: unknown }> = [];
  exposeInMainWorld(apiKey: string, api: unknown): void {
    this.exposed.push({ key: apiKey, api });
  }
}

function runPreload(): { bridge: FakeContextBridge; ipc: FakeIpcRenderer; required: string[]; baton: BatonApi } {
  const bridge = new FakeContextBridge();
  const ipc = new FakeIpcRenderer();
  const required: string[] = [];
  const sandboxRequire = (name: string): unknown => {
    required.push(name);
    if (name === 'electron') return { contextBridge: bridge, ipcRenderer: ipc };
    throw new Error(`module not found in the sandbox: ${name}`);
  };
  const module = { exports: {} };
  // Electron wraps a sandboxed preload in a function with these parameters.
  const wrapped = `(function (require, process, Buffer, global, setImmediate, clearImmediate, exports, module) {${script}\n})`;
  const fn = runInNewContext(wrapped, { console }) as (...args: unknown[]) => void;
  fn(sandboxRequire, {}, undefined, {}, undefined, undefined, module.exports, module);
  expect(bridge.exposed).toHaveLength(1);
  return { bridge, ipc, required, baton: bridge.exposed[0]!.api as BatonApi };
}

describe('preload', () => {
  it('exposes exactly window.baton with invoke, on and attach — and requires nothing but electron', () => {
    const { bridge, required } = runPreload();
    expect(bridge.exposed.map((e) => e.key)).toEqual(['baton']);
    const api = bridge.exposed[0]!.api as Record<string, unknown>;
    expect(Object.keys(api).sort()).toEqual(['attach', 'invoke', 'on']);
    for (const key of Object.keys(api)) expect(typeof api[key]).toBe('function');
    expect(Object.isFrozen(api)).toBe(true);
    expect(required).toEqual(['electron']);
  });

  it('uses the same channel names as main', () => {
    const { ipc, baton } = runPreload();
    expect([...ipc.listeners.keys()]).toEqual([CHANNELS.event]);
    baton.attach();
    expect(ipc.sent).toEqual([{ channel: CHANNELS.attach, args: [] }]);
    void baton.invoke('call.dial', { target: '1001' });
    expect(ipc.invoked).toEqual([{ channel: CHANNELS.invoke, args: ['call.dial', { target: '1001' }] }]);
  });

  it('forwards every command of the UI side of the contract, and refuses an unknown one without touching IPC', async () => {
    const { ipc, baton } = runPreload();
    const uiCommands = COMMAND_NAMES.filter((name) => !(name in MEDIA_HOST_COMMANDS));
    for (const name of uiCommands) await baton.invoke(name, {});
    expect(ipc.invoked.map((call) => call.args[0])).toEqual(uiCommands);
    ipc.invoked.length = 0;
    // The media host's commands are not the UI's to send (main refuses them too).
    for (const name of Object.keys(MEDIA_HOST_COMMANDS))
      expect(await baton.invoke(name as never, {} as never)).toMatchObject({ ok: false, error: { code: 'unknown-command' } });
    const refused = await baton.invoke('shell.openExternal' as never, {} as never);
    expect(refused).toMatchObject({ ok: false, error: { code: 'unknown-command' } });
    const inherited = await baton.invoke('constructor' as never, {} as never);
    expect(inherited).toMatchObject({ ok: false });
    expect(ipc.invoked).toEqual([]);
  });

  it('delivers events by name with the payload only, never the IPC event (its sender is ipcRenderer)', () => {
    const { ipc, baton } = runPreload();
    const got: unknown[][] = [];
    const stop = baton.on('desk.patch', (...args: unknown[]) => got.push(args));
    baton.on('desk.snapshot', () => got.push(['wrong event']));
    ipc.emit(CHANNELS.event, 'desk.patch', { version: 2, changes: {} });
    ipc.emit(CHANNELS.event, 'not.an.event', { version: 3 });
    ipc.emit(CHANNELS.event, 'media.request', { requestId: 1, request: { op: 'close', sessionId: 's' } });
    expect(got).toEqual([[{ version: 2, changes: {} }]]);
    stop();
    ipc.emit(CHANNELS.event, 'desk.patch', { version: 4, changes: {} });
    expect(got).toHaveLength(1);
  });

  it('refuses subscriptions to unknown events and non-function listeners', () => {
    const { baton } = runPreload();
    expect(() => baton.on('ipc.raw' as never, () => {})).toThrow(/Unknown event/);
    // The media host's events are not the UI's to follow.
    for (const name of Object.keys(MEDIA_HOST_EVENTS)) expect(() => baton.on(name as never, () => {})).toThrow(/Unknown event/);
    expect(() => baton.on('desk.patch', 'alert(1)' as never)).toThrow(/function/);
  });

  it('keeps a failing page listener from stopping the others', () => {
    const { ipc, baton } = runPreload();
    const seen: number[] = [];
    const original = console.error;
    console.error = () => {};
    try {
      baton.on('desk.snapshot', () => {
        throw new Error('page bug');
      });
      baton.on('desk.snapshot', () => seen.push(1));
      ipc.emit(CHANNELS.event, 'desk.snapshot', {});
    } finally {
      console.error = original;
    }
    expect(seen).toEqual([1]);
  });
});
