/**
 * Cold-transfer contexts waiting at the recipient for the contact's INVITE, bounded so that nobody
 * — not even a colleague the server authenticated — can make a desk hold more than a fixed amount:
 * at most `perSender` offers from one colleague and `total` altogether, each context for `ttlMs`.
 * Warm consults ringing or under way are offers too: the caller passes how many it holds. Nothing
 * here is written anywhere: History is written only once the transfer it describes connects.
 */
import type { TransferContext } from '../../../shared/transfer/context.js';
import type { Colleague } from './colleagues.js';

export interface PendingContext {
  readonly context: TransferContext;
  /** The roster colleague it came from (the From of its MESSAGE, equal to the document's initiator). */
  readonly from: Colleague;
  readonly expires: number;
}

export interface PendingLimits {
  readonly ttlMs: number;
  readonly perSender: number;
  readonly total: number;
}

/** A colleague has several cold transfers under way at most within a minute; a whole team, a few dozen. */
export const DEFAULT_PENDING_LIMITS: PendingLimits = { ttlMs: 60_000, perSender: 8, total: 64 };

/** 'sender-full' and 'full' are answered 486 and 503: the initiator fails that transfer and keeps its contact. */
export type AddResult = 'added' | 'sender-full' | 'full';

export class PendingContexts {
  private readonly byToken = new Map<string, PendingContext>();

  constructor(
    private readonly limits: PendingLimits,
    private readonly now: () => number = Date.now,
  ) {}

  get size(): number {
    this.prune();
    return this.byToken.size;
  }

  /** `live`: the other offers (warm consults) the desk holds now, from this colleague and in all. */
  add(
    context: TransferContext,
    from: Colleague,
    live: { readonly fromSender: number; readonly total: number } = { fromSender: 0, total: 0 },
  ): AddResult {
    this.prune();
    const entry: PendingContext = { context, from, expires: this.now() + this.limits.ttlMs };
    // The same context again (a retransmission, or a retry after a lost 200) replaces itself.
    const same = this.byToken.get(context.token);
    if (same && same.from.id === from.id) {
      this.byToken.set(context.token, entry);
      return 'added';
    }
    if (same) return 'sender-full'; // a token already in use is not another colleague's to take
    if (this.countFrom(from.id) + live.fromSender >= this.limits.perSender) return 'sender-full';
    if (this.byToken.size + live.total >= this.limits.total) return 'full';
    this.byToken.set(context.token, entry);
    return 'added';
  }

  /** Contexts waiting from one colleague (by roster id). */
  countFrom(colleagueId: string): number {
    this.prune();
    let n = 0;
    for (const p of this.byToken.values()) if (p.from.id === colleagueId) n += 1;
    return n;
  }

  /** The context for a `;xfer=` token, removed: one INVITE per context. */
  take(token: string): PendingContext | undefined {
    this.prune();
    const p = this.byToken.get(token);
    if (p) this.byToken.delete(token);
    return p;
  }

  /** The context waiting for this transfer id, without removing it. */
  forTransfer(transferId: string): PendingContext | undefined {
    this.prune();
    for (const p of this.byToken.values()) if (p.context.transferId === transferId) return p;
    return undefined;
  }

  remove(p: PendingContext): void {
    if (this.byToken.get(p.context.token) === p) this.byToken.delete(p.context.token);
  }

  clear(): void {
    this.byToken.clear();
  }

  private prune(): void {
    const now = this.now();
    for (const [token, p] of this.byToken) if (p.expires < now) this.byToken.delete(token);
  }
}
