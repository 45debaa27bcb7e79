/**
 * The renderer's media engine: a MediaPort (shared/media.ts) over Chromium's WebRTC. Main's SIP.js
 * opens one session per call through it (see attachMediaEngine.ts for the IPC side); the UI chooses
 * devices and may ring.
 */
import type { AudioDeviceRole, AudioDeviceSetting } from '../../shared/desk.js';
import type { MediaPort, MediaSession } from '../../shared/media.js';
import { keepCandidates, loopbackOnly } from '../../shared/sdp.js';
import { BrowserMediaSession, type SessionContext } from './browserSession.js';
import { checkDevices, pageDeviceProbe } from './deviceCheck.js';
import { Microphone } from './microphone.js';
import { Ringer } from './ringer.js';
import { loggedAndDropped } from './loggedAndDropped.js';
import { SpareOffer, type SpareCounts } from './spareOffer.js';

export interface DeviceChoice {
  /** getUserMedia deviceId; '' = the system default. */
  readonly microphoneId: string;
  /** setSinkId of the call's audio; '' = the system default. */
  readonly speakerId: string;
  /** setSinkId of the ring tone; '' = the system default. */
  readonly ringerId: string;
}

/** What setDevices takes: null or '' = the system default, a missing key = unchanged. */
export interface DeviceRequest {
  readonly microphoneId?: string | null;
  readonly speakerId?: string | null;
  readonly ringerId?: string | null;
}

export interface MediaEngineOptions {
  /**
   * Drop every ICE candidate but 127.0.0.1, in local and remote SDP. Lab and E2E only: production
   * leaves host candidates alone.
   */
  readonly loopbackOnly?: boolean;
  /** Bound on waiting for ICE gathering before taking the SDP as is (default 1000 ms; ~130 ms here). */
  readonly iceGatheringTimeoutMs?: number;
  /** Microphone processing (echo cancellation, noise suppression, AGC); default true. */
  readonly audioProcessing?: boolean;
  readonly devices?: DeviceRequest;
  /** A spare older than this is replaced by a fresh one (default 60 s): host candidates go stale unnoticed. */
  readonly spareMaxAgeMs?: number;
  /** Wait after a spare is used before making the next (default 500 ms), so it never competes with the call's set-up. */
  readonly spareRefillDelayMs?: number;
  /** Injection points for tests; default the window's own. */
  readonly document?: Document;
  readonly mediaDevices?: MediaDevices;
}

export interface EngineCounters {
  readonly spare: SpareCounts;
  /** Offers (first ones and re-offers): taken from the spare, or gathered while the caller waited. */
  readonly offers: { readonly fromSpare: number; readonly gathered: number };
  /** RTCPeerConnections this engine made and closed (a spare's too): equal once all is closed. */
  readonly peerConnections: { readonly created: number; readonly closed: number };
}

export interface AudioDevices {
  readonly microphones: readonly MediaDeviceInfo[];
  readonly speakers: readonly MediaDeviceInfo[];
}

export interface MediaEngine extends MediaPort {
  open(sessionId: string): Promise<BrowserMediaSession>;
  /** A live session by id (main names sessions). */
  session(sessionId: string): BrowserMediaSession | undefined;
  openSessions(): readonly MediaSession[];
  devices(): DeviceChoice;
  /**
   * Applies a device choice (null or '' = the system default; a missing key keeps the current one);
   * live calls move at once. Rejects, keeping the old device, when one is unusable.
   */
  setDevices(choice: DeviceRequest): Promise<void>;
  /** Whether these devices (as main keeps them) are here and open; rejects with why not (deviceCheck.ts). */
  checkDevices(devices: Readonly<Partial<Record<AudioDeviceRole, AudioDeviceSetting>>>): Promise<void>;
  /** Inputs and outputs for a settings screen (labels need a granted microphone). */
  listDevices(): Promise<AudioDevices>;
  readonly ringer: { start(): void; stop(): void; readonly ringing: boolean };
  /**
   * Keep one spare connection with its offer made and gathered for the next outgoing call or
   * consult (renderer/media/spareOffer.ts) while someone is signed in; released when not.
   */
  keepSpare(wanted: boolean): void;
  /** The network changed (or may have): the spare's candidates are replaced. */
  invalidateSpare(): void;
  /** What the engine's own counters say, for tests and benches: spares, offers, connections. */
  counters(): EngineCounters;
  /** The ready spare's offer as a call would send it (null when none is ready). */
  spareSdp(): string | null;
  /** Closes every session, stops the ring and the microphone. */
  dispose(): Promise<void>;
}

