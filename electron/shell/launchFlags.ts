/**
 * V8 flags for the main process must be on Electron's command line at launch (`--js-flags`):
 * `app.commandLine.appendSwitch('js-flags')` from main.ts, or `v8.setFlagsFromString` at run time,
 * come after V8 sized its heap (measured: new space stays 32 MB instead of 8), and the fuses keep
 * NODE_OPTIONS out. So a launch without them relaunches once with them, before anything starts; a
 * launcher (shortcut, installer) that already passes them costs nothing.
 */

export const RELAUNCHED_MARK = '--baton-relaunched';

export function jsFlagsSwitch(flags: readonly string[]): string {
  return `--js-flags=${flags.join(' ')}`;
}

/**
 * The arguments to relaunch with, or null when this launch already has the flags (or is the
 * relaunch: a second one would loop if Electron dropped the switch).
 */
export function relaunchArgs(argv: readonly string[], flags: readonly string[]): string[] | null {
  if (flags.length === 0) return null;
  const args = argv.slice(1);
  if (args.includes(RELAUNCHED_MARK)) return null;
  const given = args.filter((a) => a.startsWith('--js-flags=')).flatMap((a) => a.slice('--js-flags='.length).split(/\s+/));
  if (flags.every((flag) => given.includes(flag))) return null;
  // Electron switches must come before the app path and any dial link, which follow unchanged.
  return [jsFlagsSwitch(flags), RELAUNCHED_MARK, ...args];
}
