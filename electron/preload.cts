/**
 * The renderer's only door to main: `window.baton` (shared/ipc.ts `BatonApi`), and nothing else —
 * no ipcRenderer, no Node, no IPC event object (its `sender` is ipcRenderer itself).
 *
 * Why a .cts that calls `require`: a sandboxed preload runs as a classic script whose `require`
 * knows only 'electron' and a few built-ins. It cannot be an ES module and cannot load our other
 * files, so everything it needs is in this one file; types come from the contract and vanish at
 * build. The compile-time records below fail the type check if the contract gains or loses a
 * command or an event that this file does not list. The media side of the contract (media.reply,
 * media.request, media.state, media.replaced) is the media host's (mediaPreload.cts): main refuses
 * it from the UI and never sends it here, and this page cannot even name it.
 */
import type * as ElectronModule from 'electron';
import type {
  BatonApi,
  CommandName,
  CommandOutcome,
  EventName,
  EventPayloads,
  MediaHostCommandName,
  MediaHostEventName,
} from '../shared/ipc.js';

/** Kept equal to electron/shell/channels.ts by test/unit/shellPreload.test.ts. */
const CHANNELS = { invoke: 'baton:invoke', attach: 'baton:attach', event: 'baton:event' } as const;

const COMMAND_SET: Record<Exclude<CommandName, MediaHostCommandName>, true> = {
  'session.signIn': true,
  'session.signOut': true,
  'session.connect': true,
  'agent.setStatus': true,
  'call.dial': true,
  'call.answer': true,
  'call.decline': true,
  'call.hangUp': true,
  'call.hold': true,
  'call.unhold': true,
  'call.mute': true,
  'call.dtmf': true,
  'transfer.prepare': true,
  'transfer.start': true,
  'transfer.complete': true,
  'transfer.cancel': true,
  'transfer.accept': true,
  'transfer.decline': true,
  'transfer.unholdContact': true,
  'disposition.file': true,
  'history.list': true,
  'draft.save': true,
  'settings.set': true,
  'diagnostics.export': true,
};

const EVENT_SET: Record<Exclude<EventName, MediaHostEventName>, true> = {
  'desk.snapshot': true,
  'desk.patch': true,
  'desk.dialRequest': true,
};

type IpcRendererPort = Pick<ElectronModule.IpcRenderer, 'invoke' | 'send' | 'on'>;

const has = (set: object, key: unknown): boolean => typeof key === 'string' && Object.prototype.hasOwnProperty.call(set, key);

function createBatonApi(ipc: IpcRendererPort): BatonApi {
  // One ipcRenderer listener fans out to the page's subscribers, so a page that subscribes often
  // cannot pile up listeners on ipcRenderer, and the IPC event object never reaches page code.
  const subscribers = new Map<EventName, Set<(payload: never) => void>>();
  ipc.on(CHANNELS.event, (_event: unknown, name: unknown, payload: unknown) => {
    if (!has(EVENT_SET, name)) return;
    for (const listener of [...(subscribers.get(name as EventName) ?? [])]) {
      try {
        (listener as (value: unknown) => void)(payload);
      } catch (error) {
        console.error('[baton] a window.baton listener failed', error);
      }
    }
  });

  const api: BatonApi = {
    invoke<C extends CommandName>(command: C, payload: unknown): Promise<CommandOutcome<C>> {
      if (!has(COMMAND_SET, command)) {
        return Promise.resolve({
          ok: false,
          error: { code: 'unknown-command', message: `Unknown command: ${String(command).slice(0, 64)}` },
        });
      }
      return ipc.invoke(CHANNELS.invoke, command, payload) as Promise<CommandOutcome<C>>;
    },
    on<E extends EventName>(event: E, listener: (payload: EventPayloads[E]) => void): () => void {
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
electron.contextBridge.exposeInMainWorld('baton', createBatonApi(electron.ipcRenderer));
