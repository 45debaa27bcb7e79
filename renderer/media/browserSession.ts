/**
 * One call's media in Chromium: one RTCPeerConnection with one audio transceiver, driven by main's
 * SIP.js through the MediaSession interface (shared/media.ts) — the same behaviour as the Node engine
 * (test/lab/wrtcEngine.ts), so the SIP layer cannot tell them apart.
 *
 * - No trickle: offers and answers carry every candidate (gathering waits, bounded).
 * - Hold (our direction sendonly/inactive) and mute both disable our track: the far end decodes
 *   silence, never our room.
 * - Remote audio plays through a hidden <audio> element on the chosen speaker (setSinkId), and is
 *   metered for `inboundLevel`.
 */
import type { AnswerOptions, DtmfOptions, MediaDirection, MediaSession, MediaStats, OfferOptions, Sdp } from '../../shared/media.js';
import { dtlsServerAnswer, keepCandidates } from '../../shared/sdp.js';
import { LevelMeter } from './levelMeter.js';
import { loggedAndDropped } from './loggedAndDropped.js';
import type { TakenSpare } from './spareOffer.js';
import { setSink } from './ringer.js';

/** What a session needs from its engine: settings and shared resources. */
export interface SessionContext {
  readonly document: Document;
  /** null: take every candidate as is (production). */
  readonly keepAddress: ((address: string) => boolean) | null;
  readonly gatheringTimeoutMs: number;
  readonly speakerId: () => string;
  /** The engine's AudioContext for metering, or null when WebAudio is unavailable. */
  readonly audioContext: () => AudioContext | null;
  /** A new connection for one call (no candidate pool: see MediaPort in shared/media.ts). */
  readonly createPeerConnection: () => RTCPeerConnection;
  readonly closePeerConnection: (pc: RTCPeerConnection) => void;
  /** The engine's spare connection with a gathered offer, if one is ready and still good. */
  readonly takeSpare: () => TakenSpare | null;
  /** Counts an offer made: from the spare, or gathered while the caller waited. */
  readonly offered: (fromSpare: boolean) => void;
}

/** Chromium clamps RFC 4733 tones to 40..6000 ms and gaps to ≥ 30 ms; so do we, to know when they end. */
const DTMF_MIN_DURATION_MS = 40;
const DTMF_MAX_DURATION_MS = 6000;
const DTMF_MIN_GAP_MS = 30;

export class BrowserMediaSession implements MediaSession {
  /** Made on first use: an outgoing call's first offer may take the engine's spare instead. */
  private connection: RTCPeerConnection | null = null;
  private readonly stream = new MediaStream();
  private readonly element: HTMLAudioElement;
  private readonly closing = new AbortController();
  private transceiver: RTCRtpTransceiver | null = null;
  private meter: LevelMeter | null = null;
  private queue: Promise<unknown> = Promise.resolve();
  private muted = false;
  private holding = false;
  private holdingBeforeOffer = false;

  /** The call's microphone: null until the capture the engine started for this call delivers it. */
  private track: MediaStreamTrack | null = null;
  private readonly captured: Promise<MediaStreamTrack>;
  private captureError: Error | null = null;

  /**
   * `capture` is the call's own microphone track, perhaps still starting: an offer from the spare
   * goes out without waiting for it (the track joins the connection when it comes, no
   * renegotiation); every other offer and answer waits for it, since Chromium shows ICE real host
   * addresses only once capture is granted.
   */
  constructor(
    readonly id: string,
    capture: Promise<MediaStreamTrack>,
    private readonly context: SessionContext,
    private readonly onClosed: () => void,
  ) {
    this.captured = capture.then(
      async (track) => {
        if (this.closed) {
          track.stop();
          return track;
        }
        // A device change may have handed the call a newer capture meanwhile.
        if (this.track !== null) {
          track.stop();
          return this.track;
        }
        await this.useTrack(track);
        return track;
      },
      (error: unknown) => {
        this.captureError = error instanceof Error ? error : new Error(String(error));
        throw this.captureError;
      },
    );
    // Not lost: the offer or answer that needs the microphone awaits `captured` and fails with it.
    this.captured.catch(loggedAndDropped(`the microphone of media session ${id}`));
    this.element = context.document.createElement('audio');
    this.element.dataset.batonAudio = 'call';
    this.element.dataset.session = id;
    this.element.hidden = true;
    this.element.autoplay = true;
    context.document.body.append(this.element);
  }

