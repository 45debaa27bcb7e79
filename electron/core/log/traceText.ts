/**
 * What one SIP message may put in the SIP trace: its head up to 16 KiB and its body up to 8 KiB
 * (a whole SDP offer with its candidates fits), the rest counted in a note. A peer's 2 MiB frame is
 * then a few KB of trace, not 2 MiB per copy, and a frame is decoded only as far as it is kept.
 */
export const TRACED_HEAD_BYTES = 16 * 1024;
export const TRACED_BODY_BYTES = 8 * 1024;

/** Appended where a message was cut; redact.ts reads the count back (a MESSAGE body's size). */
export const CUT_NOTE = /\r\n\[… (\d+) more bytes not traced\]$/;
const cutNote = (bytes: number): string => `\r\n[… ${bytes} more bytes not traced]`;

export function traceText(message: string | Uint8Array): string {
  if (typeof message === 'string' && Buffer.byteLength(message) <= TRACED_BODY_BYTES) return message;
  const bytes =
    typeof message === 'string' ? Buffer.from(message, 'utf8') : Buffer.from(message.buffer, message.byteOffset, message.byteLength);
  const headEnd = bytes.subarray(0, TRACED_HEAD_BYTES + 4).indexOf('\r\n\r\n');
  if (headEnd < 0) {
    if (bytes.length <= TRACED_HEAD_BYTES) return bytes.toString('utf8');
    return bytes.subarray(0, TRACED_HEAD_BYTES).toString('utf8') + cutNote(bytes.length - TRACED_HEAD_BYTES);
  }
  const bodyStart = headEnd + 4;
  const bodyBytes = bytes.length - bodyStart;
  if (bodyBytes <= TRACED_BODY_BYTES) return bytes.toString('utf8');
  return bytes.subarray(0, bodyStart + TRACED_BODY_BYTES).toString('utf8') + cutNote(bodyBytes - TRACED_BODY_BYTES);
}
