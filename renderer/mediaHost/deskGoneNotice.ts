/**
 * What the browser fallback's audio tab shows once the desk behind its link is gone: the desk's
 * process stopped (Ctrl+C of npm start) or the link's token opens no desk (an old tab after a
 * restart). The tab then plays nothing, so "keep this tab open" would be wrong: it says the desk
 * stopped and what to do, as the desk tab does (renderer/app/DeskGone.tsx).
 *
 * The browser fallback's `window.baton` script (test/e2e/harness/bridgeClient.ts) signals its
 * connection as renderer/app/pageHost.ts reads it: the `data-baton-bridge` attribute on <html>
 * (`closed`, `refused`) and a `baton:host` window event. In the app neither ever comes.
 */
import { showPageNotice } from './pageNotice.js';
export const DESK_GONE_TEXT =
  'The desk stopped, so this audio tab plays no calls any more. Open the links npm start printed last (run it again if it is not running); you can close this tab.';

const BRIDGE_ATTRIBUTE = 'data-baton-bridge';
const HOST_EVENT = 'baton:host';

function deskGone(doc: Document): boolean {
  const bridge = doc.documentElement.getAttribute(BRIDGE_ATTRIBUTE);
  return bridge === 'closed' || bridge === 'refused';
}

export function showDeskGone(doc: Document): void {
  showPageNotice(doc, { text: DESK_GONE_TEXT, marker: 'batonDeskGone', title: 'Baton audio (desk stopped)' });
}

/** Calls `onGone` once, when (or if already) the desk behind this tab's link is gone. */
export function whenDeskGone(win: Window, onGone: () => void): void {
  if (deskGone(win.document)) return onGone();
  const listener = (): void => {
    if (!deskGone(win.document)) return;
    win.removeEventListener(HOST_EVENT, listener);
    onGone();
  };
  win.addEventListener(HOST_EVENT, listener);
}