  /** The transceiver's receiving track, playing and metered (for tests and a level indicator in the UI). */
  get remoteStream(): MediaStream {
    return this.stream;
  }

  get closed(): boolean {
    return this.closing.signal.aborted;
  }

  private get pc(): RTCPeerConnection {
    this.connection ??= this.context.createPeerConnection();
    return this.connection;
  }

  createOffer(options: OfferOptions): Promise<Sdp> {
    return this.serialized(async () => {
      this.holdingBeforeOffer = this.holding;
      this.setHolding(options.direction);
      const spare = this.connection === null && options.direction === 'sendrecv' && !options.iceRestart ? this.context.takeSpare() : null;
      if (spare) {
        // The spare's offer went out gathered; this call's microphone (device and mute as of now) goes on it.
        this.connection = spare.pc;
        this.adopt(spare.transceiver);
        if (this.track !== null) await this.useTrack(this.track);
        this.context.offered(true);
        return this.localSdp();
      }
      this.context.offered(false);
      const track = await this.captured;
      const transceiver =
        this.transceiver ??
        this.adopt(this.pc.addTransceiver(track, { direction: options.direction, streams: [new MediaStream([track])] }));
      // Set afresh on every offer and answer: a rolled-back offer's direction never leaks.
      transceiver.direction = options.direction;
      await this.pc.setLocalDescription(await this.pc.createOffer({ iceRestart: options.iceRestart ?? false }));
      await this.gathered();
      return this.localSdp();
    });
  }

  acceptOffer(offer: Sdp, options: AnswerOptions): Promise<Sdp> {
    return this.serialized(async () => {
      if (this.track === null) await this.captured;
      const previousRemote = this.pc.remoteDescription?.sdp;
      await this.pc.setRemoteDescription({ type: 'offer', sdp: this.filter(offer) });
      try {
        const transceiver = await this.audioTransceiverAfterRemoteOffer();
        // Chromium answers with the intersection of this and the reversed offer direction (RFC 3264).
        transceiver.direction = options.direction;
        this.setHolding(options.direction);
        const answer = await this.pc.createAnswer();
        // A peer whose engine was replaced (its page reloaded) gets to be the DTLS client: see
        // dtlsServerAnswer. Chromium (156 measured) moves a transport's role on a DTLS restart.
        await this.pc.setLocalDescription({
          type: 'answer',
          sdp: dtlsServerAnswer(previousRemote, offer, answer.sdp ?? '') ?? answer.sdp ?? '',
        });
      } catch (error) {
        // Leave signalling stable so the SIP layer can refuse the offer and keep the call.
        if (this.pc.signalingState === 'have-remote-offer') await this.pc.setRemoteDescription({ type: 'rollback' });
        throw error;
      }
      await this.gathered();
      return this.localSdp();
    });
  }

  applyAnswer(answer: Sdp): Promise<void> {
    return this.serialized(async () => {
      // An offer from the spare left before the microphone was there: a call it never reached fails here, clearly.
      if (this.captureError) throw this.captureError;
      await this.pc.setRemoteDescription({ type: 'answer', sdp: this.filter(answer) });
    });
  }

  rollback(): Promise<void> {
    return this.serialized(async () => {
      if (this.pc.signalingState !== 'have-local-offer') return;
      await this.pc.setLocalDescription({ type: 'rollback' });
      this.holding = this.holdingBeforeOffer;
      this.updateTrack();
    });
  }

  async setMuted(muted: boolean): Promise<void> {
    this.assertOpen();
    this.muted = muted;
    this.updateTrack();
  }

