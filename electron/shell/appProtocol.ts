/**
 * Serves the renderer bundle (dist/renderer, built by Vite) at app://baton/. Why not file://: a
 * file:// page can read any file by URL and shares its "origin" with every other file, so neither
 * CSP 'self' nor the permission and IPC checks could tell our page from another. Only files inside
 * the bundle folder are served (no `..`, no encoded separators, no symlinks out), only GET, and
 * every response carries the CSP.
 */
import { readFile, realpath } from 'node:fs/promises';
import { extname, isAbsolute, relative, resolve, sep } from 'node:path';
import type { CustomScheme } from 'electron';
import { APP_HOST, APP_SCHEME } from './appIdentity.js';
import { SECURITY_HEADERS } from './contentSecurityPolicy.js';

/** Must be registered before the app is ready (protocol.registerSchemesAsPrivileged). */
export const APP_SCHEME_PRIVILEGES: CustomScheme = {
  scheme: APP_SCHEME,
  // standard: a real origin, so 'self' and relative URLs work; secure: getUserMedia is allowed;
  // supportFetchAPI: the bundle may fetch its own assets; stream: audio files can be range-read.
  privileges: { standard: true, secure: true, supportFetchAPI: true, stream: true },
};

/** Content types of the bundle's files; the E2E harness serves the bundle with the same ones. */
export const CONTENT_TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.wasm': 'application/wasm',
  '.wav': 'audio/wav',
  '.mp3': 'audio/mpeg',
  '.ogg': 'audio/ogg',
};

export interface AppRequestHandlerOptions {
  /** The folder holding index.html and the assets (dist/renderer). */
  readonly root: string;
  readonly readFile?: (path: string) => Promise<Uint8Array>;
  readonly realpath?: (path: string) => Promise<string>;
}

/** The handler for `protocol.handle('app', …)`: Request in, Response out (Fetch API types). */
export function createAppRequestHandler(options: AppRequestHandlerOptions): (request: Request) => Promise<Response> {
  const read = options.readFile ?? ((path: string) => readFile(path));
  const real = options.realpath ?? realpath;
  // A bundle folder that cannot be resolved (missing: a broken install) keeps its plain path: every
  // request is still confined to it, and each is answered 404 because its file cannot be resolved either.
  const rootPromise = real(resolve(options.root)).catch(() => resolve(options.root));
  return async (request) => {
    if (request.method !== 'GET' && request.method !== 'HEAD') return plain(405, 'Method not allowed');
    const root = await rootPromise;
    const file = resolveAssetPath(root, request.url);
    if (file === undefined) return plain(404, 'Not found');
    try {
      // A symlink inside the bundle must not lead outside it.
      const target = await real(file);
      if (!isInside(root, target)) return plain(404, 'Not found');
      const body = await read(target);
      const headers = {
        ...SECURITY_HEADERS,
        'Content-Type': CONTENT_TYPES[extname(target).toLowerCase()] ?? 'application/octet-stream',
        'Cache-Control': 'no-cache',
      };
      return new Response(request.method === 'HEAD' ? null : Buffer.from(body), { status: 200, headers });
    } catch {
      // A file that is missing or unreadable is, to the page, not there: 404 (no path or reason leaks).
      return plain(404, 'Not found');
    }
  };
}

/** The file a URL names inside `root`, or undefined when the URL is not ours or leaves the root. */
export function resolveAssetPath(root: string, url: string): string | undefined {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    // Not a URL: not one of ours, which undefined says.
    return undefined;
  }
  if (parsed.protocol !== `${APP_SCHEME}:` || parsed.host !== APP_HOST) return undefined;
  let path: string;
  try {
    path = decodeURIComponent(parsed.pathname);
  } catch {
    // A malformed %-escape names no file of the bundle: refused like any other.
    return undefined;
  }
  // Encoded separators and NULs have no business in an asset name; refuse rather than normalise.
  if (path.includes('\\') || path.includes('\0')) return undefined;
  if (path === '/' || path === '') path = '/index.html';
  const file = resolve(root, `.${path}`);
  return isInside(root, file) ? file : undefined;
}

function isInside(root: string, file: string): boolean {
  const rel = relative(root, file);
  return rel !== '' && !rel.startsWith(`..${sep}`) && rel !== '..' && !isAbsolute(rel);
}

function plain(status: number, text: string): Response {
  return new Response(text, { status, headers: { ...SECURITY_HEADERS, 'Content-Type': 'text/plain; charset=utf-8' } });
}
