/**
 * After sleep, a lock screen or a network change the SIP WebSocket is usually dead without
 * knowing it (no FIN arrives), and would take the keep-alive timeout to notice. These OS signals
 * ask the phone to reconnect at once. Bursts (resume + unlock + online within a second) coalesce
 * into one reconnect.
 */
import type { Disposable } from '../core/typedEmitter.js';

/** The parts of Electron's powerMonitor used here. */
export interface PowerMonitorPort {
  on(event: 'resume' | 'unlock-screen', listener: () => void): unknown;
  removeListener(event: 'resume' | 'unlock-screen', listener: () => void): unknown;
}

export interface PowerWatchOptions {
  readonly powerMonitor: PowerMonitorPort;
  /** Electron's `net.isOnline`: polled, since main has no online/offline event. */
  readonly isOnline?: () => boolean;
  readonly reconnect: () => void;
  readonly pollMs?: number;
  readonly coalesceMs?: number;
  readonly now?: () => number;
}

export function watchPowerAndNetwork(options: PowerWatchOptions): Disposable {
  const now = options.now ?? Date.now;
  const coalesceMs = options.coalesceMs ?? 2000;
  let last = Number.NEGATIVE_INFINITY;
  const wake = (): void => {
    const at = now();
    if (at - last < coalesceMs) return;
    last = at;
    options.reconnect();
  };
  options.powerMonitor.on('resume', wake);
  options.powerMonitor.on('unlock-screen', wake);

  let timer: NodeJS.Timeout | undefined;
  const isOnline = options.isOnline;
  if (isOnline) {
    let online = isOnline();
    timer = setInterval(() => {
      const next = isOnline();
      if (next && !online) wake(); // offline → online: the network came back, likely a new address
      online = next;
    }, options.pollMs ?? 5000);
    timer.unref();
  }
  return {
    dispose: () => {
      options.powerMonitor.removeListener('resume', wake);
      options.powerMonitor.removeListener('unlock-screen', wake);
      if (timer) clearInterval(timer);
    },
  };
}
