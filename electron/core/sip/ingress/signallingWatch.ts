import { readAddress } from './addressHeader.js';
import { headerValues, singleHeader, type ScannedMessage } from './sipScanner.js';

/**
 * What the ingress learns from the traffic it carries, to answer two questions SIP.js gets wrong
 * or crashes on, without reaching into SIP.js:
 *  - does this NOTIFY serve a subscription we hold? (we sent a SUBSCRIBE, or a REFER, whose
 *    implicit subscription reports progress — RFC 6665 §4.1.3, RFC 3515 §2.4.4); otherwise 481;
 *  - does this CANCEL name an INVITE still being answered here? Otherwise 481 (RFC 3261 §9.2)
 *    — SIP.js 0.21.2 throws on an unmatched CANCEL.
 * Entries expire and the tables are capped, so a peer cannot grow them without bound.
 */
export class SignallingWatch {
  private readonly subscriptions = new Map<string, number>();
  private readonly pendingInvites = new Map<string, number>();

  constructor(
    private readonly now: () => number = Date.now,
    private readonly limits = {
      entries: 5000,
      referTtlMs: 10 * 60_000,
      subscribeSlackMs: 60_000,
      inviteTtlMs: 5 * 60_000,
      terminatedGraceMs: 64_000,
    },
  ) {}

  /** Called with every message we send. */
  outbound(message: ScannedMessage): void {
    const start = message.startLine;
    if (start.kind === 'request') {
      if (start.method !== 'SUBSCRIBE' && start.method !== 'REFER') return;
      const callId = singleHeader(message, 'call-id');
      const fromTag = tagOf(singleHeader(message, 'from'));
      if (!callId || !fromTag) return;
      if (start.method === 'REFER') {
        this.remember(this.subscriptions, subscriptionKey(callId, fromTag, 'refer'), this.limits.referTtlMs);
        return;
      }
      const event = eventPackage(singleHeader(message, 'event'));
      if (!event) return;
      const expires = Number(singleHeader(message, 'expires') ?? '3600');
      // An unsubscribe (Expires: 0) is still answered with a final NOTIFY: keep the entry a little.
      const ttl = (Number.isFinite(expires) ? Math.min(expires, 86_400) : 3600) * 1000 + this.limits.subscribeSlackMs;
      this.remember(this.subscriptions, subscriptionKey(callId, fromTag, event), ttl);
      return;
    }
    // A final response we send closes the INVITE server transaction CANCEL could still name.
    if (start.status >= 200 && cseqMethod(message) === 'INVITE') {
      const branch = topBranch(message);
      if (branch) this.pendingInvites.delete(branch);
    }
  }

  /** Called with every incoming message handed to SIP.js. */
  inboundDelivered(message: ScannedMessage): void {
    const start = message.startLine;
    if (start.kind === 'request') {
      if (start.method === 'INVITE') {
        const branch = topBranch(message);
        if (branch) this.remember(this.pendingInvites, branch, this.limits.inviteTtlMs);
      } else if (start.method === 'NOTIFY' && /^\s*terminated\b/i.test(singleHeader(message, 'subscription-state') ?? '')) {
        // Not forgotten at once: some stacks (SIP.js among them) mark every REFER progress NOTIFY
        // "terminated", 180 Ringing included, and the final one still follows.
        const key = notifyKey(message);
        if (key && this.subscriptions.has(key)) this.remember(this.subscriptions, key, this.limits.terminatedGraceMs);
      }
      return;
    }
    // A refused REFER or SUBSCRIBE creates no subscription.
    if (start.status >= 300) {
      const method = cseqMethod(message);
      if (method !== 'REFER' && method !== 'SUBSCRIBE') return;
      const callId = singleHeader(message, 'call-id');
      const fromTag = tagOf(singleHeader(message, 'from'));
      const event = method === 'REFER' ? 'refer' : eventPackage(singleHeader(message, 'event'));
      if (callId && fromTag && event) this.subscriptions.delete(subscriptionKey(callId, fromTag, event));
    }
  }

  /** True when this NOTIFY matches a subscription we hold (Call-ID, To tag = our From tag, Event). */
  servesSubscription(notify: ScannedMessage): boolean {
    const key = notifyKey(notify);
    return key !== undefined && this.live(this.subscriptions, key);
  }

  /** True when this CANCEL's branch names an INVITE we have not answered finally yet. */
  cancelsPendingInvite(cancel: ScannedMessage): boolean {
    const branch = topBranch(cancel);
    return branch !== undefined && this.live(this.pendingInvites, branch);
  }

  private remember(table: Map<string, number>, key: string, ttlMs: number): void {
    table.delete(key); // re-insert: Map order is then oldest first, for eviction
    table.set(key, this.now() + ttlMs);
    if (table.size > this.limits.entries) {
      const oldest = table.keys().next().value;
      if (oldest !== undefined) table.delete(oldest);
    }
  }

  private live(table: Map<string, number>, key: string): boolean {
    const expires = table.get(key);
    if (expires === undefined) return false;
    if (expires < this.now()) {
      table.delete(key);
      return false;
    }
    return true;
  }
}

function subscriptionKey(callId: string, localTag: string, event: string): string {
  return `${callId}\n${localTag}\n${event}`;
}

function notifyKey(notify: ScannedMessage): string | undefined {
  const callId = singleHeader(notify, 'call-id');
  const toTag = tagOf(singleHeader(notify, 'to'));
  const event = eventPackage(singleHeader(notify, 'event'));
  return callId && toTag && event ? subscriptionKey(callId, toTag, event) : undefined;
}

/** The tag parameter of a From/To value. */
export function tagOf(value: string | undefined): string | undefined {
  if (!value) return undefined;
  const tag = readAddress(value)?.params.get('tag');
  return tag ? tag : undefined;
}

/** "presence;id=1" → "presence" (RFC 6665 §8.2.1: the package name, compared case-insensitively). */
export function eventPackage(value: string | undefined): string | undefined {
  const name = value?.split(';')[0]?.trim().toLowerCase();
  return name ? name : undefined;
}

export function cseqMethod(message: ScannedMessage): string | undefined {
  return /^\s*\d+\s+(\S+)\s*$/.exec(singleHeader(message, 'cseq') ?? '')?.[1];
}

export function topBranch(message: ScannedMessage): string | undefined {
  const via = headerValues(message, 'via')[0];
  return via ? /;\s*branch\s*=\s*([^;,\s]+)/i.exec(via)?.[1] : undefined;
}
