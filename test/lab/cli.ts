/**
 * Starts a lab Kamailio for the demo or for poking at by hand:
 *   npx tsx test/lab/cli.ts [--port N] [--user alice:secret ...] [--log-level N] [--no-presence] [--media-relay]
 * Prints the WebSocket URL and runs until SIGINT/SIGTERM.
 */
import { LabError, startLab, type LabOptions, type LabUser } from './lab.js';

const USAGE = 'usage: npx tsx test/lab/cli.ts [--port N] [--user name:password ...] [--log-level N] [--no-presence] [--media-relay]';

function parseArgs(argv: readonly string[]): LabOptions {
  const users: LabUser[] = [];
  let port: number | undefined;
  let logLevel: number | undefined;
  let presence = true;
  let mediaRelay = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const value = (): string => {
      const next = argv[++i];
      if (next === undefined) fail(`${arg} needs a value`);
      return next;
    };
    if (arg === '--port') port = toInteger(value(), '--port');
    else if (arg === '--log-level') logLevel = toInteger(value(), '--log-level');
    else if (arg === '--user') users.push(toUser(value()));
    else if (arg === '--no-presence') presence = false;
    else if (arg === '--media-relay') mediaRelay = true;
    else fail(`unknown argument ${arg ?? ''}`);
  }
  return { port, logLevel, presence, mediaRelay, auth: users.length > 0 ? { users } : undefined };
}

function toInteger(text: string, flag: string): number {
  const number = Number(text);
  if (!Number.isInteger(number)) fail(`${flag} needs an integer, got ${text}`);
  return number;
}

function toUser(text: string): LabUser {
  const colon = text.indexOf(':');
  if (colon <= 0) fail(`--user needs name:password, got ${text}`);
  return { user: text.slice(0, colon), password: text.slice(colon + 1) };
}

function fail(message: string): never {
  console.error(`${message}\n${USAGE}`);
  process.exit(2);
}

async function main(): Promise<void> {
  const options = parseArgs(process.argv.slice(2));
  const lab = await startLab(options);
  const users = options.auth?.users.map((u) => u.user).join(', ');
  console.log(lab.wsUrl);
  if (lab.mediaRelay !== undefined) {
    console.error(`Plain SIP phones: outbound proxy ${lab.mediaRelay.sipUdpUri}; rtpengine control on 127.0.0.1:${lab.mediaRelay.ngPort}.`);
  }
  console.error(
    `Kamailio lab on ${lab.wsUrl} (domain ${lab.domain}, ${users !== undefined ? `auth: ${users}` : 'no auth'}), run folder ${lab.runDir}. Ctrl-C to stop.`,
  );
  const shutdown = (): void => {
    lab.stop().then(
      () => process.exit(0),
      (error: unknown) => {
        console.error(error);
        process.exit(1);
      },
    );
  };
  process.once('SIGINT', shutdown);
  process.once('SIGTERM', shutdown);
}

main().catch((error: unknown) => {
  console.error(error instanceof LabError ? `${error.code}: ${error.message}` : error);
  process.exit(1);
});
