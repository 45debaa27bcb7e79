/**
 * Cold-transfer contexts waiting at the recipient for the contact's INVITE, bounded so that nobody
 * — not even a colleague the server authenticated — can make a desk hold more than a fixed amount:
 * at most `perSender` contexts from one colleague and `total` altogether, each for `ttlMs`. Nothing
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

  add(context: TransferContext, from: Colleague): AddResult {
    this.prune();
    const entry: PendingContext = { context, from, expires: this.now() + this.limits.ttlMs };
    // The same context again (a retransmission, or a retry after a lost 200) replaces itself.
    const same = this.byToken.get(context.token);
    if (same && same.from.id === from.id) {
      this.byToken.set(context.token, entry);
      return 'added';
    }
    if (same) return 'sender-full'; // a token already in use is not another colleague's to take
    let fromSender = 0;
    for (const p of this.byToken.values()) if (p.from.id === from.id) fromSender += 1;
    if (fromSender >= this.limits.perSender) return 'sender-full';
    if (this.byToken.size >= this.limits.total) return 'full';
    this.byToken.set(context.token, entry);
    return 'added';
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
