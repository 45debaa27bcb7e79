import { randomUUID } from 'node:crypto';
import { Core, Invitation, Inviter, SessionState, URI, type Bye, type Info, type Notification, type Referral } from 'sip.js';
import type { CallDirection, CallEnd, CallEndReason, CallState } from '../../../shared/phone.js';
import { DTMF_TONES } from '../../../shared/phone.js';
import type { MediaDirection, MediaStats } from '../../../shared/media.js';
import { audioDirection } from '../../../shared/sdp.js';
import { answerReason } from '../../../shared/answerCheck.js';
import { TypedEmitter } from '../typedEmitter.js';
import { MediaEngineUnavailable } from '../media/rendererMediaPort.js';
import { BridgedSdh } from './bridgedSdh.js';
import { PhoneError } from './phoneError.js';
import { confirmDialogWithoutAck, releaseReinviteWithoutAck, sessionContact, unansweredInvite } from './libraryInternals.js';
import { endReasonForStatus } from './statusReasons.js';

export interface CallEvents {
  state: CallState;
  /** Our hold (true) or unhold (false) took effect. */
  hold: boolean;
  /** The far end put us on hold, or took us off it. */
  remoteHold: boolean;
  dtmf: { readonly tone: string; readonly via: 'info' };
  /** A target refresh (after our connection changed) was answered, or given up. */
  refresh: TargetRefresh;
  ended: CallEnd;
}

/**
 * The outcome of one target refresh: a request in the dialog sent over our new connection so that
 * the far end's next request (its BYE, a NOTIFY) reaches us there and not the connection we lost.
 */
export interface TargetRefresh {
  readonly ok: boolean;
  readonly method: 'INVITE' | 'UPDATE';
  /** The final status (200 on success; the last refusal otherwise). */
  readonly status: number;
  /** Requests sent, retries included. */
  readonly attempts: number;
}

/** Progress of a REFER we sent, from the NOTIFY sipfrag bodies (RFC 3515). */
export type ReferProgress =
  | { readonly kind: 'trying'; readonly status: number }
  | { readonly kind: 'succeeded' }
  | { readonly kind: 'failed'; readonly status: number };

export interface ReferOptions {
  readonly onProgress: (progress: ReferProgress) => void;
  /**
   * Attended transfer only: URI parameters added to the Refer-To beside its Replaces (e.g. the
   * transfer's secret, `;xfer=`). The contact's phone calls that URI, so they reach the recipient in
   * the R-URI and To of the replacing INVITE, which is where it checks them.
   */
  readonly params?: Readonly<Record<string, string>>;
  /**
   * Attended transfer only: false for a contact phone without RFC 3891 Replaces. The Refer-To is
   * then the target dialog's remote target and our parameters alone: the phone calls the far end of
   * that dialog, which links the new call to it by the parameters and ends that dialog itself.
   */
  readonly replaces?: boolean;
}

/** A blind-transfer target: a SIP URI whose parameters (e.g. `;xfer=TOKEN`) must survive. */
export interface ReferTarget {
  readonly user: string;
  readonly host: string;
  readonly port?: number;
  readonly params: Readonly<Record<string, string>>;
}

/**
 * What the far end's phone says it can do, from the request or 2xx that set up the call (RFC 3261
 * §20.5 Allow, §20.32 Require, §20.37 Supported), and what it did with our REFERs. A transfer
 * chooses by it: Replaces only for a phone that declares it, a plain REFER otherwise.
 */
export interface PeerCapabilities {
  /** Option tags of Supported and Require, lower case (e.g. 'replaces', 'timer'). */
  readonly supported: ReadonlySet<string>;
  /** Option tags of Require, lower case. */
  readonly required: ReadonlySet<string>;
  /** Methods of Allow, upper case; null when the phone sent no Allow (then nothing is known). */
  readonly allow: ReadonlySet<string> | null;
  /** How the phone met the last REFER we sent in this call. */
  readonly refer: ReferHandling;
}

/**
 * 'refused-method': it answered 405 or 501 — it does not take REFER at all — or 603, its user's or
 * its policy's standing no. 'refused': another error, which a later attempt may not meet.
 */
export type ReferHandling =
  | { readonly kind: 'not-tried' }
  | { readonly kind: 'accepted' }
  | { readonly kind: 'refused'; readonly status: number }
  | { readonly kind: 'refused-method'; readonly status: number };

/** Refusals of a REFER that say the phone will not take one in this call, whatever we send. */
const REFER_NEVER = new Set([405, 501, 603]);

/** Where capability headers are read from: an incoming request or response (all values of a header). */
export interface HeaderSource {
  getHeaders(name: string): string[];
}

export interface CallMediaView {
  readonly localDirection: MediaDirection | null;
  readonly remoteDirection: MediaDirection | null;
}

const MAX_DTMF = 32;
const DTMF_DURATION_MS = 160;
const DTMF_GAP_MS = 70;
const REINVITE_ATTEMPTS = 4;
/**
 * A refused refresh is retried in rounds (each beyond sendReinvite's own 491/500 retries) spaced
 * 1, 2, 4, 8, 8… s apart until this long has passed: beyond 64×T1 (32 s), the longest a far end
 * keeps refusing re-INVITEs (500) while it waits for the ACK of a 2xx our lost connection swallowed
 * (it then gives up waiting: see releaseReinviteWithoutAck).
 */
