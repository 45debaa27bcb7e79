/**
 * A private rtpengine (Debian's rtpengine-daemon, userspace forwarding only) for the lab's media
 * relay: control protocol ("ng", bencode over UDP) and media ports on 127.0.0.1, its own process
 * group, stopped by pid. Kamailio's rtpengine module talks to it; nothing else does.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { accessSync, closeSync, constants, openSync, readFileSync, statSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { signalGroup } from './signalGroup.js';

export interface Rtpengine {
  /** UDP port of the control protocol on 127.0.0.1. */
  readonly ngPort: number;
  readonly pid: number;
  /** SIGTERM, SIGKILL after a grace period; resolves once the process is gone. */
  stop(): Promise<void>;
  log(): string;
}

export class RtpengineError extends Error {
  override readonly name = 'RtpengineError';
}

export interface RtpengineOptions {
  /** Absolute folder for the pid file and log. */
  readonly runDir: string;
  readonly ngPort: number;
  /** First and last media port (rtpengine uses even/odd pairs inside it). */
  readonly portMin: number;
  readonly portMax: number;
}

const INSTALL_HINT = 'apt-get install rtpengine-daemon';
const READY_TIMEOUT_MS = 5_000;
const STOP_GRACE_MS = 3_000;
const LOG_TAIL_CHARS = 3_000;

export function findRtpengine(): string {
  const dirs = [...(process.env.PATH ?? '').split(delimiter).filter((dir) => dir !== ''), '/usr/bin', '/usr/sbin'];
  const found = dirs.map((dir) => join(dir, 'rtpengine')).find(isExecutableFile);
  if (found === undefined) throw new RtpengineError(`rtpengine not found on PATH or in /usr/bin, /usr/sbin. Install it: ${INSTALL_HINT}`);
  return found;
}

export async function startRtpengine(options: RtpengineOptions): Promise<Rtpengine> {
  const binary = findRtpengine();
  const logPath = join(options.runDir, 'rtpengine.log');
  const pidPath = join(options.runDir, 'rtpengine.pid');
  const args = [
    // No system config file: everything it needs is on this line.
    '--config-file=none',
    // Userspace forwarding only: the kernel module is neither needed nor loaded.
    '--table=-1',
    '--interface=127.0.0.1',
    `--listen-ng=127.0.0.1:${options.ngPort}`,
    `--port-min=${options.portMin}`,
    `--port-max=${options.portMax}`,
    `--pidfile=${pidPath}`,
    '--foreground',
    '--log-stderr',
    '--num-threads=2',
    // A deleted call's ports are released at once, so a test's next call never waits for them.
    '--delete-delay=0',
  ];
  const logFd = openSync(logPath, 'a');
  let child: ChildProcess;
  try {
    child = spawn(binary, args, { detached: true, stdio: ['ignore', logFd, logFd] });
  } finally {
    closeSync(logFd);
  }
  const pid = child.pid;
  if (pid === undefined) throw new RtpengineError(`could not spawn ${binary}`);
  let exited = false;
  const exit = new Promise<void>((resolve) => {
    const done = (): void => {
      exited = true;
      resolve();
    };
    child.once('exit', done);
    child.once('error', done);
  });
  const killOnExit = (): void => signalGroup(pid, 'SIGKILL');
  process.once('exit', killOnExit);
  const log = (): string => {
    try {
      return readFileSync(logPath, 'utf8');
    } catch {
      // No log file yet: rtpengine has written nothing.
      return '';
    }
  };
  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> => {
    stopping ??= (async () => {
      signalGroup(pid, 'SIGTERM');
      const inTime = await Promise.race([exit.then(() => true), sleep(STOP_GRACE_MS).then(() => false)]);
      if (!inTime) signalGroup(pid, 'SIGKILL');
      await exit;
      process.removeListener('exit', killOnExit);
    })();
    return stopping;
  };

  const deadline = Date.now() + READY_TIMEOUT_MS;
  while (!(await pingOnce(options.ngPort))) {
    if (exited || Date.now() > deadline) {
      await stop();
      const why = exited
        ? `exited (code ${child.exitCode ?? child.signalCode})`
        : `did not answer a ping on 127.0.0.1:${options.ngPort} within ${READY_TIMEOUT_MS} ms`;
      throw new RtpengineError(`rtpengine ${why}. Log:\n${tail(log())}`);
    }
    await sleep(30);
  }
  return { ngPort: options.ngPort, pid, stop, log };
}

/** One bencoded ping ("d7:command4:pinge") with a cookie; true when rtpengine answers "pong". */
export function pingOnce(ngPort: number, timeoutMs = 300): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createSocket('udp4');
    const cookie = `ping${process.pid}${Date.now()}`;
    const finish = (ok: boolean): void => {
      clearTimeout(timer);
      socket.close();
      resolve(ok);
    };
    const timer = setTimeout(() => finish(false), timeoutMs);
    socket.on('error', () => finish(false));
    socket.on('message', (message) => finish(message.toString('latin1') === `${cookie} d6:result4:ponge`));
    socket.send(`${cookie} d7:command4:pinge`, ngPort, '127.0.0.1');
  });
}

function isExecutableFile(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return statSync(path).isFile();
  } catch {
    // Missing or not executable: not this candidate, which false says.
    return false;
  }
}

function tail(text: string): string {
  return text.length <= LOG_TAIL_CHARS ? text : `…${text.slice(-LOG_TAIL_CHARS)}`;
}
