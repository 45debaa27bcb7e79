/**
 * "Export diagnostics": one .tar.gz IT can attach to a ticket — the log files (already redacted),
 * what ran (versions, OS), the provisioning in force without anything secret, the local database's
 * health, the recent call and transfer ids (read back from the log, so the bundle names exactly what
 * the log explains), and the crash dumps Electron left.
 */
import { createHash } from 'node:crypto';
import { closeSync, fstatSync, openSync, readSync, readFileSync, statSync } from 'node:fs';
import { basename } from 'node:path';
import type { ProvisioningDocument } from '../../../shared/provisioning/index.js';
import { scrubJson } from './redact.js';
import { writeTarGz, type TarEntry } from './tarball.js';

export interface DiagnosticsInput {
  /** Every log file (current and rolled over), as AppLog.files() lists them. */
  readonly logFiles: readonly string[];
  /** Versions, OS and anything else about the run, written as about.json. */
  readonly about: Readonly<Record<string, unknown>>;
  readonly provisioning: ProvisioningDocument | null;
  /** Machine policy in force, and where it came from. */
  readonly policy?: unknown;
  readonly store: { readonly path: string; health(): { readonly integrity: readonly string[]; readonly schemaVersion: number } } | null;
  readonly crashDumps?: readonly string[];
  readonly now?: Date;
}

/** Dumps beyond this total are listed, not copied: a bundle must stay small enough to mail. */
const MAX_DUMP_BYTES = 20 * 1024 * 1024;
const RECENT_IDS = 50;

export async function writeDiagnostics(
  path: string,
  input: DiagnosticsInput,
): Promise<{ readonly path: string; readonly entries: readonly string[] }> {
  // First, before anything waits: the log files as they are at this instant (see snapshotLogs).
  const logs = snapshotLogs(input.logFiles);
  try {
    const now = input.now ?? new Date();
    const entries: TarEntry[] = [
      json('about.json', { createdAt: now.toISOString(), ...input.about }),
      json(
        'provisioning.json',
        input.provisioning ? provisioningWithoutSecrets(input.provisioning) : { none: 'Baton had no provisioning in force' },
      ),
      // Machine policy's URLs (CrashReportUrl, UpdateUrl) can carry credentials: scrubbed like a log line.
      json('policy.json', input.policy ?? null),
      json('store.json', storeHealth(input.store)),
      json('recent.json', idsIn(logs.map((log) => ({ name: log.name, text: () => readSnapshot(log) })))),
    ];
    const dumps = (input.crashDumps ?? []).map((file) => ({ file, size: statSync(file).size })).sort((a, b) => b.size - a.size);
    let dumpBytes = 0;
    const listed = dumps.map(({ file, size }) => {
      const copied = dumpBytes + size <= MAX_DUMP_BYTES;
      if (copied) {
        dumpBytes += size;
        entries.push({ name: `crash-dumps/${basename(file)}`, file });
      }
      return { file: basename(file), size, copied };
    });
    entries.push(json('crash-dumps.json', listed));
    for (const log of logs) entries.push({ name: `logs/${log.name}`, fd: log.fd, size: log.size });
    await writeTarGz(path, entries, now);
    return { path, entries: entries.map((e) => e.name) };
  } finally {
    for (const log of logs) closeSync(log.fd);
  }
}

interface LogSnapshot {
  readonly name: string;
  readonly fd: number;
  readonly size: number;
}

/**
 * Every log file opened, and its size taken, in one synchronous step: the logger writes and
 * rotates synchronously on this same thread, so no line can be written or file renamed between
 * them. What the bundle then copies is each open file's first `size` bytes — the same bytes
 * however many times the logger rotates meanwhile (a rename or an unlink leaves an open file's
 * content readable), so no line is copied twice or missed between two files.
 */
function snapshotLogs(files: readonly string[]): LogSnapshot[] {
  const taken: LogSnapshot[] = [];
  for (const file of files) {
    let fd: number;
    try {
      fd = openSync(file, 'r');
    } catch {
      continue; // gone since it was listed: nothing to copy
    }
    taken.push({ name: basename(file), fd, size: fstatSync(fd).size });
  }
  return taken;
}