const REFRESH_GIVE_UP_MS = 40_000;
const REFRESH_RETRY_MS = 1000;
const REFRESH_RETRY_MAX_MS = 8000;
/**
 * An incoming call answered after our connection changed: the caller's ACK may follow the Contact
 * of our 180, sent on the lost connection, and never arrive. Its refresh waits this long for the
 * ACK, then goes without it (see runRefresh).
 */
const ACK_GRACE_MS = 1000;
const CONNECTION_LOST = 'the connection to the SIP server was lost';
/**
 * A refresh waits for a pending REFER to settle (its final NOTIFY) at most this long: RFC 3515
 * bounds nothing, and a contact phone that accepts a REFER and never reports must not leave the
 * dialog pointing at a dead connection for good. 64 × T1, the longest a transaction may take.
 */
const REFER_SETTLE_MS = 32_000;
/**
 * Statuses with which a proxy answers for a far end whose connection is gone (430 Flow Failed,
 * Kamailio's 500 "connection … could not be found", 503), and SIP.js's own 503 when our socket is
 * down. A far end that is reconnecting sends its refresh within moments: a liveness ping that meets
 * one of these asks once more after PING_FLOW_GRACE_MS before reporting it.
 */
const FLOW_FAILURE = new Set([430, 500, 503]);
const PING_FLOW_GRACE_MS = 1500;

/** Randomised so two ends that collided do not collide again. */
function retryDelayMs(status: number): number {
  return status === 491 ? 200 + Math.random() * 800 : 50 + Math.random() * 200;
}

/**
 * One call, over a SIP.js session. Exposes only our own types. Re-INVITEs (hold, unhold) are
 * serialized per call, never sent before an incoming call's ACK, and undo the hold flag when the
 * far end refuses them — SIP.js does none of that itself.
 */
export class Call {
  readonly id = randomUUID();
  readonly events: TypedEmitter<CallEvents>;
  readonly remoteUri: string;
  readonly remoteName: string | undefined;
  private _state: CallState;
  private _end: CallEnd | undefined;
  private _held = false;
  private _remoteHeld = false;
  private _muted = false;
  private endReasonHint: CallEndReason | undefined;
  private endStatus: number | undefined;
  /** Why the call ended, in a sentence for the agent, when the end itself does not say (CallEnd.detail). */
  private endDetail: string | undefined;
  private renegotiation: Promise<void> = Promise.resolve();
  /** The far end's Reason header on its BYE, if any (a cancelled warm transfer says so there). */
  private _remoteReason: string | undefined;
  /** Set before answering: the call starts with the far end on hold (a transferred contact). */
  holdOnAnswer = false;
  /**
   * For a far end that stops decoding for good once our SDP holds it: Debian's baresip 1.0.0 never
   * decodes again after a sendonly from us (measured: not after the unhold, whatever came before),
   * and never starts on a call answered sendonly. Every hold of this call is then our microphone
   * off with the SDP left sendrecv: the desk shows it held, the far end hears silence — but its
   * audio still reaches us. Set before answering, or before the first hold.
   */
  holdsBySilence = false;
  /** When this incoming call replaces another (RFC 3891), the call it replaces. */
  replaces: Call | undefined;
  private readonly acked: Promise<void>;
  private markAcked: () => void = () => {};
  private ackSeen = false;
  /** A call we placed lost its connection before the answer: see connectionLost. */
  private answerUnreachable = false;
  /** The re-INVITE in flight was failed because the connection was lost (connectionLost). */
  private reinviteLost = false;
  /** Resolves when the REFER we sent last has settled; undefined when none is pending. */
  private referSettled: Promise<void> | undefined;
  /** A refresh queued and not yet sent: a second reconnect meanwhile needs no second one. */
  private refreshQueued: Promise<TargetRefresh | undefined> | undefined;
  private peerAllow: string | undefined;
  private _peer: PeerCapabilities;
  /** A call we placed, ringing when a new media engine attached: it moves to that engine once answered. */
  private takeOverOnAnswer: Promise<void> | undefined;

  constructor(
    readonly session: Inviter | Invitation,
    readonly direction: CallDirection,
    readonly sdh: () => BridgedSdh | undefined,
    onListenerError: (error: unknown) => void,
    onRefer: (call: Call, referral: Referral) => void,
    /** The rejection handler for a best-effort step: logs what failed. */
    private readonly logged: (what: string) => (error: unknown) => void,
  ) {
    this.events = new TypedEmitter<CallEvents>(onListenerError);
    this.remoteUri = session.remoteIdentity.uri.toString();
    this.remoteName = session.remoteIdentity.displayName || undefined;
    this._state = direction === 'outbound' ? 'calling' : 'ringing';
    // Outbound calls need no ACK gate: we send the ACK ourselves.
    this.acked = direction === 'outbound' ? Promise.resolve() : new Promise((resolve) => (this.markAcked = resolve));
    // An outbound call learns the far end's capabilities from its 2xx (answered()).
    this._peer = session instanceof Invitation ? capabilitiesFrom(session.request) : capabilitiesFrom(undefined);
    session.stateChange.addListener((state) => this.onSessionState(state));
    session.delegate = {
      onAck: () => {
        this.ackSeen = true;
        this.markAcked();
      },
      onBye: (bye: Bye) => {
        this._remoteReason = bye.request.getHeader('Reason');
        this.endReasonHint ??= 'hung-up-remote';
        void bye.accept();
      },
      onCancel: () => {
        this.endReasonHint ??= 'cancelled';
      },
      onInfo: (info) => this.onInfo(info),
      onInvite: () => this.onRemoteReinvite(),
      onRefer: (referral: Referral) => onRefer(this, referral),
    };
  }

