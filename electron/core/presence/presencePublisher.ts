/**
 * Our own PUBLISH (RFC 3903), written on SIP.js's core because its Publisher sends a second
 * initial PUBLISH when the state changes before the first is answered (two publications for one
 * user: the stale one may win until it expires) and gives no way to await an unpublish.
 *
 * Here: one request in flight at a time, the newest body wins, SIP-If-Match once we hold an ETag,
 * refresh before expiry, 412 (server lost it, e.g. restarted) → publish afresh, 423 → the server's
 * Min-Expires. Failures are retried with a delay while a body is wanted.
 *
 * Refreshes carry the full body (a "modify", RFC 3903 §4.4) instead of the body-less refresh:
 * Kamailio 5.6 with publ_cache=2 answers a body-less refresh by sending every watcher a NOTIFY
 * with an empty body — which reads as "signed out" — measured in test/integration/presence.test.ts.
 * The cost is one NOTIFY per watcher per refresh, which the directory drops as unchanged.
 */
import type { UserAgent, URI } from 'sip.js';
import { PIDF_CONTENT_TYPE } from './pidf.js';

export interface PresencePublisherOptions {
  /** Short, so a crashed agent's state disappears soon (LAB.md: 60–120 s). */
  readonly expiresSec: number;
  readonly retryMs?: number;
  readonly log?: (message: string, detail?: unknown) => void;
}

interface Response {
  readonly status: number;
  readonly etag: string | undefined;
  readonly expires: number | undefined;
  readonly minExpires: number | undefined;
}

export class PresencePublisher {
  private wanted: string | undefined;
  private wantedVersion = 0;
  private sentVersion = -1;
  private etag: string | undefined;
  private expires: number;
  private refreshDue = false;
  private running: Promise<void> | undefined;
  private timer: NodeJS.Timeout | undefined;
  private closed = false;

  constructor(
    private readonly userAgent: () => UserAgent | undefined,
    private readonly target: URI,
    private readonly options: PresencePublisherOptions,
  ) {
    this.expires = options.expiresSec;
  }

  /** Publishes `body` (replacing what was published); resolves once the server holds it or gave up. */
  publish(body: string): Promise<void> {
    this.wanted = body;
    this.wantedVersion += 1;
    return this.pump();
  }

  /**
   * The connection was re-established: send the current body again (with our ETag, so a server
   * that kept the publication updates it and one that lost it answers 412 and we start afresh).
   */
  republish(): Promise<void> {
    if (this.wanted === undefined) return Promise.resolve();
    this.sentVersion = -1;
    return this.pump();
  }

  /** PUBLISH with Expires: 0; resolves when answered (or immediately if nothing is published). */
  async unpublish(): Promise<void> {
    this.wanted = undefined;
    this.wantedVersion += 1;
    clearTimeout(this.timer);
    await this.running;
    if (this.etag === undefined) return;
    // Signing out must finish even when the server is gone: the publication then lapses on its own
    // after `expiresSec`, so the failure is only worth a line in the log.
    await this.send(undefined, 0).catch((error: unknown) => this.options.log?.('un-PUBLISH could not be sent', error));
    this.etag = undefined;
  }

  /** Stops timers without telling the server (its copy expires on its own). */
  close(): void {
    this.closed = true;
    clearTimeout(this.timer);
  }

  private pump(): Promise<void> {
    this.running ??= this.drain().finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  private async drain(): Promise<void> {
    while (!this.closed && this.wanted !== undefined && (this.sentVersion !== this.wantedVersion || this.refreshDue)) {
      const version = this.wantedVersion;
      const body = this.wanted;
      this.refreshDue = false;
      clearTimeout(this.timer);
      let response: Response;
      try {
        response = await this.send(body, this.expires);
      } catch (error) {
        this.options.log?.('PUBLISH could not be sent', error);
        this.retryLater();
        return;
      }
      if (response.status >= 200 && response.status < 300) {
        this.etag = response.etag ?? this.etag;
        if (response.expires !== undefined && response.expires > 0) this.expires = Math.min(response.expires, this.options.expiresSec);
        this.sentVersion = version;
        this.scheduleRefresh();
      } else if (response.status === 412) {
        this.etag = undefined;
        this.sentVersion = -1;
      } else if (response.status === 423 && response.minExpires !== undefined && response.minExpires > this.expires) {
        this.expires = response.minExpires;
      } else {
        this.options.log?.(`PUBLISH refused with ${response.status}`);
        this.retryLater();
        return;
      }
    }
  }

  private scheduleRefresh(): void {
    clearTimeout(this.timer);
    // Well before expiry (half-way for short ones): a refresh that needs a retry, or a busy
    // machine, must still land before the server sweeps the publication.
    const delay = Math.max(1, this.expires - Math.min(30, this.expires / 2)) * 1000;
    this.timer = setTimeout(() => {
      this.refreshDue = true;
      void this.pump();
    }, delay);
    this.timer.unref();
  }

  private retryLater(): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.sentVersion = -1;
      void this.pump();
    }, this.options.retryMs ?? 5000);
    this.timer.unref();
  }

  /** `body` undefined only for the unpublish (Expires: 0). */
  private send(body: string | undefined, expires: number): Promise<Response> {
    const ua = this.userAgent();
    if (!ua || !ua.isConnected()) return Promise.reject(new Error('not connected'));
    const core = ua.userAgentCore;
    const headers = ['Event: presence', `Expires: ${expires}`];
    if (this.etag !== undefined) headers.push(`SIP-If-Match: ${this.etag}`);
    const request = core.makeOutgoingRequestMessage(
      'PUBLISH',
      this.target,
      core.configuration.aor,
      this.target,
      {},
      headers,
      body === undefined ? undefined : { contentDisposition: 'render', contentType: PIDF_CONTENT_TYPE, content: body },
    );
    return new Promise((resolve) => {
      const done = (message: { statusCode?: number; getHeader(name: string): string | undefined }) => {
        const number = (name: string) => {
          const value = Number(message.getHeader(name));
          return Number.isFinite(value) ? value : undefined;
        };
        resolve({
          status: message.statusCode ?? 0,
          etag: message.getHeader('SIP-ETag'),
          expires: number('Expires'),
          minExpires: number('Min-Expires'),
        });
      };
      // SIP.js turns a transaction timeout or transport error into a 408/503 through onReject.
      core.publish(request, {
        onAccept: (response) => done(response.message),
        onReject: (response) => done(response.message),
        onRedirect: (response) => done(response.message),
      });
    });
  }
}
