/**
 * Wires the engine to main through the media host's `window.baton` (shared/ipc.ts MediaHostApi):
 * every `media.request` event runs against the engine and is answered with a `media.reply`
 * command; the ring tone follows main's media.state (rings while an inbound call is ringing), and so
 * does the spare connection for the next outgoing call (kept while someone is signed in). Call
 * once at startup: attaching tells main "this media engine is ready" and brings a media.state.
 * Told that another media host replaced this one (media.replaced), it lets go of everything.
 */
import type { MediaHostApi, MediaHostState, MediaRequest } from '../../shared/ipc.js';
import { createMediaEngine, harnessMediaOptions, type MediaEngine, type MediaEngineOptions } from './mediaEngine.js';
import { runMediaRequest } from './mediaRequests.js';
import { loggedAndDropped } from './loggedAndDropped.js';

export interface AttachOptions {
  /** An engine built elsewhere; default: createMediaEngine(media). */
  readonly engine?: MediaEngine;
  /** Options for the engine created here; default: what the E2E harness set, else production defaults. */
  readonly media?: MediaEngineOptions;
  /** Ring while an inbound call rings (default true). */
  readonly ring?: boolean;
  /** Call baton.attach() now (default true). */
  readonly announce?: boolean;
  readonly onError?: (message: string, request: MediaRequest) => void;
  /** Every media.state main sends (after the ringer followed it). */
  readonly onState?: (state: MediaHostState) => void;
  /** Another media host took the calls over; this engine has let go of everything when it is called. */
  readonly onReplaced?: () => void;
}

export interface AttachedMediaEngine {
  readonly engine: MediaEngine;
  /** Stops answering main and closes every call's media. */
  dispose(): Promise<void>;
  /** True once main said another media host replaced this one. */
  readonly replaced: boolean;
}

/** `media.reply` caps error text at 1000 characters. */
const MAX_ERROR = 900;

export function attachMediaEngine(baton: MediaHostApi, options: AttachOptions = {}): AttachedMediaEngine {
  const engine = options.engine ?? createMediaEngine(options.media ?? harnessMediaOptions());
  const subscriptions: Array<() => void> = [];

  subscriptions.push(
    baton.on('media.request', ({ requestId, request }) => {
      void runMediaRequest(engine, request).then(
        (value) => reply(baton, value === undefined ? { requestId, ok: true } : { requestId, ok: true, value }),
        (error: unknown) => {
          const message = (error instanceof Error ? error.message : String(error)).slice(0, MAX_ERROR);
          options.onError?.(message, request);
          return reply(baton, { requestId, ok: false, error: message });
        },
      );
    }),
  );

  const ring = options.ring ?? true;
  subscriptions.push(
    baton.on('media.state', (state) => {
      if (ring && state.ringing) engine.ringer.start();
      else engine.ringer.stop();
      engine.keepSpare(state.signedIn === true);
      options.onState?.(state);
    }),
  );

  let disposing: Promise<void> | null = null;
  const dispose = (): Promise<void> => {
    disposing ??= (async () => {
      for (const unsubscribe of subscriptions.splice(0)) unsubscribe();
      engine.ringer.stop();
      await engine.dispose();
    })();
    return disposing;
  };
  let replaced = false;
  subscriptions.push(
    baton.on('media.replaced', () => {
      // Main has moved the calls to the new host already: what this one holds (connections, the
      // spare, the microphone, the audio, the ring) is let go, and nothing more is answered.
      replaced = true;
      // Safe: what failed to close is logged, and the calls play on the new host either way.
      void dispose()
        .catch(loggedAndDropped('releasing the media of a replaced media host'))
        .finally(() => options.onReplaced?.());
    }),
  );

  if (options.announce ?? true) baton.attach();

  return {
    engine,
    dispose,
    get replaced() {
      return replaced;
    },
  };
}

async function reply(baton: MediaHostApi, payload: { requestId: number; ok: boolean; value?: unknown; error?: string }): Promise<void> {
  // Main may be gone (reload, quit): nothing to do with a reply nobody waits for.
  await baton.invoke('media.reply', payload).catch(loggedAndDropped('a media reply'));
}
