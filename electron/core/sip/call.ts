import { randomUUID } from 'node:crypto';
import {
  Invitation,
  Inviter,
  SessionState,
  URI,
  type Bye,
  type Info,
  type Notification,
  type Referral,
} from 'sip.js';
import type { CallDirection, CallEnd, CallEndReason, CallState } from '../../../shared/phone.js';
import { DTMF_TONES } from '../../../shared/phone.js';
import type { MediaDirection, MediaStats } from '../../../shared/media.js';
import { audioDirection } from '../../../shared/sdp.js';
import { TypedEmitter } from '../typedEmitter.js';
import { BridgedSdh } from './bridgedSdh.js';
import { PhoneError } from './phoneError.js';
import { endReasonForStatus } from './statusReasons.js';

export interface CallEvents {
  state: CallState;
  /** Our hold (true) or unhold (false) took effect. */
  hold: boolean;
  /** The far end put us on hold, or took us off it. */
  remoteHold: boolean;
  dtmf: { readonly tone: string; readonly via: 'info' };
  ended: CallEnd;
}

/** Progress of a REFER we sent, from the NOTIFY sipfrag bodies (RFC 3515). */
export type ReferProgress =
  | { readonly kind: 'trying'; readonly status: number }
  | { readonly kind: 'succeeded' }
  | { readonly kind: 'failed'; readonly status: number };

export interface ReferOptions {
  readonly onProgress: (progress: ReferProgress) => void;
}

/** A blind-transfer target: a SIP URI whose parameters (e.g. `;xfer=TOKEN`) must survive. */
export interface ReferTarget {
  readonly user: string;
  readonly host: string;
  readonly port?: number;
  readonly params: Readonly<Record<string, string>>;
}

export interface CallMediaView {
  readonly localDirection: MediaDirection | null;
  readonly remoteDirection: MediaDirection | null;
}

