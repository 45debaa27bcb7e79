/**
 * One live call at a time. Before a call becomes the one the agent talks on (answered, accepted
 * from a transfer offer, dialled, resumed), every other connected call that is not on hold is put
 * on hold first: a re-INVITE each, and the media engine stops feeding it the microphone (a held
 * session's track is disabled). Nobody hears a conversation not meant for them, whatever button
 * the renderer sent: main decides.
 *
 * If a live call cannot be held (the transfer rules forbid it, or its far end refuses the
 * re-INVITE), the new call is not connected: the agent is told why and both calls stay as they were.
 */
import type { Call } from './sip/call.js';

export class LiveCallRefusal extends Error {
  override readonly name = 'LiveCallRefusal';
  constructor(
    readonly code: 'call-being-placed' | 'live-call-cannot-hold' | 'live-call-hold-failed',
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

export interface OneLiveCallOptions {
  readonly calls: () => readonly Call[];
  /** Throws (with the rule's sentence) when the transfer rules forbid holding this call now. */
  readonly checkHold: (call: Call) => void;
  readonly nameOf: (call: Call) => string;
  /**
   * Whether a call still being placed has already been called off (a CANCEL on its way): it can no
   * longer go live, so it does not stop another call from connecting.
   */
  readonly callingOff?: (call: Call) => boolean;
}

/** A call the agent talks on: connected and not held by us. */
export function isLive(call: Call): boolean {
  return call.state === 'established' && !call.held;
}

export class OneLiveCall {
  private queue: Promise<unknown> = Promise.resolve();

  constructor(private readonly options: OneLiveCallOptions) {}

  /**
   * Runs `connect` once every live call but `keep` is on hold. Serialized: two answers pressed at
   * once cannot both find "no other live call" and connect together.
   */
  run<T>(keep: string | null, connect: () => Promise<T>): Promise<T> {
    const next = this.queue.then(async () => {
      await this.holdAllBut(keep);
      return connect();
    });
    // The caller awaits `next` and sees its error; the queue only needs it settled.
    // eslint-disable-next-line baton/no-swallowed-error -- the error reaches the caller through `next`
    this.queue = next.catch(() => undefined);
    return next;
  }

  private async holdAllBut(keep: string | null): Promise<void> {
    const calls = this.options.calls();
    // A call still being placed would go live on its own when answered, beside the one connected now.
    const placing = calls.find(
      (c) =>
        c.id !== keep && c.direction === 'outbound' && (c.state === 'calling' || c.state === 'ringing') && !this.options.callingOff?.(c),
    );
    if (placing) {
      throw new LiveCallRefusal(
        'call-being-placed',
        `You are still calling ${this.options.nameOf(placing)}: wait for the answer or hang up that call first.`,
      );
    }
    for (const call of calls) {
      if (call.id === keep || !isLive(call)) continue;
      const name = this.options.nameOf(call);
      try {
        this.options.checkHold(call);
      } catch (error) {
        const why = error instanceof Error ? ` ${error.message}` : '';
        throw new LiveCallRefusal(
          'live-call-cannot-hold',
          `The call with ${name} cannot be put on hold now, so nothing else was connected.${why}`,
        );
      }
      try {
        await call.hold();
      } catch (cause) {
        throw new LiveCallRefusal(
          'live-call-hold-failed',
          `The call with ${name} could not be put on hold, so nothing else was connected. Try again, or end that call first.`,
          { cause },
        );
      }
    }
  }
}
