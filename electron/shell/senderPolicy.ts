/**
 * Who may talk to main over IPC: only the top frame of a window we created, showing our own page.
 * An iframe, a page that navigated elsewhere, or a webContents we did not create (a devtools
 * extension, a future webview) is refused even though it can reach ipcRenderer — the same check
 * VS Code's validatedIpcMain makes.
 */
import { APP_HOST, APP_SCHEME } from './appIdentity.js';

/** The parts of an IPC event that the check reads (Electron's IpcMainEvent / IpcMainInvokeEvent). */
export interface IpcSenderInfo {
  readonly sender: { readonly id: number };
  readonly senderFrame: { readonly url: string; readonly parent: unknown } | null;
}

export type SenderVerdict = { readonly ok: true } | { readonly ok: false; readonly reason: string };

export class SenderPolicy {
  private readonly ours = new Set<number>();

  /** A webContents we created for our page (main window). */
  trust(webContentsId: number): void {
    this.ours.add(webContentsId);
  }

  forget(webContentsId: number): void {
    this.ours.delete(webContentsId);
  }

  check(event: IpcSenderInfo): SenderVerdict {
    if (!this.ours.has(event.sender.id)) return { ok: false, reason: `webContents ${event.sender.id} is not a Baton window` };
    const frame = event.senderFrame;
    // null: the frame navigated or was destroyed after sending; its message is stale.
    if (frame === null) return { ok: false, reason: 'the sending frame is gone' };
    if (frame.parent !== null) return { ok: false, reason: 'a sub-frame may not use IPC' };
    if (!isOurPage(frame.url)) return { ok: false, reason: `the frame shows ${frame.url.slice(0, 120)}, not our page` };
    return { ok: true };
  }
}

/** Compares scheme and host: Node's URL gives custom schemes the origin "null", so origin cannot be used. */
export function isOurPage(url: string): boolean {
  try {
    const parsed = new URL(url);
    return parsed.protocol === `${APP_SCHEME}:` && parsed.host === APP_HOST;
  } catch {
    // Not a URL: certainly not our page.
    return false;
  }
}
