/**
 * Main's side of the IPC contract. Three fixed channels (shell/channels.ts); on each message the
 * sender is checked (SenderPolicy), the command name looked up in COMMANDS and the payload
 * validated by its schema before anything runs. Refusals are typed `CommandOutcome` errors the
 * renderer can show — never a thrown error, which Electron would flatten into an opaque string.
 *
 * Two kinds of page attach: the UI (the desk's view: snapshots, patches, commands) and the media
 * host (the hidden page that owns every call's WebRTC: media requests and media.state only). Which
 * is which is main's knowledge (`isMediaHost`: the webContents it created for media), never the
 * page's claim. The UI may reload, crash or close without the calls' media noticing; only a new
 * media host makes the calls move (Desk.mediaEngineAttached); the one it replaced (the browser
 * fallback's older audio tab, still open) is told, so it lets go of the calls' media.
 *
 * A change of audio devices is checked where the devices are used: before the desk saves it, the
 * media host is asked whether it can find and open them, and a device it cannot use is refused
 * with its reason (the saved choice stays as it was).
 */
import {
  isCommandName,
  isMediaHostCommand,
  isMediaHostEvent,
  parseCommand,
  type CommandName,
  type CommandOutcome,
  type EventName,
  type EventPayloads,
  type MediaHostState,
  type MediaRequest,
  type ValidatedPayload,
} from '../../shared/ipc.js';
import { AUDIO_DEVICE_ROLES, type AudioDeviceRole, type AudioDeviceSetting, type DeskState } from '../../shared/desk.js';
import { mediaHostState, sameMediaHostState } from '../core/media/mediaHostState.js';
import { MediaEngineUnavailable, type MediaRequestSink } from '../core/media/rendererMediaPort.js';
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
  /** Asks the attached media host (RendererMediaPort.request); rejects when it refuses or is gone. */
  request(request: Extract<MediaRequest, { op: 'checkDevices' }>): Promise<unknown>;
}

export interface IpcBridgeOptions {
  readonly ipcMain: IpcMainPort;
  readonly senders: SenderPolicy;
  readonly desk: IpcDesk;
  readonly media: IpcMedia;
  /** Our webContents by id (the sender of an attach), or undefined. */
  readonly renderer: (webContentsId: number) => RendererPort | undefined;
  /** True for the webContents main created as the media host (its only media engine). */
  readonly isMediaHost: (webContentsId: number) => boolean;
  readonly log?: (message: string) => void;
}

type Refusal = CommandOutcome<CommandName> & { readonly ok: false };

const refuse = (code: string, message: string): Refusal => ({ ok: false, error: { code, message } });

export class IpcBridge {
  /**
   * The UI pages attached: desk events go to each. Electron has one UI window; the browser
   * fallback may have several tabs on one desk, and each shows it live.
   */
  private readonly attached = new Map<number, RendererPort>();
  /** The media host whose engine main's calls use now. */
  private mediaHost: RendererPort | undefined;
  private mediaStateSent: MediaHostState | undefined;
  private readonly onAttach = (event: IpcSenderInfo): void => this.attach(event);

  constructor(private readonly options: IpcBridgeOptions) {
    options.ipcMain.handle(CHANNELS.invoke, (event, command, payload) => this.invoke(event, command, payload));
    options.ipcMain.on(CHANNELS.attach, this.onAttach);
  }

  /**
   * Sends an event where it belongs — media events to the media host, the rest to the UI — and
   * drops it when that page is not attached (it gets a snapshot or media.state on attach). Every
   * desk change also refreshes the media host's media.state when that changed.
   */
  publish<E extends EventName>(event: E, payload: EventPayloads[E]): void {
    const targets = isMediaHostEvent(event) ? (this.mediaHost ? [this.mediaHost] : []) : this.attached.values();
    for (const target of targets) if (!target.isDestroyed()) target.send(CHANNELS.event, event, payload);
    if (event === 'desk.patch' || event === 'desk.snapshot') this.syncMediaState();
  }

  /** True while a UI page is attached. */
  get uiAttached(): boolean {
    return this.attached.size > 0;
  }

  /**
   * The page with this webContents reloaded, crashed or closed. The UI going costs the calls
   * nothing; the media host going takes the engine with it (what it was asked fails now).
   */
  rendererLost(webContentsId: number): void {
    this.attached.delete(webContentsId);
    if (this.mediaHost?.id === webContentsId) {
      this.mediaHost = undefined;
      this.mediaStateSent = undefined;
      this.options.media.detach();
    }
  }

