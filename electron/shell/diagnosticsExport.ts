/**
 * "Export diagnostics" from the tray or the settings dialog: asks where to save (a save dialog,
 * defaulting to the Desktop), writes the bundle (core/log/diagnostics.ts) and shows it in the file
 * manager, so the agent can attach it to IT's ticket.
 */
import { join } from 'node:path';
import { writeDiagnostics, type DiagnosticsInput } from '../core/log/diagnostics.js';

/** The parts of Electron's dialog and shell used here. */
export interface SaveDialogPort {
  showSaveDialog(options: {
    title: string;
    defaultPath: string;
    filters: Array<{ name: string; extensions: string[] }>;
  }): Promise<{ canceled: boolean; filePath?: string }>;
}
export interface ShowInFolderPort {
  showItemInFolder(fullPath: string): void;
}

export interface DiagnosticsExportOptions {
  readonly dialog: SaveDialogPort;
  readonly shell: ShowInFolderPort;
  readonly folder: string;
  /** Collected at export time (logs so far, the desk's store, the provisioning in force). */
  readonly gather: () => DiagnosticsInput;
  readonly log: (message: string) => void;
  readonly now?: () => Date;
}

export function diagnosticsFileName(now: Date): string {
  return `baton-diagnostics-${now.toISOString().slice(0, 19).replace(/[:T]/g, '-')}.tar.gz`;
}

export async function exportDiagnostics(options: DiagnosticsExportOptions): Promise<{ readonly path: string | null }> {
  const now = (options.now ?? (() => new Date()))();
  const chosen = await options.dialog.showSaveDialog({
    title: 'Export diagnostics for IT',
    defaultPath: join(options.folder, diagnosticsFileName(now)),
    filters: [{ name: 'Diagnostics bundle', extensions: ['tar.gz', 'tgz'] }],
  });
  if (chosen.canceled || !chosen.filePath) return { path: null };
  const written = await writeDiagnostics(chosen.filePath, { ...options.gather(), now });
  options.log(`diagnostics exported to ${written.path} (${written.entries.length} entries)`);
  options.shell.showItemInFolder(written.path);
  return { path: written.path };
}
