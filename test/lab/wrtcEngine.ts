/**
 * The Node media engine: `MediaPort` over @roamhq/wrtc, for integration tests and lab bots.
 *
 * Each session is one RTCPeerConnection with one audio transceiver. What it sends is a synthetic
 * microphone (a sine at `toneHz`, so a listener can tell engines apart); what it receives is metered
 * into `inboundLevel`, and kept for a moment so that `hearing()` can say which tones it holds and how
 * many RTP packets carried it: how tests tell *who* a call hears (test/support/audioOracle.ts).
 *
 * Facts about wrtc 0.10.0 this file relies on (checked on the lab machine):
 * - `track.enabled = false` is honoured: RTP keeps flowing and the far end decodes silence.
 * - `setLocalDescription({ type: 'rollback' })` and `setRemoteDescription({ type: 'rollback' })` work.
 * - `createOffer({ iceRestart: true })` yields new ICE credentials and re-gathers (40–100 ms here).
 * - `setRemoteDescription(offer)` does not adopt a transceiver made by `addTrack` (it adds its own),
 *   so the transceiver is created by our first offer, or adopted from the far end's first offer.
 * - There is no `RTCRtpSender.dtmf`.
 * - A track never stopped keeps the process alive. Stopped, the process still segfaults in Node's own
 *   exit once it created an RTCAudioSource, however cleanly everything was closed: after `dispose()`,
 *   end with `process.exit(code)` (vitest's forks pool ends its workers with SIGTERM, which skips the
 *   crashing teardown).
 * - wrtc binds every interface whatever the SDP says. Filtering candidates keeps every address we
 *   advertise or dial at 127.0.0.1, but a socket on the host's own 192.0.2.x may still be the local
 *   end of the chosen pair, and the far end answers its checks there as a peer-reflexive candidate.
 *   Those addresses belong to this host, so the kernel routes it all over `lo`; nothing leaves it.
 */
import wrtc from '@roamhq/wrtc';
import type {
  AnswerOptions,
  DtmfOptions,
  MediaDirection,
  MediaPort,
  MediaSession,
  MediaStats,
  OfferOptions,
  Sdp,
} from '../../shared/media.js';
import { keepCandidates, loopbackOnly } from '../../shared/sdp.js';
import { SpareOffer, type SpareCounts } from '../../renderer/media/spareOffer.js';
import { framedTones } from '../support/goertzel.js';
import { PARTY_TONES } from '../support/partyTones.js';

export interface WrtcEngineOptions {
  /** Hz of the synthetic microphone's sine tone (default 440); each engine can use its own so the far end can tell who it hears. */
  readonly toneHz?: number;
  /** Drop every ICE candidate that is not 127.0.0.1, local and remote (default true). */
  readonly loopbackOnly?: boolean;
  /** Upper bound to wait for ICE gathering before taking the SDP as is (default 300 ms; gathering takes ~100 ms here). */
  readonly iceGatheringTimeoutMs?: number;
  /**
   * Candidates pre-gathered per session (default 0, as the product's engines). 1 makes this engine
   * a far end like a page that pre-gathers, whose candidates libwebrtc ranks above any later ones
   * (MediaPort in shared/media.ts): the reload bench's reference far end.
   */
  readonly candidatePoolSize?: number;
  /**
   * Keep one spare connection with its offer made and gathered (renderer/media/spareOffer.ts) for the
   * next outgoing call, from now on (default false: most tests and bots answer; `keepSpare` turns it
   * on and off later, e.g. at sign-in and sign-out).
   */
  readonly spareOffer?: boolean;
  /** A spare older than this is replaced (default 60 s). */
  readonly spareMaxAgeMs?: number;
  /** Wait after a spare is used before making the next (default 500 ms). */
  readonly spareRefillDelayMs?: number;
}

/** How this port's offers were made: from the spare, or gathered while the caller waited. */
export interface OfferCounts {
  readonly fromSpare: number;
  /** Offers (first ones and re-offers) that waited for ICE gathering. */
  readonly gathered: number;
}