/**
 * Options the E2E harness may set before the bundle loads (Playwright's addInitScript); the product
 * never defines this global, so production leaves candidates alone.
 */
export const MEDIA_OPTIONS_GLOBAL = '__BATON_MEDIA_OPTIONS__';

/** The harness's options, if it set any (read once, plain values only). */
export function harnessMediaOptions(): MediaEngineOptions {
  const raw: unknown = (globalThis as Record<string, unknown>)[MEDIA_OPTIONS_GLOBAL];
  if (typeof raw !== 'object' || raw === null) return {};
  const o = raw as Record<string, unknown>;
  return {
    ...(typeof o.loopbackOnly === 'boolean' ? { loopbackOnly: o.loopbackOnly } : {}),
    ...(typeof o.iceGatheringTimeoutMs === 'number' ? { iceGatheringTimeoutMs: o.iceGatheringTimeoutMs } : {}),
    ...(typeof o.audioProcessing === 'boolean' ? { audioProcessing: o.audioProcessing } : {}),
  };
}

export function createMediaEngine(options: MediaEngineOptions = {}): MediaEngine {
  const doc = options.document ?? document;
  const mediaDevices = options.mediaDevices ?? navigator.mediaDevices;
  const gatheringTimeoutMs = options.iceGatheringTimeoutMs ?? 1000;
  if (!(gatheringTimeoutMs >= 0)) throw new RangeError(`iceGatheringTimeoutMs out of range: ${gatheringTimeoutMs}`);
  let choice: DeviceChoice = merge({ microphoneId: '', speakerId: '', ringerId: '' }, options.devices ?? {});
  const microphone = new Microphone(mediaDevices, { processing: options.audioProcessing ?? true });
  void microphone.choose(choice.microphoneId);
  const sessions = new Map<string, BrowserMediaSession>();
  let audioContext: AudioContext | null | undefined;
  let ringer: Ringer | null = null;
  let disposed = false;

  const context = (): AudioContext | null => {
    if (audioContext === undefined) {
      try {
        audioContext = new AudioContext();
        // Safe: a suspended context only stops the level meter and the ring tone, not the call's audio.
        void audioContext.resume().catch(loggedAndDropped('resuming the AudioContext'));
      } catch {
        // Safe: no AudioContext means no level meter and no ring tone; the calls' audio does not use it.
        audioContext = null;
      }
    }
    return audioContext;
  };
  const theRinger = (): Ringer | null => {
    if (ringer === null) {
      const ctx = context();
      if (ctx === null) return null;
      ringer = new Ringer(ctx, doc);
      // Safe: the ring tone plays on the default output instead.
      void ringer.setSinkId(choice.ringerId).catch(loggedAndDropped('choosing the ringer’s output'));
    }
    return ringer;
  };

  const keepAddress = options.loopbackOnly ? loopbackOnly : null;
  const filter = (sdp: string): string => (keepAddress ? keepCandidates(sdp, keepAddress) : sdp);
  const offers = { fromSpare: 0, gathered: 0 };
  const peerConnections = { created: 0, closed: 0 };
  const createPeerConnection = (): RTCPeerConnection => {
    const pc = new RTCPeerConnection({
      iceServers: [],
      // 'balanced', not 'max-bundle': a media relay (rtpengine) offers and answers one audio m-line with
      // a=mid and no a=group:BUNDLE, which max-bundle refuses. With one audio m-line, bundling buys nothing.
      bundlePolicy: 'balanced',
      rtcpMuxPolicy: 'require',
      // No candidate pool: pooled candidates outrank every later one (see MediaPort in shared/media.ts).
      iceCandidatePoolSize: 0,
    });
    peerConnections.created += 1;
    return pc;
  };
  const closePeerConnection = (pc: RTCPeerConnection): void => {
    if (pc.signalingState === 'closed') return;
    peerConnections.closed += 1;
    pc.close();
  };
  const spare = new SpareOffer({
    create: createPeerConnection,
    close: closePeerConnection,
    gatheringTimeoutMs,
    ...(options.spareMaxAgeMs !== undefined ? { maxAgeMs: options.spareMaxAgeMs } : {}),
    ...(options.spareRefillDelayMs !== undefined ? { refillDelayMs: options.spareRefillDelayMs } : {}),
    // Before the microphone is granted Chromium hides host addresses behind mDNS names, which a SIP
    // far end cannot resolve: such a spare is dropped, and made again after the next capture.
    usable: (sdp) => candidateAddresses(filter(sdp)).some((address) => !address.endsWith('.local')),
  });

  const sessionContext: SessionContext = {
    document: doc,
    keepAddress,
    gatheringTimeoutMs,
    speakerId: () => choice.speakerId,
    audioContext: context,
    createPeerConnection,
    closePeerConnection,
    takeSpare: () => spare.take(),
    offered: (fromSpare) => void (fromSpare ? (offers.fromSpare += 1) : (offers.gathered += 1)),
  };

  microphone.onChange((track) => {
    const live = [...sessions.values()];
    // Each call gets its own clone: mute and hold stay per call.
    // Safe: a call that cannot take the new device keeps the old one.
    live.forEach(
      (session, index) =>
        void session.replaceTrack(index === 0 ? track : track.clone()).catch(loggedAndDropped('moving a call to the new microphone')),
    );
    if (live.length === 0) track.stop();
  });

  return {
    async open(sessionId: string): Promise<BrowserMediaSession> {
      if (disposed) throw new Error('the media engine is disposed');
      if (sessions.has(sessionId)) throw new Error(`media session ${sessionId} is already open`);
      // The microphone first: Chromium shows real host addresses to ICE only once capture is granted
      // (otherwise mDNS names). With a spare ready, its offer needs none of that: the capture goes on
      // while the INVITE is out, and the session puts the track on the call when it comes.
      const capture = microphone.track();
      capture.then(
        () => spare.retry(),
        // The session reports a failed capture to the call; the spare just waits for a capture that works.
        loggedAndDropped('capturing the microphone'),
      );
      if (spare.stats().ready === 0) await capture;
      if (disposed) {
        void capture.then((track) => track.stop(), loggedAndDropped('capturing the microphone for a disposed engine'));
        throw new Error('the media engine is disposed');
      }
      const session = new BrowserMediaSession(sessionId, capture, sessionContext, () => {
        sessions.delete(sessionId);
        // No call left: stop capturing, so the OS recording indicator goes off between calls.
        if (sessions.size === 0) microphone.release();
      });
      sessions.set(sessionId, session);
      return session;
    },
    session: (sessionId) => sessions.get(sessionId),
    openSessions: () => [...sessions.values()],
    devices: () => choice,
    async setDevices(next: DeviceRequest): Promise<void> {
      const wanted = merge(choice, next);
      if (wanted.microphoneId !== choice.microphoneId) await microphone.choose(wanted.microphoneId);
      if (wanted.speakerId !== choice.speakerId) await Promise.all([...sessions.values()].map((s) => s.setSpeaker(wanted.speakerId)));
      if (wanted.ringerId !== choice.ringerId && ringer !== null) await ringer.setSinkId(wanted.ringerId);
      choice = wanted;
    },
    checkDevices: (devices) => checkDevices(devices, pageDeviceProbe(mediaDevices, doc)),
    async listDevices(): Promise<AudioDevices> {
      const all = await mediaDevices.enumerateDevices();
      return { microphones: all.filter((d) => d.kind === 'audioinput'), speakers: all.filter((d) => d.kind === 'audiooutput') };
    },
    keepSpare: (wanted) => spare.setWanted(wanted && !disposed),
    invalidateSpare: () => spare.invalidate(),
    counters: () => ({ spare: spare.stats(), offers: { ...offers }, peerConnections: { ...peerConnections } }),
    spareSdp: () => {
      const sdp = spare.peekSdp();
      return sdp === null ? null : filter(sdp);
    },
    ringer: {
      start: () => theRinger()?.start(),
      stop: () => ringer?.stop(),
      get ringing() {
        return ringer?.ringing ?? false;
      },
    },
    async dispose(): Promise<void> {
      disposed = true;
      spare.dispose();
      const results = await Promise.allSettled([...sessions.values()].map((s) => s.close()));
      ringer?.dispose();
      ringer = null;
      microphone.release();
      await audioContext?.close().catch(loggedAndDropped('closing the AudioContext'));
      audioContext = undefined;
      const failures = results.flatMap((r): unknown[] => (r.status === 'rejected' ? [r.reason] : []));
      if (failures.length > 0) throw new AggregateError(failures, 'disposing the media engine failed');
    },
  };
}

function candidateAddresses(sdp: string): string[] {
  return sdp
    .split(/\r?\n/)
    .filter((line) => line.startsWith('a=candidate:'))
    .map((line) => line.split(' ')[4] ?? '');
}

function merge(current: DeviceChoice, next: DeviceRequest): DeviceChoice {
  const pick = (value: string | null | undefined, old: string): string => (value === undefined ? old : (value ?? ''));
  return {
    microphoneId: pick(next.microphoneId, current.microphoneId),
    speakerId: pick(next.speakerId, current.speakerId),
    ringerId: pick(next.ringerId, current.ringerId),
  };
}
