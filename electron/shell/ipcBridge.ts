/**
 * Main's side of the IPC contract. Three fixed channels (shell/channels.ts); on each message the
 * sender is checked (SenderPolicy), the command name looked up in COMMANDS and the payload
 * validated by its schema before anything runs. Refusals are typed `CommandOutcome` errors the
 * renderer can show — never a thrown error, which Electron would flatten into an opaque string.
 */
import { isCommandName, parseCommand, type CommandName, type CommandOutcome, type EventName, type EventPayloads } from '../../shared/ipc.js';
import type { DeskState } from '../../shared/desk.js';
import type { MediaRequestSink } from '../core/media/rendererMediaPort.js';
import { CHANNELS } from './channels.js';
import type { IpcSenderInfo, SenderPolicy } from './senderPolicy.js';

/** The parts of Electron's ipcMain used here; Electron's own `ipcMain` satisfies it. */
export interface IpcMainPort {
  handle(channel: string, listener: (event: IpcSenderInfo, ...args: unknown[]) => unknown): void;
  removeHandler(channel: string): void;
  on(channel: string, listener: (event: IpcSenderInfo, ...args: unknown[]) => void): unknown;
  removeListener(channel: string, listener: (event: IpcSenderInfo, ...args: unknown[]) => void): unknown;
}

/** Where events go: the attached window's webContents. */
export interface RendererPort {
  readonly id: number;
  send(channel: string, ...args: unknown[]): void;
  isDestroyed(): boolean;
}

/** What the bridge needs of the Desk (electron/core/desk.ts). */
export interface IpcDesk {
  handle(command: CommandName, payload: unknown): Promise<CommandOutcome<CommandName>>;
  snapshot(): DeskState;
  /** A media engine attached after the previous one was lost: live calls move to it. */
  mediaEngineAttached(): void;
}

/** What the bridge needs of RendererMediaPort. */
export interface IpcMedia {
  attach(sink: MediaRequestSink): void;
  detach(): void;
  reply(requestId: number, ok: boolean, value: unknown, error: string | undefined): void;
}

export interface IpcBridgeOptions {
  readonly ipcMain: IpcMainPort;
  readonly senders: SenderPolicy;
  readonly desk: IpcDesk;
  readonly media: IpcMedia;
  /** Our webContents by id (the sender of an attach), or undefined. */
  readonly renderer: (webContentsId: number) => RendererPort | undefined;
  readonly log?: (message: string) => void;
}

type Refusal = CommandOutcome<CommandName> & { readonly ok: false };

const refuse = (code: string, message: string): Refusal => ({ ok: false, error: { code, message } });

export class IpcBridge {
  private attached: RendererPort | undefined;
  private readonly onAttach = (event: IpcSenderInfo): void => this.attach(event);

  constructor(private readonly options: IpcBridgeOptions) {
    options.ipcMain.handle(CHANNELS.invoke, (event, command, payload) => this.invoke(event, command, payload));
    options.ipcMain.on(CHANNELS.attach, this.onAttach);
  }

  /** Sends an event to the attached renderer; dropped when none is attached (it gets a snapshot on attach). */
  publish<E extends EventName>(event: E, payload: EventPayloads[E]): void {
    const target = this.attached;
    if (!target || target.isDestroyed()) return;
    target.send(CHANNELS.event, event, payload);
  }

  /** The renderer with this webContents reloaded, crashed or closed: its media engine is gone. */
  rendererLost(webContentsId: number): void {
    if (this.attached?.id !== webContentsId) return;
    this.attached = undefined;
    this.options.media.detach();
  }

  dispose(): void {
    this.options.ipcMain.removeHandler(CHANNELS.invoke);
    this.options.ipcMain.removeListener(CHANNELS.attach, this.onAttach);
    if (this.attached) this.rendererLost(this.attached.id);
  }

  async invoke(event: IpcSenderInfo, command: unknown, payload: unknown): Promise<CommandOutcome<CommandName>> {
    const verdict = this.options.senders.check(event);
    if (!verdict.ok) {
      this.options.log?.(`refused IPC: ${verdict.reason}`);
      return refuse('forbidden-sender', 'This window may not control Baton.');
    }
    if (!isCommandName(command)) {
      this.options.log?.(`refused IPC: unknown command ${describe(command)}`);
      return refuse('unknown-command', `Unknown command: ${describe(command)}`);
    }
    const parsed = parseCommand(command, payload);
    if (!parsed.ok) return { ok: false, error: parsed.error };
    if (command === 'media.reply') return this.mediaReply(event, parsed.value as { requestId: number; ok: boolean; value?: unknown; error?: string });
    try {
      return await this.options.desk.handle(command, payload);
    } catch (error) {
      // Desk.handle promises never to throw; if it does, the renderer still gets an answer.
      this.options.log?.(`command ${command} failed: ${String(error)}`);
      return refuse('internal', 'Something went wrong.');
    }
  }

  private mediaReply(event: IpcSenderInfo, reply: { requestId: number; ok: boolean; value?: unknown; error?: string }): CommandOutcome<CommandName> {
    // Only the renderer that was asked may answer: a stale window must not settle a new call's SDP.
    if (this.attached?.id !== event.sender.id) return refuse('not-attached', 'This window has no audio engine attached.');
    this.options.media.reply(reply.requestId, reply.ok, reply.value, reply.error);
    return { ok: true, value: undefined };
  }

  private attach(event: IpcSenderInfo): void {
    const verdict = this.options.senders.check(event);
    const target = verdict.ok ? this.options.renderer(event.sender.id) : undefined;
    if (!target) {
      this.options.log?.(`refused attach: ${verdict.ok ? 'no such window' : verdict.reason}`);
      return;
    }
    if (this.attached && this.attached.id !== target.id) this.options.media.detach();
    // A page asking again (to resync its mirror) keeps its engine; a new page brings a new one.
    const newEngine = this.attached?.id !== target.id;
    this.attached = target;
    this.options.media.attach((requestId, request) => this.publish('media.request', { requestId, request }));
    this.publish('desk.snapshot', this.options.desk.snapshot());
    if (newEngine) this.options.desk.mediaEngineAttached();
  }
}

function describe(value: unknown): string {
  return typeof value === 'string' ? JSON.stringify(value.slice(0, 64)) : typeof value;
}