  get state(): CallState {
    return this._state;
  }
  get end(): CallEnd | undefined {
    return this._end;
  }
  get held(): boolean {
    return this._held;
  }
  get remoteHeld(): boolean {
    return this._remoteHeld;
  }
  get muted(): boolean {
    return this._muted;
  }
  get remoteReason(): string | undefined {
    return this._remoteReason;
  }
  /** The first value of a header of the request that started this call (ours or the far end's). */
  header(name: string): string | undefined {
    return this.session.request.getHeader(name);
  }
  /** A URI parameter of the address this call was sent to (To), e.g. the cold-transfer token. */
  toParam(name: string): string | undefined {
    return addressParam(this.session.request, name);
  }
  /** What the far end's phone declared it supports, and how it met our REFERs. */
  get peer(): PeerCapabilities {
    return this._peer;
  }
  /** What the phone's media handler answers with: our hold in the SDP (see holdsBySilence). */
  get answersHeld(): boolean {
    return this.holdOnAnswer && !this.holdsBySilence;
  }
  /** The answer is sendrecv with our microphone off: held at the desk, not in SDP. */
  get answersSilent(): boolean {
    return this.holdOnAnswer && this.holdsBySilence;
  }
  /** The far end declared RFC 3891 Replaces (Supported or Require): an attended transfer may use it. */
  get peerSupportsReplaces(): boolean {
    return this._peer.supported.has('replaces');
  }
  /** The SIP Call-ID, for logs and for matching transfer dialogs. */
  get sipCallId(): string {
    return this.session.request.callId;
  }

  /** The audio directions in the last SDP we sent and received. */
  get media(): CallMediaView {
    const sdh = this.sdh();
    return {
      localDirection: sdh?.lastLocalSdp ? audioDirection(sdh.lastLocalSdp) : null,
      remoteDirection: sdh?.lastRemoteSdp ? audioDirection(sdh.lastRemoteSdp) : null,
    };
  }

  /** Resolves once the far end has confirmed our answer (its ACK); at once for calls we placed. */
  confirmed(): Promise<void> {
    return this.acked;
  }

  /** Called by the phone when the far end rings (18x). */
  ringing(): void {
    if (this._state === 'calling') this.setState('ringing');
  }

  /** Called by the phone when the INVITE was refused. */
  rejected(statusCode: number): void {
    if (this.answerUnreachable) return; // the 503 abandonUnanswered made, not the far end's answer
    this.endReasonHint ??= endReasonForStatus(statusCode);
    this.endStatus = statusCode;
  }

  async answer(): Promise<void> {
    if (!(this.session instanceof Invitation) || this._state !== 'ringing') {
      throw new PhoneError('invalid-state', 'Only a ringing incoming call can be answered.');
    }
    if (this.holdOnAnswer) {
      // The SDH is made during accept(); the phone's factory reads answersHeld/answersSilent for it.
      this._held = true;
    }
    await this.session.accept();
  }

  /** 486 busy, 503 this desk takes no more now (an offer past its bounds), 603 declined. */
  async decline(statusCode: 486 | 503 | 603 = 486): Promise<void> {
    if (!(this.session instanceof Invitation) || this._state !== 'ringing') {
      throw new PhoneError('invalid-state', 'Only a ringing incoming call can be declined.');
    }
    this.endReasonHint = statusCode === 486 ? 'busy' : statusCode === 503 ? 'unavailable' : 'declined';
    this.endStatus = statusCode;
    await this.session.reject({ statusCode });
  }

  /**
   * The far end's answer could not be applied after its 2xx was ACKed (BridgedSdh.answerFailed): the
   * call can carry no audio, so it ends with a BYE, as SIP.js ends one whose answer it cannot take.
   */
  answerFailed(error: unknown): void {
    if (this._state === 'ended') return;
    this.logged('applying the far end’s answer; the call is ended')(error);
    this.endReasonHint = 'failed';
    // An answer that leaves the call no audio (BridgedSdh: status 488) says why, to both ends.
    if (error instanceof PhoneError && error.statusCode === 488) this.endDetail = error.message;
    const reason = answerReason(this.endDetail ?? 'Not Acceptable Here');
    const bye = (): void => void this.hangUp(reason).catch(this.logged('ending the call'));
    if (this.session.state === SessionState.Established) bye();
    else void this.events.next('state', (state) => state !== 'calling' && state !== 'ringing').then(bye);
  }

  /** Ends the call whatever its stage: BYE, CANCEL, or a 486 to a call still ringing here. */
  async hangUp(reason?: string): Promise<void> {
    if (this._state === 'ended') return;
    this.endReasonHint ??= 'hung-up-local';
    const session = this.session;
    switch (session.state) {
      case SessionState.Established:
        await session.bye(reason ? { requestOptions: { extraHeaders: [`Reason: ${reason}`] } } : {});
        return;
      case SessionState.Initial:
      case SessionState.Establishing:
        if (session instanceof Inviter) {
          this.endReasonHint = 'cancelled';
          await session.cancel();
        } else {
          await session.reject({ statusCode: 486 });
        }
        return;
      case SessionState.Terminating:
      case SessionState.Terminated:
        return;
    }
  }