  dispose(): void {
    this.options.ipcMain.removeHandler(CHANNELS.invoke);
    this.options.ipcMain.removeListener(CHANNELS.attach, this.onAttach);
    for (const id of [...this.attached.keys()]) this.rendererLost(id);
    if (this.mediaHost) this.rendererLost(this.mediaHost.id);
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
    // The media host may only answer media requests; the UI may do anything else.
    if (this.options.isMediaHost(event.sender.id) !== isMediaHostCommand(command)) {
      this.options.log?.(`refused IPC: ${command} from the ${this.options.isMediaHost(event.sender.id) ? 'media host' : 'UI'}`);
      return refuse('forbidden-command', `${command} is not for this window.`);
    }
    const parsed = parseCommand(command, payload);
    if (!parsed.ok) return { ok: false, error: parsed.error };
    if (command === 'media.reply')
      return this.mediaReply(event, parsed.value as { requestId: number; ok: boolean; value?: unknown; error?: string });
    if (command === 'settings.set') {
      const refusal = await this.checkDevices(parsed.value as ValidatedPayload<'settings.set'>);
      if (refusal) return refusal;
    }
    try {
      return await this.options.desk.handle(command, payload);
    } catch (error) {
      // Desk.handle promises never to throw; if it does, the renderer still gets an answer.
      this.options.log?.(`command ${command} failed: ${String(error)}`);
      return refuse('internal', 'Something went wrong.');
    }
  }

  private mediaReply(
    event: IpcSenderInfo,
    reply: { requestId: number; ok: boolean; value?: unknown; error?: string },
  ): CommandOutcome<CommandName> {
    // Only the media host that was asked may answer: a stale one must not settle a new call's SDP.
    if (this.mediaHost?.id !== event.sender.id) return refuse('not-attached', 'This window has no audio engine attached.');
    this.options.media.reply(reply.requestId, reply.ok, reply.value, reply.error);
    return { ok: true, value: undefined };
  }

  /**
   * The devices a settings change names anew, checked by the media host; a refusal when one cannot
   * be used. The system default needs no check, nor does a device already saved (an unplugged
   * headset must not block a change of the ringer).
   */
  private async checkDevices(payload: ValidatedPayload<'settings.set'>): Promise<Refusal | undefined> {
    const saved = this.options.desk.snapshot().settings?.devices;
    if (!payload.devices || !saved) return undefined;
    const changed: Partial<Record<AudioDeviceRole, AudioDeviceSetting>> = {};
    for (const role of AUDIO_DEVICE_ROLES) {
      const next = payload.devices[role];
      if (!next || (next.id === null && next.label === null)) continue;
      if (next.id === saved[role].id && next.label === saved[role].label) continue;
      changed[role] = next;
    }
    if (Object.keys(changed).length === 0) return undefined;
    try {
      await this.options.media.request({ op: 'checkDevices', devices: changed });
      return undefined;
    } catch (error) {
      if (error instanceof MediaEngineUnavailable) {
        this.options.log?.(`audio devices not checked: ${error.message}`);
        return refuse(
          'media-unavailable',
          'The audio devices cannot be checked while Baton’s audio is not running. Try again in a moment.',
        );
      }
      const reason = error instanceof Error ? error.message : String(error);
      return refuse('device-unusable', `That device cannot be used: ${reason}`);
    }
  }

  private attach(event: IpcSenderInfo): void {
    const verdict = this.options.senders.check(event);
    const target = verdict.ok ? this.options.renderer(event.sender.id) : undefined;
    if (!target) {
      this.options.log?.(`refused attach: ${verdict.ok ? 'no such window' : verdict.reason}`);
      return;
    }
    if (!this.options.isMediaHost(target.id)) {
      // A UI page (new, reloaded, or asking again to resync its mirror): a snapshot, to it alone.
      this.attached.set(target.id, target);
      if (!target.isDestroyed()) target.send(CHANNELS.event, 'desk.snapshot', this.options.desk.snapshot());
      this.syncMediaState();
      return;
    }
    if (this.mediaHost && this.mediaHost.id !== target.id) {
      // Only the browser fallback gets here with the old page still open (Electron destroys a media
      // host before it starts another): its calls move to the new one now, so it must let go of
      // them — its connections, microphone, audio and ring — or the agent is heard and hears twice.
      const replaced = this.mediaHost;
      if (!replaced.isDestroyed()) replaced.send(CHANNELS.event, 'media.replaced', {});
      this.options.media.detach();
    }
    // A media host asking again keeps its engine; a new one (restarted after a crash) brings a new one.
    const newEngine = this.mediaHost?.id !== target.id;
    this.mediaHost = target;
    this.mediaStateSent = undefined;
    this.options.media.attach((requestId, request) => this.publish('media.request', { requestId, request }));
    this.syncMediaState();
    if (newEngine) this.options.desk.mediaEngineAttached();
  }

  private syncMediaState(): void {
    const target = this.mediaHost;
    if (!target || target.isDestroyed()) return;
    const next = mediaHostState(this.options.desk.snapshot());
    if (sameMediaHostState(this.mediaStateSent, next)) return;
    this.mediaStateSent = next;
    target.send(CHANNELS.event, 'media.state', next);
  }
}

function describe(value: unknown): string {
  return typeof value === 'string' ? JSON.stringify(value.slice(0, 64)) : typeof value;
}
