/**
 * The renderer's Content-Security-Policy, sent as a header with every response of app://.
 * Scripts and styles only from our own bundle (no inline code, no eval), no network connections
 * (SIP runs in main; WebRTC media is not governed by connect-src), audio from our files and from
 * blob: (remote streams and ring tones; mediastream: as the renderer's own meta CSP allows — with two policies the stricter wins), no plugins, frames or form posts.
 */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "font-src 'self'",
  "media-src 'self' blob: mediastream:",
  "connect-src 'self'",
  "worker-src 'self'",
  "manifest-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-src 'none'",
  "frame-ancestors 'none'",
  "object-src 'none'",
].join('; ');

/** Headers beside the CSP: no MIME sniffing, no referrer, a window of its own. */
export const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'Content-Security-Policy': CONTENT_SECURITY_POLICY,
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Resource-Policy': 'same-origin',
};
