/**
 * Where provisioning comes from, in order of precedence: the OS policy location (put there by IT
 * through GPO/MDM/config management), a file named on the command line or in the environment, an
 * HTTPS URL, and finally the user's own settings (which only choose what is theirs to choose).
 */
import { join } from 'node:path';

export interface ProvisioningSources {
  /** Machine-wide policy file; see `defaultPolicyPath`. */
  readonly policyFile?: string;
  /** `--provisioning PATH` or BATON_PROVISIONING. */
  readonly flagFile?: string;
  /** `--provisioning-url URL` or BATON_PROVISIONING_URL; https only. */
  readonly url?: string;
  /** The user's settings file in the user-data folder. */
  readonly userSettingsFile?: string;
  /** Where the last good document is kept, so it stays in force across restarts. */
  readonly lastGoodFile?: string;
}

export function defaultPolicyPath(platform: NodeJS.Platform, env: NodeJS.ProcessEnv): string {
  // eslint-disable-next-line @typescript-eslint/switch-exhaustiveness-check -- every platform but Windows and macOS keeps machine policy under /etc
  switch (platform) {
    case 'win32':
      return join(env.ProgramData ?? env.PROGRAMDATA ?? 'C:\\ProgramData', 'Baton', 'provisioning.json');
    case 'darwin':
      return '/Library/Application Support/Baton/provisioning.json';
    default:
      return '/etc/baton/provisioning.json';
  }
}

/** Reads `--provisioning[=]X`, `--provisioning-url[=]X` and the two environment variables; flags win. */
export function sourcesFromCommandLine(
  argv: readonly string[],
  env: NodeJS.ProcessEnv,
  platform: NodeJS.Platform,
  userDataDir: string,
): ProvisioningSources {
  const flagFile = flagValue(argv, '--provisioning') ?? nonEmpty(env.BATON_PROVISIONING);
  const url = flagValue(argv, '--provisioning-url') ?? nonEmpty(env.BATON_PROVISIONING_URL);
  return {
    policyFile: defaultPolicyPath(platform, env),
    ...(flagFile !== undefined ? { flagFile } : {}),
    ...(url !== undefined ? { url } : {}),
    userSettingsFile: join(userDataDir, 'settings.json'),
    lastGoodFile: join(userDataDir, 'provisioning.last-good.json'),
  };
}

function flagValue(argv: readonly string[], name: string): string | undefined {
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === name) return nonEmpty(argv[i + 1]);
    if (arg?.startsWith(`${name}=`)) return nonEmpty(arg.slice(name.length + 1));
  }
  return undefined;
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value.trim() === '' ? undefined : value;
}
