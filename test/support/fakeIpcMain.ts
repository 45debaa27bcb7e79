/**
 * A typed stand-in for Electron's ipcMain and a renderer's webContents, for driving main's IPC
 * (IpcBridge, RendererMediaPort) in Node as the preloads would.
 */
import { CHANNELS } from '../../electron/shell/channels.js';
import type { IpcMainPort, RendererPort } from '../../electron/shell/ipcBridge.js';
import type { IpcSenderInfo } from '../../electron/shell/senderPolicy.js';

type Handler = (event: IpcSenderInfo, ...args: unknown[]) => unknown;

export class FakeIpcMain implements IpcMainPort {
  readonly handlers = new Map<string, Handler>();
  readonly listeners = new Map<string, Handler[]>();
  handle(channel: string, listener: Handler): void {
    if (this.handlers.has(channel)) throw new Error(`second handler for ${channel}`);
    this.handlers.set(channel, listener);
  }
  removeHandler(channel: string): void {
    this.handlers.delete(channel);
  }
  on(channel: string, listener: Handler): this {
    this.listeners.set(channel, [...(this.listeners.get(channel) ?? []), listener]);
    return this;
  }
  removeListener(channel: string, listener: Handler): this {
    this.listeners.set(
      channel,
      (this.listeners.get(channel) ?? []).filter((l) => l !== listener),
    );
    return this;
  }
  /** Like ipcRenderer.invoke: a channel without a handler rejects. */
  async invoke(channel: string, event: IpcSenderInfo, ...args: unknown[]): Promise<unknown> {
    const handler = this.handlers.get(channel);
    if (!handler) throw new Error(`No handler registered for '${channel}'`);
    return handler(event, ...args);
  }
  send(channel: string, event: IpcSenderInfo, ...args: unknown[]): void {
    for (const listener of this.listeners.get(channel) ?? []) listener(event, ...args);
  }
}

export class FakeRenderer implements RendererPort {
  readonly sent: Array<{ channel: string; args: unknown[] }> = [];
  destroyed = false;
  constructor(readonly id: number) {}
  send(channel: string, ...args: unknown[]): void {
    this.sent.push({ channel, args });
  }
  isDestroyed(): boolean {
    return this.destroyed;
  }
  /** The payloads of the contract event `name` sent to this page, in order. */
  events(name: string): unknown[] {
    return this.sent.filter((s) => s.channel === CHANNELS.event && s.args[0] === name).map((s) => s.args[1]);
  }
}

/** What a page's preload sends: a command through `baton:invoke`, its attach through `baton:attach`. */
export function invokeFrom(ipcMain: FakeIpcMain, event: IpcSenderInfo, command: string, payload: unknown): Promise<unknown> {
  return ipcMain.invoke(CHANNELS.invoke, event, command, payload);
}
export function attachFrom(ipcMain: FakeIpcMain, event: IpcSenderInfo): void {
  ipcMain.send(CHANNELS.attach, event);
}
