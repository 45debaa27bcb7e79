/**
 * Turns text from one source into a validated document or a list of errors, each naming the
 * source, the JSON path and what was expected. Pure: the loader in electron/core/provisioning
 * does the reading.
 */
import type { z } from 'zod';
import { provisioningSchema, userSettingsSchema, type ProvisioningDocument, type UserSettings } from './schema.js';

export interface ProvisioningIssue {
  /** e.g. "policy file /etc/baton/provisioning.json" or "provisioning URL https://…" */
  readonly source: string;
  /** JSONPath-like: "$", "$.roster[3].sipUri". */
  readonly path: string;
  readonly expected: string;
}

export type Parsed<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly issues: readonly ProvisioningIssue[] };

/** Documents beyond this are refused before parsing: a provisioning file is a few kilobytes. */
export const MAX_DOCUMENT_BYTES = 2 * 1024 * 1024;
const SECRET_KEY = /^(password|passwd|secret|ha1|authorizationPassword)$/i;

export function parseProvisioning(text: string, source: string): Parsed<ProvisioningDocument> {
  return parseWith(provisioningSchema, text, source);
}

export function parseUserSettings(text: string, source: string): Parsed<UserSettings> {
  return parseWith(userSettingsSchema, text, source);
}

export function formatIssue(issue: ProvisioningIssue): string {
  return `${issue.source}: at ${issue.path}: expected ${issue.expected}`;
}

function parseWith<T>(schema: z.ZodType<T>, text: string, source: string): Parsed<T> {
  if (text.length > MAX_DOCUMENT_BYTES) {
    return fail(source, '$', `a document of at most ${MAX_DOCUMENT_BYTES} bytes (got ${text.length})`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text.replace(/^\uFEFF/, '')); // Notepad saves UTF-8 with a BOM
  } catch (error) {
    return fail(source, '$', `valid JSON (${error instanceof Error ? error.message : String(error)})`);
  }
  const secrets = findSecretKeys(json, '$');
  if (secrets.length > 0) {
    return {
      ok: false,
      issues: secrets.map((path) => ({
        source,
        path,
        expected: 'no password here: passwords go to the OS secure store, never the provisioning document',
      })),
    };
  }
  // reportInput: only to tell "missing" from "wrong type"; values are never copied into messages.
  const result = schema.safeParse(json, { reportInput: true });
  if (result.success) return { ok: true, value: result.data };
  return { ok: false, issues: result.error.issues.map((issue) => ({ source, path: jsonPath(issue.path), expected: expectation(issue) })) };
}

function fail(source: string, path: string, expected: string): Parsed<never> {
  return { ok: false, issues: [{ source, path, expected }] };
}

function findSecretKeys(value: unknown, path: string, depth = 0): string[] {
  if (depth > 20 || value === null || typeof value !== 'object') return [];
  if (Array.isArray(value)) return value.flatMap((item, i) => findSecretKeys(item, `${path}[${i}]`, depth + 1));
  return Object.entries(value).flatMap(([key, item]) => {
    const here = appendKey(path, key);
    return SECRET_KEY.test(key) ? [here] : findSecretKeys(item, here, depth + 1);
  });
}

function jsonPath(path: readonly PropertyKey[]): string {
  return path.reduce<string>((acc, key) => (typeof key === 'number' ? `${acc}[${key}]` : appendKey(acc, String(key))), '$');
}

function appendKey(path: string, key: string): string {
  return /^[A-Za-z_][A-Za-z0-9_]*$/.test(key) ? `${path}.${key}` : `${path}[${JSON.stringify(key)}]`;
}

/** Our schema messages are already phrased as expectations; zod's own ones are reworded. */
function expectation(issue: z.core.$ZodIssue): string {
  // eslint-disable-next-line @typescript-eslint/switch-exhaustiveness-check -- zod's own message fits every other issue code, including codes a zod release adds
  switch (issue.code) {
    case 'unrecognized_keys':
      return `only known keys (unknown: ${issue.keys.join(', ')})`;
    case 'invalid_type':
      if (issue.message.startsWith('Invalid input'))
        return issue.input === undefined ? `a value (${issue.expected}), but it is missing` : `a ${issue.expected}`;
      return issue.input === undefined ? `${issue.message}, but it is missing` : issue.message;
    case 'too_small':
    case 'too_big':
      return issue.message.startsWith('Too ') ? issue.message.replace(/^Too (small|big): expected /, '') : issue.message;
    default:
      return issue.message;
  }
}
