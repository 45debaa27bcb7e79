/**
 * The live directory: the provisioned roster × each colleague's state, from one SUBSCRIBE
 * (Event: presence) per roster user. LAB.md found RLS heavy and flaky on Kamailio, and per-user
 * subscriptions cheap enough for hundreds of users (measured again in test/bench/presence-fanout.ts).
 *
 * Subscriptions are (re)made each time the phone registers — after start, and after every
 * reconnect, since a restarted server has forgotten them — and paced (a few in flight at a time)
 * so 500 SUBSCRIBEs and their first NOTIFYs never come as one burst on the main thread. A
 * subscription the server ends is made again after a delay. Until a colleague's first NOTIFY, and
 * while we are not registered, the directory cannot know: `live` says so.
 */
import { UserAgent } from 'sip.js';
import { directoryRank, isRecommendedTransferTarget, type AgentStatus } from '../../../shared/agentState.js';
import type { RosterUser } from '../../../shared/provisioning/index.js';
import type { Phone } from '../sip/phone.js';
import { TypedEmitter, type Disposable } from '../typedEmitter.js';
import { parsePidf } from './pidf.js';
import { PresenceSubscription } from './presenceSubscription.js';

export interface DirectoryEntry {
  readonly user: RosterUser;
  readonly status: AgentStatus;
  /** False until the first NOTIFY for this user since we last (re)subscribed. */
  readonly known: boolean;
  readonly recommended: boolean;
  /** When the status last changed here (ms). */
  readonly since: number;
}

export interface DirectoryEvents {
  /** One colleague's entry changed. */
  entry: DirectoryEntry;
  /** Our view as a whole became live or stale (registration). */
  live: boolean;
  problem: { readonly message: string; readonly detail?: unknown };
}

export interface PresenceDirectoryOptions {
  /** Our own roster id: not subscribed, not listed (nobody transfers to themselves). */
  readonly selfId?: string;
  readonly subscribeExpiresSec?: number;
  /** SUBSCRIBEs awaiting their first NOTIFY at a time. */
  readonly concurrency?: number;
  readonly resubscribeDelayMs?: number;
  readonly now?: () => number;
}

interface Watch {
  readonly user: RosterUser;
  subscription: PresenceSubscription | undefined;
  status: AgentStatus;
  known: boolean;
  since: number;
  /** Publication time of the status shown, to drop an older NOTIFY arriving late. */
  at: number | undefined;
  retry: NodeJS.Timeout | undefined;
}

const OFFLINE: AgentStatus = { kind: 'Offline' };

export class PresenceDirectory {
  readonly events = new TypedEmitter<DirectoryEvents>((error) => this.problem('a directory listener threw', error));
  private readonly watches = new Map<string, Watch>();
  private readonly queue: Watch[] = [];
  private inFlight = 0;
  /** Bumped by each subscribeAll(): slots of an earlier round no longer count. */
  private round = 0;
  private _live = false;
  private disposed = false;
  private readonly disposables: Disposable[] = [];
  private readonly now: () => number;

  constructor(
    private readonly phone: Phone,
    roster: readonly RosterUser[],
    private readonly options: PresenceDirectoryOptions = {},
  ) {
    this.now = options.now ?? Date.now;
    for (const user of roster) {
      if (user.id === options.selfId) continue;
      this.watches.set(user.id, {
        user,
        subscription: undefined,
        status: OFFLINE,
        known: false,
        since: this.now(),
        at: undefined,
        retry: undefined,
      });
    }
    this.disposables.push(
      phone.events.on('registration', ({ state }) => {
        if (state === 'registered') this.subscribeAll();
        else if (this._live) this.setLive(false);
      }),
      phone.onBeforeStop(() => this.unsubscribeAll()),
    );
    if (phone.registration === 'registered') this.subscribeAll();
  }

  get live(): boolean {
    return this._live;
  }

  /** Best transfer targets first (directoryRank), then by name. */
  entries(): DirectoryEntry[] {
    return [...this.watches.values()]
      .map(toEntry)
      .sort((a, b) => directoryRank(a.status) - directoryRank(b.status) || a.user.displayName.localeCompare(b.user.displayName));
  }

  entry(userId: string): DirectoryEntry | undefined {
    const watch = this.watches.get(userId);
    return watch ? toEntry(watch) : undefined;
  }

  /** How many subscriptions the server has confirmed with a NOTIFY (for benches and tests). */
  knownCount(): number {
    let n = 0;
    for (const watch of this.watches.values()) if (watch.known) n += 1;
    return n;
  }

  async dispose(): Promise<void> {
    this.disposed = true;
    for (const d of this.disposables) d.dispose();
    await this.unsubscribeAll();
    this.events.removeAll();
  }

