/**
 * Machine-wide switches IT sets through its usual channel — Group Policy (registry), an MDM profile
 * (macOS managed preferences) or configuration management (a file) — for what is not the
 * provisioning document's business: whether Baton updates itself, and from where.
 *
 *   Windows  HKLM\SOFTWARE\Policies\Baton            AutoUpdate (REG_DWORD 0/1), UpdateUrl (REG_SZ)
 *   macOS    /Library/Managed Preferences/com.baton.softphone.plist   AutoUpdate (bool), UpdateUrl (string)
 *   all      policy.json beside the provisioning file (see provisioning/sources.ts defaultPolicyPath):
 *            %ProgramData%\Baton\policy.json, /Library/Application Support/Baton/policy.json,
 *            /etc/baton/policy.json — { "AutoUpdate": true, "UpdateUrl": "https://…" }
 *
 * What IT needs to support Baton, under the same key / file:
 *   SipTrace (bool)            every SIP message, redacted, to sip-trace.log in the log folder
 *   LogLevel ("debug"|"info"|"warn"|"error")
 *   TrustedCaFiles (string; several separated by ";", or a JSON list)  PEM files of the company's CAs
 *   CrashReportUrl (https URL) where crash dumps are uploaded; without it they stay on the computer
 *   MicrophoneDevice, SpeakerDevice, RingerDevice (string)  the audio device (its name as the OS
 *                              shows it, or "default"); set here, the agent cannot change it
 *
 * The registry or the managed preferences win over the file when they hold the key. Anything
 * unreadable or malformed leaves updates off (the safe default) and is reported.
 */
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { MAX_DEVICE_LABEL_CHARS } from '../../shared/limits.js';
import { defaultPolicyPath } from '../core/provisioning/sources.js';
import { APP_ID } from './appIdentity.js';

export const WINDOWS_POLICY_KEY = 'HKLM\\SOFTWARE\\Policies\\Baton';
export const MAC_MANAGED_PREFERENCES = `/Library/Managed Preferences/${APP_ID}.plist`;

export interface MachinePolicy {
  readonly autoUpdate: boolean;
  /** https URL of an electron-builder "generic" update folder. */
  readonly updateUrl: string | undefined;
  readonly sipTrace: boolean;
  readonly logLevel: PolicyLogLevel | undefined;
  readonly trustedCaFiles: readonly string[];
  readonly crashReportUrl: string | undefined;
  /** Audio devices IT fixed (device label or "default"); a role left out is the agent's choice. */
  readonly devices: Readonly<Partial<Record<PolicyDeviceRole, string>>>;
  /** Where each value came from, for the log and the IT guide's troubleshooting. */
  readonly sources: readonly string[];
  readonly issues: readonly string[];
}

export interface PolicyReaders {
  /** Runs a program; resolves stdout, or null when it failed (e.g. the key does not exist). */
  run(file: string, args: readonly string[]): Promise<string | null>;
  /** Reads a text file; null when it does not exist. Throws when it exists but cannot be read. */
  readText(path: string): Promise<string | null>;
}

type Raw = Readonly<Record<string, unknown>>;

export const POLICY_LOG_LEVELS = ['debug', 'info', 'warn', 'error'] as const;
export type PolicyLogLevel = (typeof POLICY_LOG_LEVELS)[number];
export type PolicyDeviceRole = 'microphone' | 'speaker' | 'ringer';
const DEVICE_KEYS: Readonly<Record<PolicyDeviceRole, string>> = {
  microphone: 'MicrophoneDevice',
  speaker: 'SpeakerDevice',
  ringer: 'RingerDevice',
};

export function machinePolicyFile(platform: NodeJS.Platform, env: NodeJS.ProcessEnv): string {
  return join(dirname(defaultPolicyPath(platform, env)), 'policy.json');
}

