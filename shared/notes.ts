/**
 * The limits on a note (a transfer's note, a wrap-up's note), in one place. IT's policy sets the
 * limit an agent meets (noteMaxLength, at most MAX_NOTE_CHARS); main checks every note against it.
 */

/** The most IT may allow: a transfer's note travels in the context, whose size is bounded. */
export const MAX_NOTE_CHARS = 1000;

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
