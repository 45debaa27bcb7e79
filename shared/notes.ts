/**
 * The limits on a note (a transfer's note, a wrap-up's note), in one place. IT's policy sets the
 * limit an agent meets (noteMaxLength, at most MAX_NOTE_CHARS); main checks every note against it.
 */

/** The most IT may allow: a transfer's note travels in the context, whose size is bounded. */
export const MAX_NOTE_CHARS = 1000;

/**
 * The note's share of a transfer context's encoded cap (MAX_ENCODED_CONTEXT), in bytes of its JSON
 * form: 1000 characters of plain text, line breaks or quotes always fit; 1000 CJK characters (3 bytes
 * each) or emoji (4) would not, and are refused in the panel with a length that fits.
 */
export const MAX_NOTE_JSON_BYTES = 2400;

/**
 * The contract's bound on a note and on a draft's field (shared/ipc.ts), in UTF-16 code units (what
 * a schema's max counts). A guard against a runaway payload only, four times the largest note: a
 * note typed past the agent's limit still reaches main, which refuses it in words (noteTooLong), and
 * its draft is kept, to be shortened after a reload.
 */
export const MAX_NOTE_PAYLOAD_UNITS = 4 * MAX_NOTE_CHARS;

/** The limit when IT's policy says nothing. */
export const DEFAULT_NOTE_MAX_CHARS = 500;

/** A note's length as the agent counts it: characters (code points), not UTF-16 units. */
export function noteChars(note: string): number {
  return [...note].length;
}

/** Why `note` is refused under the limit `maxChars`, or null when it fits. */
export function noteTooLong(note: string, maxChars: number): string | null {
  return noteChars(note) > maxChars ? `The note is longer than ${maxChars} characters.` : null;
}

/** Checks a transfer's note before Confirm, so an over-long one is refused while it is still in the panel. */
export function noteProblem(note: string, maxChars = MAX_NOTE_CHARS): string | null {
  const chars = noteChars(note);
  if (chars > maxChars) return `The note is ${chars} characters; the limit is ${maxChars}.`;
  const bytes = new TextEncoder().encode(JSON.stringify(note)).length;
  if (bytes > MAX_NOTE_JSON_BYTES) {
    const fits = Math.floor((chars * MAX_NOTE_JSON_BYTES) / bytes);
    return `This note uses many non-Latin or special characters: shorten it to about ${fits} characters.`;
  }
  return null;
}
