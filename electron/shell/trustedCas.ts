/**
 * The certificate authorities a wss:// SIP server may chain to: Node's bundle (the public CAs), the
 * OS's trust store where this Electron's Node can read it (the company CA a domain or MDM pushed),
 * and the ones IT adds through provisioning (`sip.trustedCaCertificates`) or machine policy
 * (`TrustedCaFiles`). Each added certificate is checked; a bad one is reported, never fatal.
 */
import { X509Certificate } from 'node:crypto';
import { constants } from 'node:fs';
import { open } from 'node:fs/promises';
import { certificateFingerprint } from '../core/log/diagnostics.js';

/** Reads the OS's trusted CA certificates (PEM); Electron's Node gives them through node:tls. */
export interface CertificateStorePort {
  systemCertificates(): readonly string[];
}

export interface CaSource {
  readonly source: string;
  /** The certificate(s) as IT gave them: PEM text (one or more), or a file's bytes (PEM or one DER certificate). */
  readonly pem: string | Uint8Array;
}

export interface TrustedCas {
  /** Undefined when nothing is added to Node's bundle (the transport then uses Node's default). */
  readonly ca: readonly string[] | undefined;
  /** What was added, for the log: where from and which certificate. */
  readonly added: readonly { readonly source: string; readonly subject: string; readonly sha256: string }[];
  readonly issues: readonly string[];
}

export function trustedCas(options: {
  readonly bundled: readonly string[];
  readonly system: CertificateStorePort | undefined;
  readonly extra: readonly CaSource[];
}): TrustedCas {
  const issues: string[] = [];
  const added: Array<{ source: string; subject: string; sha256: string }> = [];
  const extra: string[] = [];
  for (const { source, pem } of options.extra) {
    const read = certificatesIn(pem);
    for (const problem of read.problems) issues.push(`${source}: ${problem}`);
    for (const one of read.pems) {
      try {
        const cert = new X509Certificate(one);
        if (!cert.ca)
          issues.push(
            `${source}: ${cert.subject.replace(/\n/g, ', ')} is not a CA certificate; added anyway (a server certificate trusted directly)`,
          );
        added.push({ source, subject: cert.subject.replace(/\n/g, ', '), sha256: certificateFingerprint(one) });
        extra.push(one);
      } catch (error) {
        issues.push(`${source}: not a readable PEM certificate (${String(error)})`);
      }
    }
  }
  let system: readonly string[] = [];
  try {
    system = options.system?.systemCertificates() ?? [];
  } catch (error) {
    issues.push(`the OS's certificate store could not be read (${String(error)})`);
  }
  if (extra.length === 0 && system.length === 0) return { ca: undefined, added, issues };
  return { ca: [...new Set([...options.bundled, ...system, ...extra])], added, issues };
}

export function splitPem(text: string): string[] {
  return text.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
}

/**
 * The PEM certificates in what IT gave, and a sentence for each thing in it that is not one — with
 * the command that turns it into one, since a file that adds nothing would otherwise be a silent
 * "certificate not trusted" at sign-in. A DER certificate (Windows' default .cer export) is read.
 */
