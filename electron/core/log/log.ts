/**
 * Baton's log: one structured JSON line per event (pino), in a rotating file in the OS's log folder
 * (the shell says where), with a `component` per part of the app. Every string and object is
 * scrubbed on the way in (redact.ts), and each line once more for the secrets registered at run time
 * (a password typed at sign-in), so nothing depends on a caller remembering to leave one out.
 *
 * The SIP trace, when IT turns it on, is a second file of its own: redacted SIP messages as text.
 */
import { join } from 'node:path';
import { pino, type Logger } from 'pino';
import { redactSip, scrubText, toLoggable } from './redact.js';
import { TRACED_BODY_BYTES, TRACED_HEAD_BYTES, traceText } from './traceText.js';
import { RotatingFile } from './rotatingFile.js';

export const LOG_LEVELS = ['debug', 'info', 'warn', 'error'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];
export type LogFields = Readonly<Record<string, unknown>>;

/** What every part of the core logs through. */
export interface Log {
  debug(message: string, fields?: LogFields): void;
  info(message: string, fields?: LogFields): void;
  warn(message: string, fields?: LogFields): void;
  error(message: string, fields?: LogFields): void;
  /** The same log, its lines tagged with `component`. */
  child(component: string): Log;
  /** A value that must never be written anywhere (a password as typed); shared with every child. */
  redact(secret: string): void;
}

/** Direction of one SIP message on the wire, as seen by Baton. */
export type SipDirection = 'sent' | 'received';
export type SipTrace = (direction: SipDirection, message: string) => void;

/** The log that writes nowhere (tests, tools). */
export const NO_LOG: Log = {
  debug: () => {},
  info: () => {},
  warn: () => {},
  error: () => {},
  child: () => NO_LOG,
  redact: () => {},
};

export const LOG_FILE = 'baton.log';
export const SIP_TRACE_FILE = 'sip-trace.log';

export interface AppLogOptions {
  /** The folder for baton.log (and sip-trace.log). */
  readonly dir: string;
  readonly level?: LogLevel;
  /** Write every SIP message (redacted) to sip-trace.log. */
  readonly sipTrace?: boolean;
  readonly maxBytes?: number;
  readonly keep?: number;
  /** Also echo lines to stderr (development). */
  readonly echo?: boolean;
}

/** The root log of the main process: files, the trace, and what a diagnostics bundle collects. */
export interface AppLog extends Log {
  readonly dir: string;
  /** Set when the SIP trace is on. */
  readonly sipTrace: SipTrace | undefined;
  /** Every log file that exists now (current and rolled over, log and trace). */
  files(): string[];
  close(): void;
}

export function createAppLog(options: AppLogOptions): AppLog {
  const limits = { maxBytes: options.maxBytes ?? 5 * 1024 * 1024, keep: options.keep ?? 4 };
  const secrets = new Set<string>();
  const file = new RotatingFile(join(options.dir, LOG_FILE), limits);
  const trace = options.sipTrace === true ? new RotatingFile(join(options.dir, SIP_TRACE_FILE), limits) : undefined;
  const destination = {
    write(line: string): void {
      // Last guard: a registered secret that reached the line some other way is blanked here.
      const safe = secrets.size > 0 ? scrubText(line, secrets) : line;
      file.write(safe);
      if (options.echo === true) process.stderr.write(safe);
    },
  };
  const root = pino(
    {
      level: options.level ?? 'info',
      base: { pid: process.pid },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
    },
    destination,
  );
  // The transport cuts what it traces (traceText); a caller that did not is cut here, once.
  const traced = (message: string): string => (message.length > 2 * (TRACED_HEAD_BYTES + TRACED_BODY_BYTES) ? traceText(message) : message);
  const sipTrace: SipTrace | undefined = trace
    ? (direction, message) => trace.write(`${new Date().toISOString()} ${direction}\n${redactSip(traced(message), secrets)}\n\n`)
    : undefined;
  const log = wrap(root, root, secrets);
  return {
    ...log,
    dir: options.dir,
    sipTrace,
    files: () => [...file.files(), ...(trace?.files() ?? [])],
    close: () => {
      file.close();
      trace?.close();
    },
  };
}

/** `root` makes children of children: a line names one component, the one that logged it. */
function wrap(root: Logger, logger: Logger, secrets: Set<string>): Log {
  const at =
    (level: LogLevel) =>
    (message: string, fields?: LogFields): void => {
      if (!logger.isLevelEnabled(level)) return;
      const text = scrubText(message, secrets);
      if (fields === undefined) logger[level](text);
      else logger[level](toLoggable(fields, secrets) as object, text);
    };
  return {
    debug: at('debug'),
    info: at('info'),
    warn: at('warn'),
    error: at('error'),
    child: (component) => wrap(root, root.child({ component }), secrets),
    redact: (secret) => {
      if (secret.length >= 4) secrets.add(secret);
    },
  };
}

export { redactSip, scrubText } from './redact.js';