  hold(): Promise<void> {
    return this.setHold(true);
  }

  unhold(): Promise<void> {
    return this.setHold(false);
  }

  async setMuted(muted: boolean): Promise<void> {
    this.requireEstablished('mute');
    const sdh = this.requireSdh();
    if (this.holdsBySilence && this._held) {
      // The hold keeps the microphone off; the agent's mute applies once it ends.
      this._muted = muted;
      return;
    }
    sdh.muted = muted;
    await engineOrNext(sdh.session().then((session) => session.setMuted(muted)));
    this._muted = muted;
  }

  /** RFC 4733 when the engine can, otherwise one SIP INFO per tone (application/dtmf-relay). */
  async sendDtmf(tones: string): Promise<'rfc4733' | 'info'> {
    this.requireEstablished('send tones');
    if (tones.length === 0 || tones.length > MAX_DTMF || !DTMF_TONES.test(tones)) {
      throw new PhoneError('dtmf-invalid', `Tones must be 1–${MAX_DTMF} of 0-9 A-D * #.`);
    }
    const media = await this.requireSdh().session();
    if (await media.sendDtmf(tones, { durationMs: DTMF_DURATION_MS, gapMs: DTMF_GAP_MS })) return 'rfc4733';
    for (const tone of tones) {
      await this.session.info({
        requestOptions: {
          body: {
            contentDisposition: 'render',
            contentType: 'application/dtmf-relay',
            content: `Signal=${tone}\r\nDuration=${DTMF_DURATION_MS}\r\n`,
          },
        },
      });
    }
    return 'info';
  }

  /**
   * Sends REFER: to a URI (blind) or to another of our calls (attended: Refer-To with Replaces).
   * Resolves once the far end accepted it (202); progress comes from its NOTIFYs.
   */
  refer(target: ReferTarget | Call, options: ReferOptions): Promise<void> {
    this.requireEstablished('transfer');
    const referTo = target instanceof Call ? attendedReferTo(target, options.params ?? {}, options.replaces ?? true) : bracketed(target);
    const settle = this.referPending();
    return new Promise<void>((resolve, reject) => {
      this.session
        .refer(referTo, {
          requestDelegate: {
            onAccept: () => {
              this._peer = { ...this._peer, refer: { kind: 'accepted' } };
              resolve();
            },
            onReject: (response) => {
              settle();
              const status = response.message.statusCode ?? 0;
              this._peer = { ...this._peer, refer: { kind: REFER_NEVER.has(status) ? 'refused-method' : 'refused', status } };
              reject(new PhoneError('call-failed', `The transfer was refused (${status}).`, status));
            },
          },
          onNotify: (notification: Notification) => {
            void notification.accept();
            const progress = parseSipfrag(notification.request.body);
            if (progress?.kind !== 'trying' || /terminated/i.test(notification.request.getHeader('Subscription-State') ?? '')) settle();
            if (progress) options.onProgress(progress);
          },
        })
        .catch((cause: unknown) => {
          settle();
          reject(new PhoneError('call-failed', 'The transfer could not be sent.', undefined, { cause }));
        });
    });
  }

  /**
   * Called by the phone when its connection to the server closed. An INVITE of ours still waiting
   * for its final response can never get it now (a response follows the Via back to the connection
   * the request left on). A re-INVITE is failed at once (503), so the hold or resume that sent it
   * says so now, not after Timer B, and the target refresh queued behind it goes first. The initial
   * INVITE of a call we placed is ended once connected again (abandonUnanswered): only then can its
   * CANCEL go out.
   */
  connectionLost(): void {
    if (this._state === 'ended') return;
    if (this.direction === 'outbound' && (this._state === 'calling' || this._state === 'ringing')) {
      this.answerUnreachable = true;
      return;
    }
    const pending = unansweredInvite(this.session);
    if (pending?.kind !== 're-INVITE') return;
    this.reinviteLost = true;
    pending.failWithTransportError(new Error(CONNECTION_LOST));
  }

  /**
   * Ends a call we placed whose INVITE had no final response when the connection was lost: its
   * answer could never reach us, and SIP.js (no Timer C) would show it ringing for good while the far
   * end's answer goes unacknowledged. A CANCEL goes out on the new connection (the proxy matches it
   * to the INVITE by its Via branch; best effort), the INVITE transaction is failed, and the call
   * ends with reason 'connection-lost'. Never placed again by itself: the agent decides.
   * Resolves true when it ended the call this way.
   */
  async abandonUnanswered(): Promise<boolean> {
    if (!this.answerUnreachable || this._state === 'ended' || this._state === 'established') return false;
    this.endReasonHint = 'connection-lost';
    this.endStatus = undefined;
    const session = this.session;
    if (session.state === SessionState.Initial || session.state === SessionState.Establishing) {
      // The transport error below ends the call whether or not the CANCEL went out.
      if (session instanceof Inviter) await session.cancel().catch(this.logged('cancelling an unanswered call'));
    }
    unansweredInvite(session)?.failWithTransportError(new Error(CONNECTION_LOST));
    return true;
  }

