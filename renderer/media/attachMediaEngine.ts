/**
 * Wires the engine to main through the media host's `window.baton` (shared/ipc.ts MediaHostApi):
 * every `media.request` event runs against the engine and is answered with a `media.reply`
 * command; the ring tone follows main's media.state (rings while an inbound call is ringing), and so
 * does the spare connection for the next outgoing call (kept while someone is signed in). Call
 * once at startup: attaching tells main "this media engine is ready" and brings a media.state.
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
}

export interface AttachedMediaEngine {
  readonly engine: MediaEngine;
  /** Stops answering main and closes every call's media. */
  dispose(): Promise<void>;
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

  if (options.announce ?? true) baton.attach();

  return {
    engine,
    async dispose() {
      for (const unsubscribe of subscriptions.splice(0)) unsubscribe();
      engine.ringer.stop();
      await engine.dispose();
    },
  };
}

async function reply(baton: MediaHostApi, payload: { requestId: number; ok: boolean; value?: unknown; error?: string }): Promise<void> {
  // Main may be gone (reload, quit): nothing to do with a reply nobody waits for.
  await baton.invoke('media.reply', payload).catch(loggedAndDropped('a media reply'));
}