/** What one session received lately (`windowMs` back from now): the tones in it and the RTP behind it. */
export interface Hearing {
  /** False once the session is closed: it hears nothing any more, and every figure below is 0. */
  readonly open: boolean;
  /** RTP packets received during the window (inbound-rtp packetsReceived, sampled every 100 ms and on demand). */
  readonly packets: number;
  /** How far back the packet count reaches: the window, or less for a session younger than it. */
  readonly spanMs: number;
  /** Mean amplitude (full scale 1.0) at each asked tone over 20 ms Hann-windowed frames of the received audio. */
  readonly tones: ReadonlyMap<number, number>;
  /** RMS of the received audio over the window, whatever its frequencies. */
  readonly level: number;
  /** Amplitude at each asked tone in each 20 ms frame of the window, oldest first (a tone heard throughout, or in bursts). */
  readonly frameTones: ReadonlyMap<number, readonly number[]>;
}

/** What a closed session (or none) hears: nothing, every figure 0. */
export function closedHearing(frequencies: readonly number[]): Hearing {
  return {
    open: false,
    packets: 0,
    spanMs: 0,
    tones: new Map(frequencies.map((hz) => [hz, 0])),
    level: 0,
    frameTones: new Map(frequencies.map((hz) => [hz, []])),
  };
}

export interface HearingOptions {
  /** Hz to measure (default: every party tone, test/support/partyTones.ts). */
  readonly tones?: readonly number[];
  /** How far back to look, 20–1000 ms (default 400: 20 Opus packets, 20 frames of the detector). */
  readonly windowMs?: number;
}

export interface WrtcMediaPort extends MediaPort {
  /** Sessions not yet closed — tests assert this is empty at the end. */
  openSessions(): readonly MediaSession[];
  /** What the open session `sessionId` hears; undefined when this port has no such open session. */
  hearing(sessionId: string, options?: HearingOptions): Promise<Hearing | undefined>;
  /** Keep a spare connection with a gathered offer (signed in) or release it (signed out). */
  keepSpare(wanted: boolean): void;
  /** The network changed: the spare's candidates are replaced. */
  invalidateSpare(): void;
  spareCounts(): SpareCounts;
  /** The ready spare's offer (null when none is ready), for tests that check a call went out with it. */
  spareSdp(): string | null;
  offerCounts(): OfferCounts;
  /** Closes every session and the spare, and stops the microphone; call before process exit. */
  dispose(): Promise<void>;
}

// wrtc's own typings leave `RTCAudioSink.ondata` untyped (`EventHandler` is never declared), so the
// part of `nonstandard` we use is declared here, from what the binding actually delivers.
interface PcmFrame {
  readonly samples: Int16Array;
  readonly sampleRate: number;
  readonly bitsPerSample?: number;
  readonly channelCount?: number;
  readonly numberOfFrames?: number;
}
interface AudioSource {
  createTrack(): MediaStreamTrack;
  onData(frame: PcmFrame): void;
}
interface AudioSink {
  ondata: ((frame: PcmFrame) => void) | null;
  stop(): void;
}
interface Nonstandard {
  readonly RTCAudioSource: new () => AudioSource;
  readonly RTCAudioSink: new (track: MediaStreamTrack) => AudioSink;
}
const nonstandard: Nonstandard = wrtc.nonstandard;
const { RTCPeerConnection } = wrtc;

const SAMPLE_RATE = 48_000;
const FRAME_MS = 10;
const FRAME_SAMPLES = (SAMPLE_RATE * FRAME_MS) / 1000;
/** A quarter of full scale: clearly audible after Opus, far from clipping. Far-end RMS ≈ 0.18. */
const TONE_AMPLITUDE = 0.25 * 32767;
/** After a stall (GC, a busy CI core) send at most this much backlog at once rather than a burst. */
const MAX_CATCH_UP_FRAMES = 10;
const LEVEL_WINDOW_MS = 200;
/** The detector's frame: short enough to follow a tone starting or stopping, long enough to tell tones 110 Hz apart. */
const HEARING_FRAME_MS = 20;
const HEARING_MAX_WINDOW_MS = 1000;
const HEARING_DEFAULT_WINDOW_MS = 400;
const PACKET_SAMPLE_MS = 100;
/** Bound on close() waiting for stats reports already asked for (libwebrtc answers within a few ms). */
const STATS_SETTLE_MS = 1000;

