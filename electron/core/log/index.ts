export { createAppLog, LOG_FILE, LOG_LEVELS, NO_LOG, SIP_TRACE_FILE, type AppLog, type AppLogOptions, type Log, type LogFields, type LogLevel, type SipDirection, type SipTrace } from './log.js';
export { redactSip, scrubText, REDACTED } from './redact.js';
export { RotatingFile } from './rotatingFile.js';
export { certificateFingerprint, provisioningWithoutSecrets, recentIds, writeDiagnostics, type DiagnosticsInput } from './diagnostics.js';
export { writeTarGz, type TarEntry } from './tarball.js';
