/**
 * `window.baton` for a page opened in any browser (the browser fallback of `npm start`), where no
 * Playwright injects it: the bridge server serves this script at BRIDGE_SCRIPT_PATH and index.html
 * loads it before the bundle. The page carries its agent's token in the URL fragment
 * (`/#token=…`, never sent to the server in a request line or a Referer); the script moves it to
 * the tab's sessionStorage and clears it from the address bar, so a reload keeps working and the
 * token does not end up in screenshots. Another page may join with the same URL, and every tab
 * shows the desk live. A tab without the token gets no `window.baton`: the page then says how to
 * open the link npm start printed.
 *
 * The media host (MEDIA_HOST_PATH) is a page of its own here too, opened with the same `#token=`:
 * on that path the script builds the media side of `window.baton` (media requests and media.state
 * only) and says so to the bridge (`role=media`); the desk's UI page may then reload freely.
 */
import { installBatonBridge, type BridgeClientArgs } from './bridgeClient.js';
import { MEDIA_HOST_PATH } from '../../../electron/shell/appIdentity.js';
import { MEDIA_HOST_COMMANDS, MEDIA_HOST_EVENTS } from '../../../shared/ipc.js';

export const BRIDGE_SCRIPT_PATH = '/baton-bridge.js';

export interface BrowserPageOptions {
  readonly commands: readonly string[];
  readonly events: readonly string[];
  readonly mediaOptions?: BridgeClientArgs['mediaOptions'];
  /** The bridge's WebSocket path on the page's own origin. */
  readonly bridgePath: string;
}

export function browserPageScript(options: BrowserPageOptions): string {
  const media = { commands: Object.keys(MEDIA_HOST_COMMANDS), events: Object.keys(MEDIA_HOST_EVENTS) };
  const fixed = JSON.stringify({
    commands: options.commands,
    events: options.events,
    mediaOptions: options.mediaOptions,
    media,
    mediaPath: MEDIA_HOST_PATH,
  });
  // The function's own source, as Playwright's addInitScript sends it; `__name` is the helper some
  // TypeScript runners insert to keep function names, defined here as the identity.
  return `"use strict";
(function () {
  var __name = function (target) { return target; };
  var fixed = ${fixed};
  var fragment = new URLSearchParams(location.hash.slice(1));
  var token = fragment.get('token');
  if (token) {
    sessionStorage.setItem('baton.token', token);
    history.replaceState(null, '', location.pathname + location.search);
  } else {
    token = sessionStorage.getItem('baton.token') || '';
  }
  var isMedia = location.pathname === fixed.mediaPath;
  // Without the key there is no desk to reach: no window.baton, and the page says how to open it.
  if (!token && !isMedia) return;
  var url = (location.protocol === 'https:' ? 'wss://' : 'ws://') + location.host + ${JSON.stringify(options.bridgePath)} + '?token=' + encodeURIComponent(token) + (isMedia ? '&role=media' : '');
  var args = isMedia ? { url: url, commands: fixed.media.commands, events: fixed.media.events } : { url: url, commands: fixed.commands, events: fixed.events };
  if (fixed.mediaOptions) args.mediaOptions = fixed.mediaOptions;
  (${installBatonBridge.toString()})(args);
})();
`;
}

/** index.html with the bridge script loaded before any other script (module scripts run later anyway). */
export function withBridgeScript(html: string): string {
  const tag = `<script src="${BRIDGE_SCRIPT_PATH}"></script>`;
  const at = html.indexOf('<script');
  if (at >= 0) return `${html.slice(0, at)}${tag}\n    ${html.slice(at)}`;
  const head = html.indexOf('</head>');
  if (head < 0) throw new Error('index.html has neither a <script> nor a </head> to put the bridge script before');
  return `${html.slice(0, head)}${tag}\n${html.slice(head)}`;
}
