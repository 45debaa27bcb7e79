/**
 * Main's media requests (shared/ipc.ts MediaRequest) executed against an engine. Each resolves with
 * the value main expects (MediaRequestResults) or rejects with an error whose message goes back.
 */
import type { MediaRequest, MediaRequestResults } from '../../shared/ipc.js';
import type { MediaSession } from '../../shared/media.js';
import type { MediaEngine } from './mediaEngine.js';

/**
 * Opens still under way, per engine: main sends a session's first request right behind its open
 * without waiting for the reply, and an open may wait for the microphone.
 */
const opening = new WeakMap<MediaEngine, Map<string, Promise<unknown>>>();

export async function runMediaRequest(engine: MediaEngine, request: MediaRequest): Promise<MediaRequestResults[MediaRequest['op']]> {
  // Not about a call: main checks a device choice before it saves it.
  if (request.op === 'checkDevices') return engine.checkDevices(request.devices);
  const pending = opening.get(engine) ?? new Map<string, Promise<unknown>>();
  opening.set(engine, pending);
  if (request.op === 'open') {
    const opened = engine.open(request.sessionId);
    pending.set(request.sessionId, opened);
    try {
      await opened;
    } finally {
      if (pending.get(request.sessionId) === opened) pending.delete(request.sessionId);
    }
    return undefined;
  }
  // A failed open has been answered with its reason already: this request then finds no session.
  // eslint-disable-next-line baton/no-swallowed-error -- handled: reported by the open's own reply
  await pending.get(request.sessionId)?.catch(() => undefined);
  const session = engine.session(request.sessionId);
  if (!session) {
    // Closing what is already gone is done; anything else is main asking about a session we never had.
    if (request.op === 'close') return undefined;
    throw new Error(`no media session ${request.sessionId}`);
  }
  return runSessionRequest(session, request);
}

function assertNever(request: never): never {
  throw new Error(`unknown media request ${JSON.stringify((request as { op?: unknown }).op)}`);
}

/** One request about a call's session, on that session (the engine's or any other MediaSession). */
export function runSessionRequest(
  session: MediaSession,
  request: Exclude<MediaRequest, { op: 'open' | 'checkDevices' }>,
): Promise<MediaRequestResults[MediaRequest['op']]> {
  switch (request.op) {
    case 'createOffer':
      return session.createOffer({ direction: request.direction, iceRestart: request.iceRestart });
    case 'acceptOffer':
      return session.acceptOffer(request.sdp, { direction: request.direction });
    case 'applyAnswer':
      return session.applyAnswer(request.sdp);
    case 'rollback':
      return session.rollback();
    case 'setMuted':
      return session.setMuted(request.muted);
    case 'sendDtmf':
      return session.sendDtmf(request.tones, { durationMs: request.durationMs, gapMs: request.gapMs });
    case 'getStats':
      return session.getStats();
    case 'close':
      return session.close();
    default:
      return assertNever(request);
  }
}
