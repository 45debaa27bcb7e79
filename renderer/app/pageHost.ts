/**
 * What the page knows of its host beyond the contract, as the browser fallback's `window.baton`
 * script (test/e2e/harness/bridgeClient.ts) signals it: attributes on <html> and a `baton:host`
 * window event when one changes. In the app none arrive: main owns the media host window and its
 * IPC never closes, so the bridge reads as open and the media host as present.
 */
import { useSyncExternalStore } from 'react';

export interface PageHost {
  /** `refused`: the token opens no desk (the demo restarted, or the link is wrong); `closed`: the desk's process stopped. */
  readonly bridge: 'open' | 'refused' | 'closed';
  /** False only where the host says no media host page is attached. */
  readonly mediaHost: boolean;
  /** Where the media host page opens (same origin, with the desk's key), when the host says. */
  readonly mediaPage: string | undefined;
}

const EVENT = 'baton:host';
let last: PageHost | undefined;

function read(): PageHost {
  const root = document.documentElement;
  const bridge = root.getAttribute('data-baton-bridge');
  const next: PageHost = {
    bridge: bridge === 'refused' || bridge === 'closed' ? bridge : 'open',
    mediaHost: root.getAttribute('data-baton-media-host') !== 'missing',
    mediaPage: root.getAttribute('data-baton-media-page') ?? undefined,
  };
  // useSyncExternalStore wants the same object while nothing changed.
  if (last && last.bridge === next.bridge && last.mediaHost === next.mediaHost && last.mediaPage === next.mediaPage) return last;
  return (last = next);
}

function subscribe(onChange: () => void): () => void {
  window.addEventListener(EVENT, onChange);
  return () => window.removeEventListener(EVENT, onChange);
}

export function usePageHost(): PageHost {
  return useSyncExternalStore(subscribe, read);
}