/**
 * Peer connections this module made, closed, and freed by V8 (the soak bench's leak check: a closed
 * connection something still holds is never collected). Counts across every port of the process.
 */
const peerConnections = { created: 0, closed: 0, collected: 0 };
const collectedPeerConnections = new FinalizationRegistry<undefined>(() => {
  peerConnections.collected += 1;
});

export function peerConnectionCounts(): { readonly created: number; readonly closed: number; readonly collected: number } {
  return { ...peerConnections };
}

/** Every session this module made, for hearingOf(): a call's session is reached through its SDH, not a port. */
const wrtcSessions = new WeakMap<MediaSession, WrtcSession>();

/**
 * What `session` hears, if it is a session of this engine (of any port); undefined otherwise (another
 * engine's session). A closed session answers `open: false`.
 */
export function hearingOf(session: MediaSession, options: HearingOptions = {}): Promise<Hearing> | undefined {
  return wrtcSessions.get(session)?.hearing(options);
}

/** Read access to one session's peer connection, for a bench that traces its ICE and DTLS. */
export interface WrtcTrace {
  /** The connection's standard stats report; undefined once closed or before it has a connection. */
  report(): Promise<RTCStatsReport | undefined>;
  /** performance.now() at each remote offer this session applied (setRemoteDescription done), oldest first. */
  readonly remoteOffersAt: readonly number[];
}

/** The trace of `session` if it is a session of this engine (of any port); undefined otherwise. */
export function traceOf(session: MediaSession): WrtcTrace | undefined {
  return wrtcSessions.get(session);
}

export function createWrtcMediaPort(options: WrtcEngineOptions = {}): WrtcMediaPort {
  const toneHz = options.toneHz ?? 440;
  const gatheringTimeoutMs = options.iceGatheringTimeoutMs ?? 300;
  const candidatePoolSize = options.candidatePoolSize ?? 0;
  if (!(toneHz > 0 && toneHz < SAMPLE_RATE / 2)) throw new RangeError(`toneHz out of range: ${toneHz}`);
  if (!(gatheringTimeoutMs >= 0)) throw new RangeError(`iceGatheringTimeoutMs out of range: ${gatheringTimeoutMs}`);
  if (!(Number.isInteger(candidatePoolSize) && candidatePoolSize >= 0 && candidatePoolSize <= 255)) {
    throw new RangeError(`candidatePoolSize out of range: ${candidatePoolSize}`);
  }
  const keepAddress = (options.loopbackOnly ?? true) ? loopbackOnly : null;
  const offers = { fromSpare: 0, gathered: 0 };
  const spare = new SpareOffer({
    create: () => newPeerConnection(0),
    close: closePeerConnection,
    gatheringTimeoutMs,
    ...(options.spareMaxAgeMs !== undefined ? { maxAgeMs: options.spareMaxAgeMs } : {}),
    ...(options.spareRefillDelayMs !== undefined ? { refillDelayMs: options.spareRefillDelayMs } : {}),
    usable: (sdp) => /^a=candidate:/m.test(keepAddress ? keepCandidates(sdp, keepAddress) : sdp),
  });
  const settings: SessionSettings = {
    keepAddress,
    gatheringTimeoutMs,
    candidatePoolSize,
    // A pooled engine is the reload bench's reference far end: it keeps its own gathering.
    takeSpare: () => (candidatePoolSize === 0 ? spare.take() : null),
    offered: (fromSpare) => void (fromSpare ? (offers.fromSpare += 1) : (offers.gathered += 1)),
  };
  const microphone = new SyntheticMicrophone(toneHz);
  const sessions = new Set<WrtcSession>();
  let disposed = false;
  if (options.spareOffer) spare.setWanted(true);

  return {
    async open(callId: string): Promise<MediaSession> {
      if (disposed) throw new Error('wrtc media port is disposed');
      const session = new WrtcSession(callId, settings, microphone, () => sessions.delete(session));
      sessions.add(session);
      wrtcSessions.set(session, session);
      return session;
    },
    openSessions: () => [...sessions],
    keepSpare: (wanted) => spare.setWanted(wanted && !disposed),
    invalidateSpare: () => spare.invalidate(),
    spareCounts: () => spare.stats(),
    spareSdp: () => {
      const sdp = spare.peekSdp();
      return sdp === null ? null : keepAddress ? keepCandidates(sdp, keepAddress) : sdp;
    },
    offerCounts: () => ({ ...offers }),
    async hearing(sessionId: string, hearingOptions: HearingOptions = {}): Promise<Hearing | undefined> {
      const session = [...sessions].find((s) => s.id === sessionId);
      return session?.hearing(hearingOptions);
    },
    async dispose(): Promise<void> {
      disposed = true;
      spare.dispose();
      const results = await Promise.allSettled([...sessions].map((session) => session.close()));
      microphone.stop();
      const failures = results.flatMap((result): unknown[] => (result.status === 'rejected' ? [result.reason] : []));
      if (failures.length > 0) throw new AggregateError(failures, 'disposing the wrtc media port failed');
    },
  };
}

