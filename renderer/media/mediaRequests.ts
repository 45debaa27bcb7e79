/**
 * Main's media requests (shared/ipc.ts MediaRequest) executed against an engine. Each resolves with
 * the value main expects (MediaRequestResults) or rejects with an error whose message goes back.
 */
import type { MediaRequest, MediaRequestResults } from '../../shared/ipc.js';
import type { MediaEngine } from './mediaEngine.js';

export async function runMediaRequest(engine: MediaEngine, request: MediaRequest): Promise<MediaRequestResults[MediaRequest['op']]> {
  if (request.op === 'open') {
    await engine.open(request.sessionId);
    return undefined;
  }
  const session = engine.session(request.sessionId);
  if (!session) {
    // Closing what is already gone is done; anything else is main asking about a session we never had.
    if (request.op === 'close') return undefined;
    throw new Error(`no media session ${request.sessionId}`);
  }
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

function assertNever(request: never): never {
  throw new Error(`unknown media request ${JSON.stringify((request as { op?: unknown }).op)}`);
}