export function certificatesIn(content: string | Uint8Array): { readonly pems: string[]; readonly problems: string[] } {
  const bytes = typeof content === 'string' ? undefined : Buffer.from(content.buffer, content.byteOffset, content.byteLength);
  const text = typeof content === 'string' ? content : bytes ? decodedText(bytes) : undefined;
  if (text === undefined) {
    try {
      return { pems: [new X509Certificate(bytes ?? Buffer.alloc(0)).toString()], problems: [] };
    } catch {
      // The problem below says what the file is and what to export instead; the parser's own error adds nothing for IT.
      return {
        pems: [],
        problems: [
          'holds no certificate Baton can read: it is binary but not a DER certificate (a PKCS#12 .pfx/.p12 holds a private key: export only the CA certificate, e.g. `openssl pkcs12 -in FILE -nokeys -cacerts -out ca.pem`)',
        ],
      };
    }
  }
  const pems = splitPem(text);
  const problems: string[] = [];
  const blocks = [...text.matchAll(/-----BEGIN ([A-Z0-9 ]+)-----/g)].map((m) => m[1] ?? '');
  if (blocks.some((b) => b === 'TRUSTED CERTIFICATE'))
    problems.push('holds an OpenSSL "TRUSTED CERTIFICATE", which Baton does not read: convert it with `openssl x509 -in FILE -out ca.pem`');
  if (blocks.some((b) => b === 'PKCS7' || b === 'CMS'))
    problems.push(
      'holds a PKCS#7 bundle, which Baton does not read: extract its certificates with `openssl pkcs7 -print_certs -in FILE -out ca.pem`',
    );
  if (blocks.some((b) => b.endsWith('PRIVATE KEY')))
    problems.push(
      `holds a private key${pems.length > 0 ? ', which Baton does not use' : ' and no certificate'}: give Baton only the CA's certificate, and keep the key where it belongs`,
    );
  if (pems.length === 0 && problems.length === 0) {
    problems.push(
      text.trim() === ''
        ? 'is empty: no certificate was added'
        : 'holds no PEM certificate ("-----BEGIN CERTIFICATE-----"): if it is a binary (DER) .cer file, convert it with `openssl x509 -inform der -in FILE -out ca.pem`',
    );
  }
  return { pems, problems };
}

/**
 * A file's text when it is text: PEM is ASCII (UTF-16 when saved as "Unicode" by Notepad); a DER
 * certificate starts with a SEQUENCE (0x30) and is full of control bytes. Undefined: binary.
 */
function decodedText(bytes: Buffer): string | undefined {
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return bytes.subarray(2).toString('utf16le');
  if (bytes.length > 0 && bytes[0] === 0x30) return undefined;
  return bytes.subarray(0, 512).some((b) => b === 0 || b < 0x09 || (b > 0x0d && b < 0x20)) ? undefined : bytes.toString('utf8');
}

/** Largest CA file read: a bundle of a few hundred certificates; anything larger is not one. */
const MAX_CA_FILE_BYTES = 1024 * 1024;

/**
 * Reads the files machine policy names (`TrustedCaFiles`). Only regular files: a FIFO or a device
 * would block start-up on its first read. Each problem is a sentence for the log, never fatal.
 */
export async function readCaFiles(files: readonly string[]): Promise<{ readonly sources: CaSource[]; readonly issues: string[] }> {
  const sources: CaSource[] = [];
  const issues: string[] = [];
  for (const file of files) {
    const source = `machine policy ${file}`;
    try {
      // O_NONBLOCK: opening a FIFO with no writer would wait; with it, the open returns and fstat says what it is.
      const handle = await open(file, constants.O_RDONLY | (constants.O_NONBLOCK ?? 0));
      try {
        const info = await handle.stat();
        if (!info.isFile()) issues.push(`${source}: not a regular file, not read (TrustedCaFiles names certificate files)`);
        else if (info.size > MAX_CA_FILE_BYTES)
          issues.push(`${source}: ${info.size} bytes, larger than any CA file (at most ${MAX_CA_FILE_BYTES}); not read`);
        else sources.push({ source, pem: await handle.readFile() });
      } finally {
        await handle.close();
      }
    } catch (error) {
      issues.push(`${source}: could not be read (${String(error)})`);
    }
  }
  return { sources, issues };
}

/** Node ≥ 22.15 (Electron 36+) reads the OS store; older Node has no such call, and nothing is added. */
export function nodeSystemCertificates(tls: unknown): CertificateStorePort {
  return {
    systemCertificates: () => {
      const read = (tls as { getCACertificates?: (type: 'system') => string[] }).getCACertificates;
      return typeof read === 'function' ? read('system') : [];
    },
  };
}