interface SessionSettings {
  /** null: take every candidate as is. */
  readonly keepAddress: ((address: string) => boolean) | null;
  readonly gatheringTimeoutMs: number;
  readonly candidatePoolSize: number;
  /** The port's spare, if one is ready and still good. */
  readonly takeSpare: () => TakenSpare | null;
  /** Counts an offer made. */
  readonly offered: (fromSpare: boolean) => void;
}

type TakenSpare = NonNullable<ReturnType<SpareOffer['take']>>;

function newPeerConnection(candidatePoolSize: number): RTCPeerConnection {
  const pc = new RTCPeerConnection({
    iceServers: [],
    // 'balanced', not 'max-bundle': a media relay (rtpengine) offers and answers one audio m-line with
    // a=mid and no a=group:BUNDLE, which max-bundle refuses. With one audio m-line, bundling buys nothing.
    bundlePolicy: 'balanced',
    rtcpMuxPolicy: 'require',
    iceCandidatePoolSize: candidatePoolSize,
  });
  peerConnections.created += 1;
  collectedPeerConnections.register(pc, undefined);
  return pc;
}

function closePeerConnection(pc: RTCPeerConnection): void {
  peerConnections.closed += 1;
  pc.close();
}

/**
 * One timer feeds every session's source. Each session has its own source and track so that muting
 * (track.enabled) stays per call. The timer runs only while some session is open, so a forgotten
 * dispose() never keeps the process alive by itself.
 */
class SyntheticMicrophone {
  private readonly sources = new Set<AudioSource>();
  private readonly phaseStep: number;
  private timer: ReturnType<typeof setInterval> | null = null;
  private startedAt = 0;
  private framesSent = 0;
  private phase = 0;

  constructor(toneHz: number) {
    this.phaseStep = (2 * Math.PI * toneHz) / SAMPLE_RATE;
  }

  attach(source: AudioSource): void {
    this.sources.add(source);
    if (this.timer === null) {
      this.startedAt = performance.now();
      this.framesSent = 0;
      this.timer = setInterval(() => this.tick(), FRAME_MS);
    }
  }

  detach(source: AudioSource): void {
    this.sources.delete(source);
    if (this.sources.size === 0) this.stop();
  }

  stop(): void {
    if (this.timer !== null) clearInterval(this.timer);
    this.timer = null;
    this.sources.clear();
  }

  // setInterval drifts and stalls; pacing by the clock keeps the far end's jitter buffer fed at 100 fps.
  private tick(): void {
    const due = Math.floor((performance.now() - this.startedAt) / FRAME_MS) - this.framesSent;
    if (due > MAX_CATCH_UP_FRAMES) this.framesSent += due - MAX_CATCH_UP_FRAMES;
    for (let i = Math.min(due, MAX_CATCH_UP_FRAMES); i > 0; i--) {
      const frame: PcmFrame = { samples: this.nextFrame(), sampleRate: SAMPLE_RATE, channelCount: 1 };
      for (const source of this.sources) source.onData(frame);
      this.framesSent++;
    }
  }

