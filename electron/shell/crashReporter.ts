/**
 * Electron's crashReporter: a crash of any Baton process leaves a minidump in the crash-dumps
 * folder (collected by "Export diagnostics"). Dumps are uploaded only when machine policy names a
 * server (`CrashReportUrl`); nothing leaves the computer otherwise.
 */
import { scrubText } from '../core/log/redact.js';
import { PRODUCT_NAME } from './appIdentity.js';

/** The parts of Electron's crashReporter used here; Electron's own object satisfies it. */
export interface CrashReporterPort {
  start(options: {
    submitURL?: string;
    uploadToServer?: boolean;
    productName?: string;
    compress?: boolean;
    globalExtra?: Record<string, string>;
  }): void;
}

export interface CrashReporting {
  readonly uploading: boolean;
}

export function startCrashReporter(
  port: CrashReporterPort,
  policy: { readonly crashReportUrl: string | undefined },
  version: string,
  log: (message: string) => void,
): CrashReporting {
  const url = policy.crashReportUrl;
  try {
    port.start({
      productName: PRODUCT_NAME,
      compress: true,
      globalExtra: { version },
      ...(url ? { submitURL: url, uploadToServer: true } : { uploadToServer: false }),
    });
  } catch (error) {
    log(`crash reporter could not start: ${scrubText(String(error))}`);
    return { uploading: false };
  }
  // The URL may carry the upload's credentials (user part, a token in the query): the log gets it without them.
  log(url ? `crash dumps are kept and uploaded to ${scrubText(url)}` : 'crash dumps are kept on this computer only');
  return { uploading: url !== undefined };
}