function readSnapshot(log: LogSnapshot): string {
  const buffer = Buffer.alloc(log.size);
  let read = 0;
  while (read < log.size) {
    const n = readSync(log.fd, buffer, read, log.size - read, read);
    if (n === 0) break;
    read += n;
  }
  return buffer.subarray(0, read).toString('utf8');
}

/**
 * The provisioning document as IT wrote it, minus what could be a secret: credentials in a URL's
 * user part, and certificate bodies (public, but long: their fingerprints say which ones are in).
 */
export function provisioningWithoutSecrets(doc: ProvisioningDocument): unknown {
  const copy = JSON.parse(JSON.stringify(doc)) as Record<string, unknown> & { sip: Record<string, unknown> };
  if (typeof copy.sip.server === 'string') copy.sip.server = withoutUserInfo(copy.sip.server);
  const cas = copy.sip.trustedCaCertificates;
  if (Array.isArray(cas))
    copy.sip.trustedCaCertificates = cas.map((pem: unknown) => (typeof pem === 'string' ? { sha256: certificateFingerprint(pem) } : pem));
  return scrubJson(copy);
}

/** SHA-256 of the certificate's DER, as `openssl x509 -fingerprint -sha256` prints it. */
export function certificateFingerprint(pem: string): string {
  const base64 = pem.replace(/-----(BEGIN|END) CERTIFICATE-----/g, '').replace(/\s+/g, '');
  const digest = createHash('sha256').update(Buffer.from(base64, 'base64')).digest('hex').toUpperCase();
  return digest.match(/../g)?.join(':') ?? digest;
}

function withoutUserInfo(url: string): string {
  try {
    const parsed = new URL(url);
    parsed.username = '';
    parsed.password = '';
    return parsed.toString();
  } catch {
    // Not a URL, so it has no user-info part to strip; the value itself was already scrubbed.
    return url;
  }
}

function storeHealth(store: DiagnosticsInput['store']): unknown {
  if (!store) return { none: 'no local database is open' };
  try {
    const { integrity, schemaVersion } = store.health();
    return { path: store.path, sound: integrity.length === 1 && integrity[0] === 'ok', integrity, schemaVersion };
  } catch (error) {
    return { path: store.path, error: String(error) };
  }
}

/** The newest call and transfer ids the log mentions, newest first. */
export function recentIds(logFiles: readonly string[]): { calls: string[]; sipCallIds: string[]; transfers: string[] } {
  return idsIn(logFiles.map((file) => ({ name: basename(file), text: () => readFileSync(file, 'utf8') })));
}

function idsIn(logs: readonly { readonly name: string; text(): string }[]): { calls: string[]; sipCallIds: string[]; transfers: string[] } {
  const calls = new Set<string>();
  const sipCallIds = new Set<string>();
  const transfers = new Set<string>();
  // Files are newest first; lines within one file oldest first.
  for (const log of logs) {
    if (log.name.startsWith('sip-trace')) continue;
    let text: string;
    try {
      text = log.text();
    } catch {
      // A log file rotated away while exporting: the recent ids come from the others.
      continue;
    }
    for (const line of text.split('\n').reverse()) {
      if (!line.startsWith('{')) continue;
      let record: Record<string, unknown>;
      try {
        record = JSON.parse(line) as Record<string, unknown>;
      } catch {
        // A line cut short by a crash mid-write: the lines around it still count.
        continue;
      }
      if (typeof record.callId === 'string' && calls.size < RECENT_IDS) calls.add(record.callId);
      if (typeof record.sipCallId === 'string' && sipCallIds.size < RECENT_IDS) sipCallIds.add(record.sipCallId);
      if (typeof record.transferId === 'string' && transfers.size < RECENT_IDS) transfers.add(record.transferId);
    }
  }
  return { calls: [...calls], sipCallIds: [...sipCallIds], transfers: [...transfers] };
}

/** Every .json of the bundle is scrubbed as a log line is (URLs' credentials, secret keys). */
function json(name: string, value: unknown): TarEntry {
  const plain: unknown = value === undefined ? null : JSON.parse(JSON.stringify(value)); // Dates and the like as JSON has them
  return { name, text: `${JSON.stringify(scrubJson(plain), null, 2)}\n` };
}