  private nextFrame(): Int16Array {
    const samples = new Int16Array(FRAME_SAMPLES);
    for (let i = 0; i < FRAME_SAMPLES; i++) {
      samples[i] = Math.round(TONE_AMPLITUDE * Math.sin(this.phase));
      this.phase = (this.phase + this.phaseStep) % (2 * Math.PI);
    }
    return samples;
  }
}

/** RMS of what arrived over the last LEVEL_WINDOW_MS; frames older than that no longer count. */
class LevelMeter {
  private readonly frames: { at: number; sumOfSquares: number; count: number }[] = [];

  add(samples: Int16Array): void {
    let sumOfSquares = 0;
    for (const sample of samples) sumOfSquares += (sample / 32768) ** 2;
    const at = performance.now();
    this.frames.push({ at, sumOfSquares, count: samples.length });
    this.prune(at);
  }

  level(): number {
    this.prune(performance.now());
    let sumOfSquares = 0;
    let count = 0;
    for (const frame of this.frames) {
      sumOfSquares += frame.sumOfSquares;
      count += frame.count;
    }
    return count === 0 ? 0 : Math.sqrt(sumOfSquares / count);
  }

  private prune(now: number): void {
    while (this.frames.length > 0 && now - (this.frames[0]?.at ?? now) > LEVEL_WINDOW_MS) this.frames.shift();
  }
}

/** The last HEARING_MAX_WINDOW_MS of received audio, mono, for the tone detector. */
class RecentAudio {
  private readonly frames: { readonly at: number; readonly samples: Float32Array; readonly sampleRate: number }[] = [];

  add(frame: PcmFrame): void {
    const channels = Math.max(1, frame.channelCount ?? 1);
    const count = Math.floor(frame.samples.length / channels);
    const mono = new Float32Array(count);
    for (let i = 0; i < count; i++) {
      let sum = 0;
      for (let c = 0; c < channels; c++) sum += frame.samples[i * channels + c] ?? 0;
      mono[i] = sum / channels / 32768;
    }
    const at = performance.now();
    this.frames.push({ at, samples: mono, sampleRate: frame.sampleRate });
    while (this.frames.length > 0 && at - (this.frames[0]?.at ?? at) > HEARING_MAX_WINDOW_MS) this.frames.shift();
  }

  /** The audio that arrived within `windowMs` of `now`, joined; frames at another rate than the latest are left out. */
  within(windowMs: number, now: number): { readonly samples: Float32Array; readonly sampleRate: number } {
    const recent = this.frames.filter((frame) => now - frame.at <= windowMs);
    const sampleRate = recent.at(-1)?.sampleRate ?? SAMPLE_RATE;
    const kept = recent.filter((frame) => frame.sampleRate === sampleRate);
    const samples = new Float32Array(kept.reduce((n, frame) => n + frame.samples.length, 0));
    let offset = 0;
    for (const frame of kept) {
      samples.set(frame.samples, offset);
      offset += frame.samples.length;
    }
    return { samples, sampleRate };
  }
}

/** Running inbound RTP packet totals over time, so a window's count is a difference of two samples. */
class PacketHistory {
  private readonly samples: { readonly at: number; readonly packets: number }[] = [];

  record(at: number, packets: number): void {
    this.samples.push({ at, packets });
    this.samples.sort((a, b) => a.at - b.at);
    const horizon = HEARING_MAX_WINDOW_MS + 2 * PACKET_SAMPLE_MS;
    while (this.samples.length > 1 && at - (this.samples[0]?.at ?? at) > horizon) this.samples.shift();
  }

  /** Packets since the last sample at or before `now - windowMs` (or the oldest), and how far back that is. */
  within(windowMs: number, now: number): { readonly packets: number; readonly spanMs: number } {
    const latest = this.samples.at(-1);
    if (!latest) return { packets: 0, spanMs: 0 };
    const baseline = this.samples.findLast((s) => s.at <= now - windowMs) ?? this.samples[0] ?? latest;
    return { packets: Math.max(0, latest.packets - baseline.packets), spanMs: Math.max(0, now - baseline.at) };
  }
}

