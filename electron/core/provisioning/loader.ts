/**
 * Loads provisioning from its sources (see sources.ts) into one effective configuration.
 *
 * - The organisation's document comes from the first source that has one: policy file, then the
 *   flag/environment file, then the URL. A missing file passes to the next source; a present but
 *   bad one does not (falling through would let a lesser source override IT's policy).
 * - A document is validated whole before anything changes: a bad one never half-applies. The last
 *   good one stays in force, in memory and on disk (`lastGoodFile`), and the result lists why the
 *   new one was refused. Every issue names the source, the JSON path and what was expected.
 * - User settings apply on top, only for what is theirs (which roster user they are).
 */
import { readFile, rename, writeFile } from 'node:fs/promises';
import {
  formatIssue,
  parseProvisioning,
  parseUserSettings,
  type ProvisioningDocument,
  type ProvisioningIssue,
  type UserSettings,
} from '../../../shared/provisioning/index.js';
import { fetchDocument, type FetchOptions } from './fetchDocument.js';
import type { ProvisioningSources } from './sources.js';

export interface EffectiveProvisioning {
  readonly document: ProvisioningDocument;
  /** Where the document came from, as issues name it. */
  readonly source: string;
  readonly userSettings: UserSettings;
}

export interface ProvisioningResult {
  /** What is in force after this load; undefined only if no good document was ever seen. */
  readonly config: EffectiveProvisioning | undefined;
  /** True when `config.document` is the one just read, false when the last good one was kept. */
  readonly fresh: boolean;
  /** Why something was refused or ignored in this load; empty when all went well. */
  readonly issues: readonly ProvisioningIssue[];
}

export interface ProvisioningLoaderOptions {
  readonly sources: ProvisioningSources;
  readonly fetch?: FetchOptions;
  /** For warnings that are not issues (e.g. the last-good copy could not be written). */
  readonly log?: (message: string) => void;
}

type Read =
  { readonly kind: 'missing' } | { readonly kind: 'text'; readonly text: string } | { readonly kind: 'failed'; readonly expected: string };

export class ProvisioningLoader {
  private current: EffectiveProvisioning | undefined;

  constructor(private readonly options: ProvisioningLoaderOptions) {}

  get config(): EffectiveProvisioning | undefined {
    return this.current;
  }

  async load(): Promise<ProvisioningResult> {
    const issues: ProvisioningIssue[] = [];
    const found = await this.readOrganisationDocument(issues);
    let document = found?.document;
    let source = found?.source;
    const fresh = document !== undefined;
    if (document === undefined) {
      const kept = this.current ?? (await this.readLastGood(issues));
      document = kept?.document;
      source = kept?.source;
    }
    if (document === undefined || source === undefined) return { config: undefined, fresh: false, issues };

    const userSettings = await this.readUserSettings(document, issues);
    const config: EffectiveProvisioning = { document, source, userSettings };
    this.current = config;
    if (fresh) await this.saveLastGood(config);
    return { config, fresh, issues };
  }

  private async readOrganisationDocument(
    issues: ProvisioningIssue[],
  ): Promise<{ document: ProvisioningDocument; source: string } | undefined> {
    const { policyFile, flagFile, url } = this.options.sources;
    const candidates: Array<{ source: string; read: () => Promise<Read> }> = [];
    if (policyFile) candidates.push({ source: `policy file ${policyFile}`, read: () => readText(policyFile) });
    if (flagFile) candidates.push({ source: `provisioning file ${flagFile}`, read: () => readText(flagFile) });
    if (url) candidates.push({ source: `provisioning URL ${url}`, read: () => readUrl(url, this.options.fetch) });
    for (const { source, read } of candidates) {
      const got = await read();
      if (got.kind === 'missing') continue;
      if (got.kind === 'failed') {
        issues.push({ source, path: '$', expected: got.expected });
        return undefined;
      }
      const parsed = parseProvisioning(got.text, source);
      if (!parsed.ok) {
        issues.push(...parsed.issues);
        return undefined;
      }
      return { document: parsed.value, source };
    }
    issues.push({
      source: 'provisioning',
      path: '$',
      expected: `a document at one of: ${candidates.map((c) => c.source).join('; ') || '(no source configured)'}`,
    });
    return undefined;
  }

  private async readUserSettings(document: ProvisioningDocument, issues: ProvisioningIssue[]): Promise<UserSettings> {
    const previous = this.current?.userSettings ?? { version: 1 };
    const file = this.options.sources.userSettingsFile;
    if (!file) return previous;
    const source = `user settings ${file}`;
    const got = await readText(file);
    if (got.kind === 'missing') return { version: 1 };
    if (got.kind === 'failed') {
      issues.push({ source, path: '$', expected: got.expected });
      return previous;
    }
    const parsed = parseUserSettings(got.text, source);
    if (!parsed.ok) {
      issues.push(...parsed.issues);
      return previous;
    }
    const userId = parsed.value.userId;
    if (userId !== undefined && !document.roster.some((user) => user.id === userId)) {
      issues.push({ source, path: '$.userId', expected: `a user id from the roster, not "${userId}"` });
      return { version: 1 };
    }
    return parsed.value;
  }

  private async readLastGood(issues: ProvisioningIssue[]): Promise<{ document: ProvisioningDocument; source: string } | undefined> {
    const file = this.options.sources.lastGoodFile;
    if (!file) return undefined;
    const got = await readText(file);
    if (got.kind !== 'text') return undefined;
    let saved: unknown;
    try {
      saved = JSON.parse(got.text);
    } catch {
      // A damaged last-good copy is as good as none: the issues already gathered say why there is no document.
      return undefined;
    }
    if (typeof saved !== 'object' || saved === null || !('document' in saved) || !('source' in saved) || typeof saved.source !== 'string')
      return undefined;
    // Re-validated: it may have been written by an older Baton, or tampered with.
    const parsed = parseProvisioning(JSON.stringify(saved.document), `last good copy ${file}`);
    if (!parsed.ok) {
      issues.push(...parsed.issues);
      return undefined;
    }
    return { document: parsed.value, source: `last good copy of ${saved.source}` };
  }

  private async saveLastGood(config: EffectiveProvisioning): Promise<void> {
    const file = this.options.sources.lastGoodFile;
    if (!file) return;
    const temporary = `${file}.${process.pid}.tmp`;
    try {
      await writeFile(temporary, JSON.stringify({ source: config.source, savedAt: new Date().toISOString(), document: config.document }));
      await rename(temporary, file); // atomic: a crash leaves the old copy or the new one, never half
    } catch (error) {
      this.options.log?.(`could not keep the last good provisioning in ${file}: ${String(error)}`);
    }
  }
}

export function describeIssues(issues: readonly ProvisioningIssue[]): string {
  return issues.map(formatIssue).join('\n');
}

async function readText(path: string): Promise<Read> {
  try {
    return { kind: 'text', text: await readFile(path, 'utf8') };
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return { kind: 'missing' };
    return { kind: 'failed', expected: `a readable file (${code ?? String(error)})` };
  }
}

async function readUrl(url: string, options: FetchOptions | undefined): Promise<Read> {
  const fetched = await fetchDocument(url, options);
  return fetched.ok ? { kind: 'text', text: fetched.text } : { kind: 'failed', expected: fetched.expected };
}
