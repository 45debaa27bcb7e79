import type { MediaPort, MediaSession, Sdp } from '../../shared/media.js';
import { createWrtcMediaPort, type WrtcMediaPort } from '../lab/wrtcEngine.js';

/**
 * A far end's wrtc engine (its tone `toneHz`) whose answers are passed through `rewrite` while
 * `when.on`. Its own sessions are patched, not wrapped, so the audio oracle still hears them; the
 * engine itself answered normally. `dispose` the engine it returns after the test.
 */
export function answerRewritingPort(
  toneHz: number,
  when: { on: boolean },
  rewrite: (answer: Sdp) => Sdp,
): { readonly port: MediaPort; readonly engine: WrtcMediaPort } {
  const engine = createWrtcMediaPort({ toneHz });
  const port: MediaPort = {
    async open(id) {
      const session: MediaSession = await engine.open(id);
      const acceptOffer = session.acceptOffer.bind(session);
      session.acceptOffer = async (offer, options) => {
        const answer = await acceptOffer(offer, options);
        return when.on ? rewrite(answer) : answer;
      };
      return session;
    },
  };
  return { port, engine };
}