class WrtcSession implements MediaSession, WrtcTrace {
  readonly remoteOffersAt: number[] = [];
  /** Made on first use: an outgoing call's first offer may take the port's spare instead. */
  private connection: RTCPeerConnection | null = null;
  private readonly source: AudioSource;
  private readonly track: MediaStreamTrack;
  private readonly meter = new LevelMeter();
  private readonly recent = new RecentAudio();
  private readonly packetHistory = new PacketHistory();
  private packetSampler: ReturnType<typeof setInterval> | null = null;
  private readonly closing = new AbortController();
  private transceiver: RTCRtpTransceiver | null = null;
  private sink: AudioSink | null = null;
  /** Negotiation steps run one at a time: interleaved offer/answer calls would corrupt signalling state. */
  private queue: Promise<unknown> = Promise.resolve();
  /** getStats() calls the connection has not answered yet: close() lets them finish first. */
  private readonly statsInFlight = new Set<Promise<void>>();
  private closed: Promise<void> | null = null;

  constructor(
    readonly id: string,
    private readonly settings: SessionSettings,
    private readonly microphone: SyntheticMicrophone,
    private readonly onClosed: () => void,
  ) {
    this.source = new nonstandard.RTCAudioSource();
    this.track = this.source.createTrack();
    this.microphone.attach(this.source);
  }

  private muted = false;
  private holding = false;
  private holdingBeforeOffer = false;

  private get pc(): RTCPeerConnection {
    this.connection ??= newPeerConnection(this.settings.candidatePoolSize);
    return this.connection;
  }

  createOffer(options: OfferOptions): Promise<Sdp> {
    return this.serialized(async () => {
      this.holdingBeforeOffer = this.holding;
      this.setHolding(options.direction);
      const spare = this.connection === null && options.direction === 'sendrecv' && !options.iceRestart ? this.settings.takeSpare() : null;
      if (spare) {
        // The spare's offer went out gathered; our microphone (with the mute set by now) goes on it.
        this.connection = spare.pc;
        this.adopt(spare.transceiver);
        await spare.transceiver.sender.replaceTrack(this.track);
        this.settings.offered(true);
        return this.localSdp();
      }
      this.settings.offered(false);
      const transceiver = this.transceiver ?? this.adopt(this.pc.addTransceiver(this.track, { direction: options.direction }));
      // Every offer and answer sets the direction afresh, so a rolled-back offer's direction never
      // leaks into the next negotiation and needs no restoring.
      transceiver.direction = options.direction;
      await this.pc.setLocalDescription(await this.pc.createOffer({ iceRestart: options.iceRestart ?? false }));
      await this.gathered();
      return this.localSdp();
    });
  }

