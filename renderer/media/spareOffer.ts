/**
 * One spare peer connection whose offer is already made and ICE-gathered (an early offer), so the
 * next outgoing call or consult sends its INVITE at once instead of after gathering (~100 ms with
 * libwebrtc, most of a call's set-up on a LAN). Shared by both engines: Chromium's (mediaEngine.ts)
 * and Node's (test/lab/wrtcEngine.ts); it touches no window, only RTCPeerConnection.
 *
 * - The candidate pool stays empty: the spare gathers as a call's own connection would, for one
 *   offer, so its candidates rank like any other (see MediaPort in shared/media.ts).
 * - It carries no microphone: the call attaches its own track when it takes the spare, so the
 *   device chosen and the mute set at that moment hold, and nothing is captured between calls.
 * - Only for an offer: an incoming call's answer gathers in ~1 ms anyway, and an answer needs no
 *   pre-made offer.
 * - At most one exists; it is replaced when older than `maxAgeMs` (host candidates go stale when
 *   the network changes without anyone noticing) or when `invalidate()` says the network changed;
 *   it is released when nobody is signed in (`setWanted(false)`) and on dispose.
 */

export interface SpareOfferOptions {
  /** A new connection configured as a call's own (no candidate pool). */
  readonly create: () => RTCPeerConnection;
  /** Closes a connection this keeper made (the engine counts connections created and closed). */
  readonly close: (pc: RTCPeerConnection) => void;
  /** Bound on waiting for gathering, as for a call's own offer. */
  readonly gatheringTimeoutMs: number;
  /** A spare older than this is replaced (default 60 s). */
  readonly maxAgeMs?: number;
  /** Wait after a spare is taken or dropped before making the next, so it never competes with a call's set-up (default 500 ms). */
  readonly refillDelayMs?: number;
  /**
   * Whether the gathered offer can reach a far end, e.g. it holds a candidate the engine keeps (an
   * address, not only an mDNS name, which a SIP far end cannot resolve). Default: any candidate.
   */
  readonly usable?: (sdp: string) => boolean;
}

/** A spare handed to a call: the connection, its one audio transceiver (sendrecv, no track yet) and its gathered offer. */
export interface TakenSpare {
  readonly pc: RTCPeerConnection;
  readonly transceiver: RTCRtpTransceiver;
  readonly sdp: string;
}

export interface SpareCounts {
  /** Spares whose offer finished gathering and was usable. */
  readonly made: number;
  /** Spares handed to a call. */
  readonly used: number;
  /** Spares closed unused: too old, network changed, unusable, released, disposed. */
  readonly discarded: number;
  /** Whether a spare is ready now (0 or 1). */
  readonly ready: number;
}

interface Ready {
  readonly pc: RTCPeerConnection;
  readonly transceiver: RTCRtpTransceiver;
  readonly sdp: string;
  readonly madeAt: number;
}

export class SpareOffer {
  private ready: Ready | null = null;
  /** The connection being made now, if any: never two at once. */
  private building: RTCPeerConnection | null = null;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private wanted = false;
  private disposed = false;
  /** False after a spare came out unusable: the next try waits for `retry()` (e.g. a granted microphone). */
  private mayBuild = true;
  private readonly counts = { made: 0, used: 0, discarded: 0 };
  private readonly maxAgeMs: number;
  private readonly refillDelayMs: number;

  constructor(private readonly options: SpareOfferOptions) {
    this.maxAgeMs = options.maxAgeMs ?? 60_000;
    this.refillDelayMs = options.refillDelayMs ?? 500;
    if (!(this.maxAgeMs > 0)) throw new RangeError(`maxAgeMs out of range: ${this.maxAgeMs}`);
    if (!(this.refillDelayMs >= 0)) throw new RangeError(`refillDelayMs out of range: ${this.refillDelayMs}`);
  }

  /** Keep a spare (someone is signed in) or release it (signed out). */
  setWanted(wanted: boolean): void {
    if (this.disposed || wanted === this.wanted) return;
    this.wanted = wanted;
    if (wanted) this.schedule(0);
    else this.drop();
  }

  get isWanted(): boolean {
    return this.wanted;
  }

  /** The ready spare, if it is still good; the keeper then makes the next one. */
  take(): TakenSpare | null {
    const spare = this.ready;
    if (spare === null) return null;
    this.ready = null;
    this.clearTimer();
    if (!this.fresh(spare)) {
      this.discard(spare.pc);
      this.schedule(this.refillDelayMs);
      return null;
    }
    this.counts.used += 1;
    this.schedule(this.refillDelayMs);
    return { pc: spare.pc, transceiver: spare.transceiver, sdp: spare.sdp };
  }