  /**
   * Stops ringing an incoming call that was ringing when our connection was lost and is still
   * unanswered a while after: the caller's CANCEL would have gone to the lost connection. Refused
   * 480 (the proxy may try elsewhere; harmless if the caller did give up); reason 'connection-lost'.
   */
  async giveUpRinging(): Promise<void> {
    if (!(this.session instanceof Invitation) || this._state !== 'ringing') return;
    this.endReasonHint = 'connection-lost';
    this.endStatus = 480;
    await this.session.reject({ statusCode: 480 });
  }

  /**
   * An in-dialog INFO without a body, to learn whether the far end is still there. Resolves with
   * the status: 200 alive; 408/477/481/5xx mean the dialog or the path to it is gone. A status that
   * may only mean a connection being replaced (FLOW_FAILURE) is checked once more first.
   */
  async ping(timeoutMs = 4000): Promise<number> {
    const status = await this.pingOnce(timeoutMs);
    if (!FLOW_FAILURE.has(status) || this._state !== 'established') return status;
    await new Promise((resolve) => setTimeout(resolve, PING_FLOW_GRACE_MS));
    return this.pingOnce(timeoutMs);
  }

  private pingOnce(timeoutMs: number): Promise<number> {
    if (this._state !== 'established') return Promise.resolve(481);
    return new Promise<number>((resolve) => {
      const timer = setTimeout(() => resolve(408), timeoutMs);
      const done = (status: number): void => {
        clearTimeout(timer);
        resolve(status);
      };
      this.session
        .info({
          requestDelegate: {
            onAccept: (response) => done(response.message.statusCode ?? 200),
            onReject: (response) => done(response.message.statusCode ?? 500),
          },
        })
        // Not sent at all means no dialog to send it in: 481, which ping() documents as "gone".
        .catch(() => done(481));
    });
  }

  async stats(): Promise<MediaStats> {
    return (await this.requireSdh().session()).getStats();
  }

  /**
   * A new media engine takes over the call (the renderer reloaded): one re-INVITE with a fresh
   * offer (ICE restart, new DTLS), keeping the hold state. Queued behind any other re-INVITE.
   */
  renegotiateMedia(): Promise<void> {
    return this.enqueue(async () => {
      this.requireEstablished('restore audio');
      await this.acked;
      const sdh = this.requireSdh();
      sdh.takeOver();
      let status = await this.sendReinvite(() => sdh.takeOver());
      // A far end that cannot become DTLS server refuses our take-over's client offer: offer actpass.
      if (status === 488 && sdh.dtlsClientRefused()) status = await this.sendReinvite(() => sdh.takeOver());
      if (status !== 200) throw new PhoneError('call-failed', `The far end refused the audio renegotiation (${status}).`, status);
      await this.requireAnswerUsable(sdh, 'restore audio');
    });
  }

  /**
   * A new media engine attached, the one before it gone (Desk.mediaEngineAttached). An established
   * call moves to it now (renegotiateMedia). A call we placed that still rings keeps its INVITE,
   * made by the engine that is gone: its answer is ACKed as usual (BridgedSdh keeps a call whose
   * answer finds no engine) and the call moves once established. Anything else has no media to move.
   */
  moveToNewEngine(): Promise<void> {
    if (this._state === 'established') return this.renegotiateMedia();
    if (this.direction !== 'outbound' || (this._state !== 'calling' && this._state !== 'ringing')) return Promise.resolve();
    this.takeOverOnAnswer ??= this.events
      .next('state', (state) => state !== 'calling' && state !== 'ringing')
      .then((state) => {
        this.takeOverOnAnswer = undefined;
        if (state === 'established') return this.renegotiateMedia();
        return undefined;
      });
    return this.takeOverOnAnswer;
  }

  /**
   * After a 2xx to our re-INVITE: its answer reached the engine, or found the engine gone (the call
   * stays and the next engine takes it over). One the engine could not use ends the call
   * (answerFailed), so what the re-INVITE was for did not happen.
   */
  private async requireAnswerUsable(sdh: BridgedSdh, what: string): Promise<void> {
    const refused = await sdh.answerApplied();
    if (refused)
      throw new PhoneError('call-failed', `Could not ${what}: the far end’s answer could not be used, and the call is ended.`, 488);
    if (this._state !== 'established') throw new PhoneError('invalid-state', `Could not ${what}: the call ended.`);
  }

  /**
   * Target refresh after our connection to the server changed (RFC 3261 §12.2, RFC 5626 §4.5): the
   * far end learns our new Contact — the proxy's alias for our new connection — so its next request
   * in this dialog reaches us. A re-INVITE through the serialized queue, offering what we offered
   * before (same media, same hold); while a REFER we sent is pending, when our transfer rules keep
   * re-INVITEs off the dialog, an UPDATE without SDP if the far end allows UPDATE, otherwise a
   * re-INVITE as soon as the REFER settles. A refusal is retried and reported (the 'refresh'
   * event), never ends the call. Resolves with the outcome, or undefined when the call ended first.
   */
  refreshTarget(options: { readonly ackMayBeLost?: boolean } = {}): Promise<TargetRefresh | undefined> {
    if (this._state !== 'established') return Promise.resolve(undefined);
    if (this.refreshQueued) return this.refreshQueued;
    const useUpdate = this.referSettled !== undefined && this.peerAllows('UPDATE');
    const waitForRefer = useUpdate ? Promise.resolve() : (this.referSettled ?? Promise.resolve());
    const queued = waitForRefer.then(() => this.runRefresh(useUpdate, options.ackMayBeLost === true));
    this.refreshQueued = queued;
    return queued.finally(() => {
      if (this.refreshQueued === queued) this.refreshQueued = undefined;
    });
  }

