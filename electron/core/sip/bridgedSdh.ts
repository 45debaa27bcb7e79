import type { BodyAndContentType, SessionDescriptionHandler } from 'sip.js';
import type { MediaDirection, MediaPort, MediaSession, Sdp } from '../../../shared/media.js';
import { dtlsClientOffer, dtlsClientOfferFits, originOf, withOrigin, type SdpOrigin } from '../../../shared/sdp.js';
import { offerProblem } from '../../../shared/offerCheck.js';
import { answerProblem } from '../../../shared/answerCheck.js';
import { MediaEngineUnavailable } from '../media/rendererMediaPort.js';
import { PhoneError } from './phoneError.js';

const SDP = 'application/sdp';

/**
 * A media session opened, and its offer made, before the call exists: ICE gathering (~100 ms here)
 * happens while the agent is still filling in the transfer panel, not after Confirm.
 */
export interface PreparedMedia {
  readonly id: string;
  readonly session: Promise<MediaSession>;
  readonly offer: Promise<Sdp>;
}

/**
 * SIP.js's SessionDescriptionHandler, bridged to a MediaPort. SIP.js decides *when* an offer or
 * answer is needed; the engine (renderer or wrtc) does the WebRTC work. The hold state lives here
 * rather than in SIP.js's per-request options because an answer to the far end's re-INVITE must
 * keep our hold too, and SIP.js does not pass our intent to that path.
 */
export class BridgedSdh implements SessionDescriptionHandler {
  /** Our wish: true while we hold the far end. */
  localHold = false;
  /**
   * The agent's mute, kept here so that a session opened later (an engine take-over after a
   * reload) starts muted too: a fresh engine session sends the microphone otherwise.
   */
  muted = false;
  lastLocalSdp: Sdp | undefined;
  lastRemoteSdp: Sdp | undefined;
  /**
   * Told when the far end's answer to our offer could not be applied. setDescription hands an answer
   * to the engine and resolves without waiting, so SIP.js ACKs the 2xx at once (RFC 3261 wants the
   * ACK for every 2xx anyway); the call then ends with a BYE, as SIP.js ends one whose answer it
   * cannot take. An answer that leaves the call no audio (shared/answerCheck.ts) is told the same
   * way, unapplied, with status 488 and the check's sentence as the message. Nobody told: logged.
   */
  answerFailed: ((error: PhoneError) => void) | undefined;

  private media: Promise<MediaSession> | undefined;
  /** The last answer's way into the engine; settles (never rejects) once it is applied or given up. */
  private answerApplying: Promise<void> = Promise.resolve();
  /** An answer the engine could not use: the call is being ended (answerFailed). */
  private refusedAnswer: PhoneError | undefined;
  /** Our SDP origin for this call, kept across engine take-overs. */
  private origin: SdpOrigin | undefined;
  private generation = 0;
  private pendingRemoteOffer: Sdp | undefined;
  private localOfferPending = false;
  /** The next offer is a take-over's: it starts a new DTLS association, with our engine as client. */
  private takingOver = false;
  /** The offer awaiting its answer asked the far end to be DTLS server (see dtlsClientOffer). */
  private offeredDtlsClient = false;
  /** False once this far end refused to be DTLS server: its later take-overs are offered actpass. */
  private dtlsClientAccepted = true;
  private closed = false;

  constructor(
    private readonly port: MediaPort,
    private readonly mediaId: string,
    private prepared: PreparedMedia | undefined,
    /** The rejection handler for a best-effort step: logs what failed. */
    private readonly logged: (what: string) => (error: unknown) => void,
  ) {
    if (prepared) this.media = prepared.session;
  }

  /** The engine's session for this call, opened on first use. */
  session(): Promise<MediaSession> {
    if (this.closed) return Promise.reject(new PhoneError('invalid-state', 'The call has ended.'));
    const id = this.generation === 0 ? this.mediaId : `${this.mediaId}~${this.generation}`;
    this.media ??= this.openSession(id).then(
      async (session) => {
        if (this.muted) await session.setMuted(true);
        return session;
      },
      (cause: unknown) => {
        throw new PhoneError('media-failed', 'The audio engine could not start.', undefined, { cause });
      },
    );
    return this.media;
  }

  private openSession(id: string): Promise<MediaSession> {
    const port = this.port;
    // An engine across IPC takes the session's first request (our offer) right behind its open.
    if (!port.openPipelined) return port.open(id);
    return new Promise((resolve) => resolve(port.openPipelined?.(id) ?? port.open(id)));
  }

  hasDescription(contentType: string): boolean {
    return contentType.split(';')[0]?.trim().toLowerCase() === SDP;
  }

  async getDescription(): Promise<BodyAndContentType> {
    const media = await this.session();
    const direction: MediaDirection = this.localHold ? 'sendonly' : 'sendrecv';
    let sdp: Sdp;
    if (this.pendingRemoteOffer !== undefined) {
      const offer = this.pendingRemoteOffer;
      this.pendingRemoteOffer = undefined;
      sdp = await media.acceptOffer(offer, { direction });
      // The far end's offer set up the new engine's association: our answer's role is the engine's.
      this.takingOver = false;
      // Only an offer we answered describes the far end: a refused one (488) changed nothing.
      this.lastRemoteSdp = offer;
    } else {
      sdp = (await this.takePreparedOffer(direction)) ?? (await media.createOffer({ direction }));
      // Sent as DTLS client while the engine keeps its actpass offer: see dtlsClientOffer.
      this.offeredDtlsClient = this.takingOver && this.dtlsClientAccepted && dtlsClientOfferFits(this.lastRemoteSdp);
      if (this.offeredDtlsClient) sdp = dtlsClientOffer(sdp);
      this.takingOver = false;
      this.localOfferPending = true;
    }
    sdp = this.keepOrigin(sdp);
    this.lastLocalSdp = sdp;
    return { body: sdp, contentType: SDP };
  }

