/**
 * The MediaPort of the product: main's SIP.js sessions drive the renderer's WebRTC engine over IPC.
 * Each operation is a `media.request` event answered by a `media.reply` command. A request left
 * unanswered (renderer reloading, crashed) fails after a bound instead of hanging a SIP transaction.
 */
import type { MediaRequest, MediaRequestResults } from '../../../shared/ipc.js';
import type { AnswerOptions, DtmfOptions, MediaPort, MediaSession, MediaStats, OfferOptions, Sdp } from '../../../shared/media.js';

export type MediaRequestSink = (requestId: number, request: MediaRequest) => void;

interface Pending {
  readonly resolve: (value: unknown) => void;
  readonly reject: (error: Error) => void;
  readonly timer: NodeJS.Timeout;
}

export class MediaEngineUnavailable extends Error {
  override readonly name = 'MediaEngineUnavailable';
}

export class RendererMediaPort implements MediaPort {
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private sink: MediaRequestSink | undefined;
  /**
   * Counts the engines gone (detach): a session belongs to the engine attached when it was opened,
   * and a later engine never had it. Asking that one about it would only fail (`no media session`),
   * as a reply indistinguishable from an engine refusing what it was asked.
   */
  private engineGeneration = 0;

  constructor(private readonly timeoutMs = 5000) {}

  /** A renderer attached (or re-attached): requests go to it from now on. */
  attach(sink: MediaRequestSink): void {
    this.sink = sink;
  }

  /** The renderer is gone: what it was asked fails now rather than at the timeout. */
  detach(): void {
    this.sink = undefined;
    this.engineGeneration += 1;
    for (const [id, p] of this.pending) {
      clearTimeout(p.timer);
      p.reject(new MediaEngineUnavailable('The window with the audio engine closed.'));
      this.pending.delete(id);
    }
  }

  get attached(): boolean {
    return this.sink !== undefined;
  }

  /** The engine a session opened now belongs to (see engineGeneration). */
  get generation(): number {
    return this.engineGeneration;
  }

  /** Called with the payload of a `media.reply` command. Unknown ids are ignored (late replies). */
  reply(requestId: number, ok: boolean, value: unknown, error: string | undefined): void {
    const p = this.pending.get(requestId);
    if (!p) return;
    this.pending.delete(requestId);
    clearTimeout(p.timer);
    if (ok) p.resolve(value);
    else p.reject(new Error(error ?? 'The audio engine failed.'));
  }

  async open(sessionId: string): Promise<MediaSession> {
    const generation = this.engineGeneration;
    await this.request({ op: 'open', sessionId });
    return new RemoteMediaSession(sessionId, this, Promise.resolve(), generation);
  }

  /**
   * The session at once, its open on the way and not answered yet: the session's first request (the
   * call's offer) follows the open on the same ordered channel, so an INVITE waits for one round trip
   * to the engine instead of two. A failed open fails that request, and every later one, with its reason.
   */
  openPipelined(sessionId: string): MediaSession {
    if (!this.sink) throw new MediaEngineUnavailable('No window with an audio engine is open.');
    return new RemoteMediaSession(sessionId, this, this.request({ op: 'open', sessionId }), this.engineGeneration);
  }

  request<R extends MediaRequest>(request: R): Promise<MediaRequestResults[R['op']]> {
    const sink = this.sink;
    if (!sink) return Promise.reject(new MediaEngineUnavailable('No window with an audio engine is open.'));
    const requestId = this.nextId++;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(requestId);
        reject(new MediaEngineUnavailable(`The audio engine did not answer ${request.op} in time.`));
      }, this.timeoutMs);
      this.pending.set(requestId, { resolve: resolve as (value: unknown) => void, reject, timer });
      sink(requestId, request);
    });
  }
}

/**
 * Replies are checked for shape: the renderer is not trusted to send an SDP where one is due. Once
 * the engine that opened it is gone, every request fails with MediaEngineUnavailable, unsent.
 */
class RemoteMediaSession implements MediaSession {
  constructor(
    readonly id: string,
    private readonly port: RendererMediaPort,
    private readonly opened: Promise<unknown>,
    private readonly generation: number,
  ) {
    // Its failure is reported by every request made on the session (ask), if any is made.
    // eslint-disable-next-line baton/no-swallowed-error -- handled: see above
    void opened.catch(() => undefined);
  }

  /** `request`'s reply, once the open it followed has succeeded (its error first otherwise). */
  private async ask<R extends MediaRequest>(request: R): Promise<MediaRequestResults[R['op']]> {
    if (this.port.generation !== this.generation) throw new MediaEngineUnavailable('The audio engine that had this call’s media is gone.');
    const [, value] = await Promise.all([this.opened, this.port.request(request)]);
    return value;
  }

  async createOffer(options: OfferOptions): Promise<Sdp> {
    return sdp(
      await this.ask({ op: 'createOffer', sessionId: this.id, direction: options.direction, iceRestart: options.iceRestart ?? false }),
    );
  }
  async acceptOffer(offer: Sdp, options: AnswerOptions): Promise<Sdp> {
    return sdp(await this.ask({ op: 'acceptOffer', sessionId: this.id, sdp: offer, direction: options.direction }));
  }
  async applyAnswer(answer: Sdp): Promise<void> {
    await this.ask({ op: 'applyAnswer', sessionId: this.id, sdp: answer });
  }
  async rollback(): Promise<void> {
    await this.ask({ op: 'rollback', sessionId: this.id });
  }
  async setMuted(muted: boolean): Promise<void> {
    await this.ask({ op: 'setMuted', sessionId: this.id, muted });
  }
  async sendDtmf(tones: string, options: DtmfOptions): Promise<boolean> {
    return (await this.ask({ op: 'sendDtmf', sessionId: this.id, tones, ...options })) === true;
  }
  async getStats(): Promise<MediaStats> {
    const value: unknown = await this.ask({ op: 'getStats', sessionId: this.id });
    return stats(value);
  }
  async close(): Promise<void> {
    if (this.port.generation !== this.generation) return; // its engine went, and the session with it
    // A close that cannot reach the engine finds it gone (renderer reloading or closed), and the
    // session with it: there is nothing left to release, and the call ends either way.
    // eslint-disable-next-line baton/no-swallowed-error -- safe, as said above; this port has no log of its own
    await this.port.request({ op: 'close', sessionId: this.id }).catch(() => {});
  }
}

function sdp(value: unknown): Sdp {
  if (typeof value !== 'string' || !value.startsWith('v=0') || value.length > 64_000)
    throw new Error('The audio engine returned no usable SDP.');
  return value;
}

function stats(value: unknown): MediaStats {
  const v = (typeof value === 'object' && value !== null ? value : {}) as Record<string, unknown>;
  const n = (x: unknown): number => (typeof x === 'number' && Number.isFinite(x) && x >= 0 ? x : 0);
  return {
    bytesSent: n(v.bytesSent),
    bytesReceived: n(v.bytesReceived),
    packetsSent: n(v.packetsSent),
    packetsReceived: n(v.packetsReceived),
    inboundLevel: typeof v.inboundLevel === 'number' ? Math.min(1, Math.max(0, v.inboundLevel)) : null,
    iceState: typeof v.iceState === 'string' ? v.iceState.slice(0, 32) : 'unknown',
  };
}
