import { NoticePage } from './NoticePage.js';

/**
 * What the page shows when it has no `window.baton`: in the app the preload always provides it, so
 * this is a browser tab opened without the desk's key — the address of npm start's browser
 * fallback without its `#token=…`, or a bookmark of it. One sentence says how to get in.
 */
export function NoDesk() {
  return (
    <NoticePage titleId="no-desk-title" title="This page is not connected to a desk">
      <p>
        Open the link that <code>npm start</code> printed in its terminal — all of it, with the <code>#token=…</code> at its end, which is
        the key to your desk — or, if that terminal is closed, run <code>npm start</code> again and open its new link.
      </p>
    </NoticePage>
  );
}
