/**
 * The media seam between the SIP stack (main process) and a media engine.
 *
 * SIP.js in main negotiates calls, but WebRTC runs elsewhere: in the renderer (Chromium) for the
 * product, in Node over @roamhq/wrtc for tests and lab bots. Both engines implement this one
 * interface. Every method is async because the engine may sit across IPC, and every value is
 * plain data (SDP as text) so it can cross a process boundary unchanged.
 */

/** SDP text exactly as carried in a SIP body. */
export type Sdp = string;

/** The RFC 3264 direction of our audio stream. Hold is `sendonly`; a held party answers `recvonly`. */
export type MediaDirection = 'sendrecv' | 'sendonly' | 'recvonly' | 'inactive';

export interface MediaStats {
  readonly bytesSent: number;
  readonly bytesReceived: number;
  readonly packetsSent: number;
  readonly packetsReceived: number;
  /** RMS level 0..1 of the audio received over the last ~200 ms, when the engine can measure it. */
  readonly inboundLevel: number | null;
  /** RTCPeerConnection's ICE connection state. */
  readonly iceState: string;
}

export interface OfferOptions {
  readonly direction: MediaDirection;
  /** New ICE credentials on a session that has negotiated (its network changed). */
  readonly iceRestart?: boolean;
}

export interface AnswerOptions {
  /** What we want; the engine intersects it with the offer (a `sendonly` offer gets `recvonly`). */
  readonly direction: MediaDirection;
}

export interface DtmfOptions {
  readonly durationMs: number;
  readonly gapMs: number;
}

/**
 * One call's media. Created by a MediaPort, closed exactly once.
 *
 * While our own direction is `sendonly` or `inactive` (we hold the far end), the engine sends no
 * microphone audio — silence or hold music: a held contact must never hear the agent's consult.
 */
export interface MediaSession {
  readonly id: string;
  /** A complete local offer (ICE gathered, no trickle: SIP.js does not trickle). */
  createOffer(options: OfferOptions): Promise<Sdp>;
  /** Applies a remote offer and returns the complete local answer. */
  acceptOffer(offer: Sdp, options: AnswerOptions): Promise<Sdp>;
  /** Applies the remote answer to our last offer. */
  applyAnswer(answer: Sdp): Promise<void>;
  /** Drops our pending local offer after the far end refused it (re-INVITE 491/488…). */
  rollback(): Promise<void>;
  setMuted(muted: boolean): Promise<void>;
  /** Sends RFC 4733 telephone-events; resolves false when this engine cannot, so the caller uses SIP INFO. */
  sendDtmf(tones: string, options: DtmfOptions): Promise<boolean>;
  getStats(): Promise<MediaStats>;
  close(): Promise<void>;
}

/**
 * An engine: opens one MediaSession per call.
 *
 * Engines gather ICE candidates when a session first needs them, never from a pre-gathered pool.
 * libwebrtc (wrtc's M106; Chromium 156 once the pool has gathered) gives pooled candidates a
 * priority one above any gathered later, so when the other party restarts ICE (its renderer
 * reloaded) our side prunes every new path as worse than the dead one until that one has been
 * silent 2.5 s. Measured, a call's first reload → audio: p50 3.6 s against a pooled far end,
 * 0.4 s against an unpooled one (test/bench/renderer-reload).
 */
export interface MediaPort {
  open(callId: string): Promise<MediaSession>;
  /**
   * An engine across IPC may hand the session over at once, its open sent but not answered: requests
   * made on it follow the open in order (no round trip waits for the open's reply), and fail with the
   * open's error if it failed. Throws when no engine is there to ask.
   */
  openPipelined?(callId: string): MediaSession;
}