  /** RFC 4733 through RTCRtpSender.dtmf; false when the far end negotiated no telephone-event. */
  sendDtmf(tones: string, options: DtmfOptions): Promise<boolean> {
    return this.serialized(async () => {
      const dtmf = this.transceiver?.sender.dtmf ?? null;
      if (!dtmf || !dtmf.canInsertDTMF) return false;
      const duration = clamp(options.durationMs, DTMF_MIN_DURATION_MS, DTMF_MAX_DURATION_MS);
      const gap = Math.max(DTMF_MIN_GAP_MS, options.gapMs);
      // Resolve once the tones have been sent (tonechange with "" ends the buffer), bounded in case it never fires.
      const bound = tones.length * (duration + gap) + 1000;
      await new Promise<void>((resolve) => {
        const done = (): void => {
          clearTimeout(timer);
          dtmf.removeEventListener('tonechange', onTone);
          this.closing.signal.removeEventListener('abort', done);
          resolve();
        };
        const onTone = (event: RTCDTMFToneChangeEvent): void => {
          if (event.tone === '') done();
        };
        const timer = setTimeout(done, bound);
        dtmf.addEventListener('tonechange', onTone);
        this.closing.signal.addEventListener('abort', done);
        dtmf.insertDTMF(tones, duration, gap);
      });
      return true;
    });
  }

  async getStats(): Promise<MediaStats> {
    this.assertOpen();
    const totals = { bytesSent: 0, bytesReceived: 0, packetsSent: 0, packetsReceived: 0 };
    let statsLevel: number | null = null;
    if (this.connection === null) return { ...totals, inboundLevel: null, iceState: 'new' };
    const report = await this.connection.getStats();
    report.forEach((stat: unknown) => {
      if (!isRecord(stat) || stat['kind'] !== 'audio') return;
      if (stat['type'] === 'outbound-rtp') {
        totals.bytesSent += numberField(stat, 'bytesSent');
        totals.packetsSent += numberField(stat, 'packetsSent');
      } else if (stat['type'] === 'inbound-rtp') {
        totals.bytesReceived += numberField(stat, 'bytesReceived');
        totals.packetsReceived += numberField(stat, 'packetsReceived');
        if (typeof stat['audioLevel'] === 'number') statsLevel = stat['audioLevel'];
      }
    });
    return { ...totals, inboundLevel: this.meter?.level() ?? statsLevel, iceState: this.pc.iceConnectionState };
  }

  /** Moves the call to another microphone (the engine captured it); keeps mute and hold. */
  async replaceTrack(track: MediaStreamTrack): Promise<void> {
    if (this.closed) {
      track.stop();
      return;
    }
    const previous = this.track;
    await this.useTrack(track);
    previous?.stop();
  }

  /** Plays the call on another output device ('' = default). */
  async setSpeaker(sinkId: string): Promise<void> {
    await setSink(this.element, sinkId);
  }

  close(): Promise<void> {
    if (this.closing.signal.aborted) return Promise.resolve();
    this.closing.abort();
    // Every release runs even when an earlier one throws: a half-closed call would keep the mic open.
    const failures: unknown[] = [];
    const release = (step: () => void): void => {
      try {
        step();
      } catch (error) {
        failures.push(error);
      }
    };
    release(() => this.meter?.dispose());
    const connection = this.connection;
    if (connection) release(() => this.context.closePeerConnection(connection));
    release(() => this.track?.stop());
    release(() => {
      this.element.pause();
      this.element.srcObject = null;
      this.element.remove();
    });
    release(() => this.onClosed());
    this.meter = null;
    if (failures.length > 0) return Promise.reject(new AggregateError(failures, `closing media session ${this.id} failed`));
    return Promise.resolve();
  }

  /** While we hold, the held party must not hear our room (MediaSession's contract). */
  private setHolding(direction: MediaDirection): void {
    this.holding = direction === 'sendonly' || direction === 'inactive';
    this.updateTrack();
  }

  private updateTrack(): void {
    if (this.track) this.track.enabled = !this.muted && !this.holding;
  }

