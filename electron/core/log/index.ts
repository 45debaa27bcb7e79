export {
  createAppLog,
  LOG_FILE,
  LOG_LEVELS,
  NO_LOG,
  SIP_TRACE_FILE,
  type AppLog,
  type AppLogOptions,
  type Log,
  type LogFields,
  type LogLevel,
  type SipDirection,
  type SipTrace,
} from './log.js';
export { redactSip, scrubJson, scrubText, REDACTED } from './redact.js';
export { traceText, TRACED_BODY_BYTES, TRACED_HEAD_BYTES } from './traceText.js';
export { RotatingFile } from './rotatingFile.js';
export { certificateFingerprint, provisioningWithoutSecrets, recentIds, writeDiagnostics, type DiagnosticsInput } from './diagnostics.js';
export { writeTarGz, type TarEntry } from './tarball.js';