  /** The network changed (or may have): the spare's candidates are replaced. */
  invalidate(): void {
    if (this.disposed) return;
    this.mayBuild = true;
    this.drop();
    if (this.wanted) this.schedule(this.refillDelayMs);
  }

  /** A reason the last spare was unusable went away (the microphone was granted): try again. */
  retry(): void {
    if (this.mayBuild || this.disposed) return;
    this.mayBuild = true;
    if (this.wanted && this.ready === null) this.schedule(this.refillDelayMs);
  }

  /** The ready spare's offer, for tests that check a call went out with it. */
  peekSdp(): string | null {
    return this.ready?.sdp ?? null;
  }

  stats(): SpareCounts {
    return { ...this.counts, ready: this.ready === null ? 0 : 1 };
  }

  dispose(): void {
    this.disposed = true;
    this.wanted = false;
    this.drop();
  }

  private drop(): void {
    this.clearTimer();
    const spare = this.ready;
    this.ready = null;
    if (spare) this.discard(spare.pc);
    const building = this.building;
    this.building = null;
    if (building) this.discard(building);
  }

  private fresh(spare: Ready): boolean {
    return (
      now() - spare.madeAt <= this.maxAgeMs &&
      spare.pc.signalingState === 'have-local-offer' &&
      spare.pc.connectionState !== 'closed' &&
      spare.pc.connectionState !== 'failed'
    );
  }

  private schedule(delayMs: number): void {
    this.clearTimer();
    if (!this.wanted || this.disposed || !this.mayBuild || this.ready !== null || this.building !== null) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      void this.build();
    }, delayMs);
    unref(this.timer);
  }

  private clearTimer(): void {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
  }

  private async build(): Promise<void> {
    if (!this.wanted || this.disposed || this.ready !== null || this.building !== null) return;
    const pc = this.options.create();
    this.building = pc;
    let sdp: string | null;
    let transceiver: RTCRtpTransceiver | null = null;
    try {
      transceiver = pc.addTransceiver('audio', { direction: 'sendrecv' });
      await pc.setLocalDescription(await pc.createOffer());
      await gathered(pc, this.options.gatheringTimeoutMs);
      sdp = pc.localDescription?.sdp ?? null;
    } catch (error) {
      // Safe: no spare means the next call gathers its own offer, as without this keeper.
      console.debug('[baton] making a spare offer failed; the next call gathers its own', error);
      sdp = null;
    }
    // Released, invalidated or disposed meanwhile: drop() already closed it.
    if (this.building !== pc) return;
    this.building = null;
    if (sdp === null || transceiver === null || !(this.options.usable ?? hasCandidate)(sdp)) {
      this.discard(pc);
      this.mayBuild = false;
      return;
    }
    this.counts.made += 1;
    const spare: Ready = { pc, transceiver, sdp, madeAt: now() };
    this.ready = spare;
    // Replaced when it would be too old to use.
    this.timer = setTimeout(() => {
      this.timer = null;
      if (this.ready !== spare) return;
      this.ready = null;
      this.discard(spare.pc);
      this.schedule(0);
    }, this.maxAgeMs);
    unref(this.timer);
  }

  private discard(pc: RTCPeerConnection): void {
    this.counts.discarded += 1;
    try {
      this.options.close(pc);
    } catch (error) {
      // Safe: a connection that cannot close is already closed and holds nothing.
      console.debug('[baton] closing a spare connection failed', error);
    }
  }
}

function hasCandidate(sdp: string): boolean {
  return /^a=candidate:/m.test(sdp);
}

function now(): number {
  return performance.now();
}

/** Node's timers keep the process alive unless unref'd; the browser's are numbers. */
function unref(timer: ReturnType<typeof setTimeout>): void {
  (timer as unknown as { unref?: () => void }).unref?.();
}

function gathered(pc: RTCPeerConnection, timeoutMs: number): Promise<void> {
  if (pc.iceGatheringState === 'complete') return Promise.resolve();
  return new Promise((resolve) => {
    const done = (): void => {
      clearTimeout(timer);
      pc.removeEventListener('icegatheringstatechange', onChange);
      resolve();
    };
    const onChange = (): void => {
      if (pc.iceGatheringState === 'complete') done();
    };
    const timer = setTimeout(done, timeoutMs);
    pc.addEventListener('icegatheringstatechange', onChange);
  });
}
