/**
 * The certificate authorities a wss:// SIP server may chain to: Node's bundle (the public CAs), the
 * OS's trust store where this Electron's Node can read it (the company CA a domain or MDM pushed),
 * and the ones IT adds through provisioning (`sip.trustedCaCertificates`) or machine policy
 * (`TrustedCaFiles`). Each added certificate is checked; a bad one is reported, never fatal.
 */
import { X509Certificate } from 'node:crypto';
import { certificateFingerprint } from '../core/log/diagnostics.js';

/** Reads the OS's trusted CA certificates (PEM); Electron's Node gives them through node:tls. */
export interface CertificateStorePort {
  systemCertificates(): readonly string[];
}

export interface CaSource {
  readonly source: string;
  readonly pem: string;
}

export interface TrustedCas {
  /** Undefined when nothing is added to Node's bundle (the transport then uses Node's default). */
  readonly ca: readonly string[] | undefined;
  /** What was added, for the log: where from and which certificate. */
  readonly added: readonly { readonly source: string; readonly subject: string; readonly sha256: string }[];
  readonly issues: readonly string[];
}

export function trustedCas(options: { readonly bundled: readonly string[]; readonly system: CertificateStorePort | undefined; readonly extra: readonly CaSource[] }): TrustedCas {
  const issues: string[] = [];
  const added: Array<{ source: string; subject: string; sha256: string }> = [];
  const extra: string[] = [];
  for (const { source, pem } of options.extra) {
    for (const one of splitPem(pem)) {
      try {
        const cert = new X509Certificate(one);
        if (!cert.ca) issues.push(`${source}: ${cert.subject.replace(/\n/g, ', ')} is not a CA certificate; added anyway (a server certificate trusted directly)`);
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

/** Node ≥ 22.15 (Electron 36+) reads the OS store; older Node has no such call, and nothing is added. */
export function nodeSystemCertificates(tls: unknown): CertificateStorePort {
  return {
    systemCertificates: () => {
      const read = (tls as { getCACertificates?: (type: 'system') => string[] }).getCACertificates;
      return typeof read === 'function' ? read('system') : [];
    },
  };
}