  /**
   * A new engine takes over this call (the renderer reloaded, or crashed and came back): the old
   * session is released, and the next offer comes from a fresh one: new ICE credentials and a new
   * DTLS certificate by construction, so it asks no ICE restart of its never-negotiated connection.
   * The call, its dialog and our hold wish stay as they are.
   */
  takeOver(): void {
    const old = this.media;
    this.media = undefined;
    this.generation += 1;
    this.pendingRemoteOffer = undefined;
    this.localOfferPending = false;
    this.takingOver = true;
    this.offeredDtlsClient = false;
    this.prepared = undefined;
    // A session that cannot close has lost its engine (renderer gone): nothing is left to release.
    void old?.then((session) => session.close()).catch(this.logged('closing the replaced media session'));
  }

  /**
   * The far end refused our last offer (488): true when that was a take-over offered as DTLS client,
   * so that the caller offers again, this time the engine's own `actpass` offer (here and in every
   * later take-over of this call): a far end that cannot change its DTLS role keeps the call. The
   * offer comes from a fresh session: a connection whose first offer was rolled back numbers its
   * m-line anew (mid 1), which the far end refuses as a reordered m-line.
   */
  dtlsClientRefused(): boolean {
    if (!this.offeredDtlsClient) return false;
    this.dtlsClientAccepted = false;
    this.takeOver();
    return true;
  }

  private keepOrigin(sdp: Sdp): Sdp {
    if (!this.origin) {
      this.origin = originOf(sdp) ?? undefined;
      return sdp;
    }
    this.origin = { ...this.origin, version: this.origin.version + 1n };
    return withOrigin(sdp, this.origin);
  }

  /** The offer made ahead of time, when it fits what is asked now. Used once. */
  private async takePreparedOffer(direction: MediaDirection): Promise<Sdp | undefined> {
    const prepared = this.prepared;
    this.prepared = undefined;
    if (!prepared || direction !== 'sendrecv') return undefined;
    // eslint-disable-next-line baton/no-swallowed-error -- handled: no prepared offer means the caller makes a fresh one (and the phone logged the failure)
    return prepared.offer.catch(() => undefined);
  }

  async setDescription(sdp: string): Promise<void> {
    const media = await this.session();
    if (this.localOfferPending) {
      this.lastRemoteSdp = sdp;
      this.localOfferPending = false;
      this.offeredDtlsClient = false;
      // Chromium applies an answer without a voice codec in common and sends nothing: a call that
      // looks live. Such an answer ends the call as one the engine refused, its 488 saying why, once
      // SIP.js has ACKed the 2xx (it does when this resolves): a BYE first would leave it unACKed.
      const problem = answerProblem(this.lastLocalSdp ?? '', sdp);
      if (problem) {
        const error = new PhoneError('media-failed', problem.detail, 488);
        this.answerApplying = new Promise((resolve) =>
          setTimeout(() => {
            if (!this.closed) this.answerRefused(error);
            resolve();
          }, 0),
        );
        return;
      }
      // The engine runs a session's requests in order: whatever is asked next waits for this one.
      this.answerApplying = media.applyAnswer(sdp).catch((cause: unknown) => {
        if (this.closed) return;
        if (cause instanceof MediaEngineUnavailable) {
          // The engine that made our offer is gone (its media host crashed or was replaced), not the
          // answer at fault: the call stays, with the far end's answer kept for the next take-over's
          // offer, and the engine attached next takes the call over (Desk.mediaEngineAttached).
          this.logged('applying the far end’s answer: its engine is gone, the next one takes the call over')(cause);
          return;
        }
        this.answerRefused(new PhoneError('media-failed', 'The far end’s answer could not be applied.', undefined, { cause }));
      });
    } else {
      // An offer the engines cannot take is refused here (SIP.js answers a re-INVITE 488 and keeps
      // the call): Chromium would answer one without a common codec with none, and the voice stop.
      const problem = offerProblem(sdp);
      if (problem) throw new PhoneError('media-failed', problem.detail);
      // An offer: answered by the getDescription() call SIP.js makes next.
      this.pendingRemoteOffer = sdp;
    }
  }

  /**
   * Waits until the far end's last answer reached the engine: undefined when it was applied, or when
   * its engine was gone (the next take-over makes a fresh offer); the error when the engine could
   * not use it, the call then being ended.
   */
  async answerApplied(): Promise<PhoneError | undefined> {
    await this.answerApplying;
    return this.refusedAnswer;
  }

  private answerRefused(error: PhoneError): void {
    this.refusedAnswer = error;
    if (this.answerFailed) this.answerFailed(error);
    else this.logged('applying the far end’s answer')(error);
  }

  async rollbackDescription(): Promise<void> {
    if (!this.localOfferPending || !this.media) return;
    this.localOfferPending = false;
    await (await this.media).rollback();
  }

  /** DTMF goes through Call, which can fall back to SIP INFO; SIP.js's sync path cannot wait for the engine. */
  sendDtmf(): boolean {
    return false;
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    const media = this.media;
    this.media = undefined;
    this.prepared = undefined; // an unused prepared offer goes with the call's session, closed below
    // The engine is gone (renderer reloading, process exiting): nothing left to release.
    void media?.then((session) => session.close()).catch(this.logged('closing the media session'));
  }
}
