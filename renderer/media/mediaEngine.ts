/**
 * The renderer's media engine: a MediaPort (shared/media.ts) over Chromium's WebRTC. Main's SIP.js
 * opens one session per call through it (see attachMediaEngine.ts for the IPC side); the UI chooses
 * devices and may ring.
 */
import type { MediaPort, MediaSession } from '../../shared/media.js';
import { loopbackOnly } from '../../shared/sdp.js';
import { BrowserMediaSession, type SessionContext } from './browserSession.js';
import { Microphone } from './microphone.js';
import { Ringer } from './ringer.js';

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
  /** Injection points for tests; default the window's own. */
  readonly document?: Document;
  readonly mediaDevices?: MediaDevices;
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
   * live calls move at once. Rejects, keeping the old device, when one is unusable. Shaped so the
   * UI's AudioDeviceSink (renderer/features/settings) can be the engine itself.
   */
  setDevices(choice: DeviceRequest): Promise<void>;
  /** Inputs and outputs for a settings screen (labels need a granted microphone). */
  listDevices(): Promise<AudioDevices>;
  readonly ringer: { start(): void; stop(): void; readonly ringing: boolean };
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
        void audioContext.resume().catch(() => {});
      } catch {
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
      void ringer.setSinkId(choice.ringerId).catch(() => {});
    }
    return ringer;
  };

  const sessionContext: SessionContext = {
    document: doc,
    keepAddress: options.loopbackOnly ? loopbackOnly : null,
    gatheringTimeoutMs,
    speakerId: () => choice.speakerId,
    audioContext: context,
    createPeerConnection: (config) => new RTCPeerConnection(config),
  };

  microphone.onChange((track) => {
    const live = [...sessions.values()];
    // Each call gets its own clone: mute and hold stay per call.
    live.forEach((session, index) => void session.replaceTrack(index === 0 ? track : track.clone()).catch(() => {}));
    if (live.length === 0) track.stop();
  });

  return {
    async open(sessionId: string): Promise<BrowserMediaSession> {
      if (disposed) throw new Error('the media engine is disposed');
      if (sessions.has(sessionId)) throw new Error(`media session ${sessionId} is already open`);
      // The microphone first: Chromium shows real host addresses to ICE only once capture is granted
      // (otherwise mDNS names).
      const track = await microphone.track();
      if (disposed) {
        track.stop();
        throw new Error('the media engine is disposed');
      }
      const session = new BrowserMediaSession(sessionId, track, sessionContext, () => {
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
    async listDevices(): Promise<AudioDevices> {
      const all = await mediaDevices.enumerateDevices();
      return { microphones: all.filter((d) => d.kind === 'audioinput'), speakers: all.filter((d) => d.kind === 'audiooutput') };
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
      const results = await Promise.allSettled([...sessions.values()].map((s) => s.close()));
      ringer?.dispose();
      ringer = null;
      microphone.release();
      await audioContext?.close().catch(() => {});
      audioContext = undefined;
      const failures = results.flatMap((r): unknown[] => (r.status === 'rejected' ? [r.reason] : []));
      if (failures.length > 0) throw new AggregateError(failures, 'disposing the media engine failed');
    },
  };
}

function merge(current: DeviceChoice, next: DeviceRequest): DeviceChoice {
  const pick = (value: string | null | undefined, old: string): string => (value === undefined ? old : (value ?? ''));
  return {
    microphoneId: pick(next.microphoneId, current.microphoneId),
    speakerId: pick(next.speakerId, current.speakerId),
    ringerId: pick(next.ringerId, current.ringerId),
  };
}
