import { performance } from 'node:perf_hooks';

export interface FlowControlOptions {
  /** Longest stretch of work per turn of the event loop; the rest waits for the next turn. */
  readonly sliceBudgetMs: number;
  /** Frames waiting above which new requests (outside any dialog) are shed with 503. */
  readonly shedBacklog: number;
  /** Sustained rate of new requests accepted, and the burst allowed above it. */
  readonly newRequestsPerSecond: number;
  readonly newRequestBurst: number;
  /** Frames (and bytes) held at most; beyond them frames are dropped unread. */
  readonly maxQueuedFrames: number;
  readonly maxQueuedBytes: number;
  /** Retry-After of the 503 that sheds a request. */
  readonly retryAfterSec: number;
}

export const FLOW_CONTROL_DEFAULTS: FlowControlOptions = {
  sliceBudgetMs: 5,
  shedBacklog: 64,
  newRequestsPerSecond: 100,
  newRequestBurst: 200,
  maxQueuedFrames: 10_000,
  maxQueuedBytes: 16 * 1024 * 1024,
  retryAfterSec: 5,
};

interface Frame {
  readonly data: Buffer;
  readonly isBinary: boolean;
}

/**
 * Incoming frames wait here and are handled in slices of at most `sliceBudgetMs`, each slice in
 * its own turn of the event loop. `ws` emits every frame of a TCP read synchronously, so without
 * this a burst of a thousand INVITEs is handled in one turn and IPC to the window stalls for
 * seconds; with it the loop is free again after every slice, whatever the burst.
 */
export class InboundQueue {
  private frames: Frame[] = [];
  private head = 0;
  private bytes = 0;
  private scheduled: NodeJS.Immediate | undefined;
  private disposed = false;

  constructor(
    private readonly handle: (data: Buffer, isBinary: boolean, backlog: number) => void,
    private readonly options: FlowControlOptions,
    private readonly onOverflow: () => void,
    /** Around each slice: the transport corks its socket so a slice's answers leave in one write. */
    private readonly slice: { readonly begin: () => void; readonly end: () => void } = { begin: () => {}, end: () => {} },
  ) {}

  /** Frames waiting. */
  get backlog(): number {
    return this.frames.length - this.head;
  }

  push(data: Buffer, isBinary: boolean): void {
    if (this.disposed) return;
    if (this.backlog >= this.options.maxQueuedFrames || this.bytes + data.length > this.options.maxQueuedBytes) {
      this.onOverflow();
      return;
    }
    this.frames.push({ data, isBinary });
    this.bytes += data.length;
    this.scheduled ??= setImmediate(() => this.drain());
  }

  dispose(): void {
    this.disposed = true;
    if (this.scheduled) clearImmediate(this.scheduled);
    this.scheduled = undefined;
    this.frames = [];
    this.head = 0;
    this.bytes = 0;
  }

  private drain(): void {
    this.scheduled = undefined;
    const deadline = performance.now() + this.options.sliceBudgetMs;
    this.slice.begin();
    try {
      while (this.head < this.frames.length && !this.disposed) {
        const frame = this.frames[this.head] as Frame;
        this.frames[this.head] = undefined as unknown as Frame; // let the buffer go
        this.head += 1;
        this.bytes -= frame.data.length;
        this.handle(frame.data, frame.isBinary, this.backlog);
        if (performance.now() >= deadline) break;
      }
    } finally {
      this.slice.end();
    }
    if (this.head >= this.frames.length) {
      this.frames = [];
      this.head = 0;
    } else if (!this.disposed) {
      this.scheduled = setImmediate(() => this.drain());
    }
  }
}

/** A token bucket: `take()` is true while the rate (with its burst) is not exceeded. */
export class RateBucket {
  private tokens: number;
  private last: number;

  constructor(
    private readonly perSecond: number,
    private readonly burst: number,
    private readonly now: () => number = () => performance.now(),
  ) {
    this.tokens = burst;
    this.last = now();
  }

  take(): boolean {
    if (!this.available()) return false;
    this.tokens -= 1;
    return true;
  }

  /** True when `take()` would be; takes nothing. */
  available(): boolean {
    const now = this.now();
    this.tokens = Math.min(this.burst, this.tokens + ((now - this.last) / 1000) * this.perSecond);
    this.last = now;
    return this.tokens >= 1;
  }
}
