/**
 * Where Baton's log files live: the OS's log folder for the app, as Electron names it
 * (`app.getPath('logs')`: %APPDATA%\Baton\logs, ~/Library/Logs/Baton, ~/.config/Baton/logs), and
 * how verbose they are and whether the SIP trace is on (machine policy, docs/IT-GUIDE.md).
 */
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { createAppLog, type AppLog } from '../core/log/log.js';
import type { MachinePolicy } from './machinePolicy.js';

/** The parts of Electron's `app` used here. */
export interface AppPathsPort {
  getPath(name: 'logs' | 'crashDumps'): string;
}

export function openAppLog(
  app: AppPathsPort,
  policy: Pick<MachinePolicy, 'logLevel' | 'sipTrace'>,
  options: { readonly echo?: boolean } = {},
): AppLog {
  return createAppLog({
    dir: app.getPath('logs'),
    level: policy.logLevel ?? 'info',
    sipTrace: policy.sipTrace,
    ...(options.echo ? { echo: true } : {}),
  });
}

/** Crash dumps Electron's crashReporter left (Crashpad keeps them under `completed`/`pending` or flat). */
export function crashDumpFiles(dir: string): string[] {
  const found: string[] = [];
  const walk = (folder: string, depth: number): void => {
    let names: string[];
    try {
      names = readdirSync(folder);
    } catch {
      // No crash folder (nothing ever crashed) or one we may not read: no dumps to export from it.
      return;
    }
    for (const name of names) {
      const path = join(folder, name);
      let isDir: boolean;
      try {
        isDir = statSync(path).isDirectory();
      } catch {
        // Removed between listing and stat (Crashpad tidies its folder): nothing to export.
        continue;
      }
      if (isDir && depth < 2) walk(path, depth + 1);
      else if (!isDir && name.endsWith('.dmp')) found.push(path);
    }
  };
  walk(dir, 0);
  return found;
}
