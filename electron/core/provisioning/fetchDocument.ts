/**
 * GETs a provisioning document: https only, bounded in time and size, redirects followed only to
 * https. A failure keeps its cause twice over: `expected` for IT's issue list (source + path +
 * expectation, loader.ts) and `sentence` for the agent on the Connect screen — an untrusted
 * certificate, a server that did not answer in time and one that cannot be reached are each told
 * apart, since each has its own remedy.
 *
 * node:https rather than fetch: the trusted certificate authorities (the OS store, IT's policy and
 * provisioning, worked out in main) are given per request, as the SIP connection gets them.
 */
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { MAX_DOCUMENT_BYTES } from '../../../shared/provisioning/index.js';
import { certificateCode, untrustedCertificateSentence } from './certificateTrust.js';

export interface FetchOptions {
  readonly timeoutMs?: number;
  /** Tests only: allows http:// to 127.0.0.1. Production accepts https:// alone. */
  readonly allowInsecureLoopbackForTests?: boolean;
  /** The certificate authorities (PEM) an https server may chain to; absent: Node's bundle. */
  readonly ca?: readonly string[];
}

export type Fetched =
  | { readonly ok: true; readonly text: string }
  | {
      readonly ok: false;
      /** What was expected, for IT's issue list ("expected …"). */
      readonly expected: string;
      /** What the agent reads, and what to do about it. */
      readonly sentence: string;
    };

const DEFAULT_TIMEOUT_MS = 10_000;
const MAX_REDIRECTS = 5;
const NETWORK_ADVICE = 'Check the provisioning address and that this computer is on the company network (or VPN).';

const failed = (expected: string, sentence: string): Fetched => ({ ok: false, expected, sentence });

export async function fetchDocument(url: string, options: FetchOptions = {}): Promise<Fetched> {
  const allowed = (u: URL) =>
    u.protocol === 'https:' || (options.allowInsecureLoopbackForTests === true && u.protocol === 'http:' && u.hostname === '127.0.0.1');
  let current: URL;
  try {
    current = new URL(url);
  } catch {
    // Not a URL at all: the result says what one looks like, which is what IT and the agent can act on.
    return failed('an https:// URL', 'The provisioning address is not a web address: it looks like https://it.example.com/baton.json.');
  }
  if (!allowed(current)) return failed(`an https:// URL, not ${current.protocol}//`, 'The provisioning address must start with https://.');
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const signal = AbortSignal.timeout(timeoutMs);
  for (let hops = 0; ; hops++) {
    let response: IncomingMessage;
    try {
      response = await get(current, signal, options.ca);
    } catch (error) {
      return networkFailure(error, current, signal.aborted, timeoutMs);
    }
    const status = response.statusCode ?? 0;
    const location = response.headers.location;
    if (status >= 300 && status < 400 && location !== undefined) {
      response.resume(); // the redirect's own body is not read
      const next = new URL(location, current);
      if (!allowed(next))
        return failed(
          'no redirect away from https',
          'The provisioning address leads to a page that is not https://. Ask IT for the address of the document itself.',
        );
      if (hops >= MAX_REDIRECTS)
        return failed(
          `at most ${MAX_REDIRECTS} redirects`,
          'The provisioning address redirects too many times. Ask IT for the address of the document itself.',
        );
      current = next;
      continue;
    }
    if (status !== 200) {
      response.resume();
      return failed(`HTTP 200 (got ${status})`, statusSentence(status, current.host));
    }
    const tooBig = failed(
      `a document of at most ${MAX_DOCUMENT_BYTES} bytes`,
      `The file at the provisioning address is larger than a provisioning document can be (at most ${MAX_DOCUMENT_BYTES} bytes). Check the address IT gave you.`,
    );
    const declared = Number(response.headers['content-length'] ?? '0');
    if (declared > MAX_DOCUMENT_BYTES) {
      response.destroy();
      return tooBig;
    }
    try {
      const text = await readCapped(response, MAX_DOCUMENT_BYTES);
      return text === undefined ? tooBig : { ok: true, text };
    } catch (error) {
      return networkFailure(error, current, signal.aborted, timeoutMs);
    }
  }
}

function get(url: URL, signal: AbortSignal, ca: readonly string[] | undefined): Promise<IncomingMessage> {
  return new Promise((resolve, reject) => {
    const headers = { accept: 'application/json' };
    // agent: false — one connection per document, none kept alive after it.
    const req =
      url.protocol === 'https:'
        ? httpsRequest(url, { headers, signal, agent: false, ...(ca ? { ca: [...ca] } : {}) }, resolve)
        : httpRequest(url, { headers, signal, agent: false }, resolve);
    req.once('error', reject);
    req.end();
  });
}

function networkFailure(error: unknown, url: URL, timedOut: boolean, timeoutMs: number): Fetched {
  const host = url.host;
  const certificate = certificateCode(error);
  if (certificate !== null)
    return failed(
      `a server certificate this computer trusts (${certificate})`,
      untrustedCertificateSentence(host, certificate, 'provisioning address'),
    );
  const seconds = Math.round(timeoutMs / 100) / 10;
  if (timedOut) return failed(`an answer within ${seconds} s`, `The server ${host} did not answer within ${seconds} s. ${NETWORK_ADVICE}`);
  const code = typeof error === 'object' && error !== null && 'code' in error ? String(error.code) : '';
  if (code === 'EPROTO' || code.startsWith('ERR_SSL_') || code.startsWith('ERR_TLS_'))
    return failed(
      `a server that speaks https (${code})`,
      `The secure connection to ${host} failed. Ask IT to check that the server accepts https:// at this address.`,
    );
  const detail = code || (error instanceof Error ? error.message : String(error));
  return failed(`a reachable server (${detail})`, `Baton cannot reach ${host}. ${NETWORK_ADVICE}`);
}

function statusSentence(status: number, host: string): string {
  if (status === 404 || status === 410)
    return `There is no provisioning document at this address (the server ${host} answered HTTP ${status}). Check the address IT gave you.`;
  if (status === 401 || status === 403)
    return `The server ${host} refused to give out the provisioning document (HTTP ${status}). Ask IT whether this address is the one for Baton.`;
  return `The server ${host} answered HTTP ${status} instead of the provisioning document. Try again in a moment, or ask IT.`;
}

async function readCapped(response: IncomingMessage, max: number): Promise<string | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of response) {
    const bytes = chunk as Buffer;
    size += bytes.byteLength;
    if (size > max) {
      response.destroy();
      return undefined;
    }
    chunks.push(bytes);
  }
  return Buffer.concat(chunks).toString('utf8');
}