  /** Makes `track` the call's microphone, with the call's mute and hold, on its transceiver if it has one. */
  private async useTrack(track: MediaStreamTrack): Promise<void> {
    this.track = track;
    this.updateTrack();
    const sender = this.transceiver?.sender;
    if (!sender) return;
    await sender.replaceTrack(track);
    sender.setStreams(new MediaStream([track]));
  }

  /** Makes `transceiver` the call's audio: our microphone goes out on it, what comes in plays and is metered. */
  private adopt(transceiver: RTCRtpTransceiver): RTCRtpTransceiver {
    this.transceiver = transceiver;
    for (const old of this.stream.getTracks()) this.stream.removeTrack(old);
    this.stream.addTrack(transceiver.receiver.track);
    this.meter?.dispose();
    const audioContext = this.context.audioContext();
    this.meter = audioContext ? new LevelMeter(audioContext, this.stream) : null;
    this.element.srcObject = this.stream;
    // Safe: on an unusable speaker the call plays on the default one; autoplay is allowed in the media host.
    void setSink(this.element, this.context.speakerId()).catch(loggedAndDropped('choosing the call’s speaker'));
    void this.element.play().catch(loggedAndDropped('playing the call'));
    return transceiver;
  }

  private async audioTransceiverAfterRemoteOffer(): Promise<RTCRtpTransceiver> {
    const transceivers = this.pc.getTransceivers();
    const audio =
      (this.transceiver && this.transceiver.mid !== null ? this.transceiver : null) ??
      transceivers.find((t) => t.mid !== null && t.receiver.track.kind === 'audio' && t.currentDirection !== 'stopped');
    if (!audio) throw new Error('the offer has no audio stream');
    if (audio !== this.transceiver) {
      // Our never-negotiated transceiver (its offer rolled back) would reappear as a second m-line.
      if (this.transceiver && this.transceiver.mid === null) this.transceiver.stop();
      this.adopt(audio);
      const track = await this.captured;
      await audio.sender.replaceTrack(track);
      audio.sender.setStreams(new MediaStream([track]));
    }
    // Anything else the far end offered (video, a second audio) is declined rather than received.
    for (const other of transceivers)
      if (other !== audio && other.mid !== null && other.currentDirection !== 'stopped') other.direction = 'inactive';
    return audio;
  }

  /** Resolves when gathering completes, the bound passes, or the session closes, whichever first. */
  private gathered(): Promise<void> {
    if (this.pc.iceGatheringState === 'complete') return Promise.resolve();
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        this.pc.removeEventListener('icegatheringstatechange', onChange);
        this.closing.signal.removeEventListener('abort', done);
        resolve();
      };
      const onChange = (): void => {
        if (this.pc.iceGatheringState === 'complete') done();
      };
      const timer = setTimeout(done, this.context.gatheringTimeoutMs);
      this.pc.addEventListener('icegatheringstatechange', onChange);
      this.closing.signal.addEventListener('abort', done);
    });
  }

  private localSdp(): Sdp {
    this.assertOpen();
    const sdp = this.pc.localDescription?.sdp;
    if (!sdp) throw new Error(`media session ${this.id} has no local description`);
    return this.filter(sdp);
  }

  private filter(sdp: Sdp): Sdp {
    return this.context.keepAddress ? keepCandidates(sdp, this.context.keepAddress) : sdp;
  }

  private serialized<T>(step: () => Promise<T>): Promise<T> {
    const run = async (): Promise<T> => {
      this.assertOpen();
      return step();
    };
    // A failed earlier step does not stop this one: that step's caller already has its failure.
    const result = this.queue.then(run, run);
    // eslint-disable-next-line baton/no-swallowed-error -- the caller awaits `result` and gets its rejection; the queue only waits for it to settle
    this.queue = result.catch(() => undefined);
    return result;
  }

  private assertOpen(): void {
    if (this.closing.signal.aborted) throw new Error(`media session ${this.id} is closed`);
  }
}

function clamp(value: number, min: number, max: number): number {
  return Math.min(max, Math.max(min, value));
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}

function numberField(record: Record<string, unknown>, key: string): number {
  const value = record[key];
  return typeof value === 'number' && Number.isFinite(value) ? value : 0;
}