export async function readMachinePolicy(platform: NodeJS.Platform, env: NodeJS.ProcessEnv, readers: PolicyReaders): Promise<MachinePolicy> {
  const issues: string[] = [];
  const layers: Array<{ source: string; values: Raw }> = [];
  const file = machinePolicyFile(platform, env);
  try {
    const text = await readers.readText(file);
    if (text !== null) layers.push({ source: file, values: parseJsonObject(text, file, issues) });
  } catch (error) {
    issues.push(`${file}: not readable (${String(error)})`);
  }
  if (platform === 'win32') {
    const out = await readers.run('reg.exe', ['query', WINDOWS_POLICY_KEY]);
    if (out !== null) layers.push({ source: WINDOWS_POLICY_KEY, values: parseRegQuery(out) });
  } else if (platform === 'darwin') {
    const out = await readers.run('/usr/bin/plutil', ['-convert', 'json', '-o', '-', MAC_MANAGED_PREFERENCES]);
    if (out !== null) layers.push({ source: MAC_MANAGED_PREFERENCES, values: parseJsonObject(out, MAC_MANAGED_PREFERENCES, issues) });
  }
  // Later layers (registry, managed preferences) override the file, key by key.
  let autoUpdate: { value: boolean; source: string } | undefined;
  let updateUrl: { value: string; source: string } | undefined;
  const more: Record<string, { value: unknown; source: string }> = {};
  for (const { source, values } of layers) {
    readSupportKeys(source, values, more, issues);
    if ('AutoUpdate' in values) {
      const value = toBoolean(values.AutoUpdate);
      if (value === undefined) issues.push(`${source}: AutoUpdate must be true/false or 1/0`);
      else autoUpdate = { value, source };
    }
    if ('UpdateUrl' in values) {
      const value = toHttpsUrl(values.UpdateUrl);
      if (value === undefined) issues.push(`${source}: UpdateUrl must be an https:// URL`);
      else updateUrl = { value, source };
    }
  }
  const devices: Partial<Record<PolicyDeviceRole, string>> = {};
  for (const role of Object.keys(DEVICE_KEYS) as PolicyDeviceRole[]) {
    const value = more[DEVICE_KEYS[role]]?.value;
    if (typeof value === 'string') devices[role] = value;
  }
  return {
    autoUpdate: autoUpdate?.value ?? false,
    updateUrl: updateUrl?.value,
    sipTrace: more.SipTrace?.value === true,
    logLevel: more.LogLevel?.value as PolicyLogLevel | undefined,
    trustedCaFiles: (more.TrustedCaFiles?.value as string[] | undefined) ?? [],
    crashReportUrl: more.CrashReportUrl?.value as string | undefined,
    devices,
    sources: [
      ...new Set(
        [autoUpdate?.source, updateUrl?.source, ...Object.values(more).map((m) => m.source)].filter((s): s is string => s !== undefined),
      ),
    ],
    issues,
  };
}

/** The support keys, each checked; a bad value is reported and leaves the earlier layer's value. */
function readSupportKeys(source: string, values: Raw, into: Record<string, { value: unknown; source: string }>, issues: string[]): void {
  const take = (key: string, parse: (value: unknown) => unknown, expected: string): void => {
    if (!(key in values)) return;
    const value = parse(values[key]);
    if (value === undefined) issues.push(`${source}: ${key} must be ${expected}`);
    else into[key] = { value, source };
  };
  take('SipTrace', toBoolean, 'true/false or 1/0');
  take(
    'LogLevel',
    (v) => (typeof v === 'string' && (POLICY_LOG_LEVELS as readonly string[]).includes(v) ? v : undefined),
    `one of ${POLICY_LOG_LEVELS.join(', ')}`,
  );
  take('TrustedCaFiles', toPathList, 'a file path, several separated by ";", or a list of paths');
  take('CrashReportUrl', toHttpsUrl, 'an https:// URL');
  for (const key of Object.values(DEVICE_KEYS))
    take(
      key,
      (v) => (typeof v === 'string' && v.trim() !== '' && v.length <= MAX_DEVICE_LABEL_CHARS ? v.trim() : undefined),
      'a device name (or "default")',
    );
}

function toPathList(value: unknown): string[] | undefined {
  const list = typeof value === 'string' ? value.split(';') : Array.isArray(value) ? value : undefined;
  if (!list || !list.every((item): item is string => typeof item === 'string')) return undefined;
  const paths = list.map((item) => item.trim()).filter((item) => item !== '');
  return paths.length > 0 ? paths : undefined;
}

/** `reg query` output: "    Name    REG_TYPE    data" lines. */
export function parseRegQuery(output: string): Raw {
  const values: Record<string, unknown> = {};
  for (const line of output.split(/\r?\n/)) {
    const match = /^\s+(\S+)\s+(REG_SZ|REG_EXPAND_SZ|REG_DWORD|REG_QWORD)\s+(.*?)\s*$/.exec(line);
    if (!match) continue;
    const [, name, type, data] = match as unknown as [string, string, string, string];
    values[name] = type === 'REG_DWORD' || type === 'REG_QWORD' ? Number.parseInt(data, 16) : data;
  }
  return values;
}

function parseJsonObject(text: string, source: string, issues: string[]): Raw {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    parsed = undefined; // not JSON at all: reported below, like JSON that is not an object
  }
  if (typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)) return parsed as Raw;
  issues.push(`${source}: expected a JSON object`);
  return {};
}

function toBoolean(value: unknown): boolean | undefined {
  if (value === true || value === 1 || value === '1' || value === 'true') return true;
  if (value === false || value === 0 || value === '0' || value === 'false') return false;
  return undefined;
}

function toHttpsUrl(value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined;
  try {
    return new URL(value).protocol === 'https:' ? value : undefined;
  } catch {
    // Not a URL: treated as unset like any other unusable policy value (the setting stays the agent's).
    return undefined;
  }
}

/** The real readers: `reg.exe` / `plutil` with a short timeout, and files via fs. */
export function nodePolicyReaders(): PolicyReaders {
  return {
    run: (file, args) =>
      new Promise((resolve) => {
        execFile(file, [...args], { timeout: 5000, windowsHide: true, encoding: 'utf8' }, (error, stdout) =>
          resolve(error ? null : stdout),
        );
      }),
    readText: async (path) => {
      try {
        return await readFile(path, 'utf8');
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
        throw error;
      }
    },
  };
}