  /**
   * Rounds of one request each (a re-INVITE is retried within its round on 491/500) until
   * REFRESH_GIVE_UP_MS: a far end still waiting for the ACK of an earlier 2xx that our lost
   * connection swallowed answers 500 until its transaction times out (64×T1, 32 s) — if it frees its
   * dialog then at all: stock SIP.js never does, ours does (releaseReinviteWithoutAck). Each round
   * takes its turn in the queue, so a hold asked meanwhile is not kept waiting through the pauses.
   * `ackMayBeLost` (an incoming call answered across a reconnect): the first round waits at most
   * ACK_GRACE_MS for the caller's ACK; a 2xx to the refresh then stands for the ACK that was lost.
   */
  private async runRefresh(useUpdate: boolean, ackMayBeLost: boolean): Promise<TargetRefresh | undefined> {
    const started = Date.now();
    let attempts = 0;
    let status = 0;
    let method: TargetRefresh['method'] = 'INVITE';
    for (let round = 1; ; round += 1) {
      if (round > 1) {
        const pause = Math.min(REFRESH_RETRY_MAX_MS, REFRESH_RETRY_MS * 2 ** (round - 2));
        if (Date.now() - started + pause > REFRESH_GIVE_UP_MS) break;
        await new Promise((resolve) => setTimeout(resolve, pause));
      }
      const sent = await this.enqueueWithResult(async () => {
        // From here a second reconnect needs a refresh of its own.
        if (round === 1) this.refreshQueued = undefined;
        if (this._state !== 'established') return undefined;
        if (ackMayBeLost && !this.ackSeen) await Promise.race([this.acked, new Promise((resolve) => setTimeout(resolve, ACK_GRACE_MS))]);
        else await this.acked;
        if (this._state !== 'established') return undefined;
        method = useUpdate && this.referSettled !== undefined ? 'UPDATE' : 'INVITE';
        try {
          if (method === 'UPDATE') return { status: await this.sendUpdate(), n: 1 };
          const counted = { n: 0 };
          return { status: await this.sendReinvite(() => undefined, counted), n: counted.n };
        } catch {
          return { status: 0, n: 0 }; // SIP.js could not send it now: the next round tries again
        }
      });
      if (!sent) return undefined;
      attempts += sent.n;
      status = sent.status;
      if (status >= 200 && status < 300) {
        // The far end answered inside the dialog, so it took our 2xx: its ACK was sent and lost.
        if (!this.ackSeen && confirmDialogWithoutAck(this.session)) {
          this.ackSeen = true;
          this.markAcked();
        }
        break;
      }
    }
    if (this._state !== 'established') return undefined;
    const outcome: TargetRefresh = { ok: status >= 200 && status < 300, method, status, attempts };
    this.events.emit('refresh', outcome);
    return outcome;
  }

  /** RFC 3311 UPDATE without a body: a target refresh that touches no offer/answer state. */
  private sendUpdate(timeoutMs = 32_000): Promise<number> {
    // SIP.js types the dialog as its Session interface; the object is its SessionDialog.
    const dialog = this.session.dialog;
    if (!(dialog instanceof Core.SessionDialog)) return Promise.resolve(0);
    return new Promise<number>((resolve) => {
      const timer = setTimeout(() => resolve(408), timeoutMs);
      const done = (status: number): void => {
        clearTimeout(timer);
        resolve(status);
      };
      const contact = sessionContact(this.session);
      const message = dialog.createOutgoingRequestMessage('UPDATE', { extraHeaders: contact ? [`Contact: ${contact}`] : [] });
      new Core.UserAgentClient(Core.NonInviteClientTransaction, dialog.userAgentCore, message, {
        onAccept: (response) => done(response.message.statusCode ?? 200),
        onReject: (response) => done(response.message.statusCode ?? 500),
      });
    });
  }

  /**
   * Called by the phone with the far end's 2xx to the INVITE we sent: its Allow says what it takes,
   * its Supported and Require what extensions it has.
   */
  answered(allow: string | undefined, response?: HeaderSource): void {
    this.peerAllow = allow;
    if (response) this._peer = { ...capabilitiesFrom(response), refer: this._peer.refer };
  }

  /** Whether the far end listed `method` in its Allow (in its INVITE, or its answer to ours). */
  private peerAllows(method: string): boolean {
    const allow = this.session instanceof Invitation ? this.session.request.getHeader('Allow') : this.peerAllow;
    return (allow ?? '').split(',').some((m) => m.trim().toUpperCase() === method);
  }

  /** Marks a REFER as pending until the returned function runs (or REFER_SETTLE_MS, or the call's end). */
  private referPending(): () => void {
    let settle: () => void = () => {};
    const settled = new Promise<void>((resolve) => (settle = resolve));
    const timer = setTimeout(settle, REFER_SETTLE_MS);
    timer.unref();
    const ended = this.events.on('ended', () => settle());
    this.referSettled = settled;
    void settled.then(() => {
      clearTimeout(timer);
      ended.dispose();
      if (this.referSettled === settled) this.referSettled = undefined;
    });
    return () => settle();
  }

