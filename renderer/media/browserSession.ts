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
  readonly createPeerConnection: (config: RTCConfiguration) => RTCPeerConnection;
}

/** Chromium clamps RFC 4733 tones to 40..6000 ms and gaps to ≥ 30 ms; so do we, to know when they end. */
const DTMF_MIN_DURATION_MS = 40;
const DTMF_MAX_DURATION_MS = 6000;
const DTMF_MIN_GAP_MS = 30;

export class BrowserMediaSession implements MediaSession {
  private readonly pc: RTCPeerConnection;
  private readonly stream = new MediaStream();
  private readonly element: HTMLAudioElement;
  private readonly closing = new AbortController();
  private transceiver: RTCRtpTransceiver | null = null;
  private meter: LevelMeter | null = null;
  private queue: Promise<unknown> = Promise.resolve();
  private muted = false;
  private holding = false;
  private holdingBeforeOffer = false;

  constructor(
    readonly id: string,
    private track: MediaStreamTrack,
    private readonly context: SessionContext,
    private readonly onClosed: () => void,
  ) {
    this.pc = context.createPeerConnection({
      iceServers: [],
      // 'balanced', not 'max-bundle': a media relay (rtpengine) offers and answers one audio m-line with
      // a=mid and no a=group:BUNDLE, which max-bundle refuses. With one audio m-line, bundling buys nothing.
      bundlePolicy: 'balanced',
      rtcpMuxPolicy: 'require',
      // No candidate pool: pooled candidates outrank every later one (see MediaPort in shared/media.ts).
      iceCandidatePoolSize: 0,
    });
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

  createOffer(options: OfferOptions): Promise<Sdp> {
    return this.serialized(async () => {
      this.holdingBeforeOffer = this.holding;
      this.setHolding(options.direction);
      const transceiver = this.transceiver ?? this.adopt(this.pc.addTransceiver(this.track, { direction: options.direction, streams: [new MediaStream([this.track])] }));
      // Set afresh on every offer and answer: a rolled-back offer's direction never leaks.
      transceiver.direction = options.direction;
      await this.pc.setLocalDescription(await this.pc.createOffer({ iceRestart: options.iceRestart ?? false }));
      await this.gathered();
      return this.localSdp();
    });
  }

  acceptOffer(offer: Sdp, options: AnswerOptions): Promise<Sdp> {
    return this.serialized(async () => {
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
        await this.pc.setLocalDescription({ type: 'answer', sdp: dtlsServerAnswer(previousRemote, offer, answer.sdp ?? '') ?? answer.sdp ?? '' });
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
    const report = await this.pc.getStats();
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
    this.track = track;
    this.updateTrack();
    await this.transceiver?.sender.replaceTrack(track);
    previous.stop();
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
    release(() => this.pc.close());
    release(() => this.track.stop());
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
    this.track.enabled = !this.muted && !this.holding;
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
    void setSink(this.element, this.context.speakerId()).catch(() => {});
    void this.element.play().catch(() => {});
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
      await audio.sender.replaceTrack(this.track);
      audio.sender.setStreams(new MediaStream([this.track]));
    }
    // Anything else the far end offered (video, a second audio) is declined rather than received.
    for (const other of transceivers) if (other !== audio && other.mid !== null && other.currentDirection !== 'stopped') other.direction = 'inactive';
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
    const result = this.queue.then(run, run);
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
