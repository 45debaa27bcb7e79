/**
 * The media host's only door to main: `window.baton` with the media side of the contract alone
 * (shared/ipc.ts MediaHostApi) — answer media requests, follow media.state, learn that another
 * media host replaced it (media.replaced), attach. The hidden
 * media host page can neither drive the desk nor read it.
 *
 * A sandboxed preload is a classic script that can load no file of ours (see preload.cts), so the
 * channel names are repeated here; test/unit/shellPreload.test.ts keeps them equal to
 * electron/shell/channels.ts. The records below fail the type check if the media side of the
 * contract changes without this file.
 */
import type * as ElectronModule from 'electron';
import type { CommandOutcome, EventPayloads, MediaHostApi, MediaHostCommandName, MediaHostEventName } from '../shared/ipc.js';

const CHANNELS = { invoke: 'baton:invoke', attach: 'baton:attach', event: 'baton:event' } as const;

const COMMAND_SET: Record<MediaHostCommandName, true> = { 'media.reply': true };
const EVENT_SET: Record<MediaHostEventName, true> = { 'media.request': true, 'media.state': true, 'media.replaced': true };

type IpcRendererPort = Pick<ElectronModule.IpcRenderer, 'invoke' | 'send' | 'on'>;

const has = (set: object, key: unknown): boolean => typeof key === 'string' && Object.prototype.hasOwnProperty.call(set, key);

function createMediaHostApi(ipc: IpcRendererPort): MediaHostApi {
  const subscribers = new Map<MediaHostEventName, Set<(payload: never) => void>>();
  ipc.on(CHANNELS.event, (_event: unknown, name: unknown, payload: unknown) => {
    if (!has(EVENT_SET, name)) return;
    for (const listener of [...(subscribers.get(name as MediaHostEventName) ?? [])]) {
      try {
        (listener as (value: unknown) => void)(payload);
      } catch (error) {
        console.error('[baton] a window.baton listener failed', error);
      }
    }
  });

  const api: MediaHostApi = {
    invoke(command: 'media.reply', payload: unknown): Promise<CommandOutcome<'media.reply'>> {
      if (!has(COMMAND_SET, command)) {
        return Promise.resolve({
          ok: false,
          error: { code: 'unknown-command', message: `Unknown command: ${String(command).slice(0, 64)}` },
        });
      }
      return ipc.invoke(CHANNELS.invoke, command, payload) as Promise<CommandOutcome<'media.reply'>>;
    },
    on<E extends MediaHostEventName>(event: E, listener: (payload: EventPayloads[E]) => void): () => void {
      if (!has(EVENT_SET, event)) throw new TypeError(`Unknown event: ${String(event).slice(0, 64)}`);
      if (typeof listener !== 'function') throw new TypeError('A listener must be a function.');
      let set = subscribers.get(event);
      if (!set) subscribers.set(event, (set = new Set()));
      set.add(listener);
      return () => void set.delete(listener);
    },
    attach(): void {
      ipc.send(CHANNELS.attach);
    },
  };
  return Object.freeze(api);
}

// eslint-disable-next-line @typescript-eslint/no-require-imports -- a sandboxed preload is CommonJS, and require('electron') is the one module it may load
const electron = require('electron') as typeof ElectronModule;
electron.contextBridge.exposeInMainWorld('baton', createMediaHostApi(electron.ipcRenderer));