  private setHold(hold: boolean): Promise<void> {
    return this.enqueue(async () => {
      this.requireEstablished(hold ? 'hold' : 'take off hold');
      await this.acked;
      if (this._held === hold) return;
      const sdh = this.requireSdh();
      if (this.holdsBySilence) {
        // No re-INVITE: the microphone is the whole hold (see holdsBySilence).
        const off = hold || this._muted;
        sdh.muted = off;
        await engineOrNext(sdh.session().then((session) => session.setMuted(off)));
        this._held = hold;
        this.events.emit('hold', hold);
        return;
      }
      sdh.localHold = hold;
      const status = await this.sendReinvite(() => undefined).finally(() => {
        sdh.localHold = this._held;
      });
      if (status !== 200 && this.reinviteLost) {
        throw new PhoneError(
          'call-failed',
          `The connection to the server was lost before the far end answered: the call is ${this._held ? 'still on hold' : 'not on hold'}.`,
          status,
        );
      }
      if (status !== 200) throw new PhoneError('call-failed', `The far end refused to ${hold ? 'hold' : 'resume'} (${status}).`, status);
      await this.requireAnswerUsable(sdh, hold ? 'hold' : 'resume');
      this._held = hold;
      sdh.localHold = hold;
      this.events.emit('hold', hold);
    });
  }

  /** Serializes re-INVITEs per call: SIP.js has none, and two at once fail with 491/500. */
  private enqueue(task: () => Promise<void>): Promise<void> {
    return this.enqueueWithResult(task);
  }

  private enqueueWithResult<T>(task: () => Promise<T>): Promise<T> {
    const next = this.renegotiation.then(task);
    // The chain must survive a failed step; the caller still sees the failure.
    this.renegotiation = next.then(
      () => {},
      () => {},
    );
    return next;
  }

  /**
   * One re-INVITE with our current SDH wishes; retried on 491 (both ends re-INVITEd at once,
   * RFC 3261 §14.1) and 500 (the far end had not yet seen the ACK of our previous one, §14.2 — a
   * proxy may reorder them). `beforeRetry` resets what a retry needs afresh. Resolves with the final
   * status (200 on success).
   */
  private async sendReinvite(beforeRetry: () => void, sent: { n: number } = { n: 0 }): Promise<number> {
    for (let attempt = 1; ; attempt += 1) {
      sent.n = attempt;
      this.reinviteLost = false;
      const status = await new Promise<number>((resolve, reject) => {
        this.session
          .invite({
            requestDelegate: {
              onAccept: () => resolve(200),
              onReject: (response) => resolve(response.message.statusCode ?? 0),
            },
          })
          .catch(reject);
      }).catch(async (cause: unknown) => {
        // The far end's own re-INVITE (its refresh, say) is still awaiting our ACK: SIP.js refuses to
        // start ours, after making our offer. Withdraw it and go again, as for a 491.
        if (cause instanceof Error && /ongoing re-INVITE|Reinvite in progress/i.test(cause.message)) {
          // The retry makes a fresh offer either way; a failed rollback leaves nothing to undo.
          await this.sdh()?.rollbackDescription().catch(this.logged('withdrawing our offer before a retry'));
          return 491;
        }
        throw new PhoneError('invalid-state', 'The call could not be renegotiated now.', undefined, { cause });
      });
      const retryable = (status === 491 || status === 500) && !this.reinviteLost;
      if (status === 200 || !retryable || attempt >= REINVITE_ATTEMPTS || this._state !== 'established') return status;
      await new Promise((resolve) => setTimeout(resolve, retryDelayMs(status)));
      beforeRetry();
    }
  }

  private onRemoteReinvite(): void {
    // Answered 2xx: if the ACK never comes (our far end lost its connection with our 2xx on the way),
    // SIP.js would refuse every later re-INVITE in this dialog, both ways, for good.
    releaseReinviteWithoutAck(this.session, () => {});
    const remote = this.sdh()?.lastRemoteSdp;
    if (!remote) return;
    const direction = audioDirection(remote);
    const remoteHeld = direction === 'sendonly' || direction === 'inactive';
    if (remoteHeld !== this._remoteHeld) {
      this._remoteHeld = remoteHeld;
      this.events.emit('remoteHold', remoteHeld);
    }
  }