  acceptOffer(offer: Sdp, options: AnswerOptions): Promise<Sdp> {
    return this.serialized(async () => {
      await this.pc.setRemoteDescription({ type: 'offer', sdp: this.filter(offer) });
      this.remoteOffersAt.push(performance.now());
      try {
        const transceiver = await this.audioTransceiverAfterRemoteOffer();
        // libwebrtc answers with the intersection of this and the reversed offer direction
        // (a sendonly offer gets recvonly at most), which is exactly RFC 3264's rule.
        transceiver.direction = options.direction;
        this.setHolding(options.direction);
        // Unlike the product's engine (browserSession.ts), no dtlsServerAnswer: wrtc's M106 refuses to
        // move a set-up transport's DTLS role ("Failed to set SSL role") and then refuses any answer
        // to that offer. This engine keeps libwebrtc's role, as a foreign libwebrtc far end does.
        await this.pc.setLocalDescription(await this.pc.createAnswer());
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

  /** While we hold, the held party must not hear our room (MediaSession's contract). */
  private setHolding(direction: MediaDirection): void {
    this.holding = direction === 'sendonly' || direction === 'inactive';
    this.updateTrack();
  }

  private updateTrack(): void {
    this.track.enabled = !this.muted && !this.holding;
  }

  async sendDtmf(_tones: string, _options: DtmfOptions): Promise<boolean> {
    this.assertOpen();
    return false;
  }

  async getStats(): Promise<MediaStats> {
    this.assertOpen();
    const totals = { bytesSent: 0, bytesReceived: 0, packetsSent: 0, packetsReceived: 0 };
    if (this.connection === null) return { ...totals, inboundLevel: null, iceState: 'new' };
    const report = await this.statsOf(this.connection);
    report.forEach((stat: unknown) => {
      if (!isRecord(stat) || stat['kind'] !== 'audio') return;
      if (stat['type'] === 'outbound-rtp') {
        totals.bytesSent += numberField(stat, 'bytesSent');
        totals.packetsSent += numberField(stat, 'packetsSent');
      } else if (stat['type'] === 'inbound-rtp') {
        totals.bytesReceived += numberField(stat, 'bytesReceived');
        totals.packetsReceived += numberField(stat, 'packetsReceived');
      }
    });
    return { ...totals, inboundLevel: this.meter.level(), iceState: this.pc.iceConnectionState };
  }

  async hearing(options: HearingOptions): Promise<Hearing> {
    const windowMs = options.windowMs ?? HEARING_DEFAULT_WINDOW_MS;
    const frequencies = options.tones ?? PARTY_TONES;
    if (!(windowMs >= HEARING_FRAME_MS && windowMs <= HEARING_MAX_WINDOW_MS)) throw new RangeError(`windowMs out of range: ${windowMs}`);
    if (this.closing.signal.aborted) return closedHearing(frequencies);
    await this.samplePackets();
    const now = performance.now();
    const { packets, spanMs } = this.packetHistory.within(windowMs, now);
    const audio = this.recent.within(windowMs, now);
    const frameSamples = Math.round((audio.sampleRate * HEARING_FRAME_MS) / 1000);
    const framed = framedTones(audio.samples, audio.sampleRate, frequencies, frameSamples);
    let sumOfSquares = 0;
    for (const sample of audio.samples) sumOfSquares += sample * sample;
    return {
      open: !this.closing.signal.aborted,
      packets,
      spanMs,
      tones: framed.means,
      frameTones: framed.frames,
      level: audio.samples.length === 0 ? 0 : Math.sqrt(sumOfSquares / audio.samples.length),
    };
  }

  async report(): Promise<RTCStatsReport | undefined> {
    if (this.closing.signal.aborted || this.connection === null) return undefined;
    return this.statsOf(this.connection);
  }

  /** Adds the current inbound RTP total to the history; a session closing meanwhile adds nothing. */
  private async samplePackets(): Promise<void> {
    if (this.closing.signal.aborted) return;
    let packets = 0;
    try {
      const report = await this.statsOf(this.pc);
      report.forEach((stat: unknown) => {
        if (isRecord(stat) && stat['kind'] === 'audio' && stat['type'] === 'inbound-rtp') packets += numberField(stat, 'packetsReceived');
      });
    } catch {
      return; // closed under us: close() ends the history
    }
    if (!this.closing.signal.aborted) this.packetHistory.record(performance.now(), packets);
  }

  /**
   * The connection's stats report. A report still being gathered when its connection closes is
   * dropped by libwebrtc: its promise never settles, and wrtc keeps that promise for the rest of the
   * process (a global handle), with every continuation awaiting it: this session, its connection and
   * its audio. So close() waits for the reports asked for before it closes the connection.
   */
  private statsOf(connection: RTCPeerConnection): Promise<RTCStatsReport> {
    const report = connection.getStats();
    // Only whether it settled matters here: the caller awaits `report` itself and sees any failure.
    const settled = report.then(
      () => undefined,
      () => undefined,
    );
    const inFlight = this.statsInFlight;
    inFlight.add(settled);
    void settled.then(() => inFlight.delete(settled));
    return report;
  }

  close(): Promise<void> {
    this.closed ??= this.release();
    return this.closed;
  }

  private async release(): Promise<void> {
    this.closing.abort();
    if (this.packetSampler !== null) clearInterval(this.packetSampler);
    this.packetSampler = null;
    // Closed from the caller's view at once (openSessions), though the connection waits for its stats.
    this.onClosed();
    // No stats are asked for from now on (assertOpen, samplePackets' abort check); those asked
    // already are answered before the connection closes.
    if (this.statsInFlight.size > 0) await settledWithin([...this.statsInFlight], STATS_SETTLE_MS);
    // Each release runs even if an earlier one throws: a half-closed session would keep native
    // threads and the microphone timer alive, and the process with them.
    const failures: unknown[] = [];
    const release = (step: () => void): void => {
      try {
        step();
      } catch (error) {
        failures.push(error);
      }
    };
    release(() => this.sink?.stop());
    const connection = this.connection;
    if (connection) release(() => closePeerConnection(connection));
    release(() => this.track.stop());
    release(() => this.microphone.detach(this.source));
    this.sink = null;
    if (failures.length > 0) throw new AggregateError(failures, `closing media session ${this.id} failed`);
  }

  private serialized<T>(step: () => Promise<T>): Promise<T> {
    const run = async (): Promise<T> => {
      this.assertOpen();
      return step();
    };
    // A failed earlier step does not stop this one: that step's caller already has its failure.
    const result = this.queue.then(run, run);
    // eslint-disable-next-line baton/no-swallowed-error -- the failure reaches the caller through `result`; the queue only needs to settle
    this.queue = result.catch(() => undefined);
    return result;
  }

  private assertOpen(): void {
    if (this.closing.signal.aborted) throw new Error(`media session ${this.id} is closed`);
  }

  /** Makes `transceiver` the call's audio: our microphone goes out on it, what comes in is metered. */
  private adopt(transceiver: RTCRtpTransceiver): RTCRtpTransceiver {
    this.transceiver = transceiver;
    const sink = new nonstandard.RTCAudioSink(transceiver.receiver.track);
    sink.ondata = (frame) => {
      this.meter.add(frame.samples);
      this.recent.add(frame);
    };
    this.sink = sink;
    if (this.packetSampler === null) {
      // A window's packet count is a difference of samples; unref'd, a forgotten session keeps nobody alive.
      this.packetSampler = setInterval(() => void this.samplePackets(), PACKET_SAMPLE_MS);
      this.packetSampler.unref();
    }
    return transceiver;
  }

  private async audioTransceiverAfterRemoteOffer(): Promise<RTCRtpTransceiver> {
    const transceivers = this.pc.getTransceivers();
    const audio =
      (this.transceiver && this.transceiver.mid !== null ? this.transceiver : null) ??
      transceivers.find((t) => t.mid !== null && t.receiver.track.kind === 'audio');
    if (!audio) throw new Error('the offer has no audio stream');
    if (audio !== this.transceiver) {
      // Our own never-negotiated transceiver (its offer was rolled back) would otherwise reappear as
      // a second audio m-line in our next offer.
      if (this.transceiver?.mid === null) this.transceiver.stop();
      this.sink?.stop();
      this.adopt(audio);
      await audio.sender.replaceTrack(this.track);
    }
    // Anything else the far end offered (video, a second audio) is declined rather than received.
    for (const other of transceivers) if (other !== audio && other.mid !== null) other.direction = 'inactive';
    return audio;
  }

  /** Resolves when gathering completes, the timeout passes, or the session closes, whichever first. */
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
      const timer = setTimeout(done, this.settings.gatheringTimeoutMs);
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
    return this.settings.keepAddress ? keepCandidates(sdp, this.settings.keepAddress) : sdp;
  }
}

/** Resolves when every promise settled (they never reject) or after `ms`, whichever first. */
function settledWithin(promises: readonly Promise<void>[], ms: number): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    void Promise.all(promises).then(() => {
      clearTimeout(timer);
      resolve();
    });
  });
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}

function numberField(record: Record<string, unknown>, key: string): number {
  const value = record[key];
  return typeof value === 'number' && Number.isFinite(value) ? value : 0;
}
