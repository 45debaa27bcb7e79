import type { IngressReason } from './ingressReason.js';

export interface IngressCounts {
  received: number;
  delivered: number;
  /** Requests answered by the ingress, by status. */
  readonly replied: Record<number, number>;
  /** Refused, dropped or shed messages, by reason. */
  readonly refused: Partial<Record<IngressReason, number>>;
}

export type IngressLog = (reason: IngressReason, detail: string) => void;

/**
 * Counters for everything the ingress refuses, and a log line the first time each reason occurs:
 * a hostile peer can send thousands of bad messages, and thousands of log lines help nobody.
 */
export class IngressStats {
  readonly counts: IngressCounts = { received: 0, delivered: 0, replied: {}, refused: {} };

  constructor(private readonly log: IngressLog | undefined) {}

  refused(reason: IngressReason, detail: string, repliedStatus?: number): void {
    const seen = this.counts.refused[reason] ?? 0;
    this.counts.refused[reason] = seen + 1;
    if (repliedStatus !== undefined) this.counts.replied[repliedStatus] = (this.counts.replied[repliedStatus] ?? 0) + 1;
    if (seen === 0) this.log?.(reason, detail);
  }

  /** A copy, for tests and diagnostics. */
  snapshot(): IngressCounts {
    return { ...this.counts, replied: { ...this.counts.replied }, refused: { ...this.counts.refused } };
  }
}