const MAX_DTMF = 32;
const DTMF_DURATION_MS = 160;
const DTMF_GAP_MS = 70;
const REINVITE_ATTEMPTS = 4;

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
  private renegotiation: Promise<void> = Promise.resolve();
  /** The far end's Reason header on its BYE, if any (a cancelled warm transfer says so there). */
  private _remoteReason: string | undefined;
  /** Set before answering: the call starts with the far end on hold (a transferred contact). */
  holdOnAnswer = false;
  /** When this incoming call replaces another (RFC 3891), the call it replaces. */
  replaces: Call | undefined;
  private readonly acked: Promise<void>;
  private markAcked: () => void = () => {};

  constructor(
    readonly session: Inviter | Invitation,
    readonly direction: CallDirection,
    readonly sdh: () => BridgedSdh | undefined,
    onListenerError: (error: unknown) => void,
    onRefer: (call: Call, referral: Referral) => void,
  ) {
    this.events = new TypedEmitter<CallEvents>(onListenerError);
    this.remoteUri = session.remoteIdentity.uri.toString();
    this.remoteName = session.remoteIdentity.displayName || undefined;
    this._state = direction === 'outbound' ? 'calling' : 'ringing';
    // Outbound calls need no ACK gate: we send the ACK ourselves.
    this.acked = direction === 'outbound' ? Promise.resolve() : new Promise((resolve) => (this.markAcked = resolve));
    session.stateChange.addListener((state) => this.onSessionState(state));
    session.delegate = {
      onAck: () => this.markAcked(),
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
    const value = this.session.request.to.uri.getParam(name) ?? this.session.request.ruri?.getParam(name);
    return typeof value === 'string' ? value : undefined;
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
    this.endReasonHint ??= endReasonForStatus(statusCode);
    this.endStatus = statusCode;
  }

  async answer(): Promise<void> {
    if (!(this.session instanceof Invitation) || this._state !== 'ringing') {
      throw new PhoneError('invalid-state', 'Only a ringing incoming call can be answered.');
    }
    if (this.holdOnAnswer) {
      // The SDH is made during accept(); the phone's factory reads holdOnAnswer for it.
      this._held = true;
    }
    await this.session.accept();
  }

  async decline(statusCode: 486 | 603 = 486): Promise<void> {
    if (!(this.session instanceof Invitation) || this._state !== 'ringing') {
      throw new PhoneError('invalid-state', 'Only a ringing incoming call can be declined.');
    }
    this.endReasonHint = statusCode === 486 ? 'busy' : 'declined';
    this.endStatus = statusCode;
    await this.session.reject({ statusCode });
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
    await (await sdh.session()).setMuted(muted);
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
    const referTo = target instanceof Call ? target.session : bracketed(target);
    return new Promise<void>((resolve, reject) => {
      this.session
        .refer(referTo, {
          requestDelegate: {
            onAccept: () => resolve(),
            onReject: (response) => {
              const status = response.message.statusCode ?? 0;
              reject(new PhoneError('call-failed', `The transfer was refused (${status}).`, status));
            },
          },
          onNotify: (notification: Notification) => {
            void notification.accept();
            const progress = parseSipfrag(notification.request.body);
            if (progress) options.onProgress(progress);
          },
        })
        .catch((cause: unknown) => reject(new PhoneError('call-failed', 'The transfer could not be sent.', undefined, { cause })));
    });
  }

  /**
   * An in-dialog INFO without a body, to learn whether the far end is still there. Resolves with
   * the status: 200 alive; 408/477/481/5xx mean the dialog or the path to it is gone.
   */
  ping(timeoutMs = 4000): Promise<number> {
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
      const status = await this.sendReinvite(() => sdh.takeOver());
      if (status !== 200) throw new PhoneError('call-failed', `The far end refused the audio renegotiation (${status}).`, status);
    });
  }

  private setHold(hold: boolean): Promise<void> {
    return this.enqueue(async () => {
      this.requireEstablished(hold ? 'hold' : 'take off hold');
      await this.acked;
      if (this._held === hold) return;
      const sdh = this.requireSdh();
      sdh.localHold = hold;
      const status = await this.sendReinvite(() => undefined).finally(() => {
        sdh.localHold = this._held;
      });
      if (status !== 200) throw new PhoneError('call-failed', `The far end refused to ${hold ? 'hold' : 'resume'} (${status}).`, status);
      this._held = hold;
      sdh.localHold = hold;
      this.events.emit('hold', hold);
    });
  }

  /** Serializes re-INVITEs per call: SIP.js has none, and two at once fail with 491/500. */
  private enqueue(task: () => Promise<void>): Promise<void> {
    const next = this.renegotiation.then(task);
    // The chain must survive a failed step; the caller still sees the failure.
    this.renegotiation = next.catch(() => {});
    return next;
  }

  /**
   * One re-INVITE with our current SDH wishes; retried on 491 (both ends re-INVITEd at once,
   * RFC 3261 §14.1) and 500 (the far end had not yet seen the ACK of our previous one, §14.2 — a
   * proxy may reorder them). `beforeRetry` resets what a retry needs afresh. Resolves with the final
   * status (200 on success).
   */
  private async sendReinvite(beforeRetry: () => void): Promise<number> {
    for (let attempt = 1; ; attempt += 1) {
      const status = await new Promise<number>((resolve, reject) => {
        this.session
          .invite({
            requestDelegate: {
              onAccept: () => resolve(200),
              onReject: (response) => resolve(response.message.statusCode ?? 0),
            },
          })
          .catch(reject);
      }).catch((cause: unknown) => {
        throw new PhoneError('invalid-state', 'The call could not be renegotiated now.', undefined, { cause });
      });
      const retryable = status === 491 || status === 500;
      if (status === 200 || !retryable || attempt >= REINVITE_ATTEMPTS || this._state !== 'established') return status;
      await new Promise((resolve) => setTimeout(resolve, retryDelayMs(status)));
      beforeRetry();
    }
  }

  private onRemoteReinvite(): void {
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
    this._end = this.endStatus === undefined ? { reason } : { reason, statusCode: this.endStatus };
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

/** SIP.js writes a URI Refer-To without angle brackets, so its parameters would become header params. */
class BracketedUri extends URI {
  override toString(): string {
    return `<${super.toString()}>`;
  }
}

function bracketed(target: ReferTarget): URI {
  return new BracketedUri('sip', target.user, target.host, target.port, { ...target.params });
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