  private subscribeAll(): void {
    if (this.disposed) return;
    this.setLive(true);
    this.round += 1;
    this.queue.length = 0;
    this.inFlight = 0;
    for (const watch of this.watches.values()) this.drop(watch);
    for (const watch of this.watches.values()) {
      watch.known = false;
      this.queue.push(watch);
    }
    this.next();
  }

  private next(): void {
    const limit = this.options.concurrency ?? 8;
    while (this.inFlight < limit && this.queue.length > 0) {
      const watch = this.queue.shift()!;
      this.inFlight += 1;
      this.subscribe(watch);
    }
  }

  private subscribe(watch: Watch): void {
    const ua = this.phone.userAgent;
    const target = UserAgent.makeURI(watch.user.sipUri);
    const round = this.round;
    if (!ua || !target || this.disposed) {
      this.settled(round);
      return;
    }
    let firstSeen = false;
    const first = () => {
      if (firstSeen) return;
      firstSeen = true;
      clearTimeout(slotTimer);
      this.settled(round);
    };
    // A SUBSCRIBE that is never answered must not hold its slot for ever.
    const slotTimer = setTimeout(first, 3000);
    slotTimer.unref();
    const subscription: PresenceSubscription = new PresenceSubscription(ua, target, this.options.subscribeExpiresSec ?? 600, {
      onNotify: (body) => {
        first();
        if (watch.subscription === subscription) this.onNotify(watch, body);
      },
      onEnded: () => {
        first();
        if (watch.subscription !== subscription) return; // we ended it ourselves
        watch.subscription = undefined;
        this.scheduleResubscribe(watch);
      },
      onError: (message, detail) => this.problem(`${watch.user.id}: ${message}`, detail),
    });
    watch.subscription = subscription;
    subscription.start();
  }

  private settled(round: number): void {
    if (round !== this.round) return;
    this.inFlight = Math.max(0, this.inFlight - 1);
    this.next();
  }

  private onNotify(watch: Watch, body: string | undefined): void {
    const reading = parsePidf(body);
    if (reading.kind === 'unreadable') {
      this.problem(`presence of ${watch.user.id} unreadable: ${reading.why}`);
      return;
    }
    if (reading.at !== undefined && watch.at !== undefined && reading.at < watch.at && reading.status.kind !== 'Offline') return;
    const changed = !watch.known || !sameStatus(watch.status, reading.status);
    watch.known = true;
    watch.at = reading.at;
    if (!changed) return;
    watch.status = reading.status;
    watch.since = this.now();
    this.events.emit('entry', toEntry(watch));
  }

  private scheduleResubscribe(watch: Watch): void {
    if (this.disposed || this.phone.registration !== 'registered') return;
    clearTimeout(watch.retry);
    const base = this.options.resubscribeDelayMs ?? 2000;
    watch.retry = setTimeout(
      () => {
        watch.retry = undefined;
        if (this.disposed || watch.subscription || this.phone.registration !== 'registered') return;
        this.queue.push(watch);
        this.next();
      },
      base + Math.random() * base,
    );
    watch.retry.unref();
  }

  /**
   * Forgets a subscription before subscribing again after a reconnect: the server either lost it
   * (restart) or will drop it when its NOTIFY cannot reach the old connection.
   */
  private drop(watch: Watch): void {
    clearTimeout(watch.retry);
    const subscription = watch.subscription;
    watch.subscription = undefined;
    subscription?.abandon();
  }

  private async unsubscribeAll(): Promise<void> {
    this.queue.length = 0;
    const pending: Promise<void>[] = [];
    for (const watch of this.watches.values()) {
      clearTimeout(watch.retry);
      const subscription = watch.subscription;
      watch.subscription = undefined;
      if (subscription) pending.push(subscription.stop(1500));
    }
    this.setLive(false);
    await Promise.all(pending);
  }

  private setLive(live: boolean): void {
    if (this._live === live) return;
    this._live = live;
    this.events.emit('live', live);
  }

  private problem(message: string, detail?: unknown): void {
    this.events.emit('problem', detail === undefined ? { message } : { message, detail });
  }
}

function toEntry(watch: Watch): DirectoryEntry {
  return {
    user: watch.user,
    status: watch.status,
    known: watch.known,
    recommended: isRecommendedTransferTarget(watch.status),
    since: watch.since,
  };
}

function sameStatus(a: AgentStatus, b: AgentStatus): boolean {
  return a.kind === b.kind && (a.kind !== 'NotReady' || (b.kind === 'NotReady' && a.reason === b.reason));
}