  private onInfo(info: Info): void {
    const contentType = info.request.getHeader('Content-Type')?.split(';')[0]?.trim().toLowerCase();
    const body = info.request.body ?? '';
    if (body === '' && contentType === undefined) {
      void info.accept(); // a liveness probe (see ping())
      return;
    }
    const tone =
      contentType === 'application/dtmf-relay'
        ? /^\s*Signal\s*=\s*([0-9A-Da-d*#])\s*$/m.exec(body)?.[1]
        : contentType === 'application/dtmf'
          ? /^\s*([0-9A-Da-d*#])\s*$/.exec(body)?.[1]
          : undefined;
    if (tone === undefined) {
      void info.reject({ statusCode: 415 });
      return;
    }
    void info.accept();
    this.events.emit('dtmf', { tone: tone.toUpperCase(), via: 'info' });
  }

  private onSessionState(state: SessionState): void {
    switch (state) {
      case SessionState.Initial:
      case SessionState.Establishing:
      case SessionState.Terminating:
        return;
      case SessionState.Established:
        this.setState('established');
        return;
      case SessionState.Terminated:
        // SIP.js reports the final response to our INVITE just after this transition: let it land.
        queueMicrotask(() => this.finish());
        return;
    }
  }

  private finish(): void {
    const wasEstablished = this._state === 'established';
    const reason = this.endReasonHint ?? (wasEstablished ? 'hung-up-remote' : 'failed');
    this._end = {
      reason,
      ...(this.endStatus === undefined ? {} : { statusCode: this.endStatus }),
      ...(this.endDetail === undefined ? {} : { detail: this.endDetail }),
    };
    this.setState('ended');
    this.events.emit('ended', this._end);
  }

  private setState(state: CallState): void {
    if (this._state === state || this._state === 'ended') return;
    this._state = state;
    this.events.emit('state', state);
  }

  private requireEstablished(what: string): void {
    if (this._state !== 'established') throw new PhoneError('invalid-state', `Cannot ${what}: the call is not connected.`);
  }

  private requireSdh(): BridgedSdh {
    const sdh = this.sdh();
    if (!sdh) throw new PhoneError('invalid-state', 'The call has no media yet.');
    return sdh;
  }
}

/**
 * A media step that finds its engine gone is kept for the next one: the state it sets lives in the
 * SDH (muted), and a take-over's fresh session starts from it.
 */
async function engineOrNext(step: Promise<void>): Promise<void> {
  try {
    await step;
  } catch (error) {
    // A session the SDH could not open for want of an engine says so in its cause.
    const gone = error instanceof MediaEngineUnavailable || (error instanceof Error && error.cause instanceof MediaEngineUnavailable);
    if (!gone) throw error;
  }
}

/** SIP.js writes a URI Refer-To without angle brackets, so its parameters would become header params. */
class BracketedUri extends URI {
  override toString(): string {
    return `<${super.toString()}>`;
  }
}

function bracketed(target: ReferTarget): URI {
  return new BracketedUri('sip', target.user, target.host, target.port, { ...target.params });
}

/** A Refer-To written out in full: SIP.js sends a URI target's toString() as the header value. */
class LiteralReferTo extends URI {
  constructor(private readonly value: string) {
    super('sip', 'refer', 'invalid');
  }
  override toString(): string {
    return this.value;
  }
}

/**
 * The Refer-To of an attended transfer, as SIP.js writes it (the target dialog's remote target with
 * a Replaces naming that dialog) plus our URI parameters, which SIP.js has no way to add. Without
 * Replaces, the remote target and our parameters only: a phone that lacks Replaces would fold the
 * header into the Request-URI of its new INVITE.
 */
function attendedReferTo(target: Call, params: Readonly<Record<string, string>>, withReplaces: boolean): URI {
  const dialog = target.session.dialog;
  if (!dialog || target.state !== 'established') throw new PhoneError('invalid-state', 'Cannot transfer: the consult is not connected.');
  const uri = dialog.remoteTarget.clone();
  for (const [name, value] of Object.entries(params)) uri.setParam(name, value);
  if (!withReplaces) return new LiteralReferTo(`<${uri.toString()}>`);
  const replaces = encodeURIComponent(`${dialog.callId};to-tag=${dialog.remoteTag};from-tag=${dialog.localTag}`);
  return new LiteralReferTo(`<${uri.toString()}?Replaces=${replaces}>`);
}

/**
 * Reads Supported (compact form `k`), Require and Allow; every header line and comma-separated value
 * counts. An option tag in Require is supported too.
 */
export function capabilitiesFrom(message: HeaderSource | undefined): PeerCapabilities {
  const values = (...names: string[]): string[] =>
    names
      .flatMap((name) => message?.getHeaders(name) ?? [])
      .flatMap((line) => line.split(','))
      .map((v) => v.trim())
      .filter((v) => v !== '');
  const required = new Set(values('Require').map((tag) => tag.toLowerCase()));
  const supported = new Set([...values('Supported', 'k').map((tag) => tag.toLowerCase()), ...required]);
  const allowed = values('Allow').map((method) => method.toUpperCase());
  const hasAllow = (message?.getHeaders('Allow').length ?? 0) > 0;
  return { supported, required, allow: hasAllow ? new Set(allowed) : null, refer: { kind: 'not-tried' } };
}

/**
 * A URI parameter of the address a request was sent to: the To URI first (what the caller dialled),
 * then the R-URI (a proxy may have rewritten the To-less parts). Undefined when absent or valueless.
 */
export function addressParam(
  request: { readonly to: { readonly uri: URI }; readonly ruri?: URI | undefined },
  name: string,
): string | undefined {
  const value = request.to.uri.getParam(name) ?? request.ruri?.getParam(name);
  return typeof value === 'string' ? value : undefined;
}

/** Reads the status line of a message/sipfrag NOTIFY body. */
export function parseSipfrag(body: string | undefined): ReferProgress | null {
  const match = /^SIP\/2\.0\s+(\d{3})/.exec(body?.trimStart() ?? '');
  if (!match) return null;
  const status = Number(match[1]);
  if (status < 200) return { kind: 'trying', status };
  if (status < 300) return { kind: 'succeeded' };
  return { kind: 'failed', status };
}
