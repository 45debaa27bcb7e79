/**
 * Browser fallback: the calls' audio lives in a tab of its own (the media host). While none is
 * attached, calls cannot be answered or placed and a live call has no audio, so the desk says so
 * until one is, with a link that opens it (a click by the agent, so no pop-up blocker stands in
 * the way).
 */
import { usePageHost } from './pageHost.js';

export const MEDIA_HOST_MISSING = 'The audio tab is not open: calls cannot be answered or placed, and calls in progress have no sound.';

export function MediaHostBanner() {
  const host = usePageHost();
  if (host.mediaHost) return null;
  return (
    <div className="banner banner--error" role="alert">
      <strong>No audio.</strong> {MEDIA_HOST_MISSING}{' '}
      {host.mediaPage ? (
        <a href={host.mediaPage} target="_blank">
          Open the audio tab
        </a>
      ) : (
        'Open the second link npm start printed'
      )}{' '}
      and keep it open while you take calls.
    </div>
  );
}
