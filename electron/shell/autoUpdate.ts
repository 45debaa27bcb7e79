/**
 * Auto-update, off unless IT's machine policy turns it on (machinePolicy.ts) — agents must not
 * find a new version mid-shift that nobody tested. The updater itself (electron-updater) sits
 * behind UpdaterPort and is loaded only when policy enables it, so a build without the package
 * still runs and says why it does not update.
 */
import type { MachinePolicy } from './machinePolicy.js';

/** The parts of electron-updater's autoUpdater used here. */
export interface UpdaterPort {
  setFeedURL(options: { readonly provider: 'generic'; readonly url: string }): void;
  checkForUpdatesAndNotify(): Promise<unknown>;
}

export type UpdateDecision = { readonly enabled: true; readonly feedUrl: string } | { readonly enabled: false; readonly reason: string };

export function decideUpdates(policy: Pick<MachinePolicy, 'autoUpdate' | 'updateUrl'>, packaged: boolean): UpdateDecision {
  if (!policy.autoUpdate) return { enabled: false, reason: 'auto-update is off (machine policy AutoUpdate is not set to 1/true)' };
  if (!packaged) return { enabled: false, reason: 'auto-update runs only in an installed build' };
  // No feed baked into the build (no `publish` in electron-builder.yml): IT names its own server.
  if (policy.updateUrl === undefined) return { enabled: false, reason: 'AutoUpdate is on but UpdateUrl is not set' };
  return { enabled: true, feedUrl: policy.updateUrl };
}

/** electron-updater's `autoUpdater`, if the package is present and looks right. */
export async function loadElectronUpdater(
  importer: (specifier: string) => Promise<unknown> = (specifier) => import(specifier),
): Promise<UpdaterPort | undefined> {
  let module: unknown;
  try {
    module = await importer('electron-updater');
  } catch {
    // A build without electron-updater (or one whose copy cannot load) simply has no updater: the
    // caller logs that updates are off, and the app runs on.
    return undefined;
  }
  const candidate = typeof module === 'object' && module !== null ? (module as { autoUpdater?: unknown }).autoUpdater : undefined;
  return isUpdater(candidate) ? candidate : undefined;
}

function isUpdater(value: unknown): value is UpdaterPort {
  const v = value as Partial<Record<keyof UpdaterPort, unknown>> | null | undefined;
  return typeof v === 'object' && v !== null && typeof v.setFeedURL === 'function' && typeof v.checkForUpdatesAndNotify === 'function';
}

export interface AutoUpdateOptions {
  readonly decision: UpdateDecision;
  readonly load: () => Promise<UpdaterPort | undefined>;
  readonly log: (message: string) => void;
  readonly intervalMs?: number;
}

/** Starts periodic checks when the decision allows; resolves with a stop function. */
export async function startAutoUpdates(options: AutoUpdateOptions): Promise<() => void> {
  const { decision, log } = options;
  if (!decision.enabled) {
    log(`updates: ${decision.reason}`);
    return () => {};
  }
  const updater = await options.load();
  if (!updater) {
    log('updates: policy enables them but electron-updater is not part of this build');
    return () => {};
  }
  updater.setFeedURL({ provider: 'generic', url: decision.feedUrl });
  const check = (): void => {
    updater.checkForUpdatesAndNotify().catch((error: unknown) => log(`updates: check failed: ${String(error)}`));
  };
  check();
  const timer = setInterval(check, options.intervalMs ?? 4 * 60 * 60 * 1000);
  timer.unref();
  return () => clearInterval(timer);
}
