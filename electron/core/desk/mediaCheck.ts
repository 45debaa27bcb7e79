/**
 * A call that is up in SIP but whose audio never connected (no ICE/DTLS path to the far end, or no
 * audio packet received) looks live on the desk while nobody hears anybody. A bound after the call
 * is established, the desk asks the media engine for the call's stats (the engine's own getStats,
 * no new channel) and, when the audio has not connected, tells the agent in a notice.
 */
import type { MediaStats } from '../../../shared/media.js';
import type { Log } from '../log/log.js';
import type { Call } from '../sip/call.js';

/** How long a new call's audio has to connect before the agent is told (ICE and DTLS take well under a second on a working path). */
export const MEDIA_CHECK_AFTER_MS = 5000;

export interface MediaCheckOptions {
  /** How long after a call is established its audio is checked (default MEDIA_CHECK_AFTER_MS). */
  readonly afterMs?: number;
  /** A sentence added to the notice: what the agent can do where this desk runs (the demo's browser fallback). */
  readonly hint?: string;
}

const CONNECTED_ICE_STATES = new Set(['connected', 'completed']);

/**
 * Why the call's audio did not connect, in words for the notice; null when it did. A held call
 * (either side) may rightly receive nothing, so only its ICE state counts.
 */
export function mediaTrouble(stats: MediaStats, held: boolean): string | null {
  if (!CONNECTED_ICE_STATES.has(stats.iceState)) return `no network path to the other side was found; ICE is ${stats.iceState}`;
  if (!held && stats.packetsReceived === 0) return 'connected, but no audio packet has arrived from the other side';
  return null;
}

/**
 * The desk's checks of its calls' audio. Each call is checked once, `afterMs` after it is
 * established, and the agent told with `notice` if its audio did not connect. Nothing is checked for
 * a call that ended before then, nor for one whose media moved to a new engine meanwhile (a media
 * host reload or crash): that take-over says on its own when audio could not be restored.
 */
export class MediaChecks {
  private readonly pending = new Set<NodeJS.Timeout>();

  constructor(
    private readonly options: MediaCheckOptions,
    private readonly notice: (text: string) => void,
    private readonly log: Log,
  ) {}

  /** A call appeared: its audio is checked once it is established. */
  watch(call: Call, name: () => string): void {
    checkMediaConnects(call, name, this.options, this.notice, this.log, this.pending);
  }

  /** A new media engine attached: the calls it takes over are not checked. */
  engineChanged(): void {
    for (const timer of this.pending) clearTimeout(timer);
    this.pending.clear();
  }
}

function checkMediaConnects(
  call: Call,
  name: () => string,
  options: MediaCheckOptions,
  notice: (text: string) => void,
  log: Log,
  pending: Set<NodeJS.Timeout>,
): void {
  let timer: NodeJS.Timeout | undefined;
  const check = async (): Promise<void> => {
    if (call.state !== 'established') return;
    let stats: MediaStats;
    try {
      stats = await call.stats();
    } catch (error) {
      // The engine that had the call went (its take-over says so on its own) or the call ended meanwhile.
      log.warn('media check: no stats for the call', { callId: call.id, error });
      return;
    }
    if (call.state !== 'established') return;
    const trouble = mediaTrouble(stats, call.held || call.remoteHeld);
    if (trouble === null) return;
    log.warn('media check: the call has no audio', { callId: call.id, sipCallId: call.sipCallId, stats });
    notice(
      `No audio is reaching the call with ${name()}: Baton's audio could not connect (${trouble}).${options.hint ? ` ${options.hint}` : ''}`,
    );
  };
  call.events.on('state', (state) => {
    if (state === 'established' && timer === undefined) {
      const armed = setTimeout(() => {
        pending.delete(armed);
        void check();
      }, options.afterMs ?? MEDIA_CHECK_AFTER_MS);
      armed.unref();
      pending.add(armed);
      timer = armed;
    }
  });
  call.events.on('ended', () => {
    if (timer === undefined) return;
    clearTimeout(timer);
    pending.delete(timer);
  });
}
