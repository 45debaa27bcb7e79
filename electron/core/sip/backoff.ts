export interface BackoffOptions {
  /** Delay before the first retry. Small: most drops are a blip or a server restart. */
  readonly initialMs: number;
  /** Ceiling, so an agent whose server was down for a while is back within this long of it returning. */
  readonly maxMs: number;
  readonly factor: number;
  /** 0..1 — the share of each delay that is randomised, so a site's agents do not reconnect in lockstep. */
  readonly jitter: number;
}

export const DEFAULT_BACKOFF: BackoffOptions = { initialMs: 500, maxMs: 15_000, factor: 2, jitter: 0.3 };

/** Delay before retry number `attempt` (1-based): exponential, capped, with jitter taken off the top. */
export function backoffDelay(attempt: number, options: BackoffOptions, random: () => number = Math.random): number {
  const exponent = Math.max(0, attempt - 1);
  const base = Math.min(options.maxMs, options.initialMs * options.factor ** exponent);
  return Math.round(base * (1 - options.jitter * random()));
}
