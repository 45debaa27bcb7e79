/**
 * One SUBSCRIBE (Event: presence) to one colleague, on SIP.js's core rather than its `Subscriber`:
 * the Subscriber keeps its initial request message and client alive for the subscription's whole
 * life (~9 KB each; 9 MB of heap for a 1,000-user roster, measured in test/bench/core-rss.ts).
 * Here, once the first NOTIFY has created the dialog and the SUBSCRIBE is answered, only the
 * dialog is kept; it refreshes itself (autoRefresh) and carries the un-SUBSCRIBE.
 *
 * Every callback from SIP.js is guarded: a throw would escape into the WebSocket handler (LAB.md).
 */
import { Core, type UserAgent, type URI } from 'sip.js';

export interface PresenceSubscriptionDelegate {
  /** A NOTIFY arrived (body undefined when the colleague has nothing published). */
  onNotify(body: string | undefined): void;
  /** The subscription is over (refused, timed out, terminated by the server, or by us). */
  onEnded(): void;
  onError(message: string, detail: unknown): void;
}

export class PresenceSubscription {
  private initial: Core.OutgoingSubscribeRequest | undefined;
  private dialog: Core.Subscription | undefined;
  private answered = false;
  private notified = false;
  private ended = false;
  private endedWaiters: Array<() => void> = [];
  private stopTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly userAgent: UserAgent,
    private readonly target: URI,
    private readonly expiresSec: number,
    private readonly delegate: PresenceSubscriptionDelegate,
  ) {}

  start(): void {
    const core = this.userAgent.userAgentCore;
    const message = core.makeOutgoingRequestMessage('SUBSCRIBE', this.target, core.configuration.aor, this.target, {}, [
      'Event: presence',
      'Accept: application/pidf+xml',
      `Expires: ${this.expiresSec}`,
      `Contact: ${core.configuration.contact.toString()}`,
    ]);
    this.initial = core.subscribe(message, {
      onAccept: () =>
        this.guard('SUBSCRIBE answer', () => {
          this.answered = true;
          this.releaseInitial();
        }),
      onNotify: ({ request, subscription }) =>
        this.guard('first NOTIFY', () => {
          this.notified = true;
          if (subscription && !this.ended) this.attach(subscription);
          this.releaseInitial();
          this.receive(request);
          if (!subscription) this.end(); // the first NOTIFY already said "terminated"
        }),
      onNotifyTimeout: () => this.guard('no NOTIFY', () => this.end()),
      onReject: () => this.guard('SUBSCRIBE refused', () => this.end()),
      onRedirect: () => this.guard('SUBSCRIBE redirected', () => this.end()),
    });
  }

  /**
   * A method of its own, not a closure inside the first NOTIFY's handler: closures there would
   * keep that NOTIFY (message, server transaction) alive as long as the dialog — 1,000 of them.
   */
  private attach(dialog: Core.Subscription): void {
    this.dialog = dialog;
    dialog.autoRefresh = true;
    dialog.delegate = {
      onNotify: (notify) => this.guard('NOTIFY', () => this.receive(notify)),
      onRefresh: (refresh) => {
        refresh.delegate = { onReject: () => this.guard('refresh refused', () => this.end()) };
      },
      onTerminated: () => this.guard('subscription end', () => this.end()),
    };
  }

  /** Un-SUBSCRIBEs if a dialog exists; resolves when the server confirms or after `timeoutMs`. */
  stop(timeoutMs = 1500): Promise<void> {
    if (this.ended) return Promise.resolve();
    const dialog = this.dialog;
    if (!dialog || dialog.subscriptionState === Core.SubscriptionState.Terminated) {
      this.dropInitial();
      this.end();
      return Promise.resolve();
    }
    const done = new Promise<void>((resolve) => {
      this.endedWaiters.push(resolve);
      this.stopTimer = setTimeout(() => {
        dialog.dispose();
        this.end();
      }, timeoutMs);
      this.stopTimer.unref();
    });
    try {
      dialog.unsubscribe();
    } catch (error) {
      this.delegate.onError('un-SUBSCRIBE could not be sent', error);
      dialog.dispose();
      this.end();
    }
    return done;
  }

  /** Forgets the subscription without telling the server (its connection is gone). */
  abandon(): void {
    if (this.ended) return;
    this.dropInitial();
    this.dialog?.dispose();
    this.end();
  }

  private receive(notify: Core.IncomingNotifyRequest): void {
    notify.accept();
    if (!this.ended) this.delegate.onNotify(notify.message.body === '' ? undefined : notify.message.body);
  }

  /** Once answered and notified, the initial client has nothing left to do. */
  private releaseInitial(): void {
    if (this.answered && this.notified) this.dropInitial();
  }

  /**
   * Stops waiting for NOTIFYs to the initial SUBSCRIBE and lets go of it. Not dispose(): that
   * cancels the transaction's timers, and a transaction that never terminates stays in SIP.js's
   * client map for ever (a leak we measured); left alone it terminates and removes itself.
   */
  private dropInitial(): void {
    const initial = this.initial;
    this.initial = undefined;
    initial?.waitNotifyStop();
  }

  private end(): void {
    if (this.ended) return;
    this.ended = true;
    clearTimeout(this.stopTimer);
    this.dropInitial();
    this.dialog = undefined;
    for (const resolve of this.endedWaiters.splice(0)) resolve();
    this.delegate.onEnded();
  }

  private guard(what: string, fn: () => void): void {
    try {
      fn();
    } catch (error) {
      this.delegate.onError(`${what} could not be handled`, error);
    }
  }
}
