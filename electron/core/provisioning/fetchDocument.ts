import { MAX_DOCUMENT_BYTES } from '../../../shared/provisioning/index.js';

export interface FetchOptions {
  readonly timeoutMs?: number;
  /** Tests only: allows http:// to 127.0.0.1. Production accepts https:// alone. */
  readonly allowInsecureLoopbackForTests?: boolean;
  readonly fetch?: typeof fetch;
}

export type Fetched = { readonly ok: true; readonly text: string } | { readonly ok: false; readonly expected: string };

/** GETs a provisioning document: https only, bounded in time and size, never an http redirect. */
export async function fetchDocument(url: string, options: FetchOptions = {}): Promise<Fetched> {
  const allowed = (u: URL) =>
    u.protocol === 'https:' || (options.allowInsecureLoopbackForTests === true && u.protocol === 'http:' && u.hostname === '127.0.0.1');
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    // Not a URL at all: the result says what was expected, which is what the issue list shows.
    return { ok: false, expected: 'an https:// URL' };
  }
  if (!allowed(parsed)) return { ok: false, expected: `an https:// URL, not ${parsed.protocol}//` };
  let response: Response;
  try {
    response = await (options.fetch ?? fetch)(parsed, {
      signal: AbortSignal.timeout(options.timeoutMs ?? 10_000),
      headers: { accept: 'application/json' },
    });
  } catch (error) {
    return { ok: false, expected: `a reachable server (${error instanceof Error ? error.message : String(error)})` };
  }
  if (response.url && !allowed(new URL(response.url))) return { ok: false, expected: 'no redirect away from https' };
  if (!response.ok) return { ok: false, expected: `HTTP 200 (got ${response.status})` };
  const declared = Number(response.headers.get('content-length') ?? '0');
  if (declared > MAX_DOCUMENT_BYTES) return { ok: false, expected: `a document of at most ${MAX_DOCUMENT_BYTES} bytes` };
  const text = await readCapped(response, MAX_DOCUMENT_BYTES);
  if (text === undefined) return { ok: false, expected: `a document of at most ${MAX_DOCUMENT_BYTES} bytes` };
  return { ok: true, text };
}

async function readCapped(response: Response, max: number): Promise<string | undefined> {
  if (!response.body) return '';
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > max) {
      await reader.cancel();
      return undefined;
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString('utf8');
}
