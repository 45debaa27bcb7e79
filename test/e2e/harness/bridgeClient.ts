/**
 * `window.baton` for a page in the E2E harness: the same object the preload (electron/preload.cts)
 * exposes — invoke / on / attach, frozen, unknown commands refused locally, listener errors
 * contained — carried over the harness's WebSocket instead of Electron IPC.
 *
 * `installBatonBridge` runs in the page before any of its scripts (Playwright `addInitScript`), so
 * it is serialised as source: it must reference nothing outside its own body.
 */

export interface BridgeClientArgs {
  /** ws://127.0.0.1:PORT/bridge?token=… */
  readonly url: string;
  /** COMMAND_NAMES from shared/ipc.ts: the preload's COMMAND_SET. */
  readonly commands: readonly string[];
  /** EventPayloads' keys: the preload's EVENT_SET. */
  readonly events: readonly string[];
  /** Set as the media engine's options global (renderer/media MEDIA_OPTIONS_GLOBAL) when given. */
  readonly mediaOptions?: { readonly name: string; readonly value: Readonly<Record<string, unknown>> };
}

export function installBatonBridge(args: BridgeClientArgs): void {
  const CHANNELS = { invoke: 'baton:invoke', attach: 'baton:attach', event: 'baton:event' };
  const commands = new Set(args.commands);
  const events = new Set(args.events);
  if (args.mediaOptions) {
    Object.defineProperty(window, args.mediaOptions.name, { value: Object.freeze({ ...args.mediaOptions.value }) });
  }

  const socket = new WebSocket(args.url);
  const outbox: string[] = [];
  const pending = new Map<number, { resolve: (value: unknown) => void; reject: (error: Error) => void }>();
  const subscribers = new Map<string, Set<(payload: unknown) => void>>();
  let nextId = 1;
  // What the page learns of its host beyond the contract, for renderer/app/pageHost.ts: a
  // data-attribute on <html> (read at start-up: the socket may close before the app mounts) and a
  // window event when it changes. The literals are pageHost.ts's: this function is sent as source.
  const signalHost = (name: string, value: string): void => {
    document.documentElement.setAttribute(`data-baton-${name}`, value);
    window.dispatchEvent(new Event('baton:host'));
  };
  let opened = false;

  const post = (message: unknown): boolean => {
    const text = JSON.stringify(message);
    if (socket.readyState === WebSocket.OPEN) socket.send(text);
    else if (socket.readyState === WebSocket.CONNECTING) outbox.push(text);
    else return false;
    return true;
  };
  socket.addEventListener('open', () => {
    opened = true;
    for (const text of outbox.splice(0)) socket.send(text);
  });
  socket.addEventListener('message', (message: MessageEvent) => {
    let data: { reply?: unknown; value?: unknown; error?: unknown; channel?: unknown; args?: unknown };
    try {
      data = JSON.parse(String(message.data)) as typeof data;
    } catch {
      // Only the harness server writes to this socket; a frame that is not JSON is none of its messages.
      return;
    }
    const host = (data as { host?: { mediaHost?: unknown; mediaPage?: unknown } }).host;
    if (typeof host === 'object' && host !== null) {
      if (typeof host.mediaPage === 'string') document.documentElement.setAttribute('data-baton-media-page', host.mediaPage);
      if (typeof host.mediaHost === 'boolean') signalHost('media-host', host.mediaHost ? 'attached' : 'missing');
      return;
    }
    if (typeof data.reply === 'number') {
      const waiter = pending.get(data.reply);
      pending.delete(data.reply);
      if (!waiter) return;
      if (typeof data.error === 'string') waiter.reject(new Error(data.error));
      else waiter.resolve(data.value);
      return;
    }
    if (data.channel !== CHANNELS.event || !Array.isArray(data.args)) return;
    const [name, payload] = data.args as [unknown, unknown];
    if (typeof name !== 'string' || !events.has(name)) return;
    for (const listener of [...(subscribers.get(name) ?? [])]) {
      try {
        listener(payload);
      } catch (error) {
        console.error('[baton] a window.baton listener failed', error);
      }
    }
  });
  socket.addEventListener('close', () => {
    for (const waiter of pending.values()) waiter.reject(new Error('The connection to Baton closed.'));
    pending.clear();
    // Refused (a stale or wrong token: 401) or, once open, the desk's process stopped.
    signalHost('bridge', opened ? 'closed' : 'refused');
  });

  const api = {
    invoke(command: unknown, payload: unknown): Promise<unknown> {
      if (typeof command !== 'string' || !commands.has(command)) {
        return Promise.resolve({
          ok: false,
          error: { code: 'unknown-command', message: `Unknown command: ${String(command).slice(0, 64)}` },
        });
      }
      const id = nextId++;
      return new Promise((resolve, reject) => {
        pending.set(id, { resolve, reject });
        if (!post({ channel: CHANNELS.invoke, id, args: [command, payload] })) {
          pending.delete(id);
          reject(new Error('The connection to Baton is closed.'));
        }
      });
    },
    on(event: unknown, listener: unknown): () => void {
      if (typeof event !== 'string' || !events.has(event)) throw new TypeError(`Unknown event: ${String(event).slice(0, 64)}`);
      if (typeof listener !== 'function') throw new TypeError('A listener must be a function.');
      let set = subscribers.get(event);
      if (!set) subscribers.set(event, (set = new Set()));
      const fn = listener as (payload: unknown) => void;
      set.add(fn);
      return () => void set.delete(fn);
    },
    attach(): void {
      post({ channel: CHANNELS.attach, args: [] });
    },
  };
  Object.defineProperty(window, 'baton', { value: Object.freeze(api), enumerable: true });
}
