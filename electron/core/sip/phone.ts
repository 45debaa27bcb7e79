import {
  Invitation,
  Inviter,
  Messager,
  Registerer,
  RegistererState,
  SIPExtension,
  UserAgent,
  type Message,
  type Referral,
  type Session,
  type SessionDescriptionHandlerFactory,
  type URI,
} from 'sip.js';
import type { MediaPort } from '../../../shared/media.js';
import type { RegistrationState } from '../../../shared/phone.js';
import { TypedEmitter } from '../typedEmitter.js';
import { backoffDelay, DEFAULT_BACKOFF, type BackoffOptions } from './backoff.js';
import { BridgedSdh, type PreparedMedia } from './bridgedSdh.js';
import { createHash, randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { Call, addressParam } from './call.js';
import { PhoneError, registrationError } from './phoneError.js';
import { WsTransport, type WsTransportOptions } from './wsTransport.js';
import { userAgentDialogIndex } from './ingress/dialogIndex.js';
import { userAgentSessionCount } from './libraryInternals.js';
import { offerProblem, warningHeader } from '../../../shared/offerCheck.js';

export interface PhoneOptions {
  /** ws:// or wss:// URL of the SIP server. */
  readonly server: string;
  /** The agent's address of record, e.g. sip:alice@example.com. */
  readonly aor: string;
  /** Digest user name; defaults to the AOR's user part. */
  readonly username?: string;
  readonly password?: string;
  readonly displayName?: string;
  readonly media: MediaPort;
  readonly registerExpiresSec?: number;
  readonly connectTimeoutMs?: number;
  /**
   * A connection that silently stops (NAT timeout, network change, half-open TCP) is noticed and
   * replaced within this bound: WebSocket pings go out every half of it, and a ping unanswered by
   * the next one drops the socket. Default 30 s. `keepAliveMs`, when given, sets the ping interval
   * directly (the bound is then twice it).
   */
  readonly deadConnectionMs?: number;
  readonly keepAliveMs?: number;
  /**
   * SIP Outbound (RFC 5626): REGISTER with `reg-id` and `+sip.instance`, so a registrar that
   * supports it replaces this device's old flow instead of keeping a dead one beside it. A
   * registrar without it ignores both. Default true.
   */
  readonly outbound?: boolean;
  /** This device's stable instance id (a UUID); default: derived from the host name and the AOR. */
  readonly instanceId?: string;
  /** An incoming call unanswered this long is refused with 480 (SIP.js's default: 60 s). */
  readonly noAnswerTimeoutSec?: number;
  /**
   * An incoming call that was ringing when the connection was lost rings at most this long after the
   * reconnect, then is refused 480 and ends 'connection-lost': the caller's CANCEL follows the lost
   * connection, so without a server that reroutes it (docs/IT-GUIDE.md §8) a caller who gave up is
   * never heard of. Default 15 s; never longer than noAnswerTimeoutSec.
   */
  readonly ringingAfterReconnectSec?: number;
  /**
   * Declare and honour RFC 3891 Replaces (default true: a warm transfer's recipient needs it). Off
   * only for a lab stand-in for a contact phone that lacks it.
   */
  readonly replaces?: boolean;
  readonly backoff?: Partial<BackoffOptions>;
  /** Certificate authorities for a wss:// server (PEM), see WsTransportOptions.ca. */
  readonly ca?: readonly string[];
  /** Every SIP message sent and received (the SIP trace switch). */
  readonly sipTrace?: (direction: 'sent' | 'received', message: string) => void;
  /** Where the phone reports what went wrong without a caller to throw to. */
  readonly log?: (level: 'warn' | 'error', message: string, detail?: unknown) => void;
}

/** A REFER the far end of one of our calls sent us: we are asked to call someone else. */
export interface IncomingReferral {
  readonly call: Call;
  /** The Refer-To URI, parameters included. */
  readonly target: string;
  /** True for an attended transfer (Refer-To carries Replaces). */
  readonly replaces: boolean;
  /** Accepts (202) and calls the target; NOTIFYs report the new call's progress to the referrer. */
  follow(): Promise<Call>;
  /** 202 without calling anyone: what an application that never acts on REFER does. */
  acceptOnly(): Promise<void>;
  reject(statusCode?: number): Promise<void>;
}

/**
 * Decides whether an INVITE with Replaces may take over `replaced` (RFC 3891 §6: a replacement must
 * be authorized, not merely name a dialog). `param` reads a URI parameter of the address the INVITE
 * was sent to (To, then R-URI).
 */
export type ReplacesCheck = (replaced: Call, param: (name: string) => string | undefined) => boolean;

/** An out-of-dialog MESSAGE addressed to us. */
export interface IncomingMessage {
  readonly from: string;
  readonly contentType: string;
  readonly body: string;
  accept(): Promise<void>;
  reject(statusCode: number): Promise<void>;
}

export interface PhoneEvents {
  registration: { readonly state: RegistrationState; readonly error?: PhoneError };
  incomingCall: Call;
  /** A call we placed (dialled, a consult, a call made to follow a REFER). */
  outgoingCall: Call;
  /** Emitted for every REFER; with no listener the REFER is declined (603). */
  referred: IncomingReferral;
  /** Emitted for every MESSAGE; with no listener it is refused (415). */
  message: IncomingMessage;
  /** Something was contained (a throw inside SIP.js, a failed retry) — for logs, never fatal. */
  problem: { readonly message: string; readonly detail?: unknown };
}

/**
 * The agent's phone in the main process: one SIP.js UserAgent over our WebSocket transport, one
 * registration, the calls. SIP.js leaves reconnecting and re-registering after a drop to the
 * application; this class does both, with backoff, keeping calls alive meanwhile.
 */
export class Phone {
  readonly events: TypedEmitter<PhoneEvents>;
  private ua: UserAgent | undefined;
  private registerer: Registerer | undefined;
  private _registration: RegistrationState = 'unregistered';
  private readonly live = new Map<Session, Call>();
  private readonly sdhs = new WeakMap<Session, BridgedSdh>();
  private readonly preparedFor = new WeakMap<Session, PreparedMedia>();
  private stopping = false;
  private reconnectTimer: NodeJS.Timeout | undefined;
  private reconnectAttempt = 0;
  private readonly backoff: BackoffOptions;
  private readonly aorUri: URI;
  private readonly beforeStop: Array<() => Promise<void>> = [];
  private _outbound = false;
  /** The connection dropped since the last refresh of our dialogs (see refreshDialogs). */
  private connectionLost = false;
  /** Counts lost connections; each call keeps the count from when its INVITE came or went. */
  private connectionEpoch = 0;
  private readonly callEpoch = new WeakMap<Call, number>();
  private readonly instanceId: string;
  private replacesCheck: ReplacesCheck | undefined;

  constructor(private readonly options: PhoneOptions) {
    this.events = new TypedEmitter<PhoneEvents>((error) => this.problem('a listener threw', error));
    this.backoff = { ...DEFAULT_BACKOFF, ...options.backoff };
    validateServerUrl(options.server);
    const aor = UserAgent.makeURI(options.aor);
    if (!aor || !aor.user) throw new PhoneError('invalid-address', `Not a SIP address with a user: ${options.aor}`);
    this.aorUri = aor;
    this.instanceId = options.instanceId ?? deviceInstanceId(aor.toString());
  }

  /** The registrar applied SIP Outbound to our registration (its 2xx said `Require: outbound`). */
  get outbound(): boolean {
    return this._outbound;
  }

  /** The bound within which a silently dead connection is noticed (see PhoneOptions.deadConnectionMs). */
  get deadConnectionMs(): number {
    return 2 * this.keepAliveMs;
  }

  private get keepAliveMs(): number {
    return this.options.keepAliveMs ?? Math.max(500, Math.round((this.options.deadConnectionMs ?? 30_000) / 2));
  }

  get registration(): RegistrationState {
    return this._registration;
  }

  get domain(): string {
    return this.aorUri.host;
  }

  get aor(): string {
    return this.aorUri.toString();
  }

  /**
   * The SIP.js user agent, for core modules that speak SIP beside calls (presence, transfer
   * context messages). Undefined while stopped; replaced on each start.
   */
  get userAgent(): UserAgent | undefined {
    return this.ua;
  }

  /**
   * Sets who authorizes an INVITE with Replaces (the transfers, which hold the per-transfer secret).
   * Without one, or when it says no, such an INVITE is refused 403 and the named call is untouched.
   */
  authorizeReplaces(check: ReplacesCheck): { dispose(): void } {
    this.replacesCheck = check;
    return {
      dispose: () => {
        if (this.replacesCheck === check) this.replacesCheck = undefined;
      },
    };
  }

  /**
   * Runs `task` at the start of stop(), before calls end and the user agent stops: subscriptions
   * and publications must be ended first (UserAgent.stop() can hang while a Subscriber is active).
   */
  onBeforeStop(task: () => Promise<void>): { dispose(): void } {
    this.beforeStop.push(task);
    return {
      dispose: () => {
        const index = this.beforeStop.indexOf(task);
        if (index >= 0) this.beforeStop.splice(index, 1);
      },
    };
  }

  /**
   * Drops the connection and reconnects at once (the OS woke from sleep, the network changed):
   * faster than waiting for the keep-alive to notice a dead socket. Calls are kept.
   */
  reconnectNow(): void {
    const ua = this.ua;
    if (!ua || this.stopping) return;
    clearTimeout(this.reconnectTimer);
    this.setRegistration('reconnecting');
    void ua.transport
      .disconnect()
      // The reconnect opens a fresh connection whether or not the dead one closed cleanly.
      .catch(this.logged('closing the lost connection before reconnecting'))
      .then(() => this.reconnect());
  }

  /**
   * An error thrown by SIP.js outside any call of ours (a timer, an unawaited promise) reached the
   * process. It is counted like a throw during message handling: repeated ones reset the
   * transport and the phone registers again. False when the phone has no transport to reset.
   */
  containAsyncThrow(error: unknown): boolean {
    const transport = this.ua?.transport;
    if (!(transport instanceof WsTransport)) return false;
    transport.reportAsyncThrow(error);
    return true;
  }

  /** Calls not yet ended. */
  calls(): readonly Call[] {
    return [...this.live.values()];
  }

  /** SIP.js sessions still held by the user agent — tests assert nothing is orphaned. */
  sessionCount(): number {
    return this.ua ? (userAgentSessionCount(this.ua) ?? 0) : 0;
  }

  /** Connects and registers. Rejects with a PhoneError; a failed start leaves nothing running. */
  async start(): Promise<void> {
    if (this.ua) throw new PhoneError('invalid-state', 'The phone is already started.');
    this.stopping = false;
    const ua = this.createUserAgent();
    this.ua = ua;
    this.setRegistration('connecting');
    try {
      await ua.start();
      await this.register();
    } catch (cause) {
      const error = cause instanceof PhoneError ? cause : new PhoneError('server-unreachable', String(cause), undefined, { cause });
      await this.teardown();
      this.setRegistration('failed', error);
      throw error;
    }
  }

  /** Ends every call, unregisters and disconnects. */
  async stop(): Promise<void> {
    this.stopping = true;
    clearTimeout(this.reconnectTimer);
    // Stopping goes on past each failure (the disconnect ends whatever is left), but none goes unlogged.
    this.logRejected('a task before stopping', await Promise.allSettled(this.beforeStop.map((task) => withTimeout(task(), 2000))));
    this.logRejected('hanging up on stop', await Promise.allSettled(this.calls().map((call) => call.hangUp())));
    const registerer = this.registerer;
    if (registerer && registerer.state === RegistererState.Registered && this.ua?.isConnected()) {
      // A refused or unsent un-REGISTER only leaves the binding to expire on the registrar.
      await withTimeout(
        new Promise<void>((resolve) => {
          registerer
            .unregister({
              requestDelegate: {
                onAccept: () => resolve(),
                onReject: (response) => {
                  this.options.log?.('warn', `un-REGISTER on stop refused: ${response.message.statusCode ?? 'no status'}`);
                  resolve();
                },
              },
            })
            .catch((error: unknown) => {
              this.logged('un-REGISTER on stop')(error);
              resolve();
            });
        }),
        2000,
      );
    }
    await this.teardown();
    this.setRegistration('unregistered');
  }

  /** Places a call. `target` is a SIP URI or a user name in our domain. */
  async call(target: string, extraHeaders: readonly string[] = [], prepared?: PreparedMedia): Promise<Call> {
    const ua = this.requireRegistered();
    const inviter = new Inviter(ua, this.targetUri(target), { extraHeaders: [...extraHeaders] });
    if (prepared) this.preparedFor.set(inviter, prepared);
    return this.invite(inviter);
  }

  /**
   * Opens a media session and makes its offer now, for a call placed soon (a warm transfer's
   * consult). Pass it to call(); if unused, release it with releaseMedia().
   */
  prepareMedia(): PreparedMedia {
    const id = randomUUID();
    const session = this.options.media.open(id);
    const offer = session.then((media) => media.createOffer({ direction: 'sendrecv' }));
    // A failed preparation only means the call makes its own offer.
    offer.catch(this.logged('preparing an early offer'));
    return { id, session, offer };
  }

  releaseMedia(prepared: PreparedMedia): void {
    // A session that cannot close has lost its engine (renderer gone): nothing is left to release.
    void prepared.session.then((media) => media.close()).catch(this.logged('releasing prepared media'));
  }

  /** Sends an out-of-dialog MESSAGE; resolves with the final status (2xx = delivered). */
  sendMessage(target: string, contentType: string, body: string, timeoutMs = 5000): Promise<number> {
    const ua = this.requireRegistered();
    const messager = new Messager(ua, this.targetUri(target), body, contentType);
    return new Promise<number>((resolve) => {
      const timer = setTimeout(() => resolve(408), timeoutMs);
      const done = (status: number): void => {
        clearTimeout(timer);
        resolve(status);
      };
      messager
        .message({
          requestDelegate: {
            onAccept: (response) => done(response.message.statusCode ?? 200),
            onReject: (response) => done(response.message.statusCode ?? 500),
          },
        })
        .catch((error: unknown) => {
          this.logged('sending a MESSAGE')(error);
          done(503); // the documented answer for "could not be sent at all"
        });
    });
  }

  /** The SIP URI for a user name in our domain, or the URI itself. */
  targetUri(target: string): URI {
    const uri = UserAgent.makeURI(target.includes(':') ? target : `sip:${target}@${this.aorUri.host}`);
    if (!uri || !uri.user) throw new PhoneError('invalid-address', `Not a callable address: ${target}`);
    return uri;
  }

  private requireRegistered(): UserAgent {
    const ua = this.ua;
    if (!ua || this._registration !== 'registered') throw new PhoneError('not-registered', 'Sign in first.');
    return ua;
  }

  private async invite(inviter: Inviter): Promise<Call> {
    const call = this.track(inviter, 'outbound', this.connectionEpoch);
    this.events.emit('outgoingCall', call);
    await inviter.invite({
      requestDelegate: {
        onProgress: (response) => {
          const status = response.message.statusCode ?? 0;
          if (status >= 180 && status < 190) call.ringing();
        },
        onAccept: (response) => call.answered(response.message.getHeader('Allow'), response.message),
        onReject: (response) => call.rejected(response.message.statusCode ?? 0),
      },
    });
    return call;
  }

  private onRefer(call: Call, referral: Referral): void {
    const incoming: IncomingReferral = {
      call,
      target: referral.referTo.uri.toString(),
      replaces: referral.replaces !== undefined,
      follow: async () => {
        await referral.accept();
        return this.invite(referral.makeInviter());
      },
      acceptOnly: () => referral.accept(),
      reject: (statusCode = 603) => referral.reject({ statusCode }),
    };
    if (!this.events.has('referred')) {
      // The REFER is refused either way; a failed 603 only means the far end times it out.
      void incoming.reject(603).catch(this.logged('refusing a REFER nobody handles'));
      return;
    }
    this.events.emit('referred', incoming);
  }

  private onMessage(message: Message): void {
    const request = message.request;
    const incoming: IncomingMessage = {
      from: request.from.uri.toString(),
      contentType: request.getHeader('Content-Type')?.split(';')[0]?.trim().toLowerCase() ?? '',
      body: request.body ?? '',
      accept: () => message.accept(),
      reject: (statusCode) => message.reject({ statusCode }),
    };
    if (!this.events.has('message')) {
      // The MESSAGE is refused either way; a failed 415 only means the far end times it out.
      void incoming.reject(415).catch(this.logged('refusing a MESSAGE nobody handles'));
      return;
    }
    this.events.emit('message', incoming);
  }

  private createUserAgent(): UserAgent {
    const transportOptions: WsTransportOptions = {
      server: this.options.server,
      connectTimeoutMs: this.options.connectTimeoutMs ?? 5000,
      keepAliveMs: this.keepAliveMs,
      onInboundError: (error) => this.problem('SIP.js threw while handling a message', error),
      // The ingress answers an INVITE whose Replaces names none of our dialogs with 481, before SIP.js.
      dialogs: userAgentDialogIndex(() => this.ua),
      onIngressRefusal: (reason, detail) => this.problem(`SIP ingress refused a message (${reason})`, detail),
      onConnectError: (error) => this.options.log?.('warn', `connecting to ${this.options.server} failed: ${error.message}`, error.cause),
      ...(this.options.ca ? { ca: this.options.ca } : {}),
      ...(this.options.sipTrace ? { trace: this.options.sipTrace } : {}),
    };
    const sdhFactory: SessionDescriptionHandlerFactory = (session) => {
      const call = this.live.get(session);
      const prepared = this.preparedFor.get(session);
      this.preparedFor.delete(session); // the handler owns it now, and lets it go with the call
      const sdh = new BridgedSdh(this.options.media, prepared?.id ?? call?.id ?? session.id, prepared, (what) => this.logged(what));
      sdh.localHold = call?.answersHeld ?? false;
      sdh.muted = call?.answersSilent ?? false;
      sdh.answerFailed = (error) => this.live.get(session)?.answerFailed(error);
      this.sdhs.set(session, sdh);
      return sdh;
    };
    const ua = new UserAgent({
      uri: this.aorUri,
      authorizationUsername: this.options.username ?? this.aorUri.user ?? '',
      authorizationPassword: this.options.password ?? '',
      ...(this.options.displayName ? { displayName: this.options.displayName } : {}),
      transportConstructor: WsTransport,
      transportOptions,
      sessionDescriptionHandlerFactory: sdhFactory,
      reconnectionAttempts: 0, // ours, with backoff and re-registration
      noAnswerTimeout: this.options.noAnswerTimeoutSec ?? 60,
      // SIP.js would send 180 Ringing before onInvite runs; onInvite sends it once the offer passed.
      sendInitialProvisionalResponse: false,
      // Warm transfers: the contact's INVITE with Replaces takes over the consult dialog.
      sipExtensionReplaces: this.options.replaces === false ? SIPExtension.Unsupported : SIPExtension.Supported,
      logBuiltinEnabled: false,
      logLevel: 'error',
      logConnector: (level, category, _label, content) => {
        if (level === 'error') this.problem(`${category}: ${content}`);
      },
    });
    // SIP.js marks every dialog-forming Contact ";ob" (RFC 5626 §4.3): an outbound edge proxy then
    // pins the dialog to the flow it began on, and after a reconnect answers the far end 430 whatever
    // target refresh we send. Without it, in-dialog requests follow our Contact, which a refresh updates.
    const contactText = ua.contact.toString.bind(ua.contact);
    ua.contact.toString = (options) => contactText({ ...options, outbound: false });
    ua.delegate = {
      onInvite: (invitation) => this.onInvite(invitation),
      onMessage: (message) => this.onMessage(message),
      onDisconnect: (error) => {
        this.connectionLost = true;
        this.connectionEpoch += 1;
        for (const call of this.calls()) call.connectionLost();
        if (error && !this.stopping) this.scheduleReconnect();
      },
    };
    return ua;
  }

  private onInvite(invitation: Invitation): void {
    if (this.refusedReplacement(invitation)) return;
    if (this.refusedOffer(invitation)) return;
    const epoch = this.connectionEpoch;
    const alert = (): void => {
      const call = this.track(invitation, 'inbound', epoch);
      // SIP.js matched a Replaces header to one of our dialogs; accepting BYEs the replaced one.
      const replacee = invitation.replacee;
      if (replacee) call.replaces = this.live.get(replacee);
      this.events.emit('incomingCall', call);
    };
    // 180 first, then the agent is alerted, as SIP.js does by default. A plain 180 always fits: the
    // ingress refuses an INVITE that requires 100rel (420) before SIP.js sees it.
    invitation.progress().then(alert, (error: unknown) => {
      this.problem('could not send 180 Ringing; the call is refused', error);
      // The transport that lost the 180 likely loses the 500 too; the far end then times out.
      invitation.reject({ statusCode: 500 }).catch(this.logged('refusing the call with 500'));
    });
  }

  /**
   * Refuses (403) an INVITE whose Replaces names one of our calls without the authorization the
   * replacesCheck asks for: SIP.js would otherwise BYE that call as soon as the INVITE is answered.
   */
  private refusedReplacement(invitation: Invitation): boolean {
    const replacee = invitation.replacee;
    if (!replacee) return false;
    const replaced = this.live.get(replacee);
    const check = this.replacesCheck;
    if (replaced && check?.(replaced, (name) => addressParam(invitation.request, name))) return false;
    this.problem('refused an INVITE with Replaces that is not authorized for the call it names (403)', {
      from: invitation.remoteIdentity.uri.toString(),
      callId: invitation.request.callId,
    });
    invitation.reject({ statusCode: 403 }).catch((error: unknown) => this.problem('could not send 403 Forbidden', error));
    return true;
  }

  /**
   * Refuses (488, with a Warning saying why) an initial INVITE whose offer our media engines cannot
   * take, before anything rings: otherwise the agent answers and the call fails there. An INVITE
   * without a body asks us to offer, which our engines always can; a body that is not plain SDP is
   * left to SIP.js (415).
   */
  private refusedOffer(invitation: Invitation): boolean {
    const request = invitation.request;
    const body = request.body ?? '';
    const contentType = request.getHeader('Content-Type')?.split(';')[0]?.trim().toLowerCase();
    const disposition = request.getHeader('Content-Disposition')?.split(';')[0]?.trim().toLowerCase() ?? 'session';
    if (body.trim() === '' || contentType !== 'application/sdp' || disposition !== 'session') return false;
    const problem = offerProblem(body);
    if (!problem) return false;
    this.problem(`refused an incoming call's offer with 488 (${problem.reason}): ${problem.detail}`, {
      reason: problem.reason,
      from: invitation.remoteIdentity.uri.toString(),
      callId: request.callId,
    });
    invitation
      .reject({ statusCode: 488, extraHeaders: [warningHeader(problem)] })
      .catch((error: unknown) => this.problem('could not send 488 Not Acceptable Here', error));
    return true;
  }

  private track(session: Inviter | Invitation, direction: 'inbound' | 'outbound', epoch: number): Call {
    const call = new Call(
      session,
      direction,
      () => this.sdhs.get(session),
      (error) => this.problem('a call listener threw', error),
      (from, referral) => this.onRefer(from, referral),
      (what) => this.logged(what),
    );
    this.live.set(session, call);
    this.callEpoch.set(call, epoch);
    call.events.on('ended', () => this.live.delete(session));
    // Answered after the connection changed: the far end holds a Contact from before (our 180's, or
    // the one its INVITE was sent to), which names the lost connection. SIP.js keeps the 180's
    // Contact as the target even once the 2xx names another (it recomputes only the route set).
    call.events.on('state', (state) => {
      if (state === 'established' && this.callEpoch.get(call) !== this.connectionEpoch) {
        this.refreshCall(call, { ackMayBeLost: direction === 'inbound' });
      }
    });
    return call;
  }

  private register(): Promise<void> {
    const ua = this.ua;
    if (!ua) return Promise.reject(new PhoneError('invalid-state', 'The phone is stopped.'));
    if (!this.registerer) {
      this.registerer = new Registerer(ua, {
        expires: this.options.registerExpiresSec ?? 300,
        ...(this.options.outbound === false ? {} : { regId: 1, instanceId: this.instanceId }),
      });
      this.registerer.stateChange.addListener((state) => {
        // A refresh that failed while connected (server lost our binding): register again.
        if (state === RegistererState.Unregistered && this._registration === 'registered' && !this.stopping) {
          this.setRegistration('registering');
          this.register().catch((error: unknown) => this.onRegisterFailure(error));
        }
      });
    }
    const registerer = this.registerer;
    this.setRegistration('registering');
    return new Promise<void>((resolve, reject) => {
      registerer
        .register({
          requestDelegate: {
            onAccept: (response) => {
              this._outbound = /(^|,)\s*outbound\s*(,|$)/i.test(response.message.getHeaders('Require').join(','));
              this.reconnectAttempt = 0;
              this.setRegistration('registered');
              resolve();
            },
            onReject: (response) =>
              reject(
                registrationError(response.message.statusCode ?? 0, response.message.reasonPhrase ?? '', Boolean(this.options.password)),
              ),
          },
        })
        .catch((cause: unknown) => reject(new PhoneError('server-unreachable', 'REGISTER could not be sent.', undefined, { cause })));
    });
  }

  private scheduleReconnect(): void {
    if (this.stopping || !this.ua) return;
    clearTimeout(this.reconnectTimer);
    this.reconnectAttempt += 1;
    this.setRegistration('reconnecting');
    const delay = backoffDelay(this.reconnectAttempt, this.backoff);
    this.reconnectTimer = setTimeout(() => void this.reconnect(), delay);
  }

  private async reconnect(): Promise<void> {
    const ua = this.ua;
    if (!ua || this.stopping) return;
    try {
      await ua.reconnect();
      // A new connection is up: tell every far end now, beside the REGISTER (the refresh needs the
      // connection, not the binding). A REGISTER retried on the same connection changes nothing.
      if (this.connectionLost) {
        this.connectionLost = false;
        this.refreshDialogs();
        this.settleUnanswered();
      }
      await this.register();
    } catch (error) {
      this.onRegisterFailure(error);
    }
  }

  /**
   * Our connection changed, so the proxy's alias in the Contact every far end holds names a dead
   * one: each established call sends one target refresh over the new connection (Call.refreshTarget).
   * A refresh still queued from an earlier reconnect covers this one too.
   */
  private refreshDialogs(): void {
    for (const call of this.calls()) {
      if (call.state === 'established') this.refreshCall(call);
    }
  }

  private refreshCall(call: Call, options: { readonly ackMayBeLost?: boolean } = {}): void {
    void call.refreshTarget(options).then(
      (outcome) => {
        if (outcome && !outcome.ok) {
          this.problem(
            `a call's target refresh was refused (${outcome.method} ${outcome.status} after ${outcome.attempts} tries); the far end may not reach it`,
            {
              callId: call.sipCallId,
              ...outcome,
            },
          );
        }
      },
      (error: unknown) => this.problem("a call's target refresh failed", error),
    );
  }

  /**
   * Just after a reconnect: a call we placed whose INVITE had no answer when the connection went can
   * never be answered here (Call.abandonUnanswered: CANCEL, ended 'connection-lost', at once); an
   * incoming call ringing since before the loss rings at most ringingAfterReconnectSec more.
   */
  private settleUnanswered(): void {
    const ringingBoundMs = 1000 * Math.min(this.options.ringingAfterReconnectSec ?? 15, this.options.noAnswerTimeoutSec ?? 60);
    for (const call of this.calls()) {
      if (call.direction === 'outbound') {
        void call.abandonUnanswered().then(
          (ended) => {
            if (ended)
              this.problem('a call being placed lost its connection before the answer: cancelled, not placed again', {
                callId: call.sipCallId,
              });
          },
          (error: unknown) => this.problem('could not end a call whose connection was lost', error),
        );
      } else if (call.state === 'ringing' && this.callEpoch.get(call) !== this.connectionEpoch) {
        const timer = setTimeout(() => {
          void call
            .giveUpRinging()
            .catch((error: unknown) => this.problem('could not stop ringing a call whose connection was lost', error));
        }, ringingBoundMs);
        timer.unref();
        void call.events.next('ended').then(() => clearTimeout(timer));
      }
    }
  }

  private onRegisterFailure(error: unknown): void {
    if (this.stopping) return;
    if (error instanceof PhoneError && (error.code === 'auth-failed' || error.code === 'unknown-user' || error.code === 'auth-required')) {
      // Retrying a refused password only locks the account: stop and tell the agent.
      clearTimeout(this.reconnectTimer);
      this.setRegistration('failed', error);
      return;
    }
    this.problem('reconnect attempt failed', error);
    // A failed connect is followed by no disconnect event: schedule the next try ourselves.
    if (!this.ua?.isConnected()) this.scheduleReconnect();
    else this.reconnectTimer = setTimeout(() => void this.reconnect(), backoffDelay(++this.reconnectAttempt, this.backoff));
  }

  private async teardown(): Promise<void> {
    clearTimeout(this.reconnectTimer);
    const ua = this.ua;
    const registerer = this.registerer;
    this.ua = undefined;
    this.registerer = undefined;
    // Stopping goes on past a failed un-REGISTER or UA stop: the registration expires on its own, and
    // the phone must end whatever the server or the connection does.
    if (registerer) await registerer.dispose().catch(this.logged('un-registering while stopping'));
    if (ua) await withTimeout(ua.stop().catch(this.logged('stopping the user agent')), 3000);
    this.live.clear();
  }

  private setRegistration(state: RegistrationState, error?: PhoneError): void {
    if (state === this._registration && !error) return;
    this._registration = state;
    this.events.emit('registration', error ? { state, error } : { state });
  }

  /**
   * The rejection handler of a best-effort step whose failure changes nothing for anyone (a refusal
   * the far end may already have given up on, a teardown): logged, never shown as a problem.
   */
  private logged(what: string): (error: unknown) => void {
    return (error) => this.options.log?.('warn', `${what} failed`, error);
  }

  private logRejected(what: string, results: readonly PromiseSettledResult<unknown>[]): void {
    for (const result of results) if (result.status === 'rejected') this.logged(what)(result.reason);
  }

  private problem(message: string, detail?: unknown): void {
    this.options.log?.('warn', message, detail);
    this.events.emit('problem', detail === undefined ? { message } : { message, detail });
  }
}

function validateServerUrl(server: string): void {
  let url: URL;
  try {
    url = new URL(server);
  } catch (cause) {
    throw new PhoneError('invalid-server-url', `Not a valid server address: "${server}". Expected wss://host:port/path.`, undefined, {
      cause,
    });
  }
  if (url.protocol !== 'ws:' && url.protocol !== 'wss:') {
    throw new PhoneError('invalid-server-url', `The server address must start with wss:// (or ws:// in a lab), not ${url.protocol}//.`);
  }
}

/**
 * A UUID that stays the same for this AOR on this computer across restarts (RFC 5626 §4.1: the
 * instance id names the device, so a registrar can replace the binding a crashed run left behind).
 */
function deviceInstanceId(aor: string): string {
  const hex = createHash('sha256').update(`baton-instance|${hostname()}|${aor}`).digest('hex');
  // Shaped as a version 5-style (name-based) UUID, variant 10xx.
  const variant = ((parseInt(hex[16] ?? '0', 16) & 0x3) | 0x8).toString(16);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-5${hex.slice(13, 16)}-${variant}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T | undefined> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    promise.finally(() => clearTimeout(timer)),
    new Promise<undefined>((resolve) => {
      timer = setTimeout(() => resolve(undefined), ms);
    }),
  ]);
}
