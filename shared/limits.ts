/**
 * Lengths the contract (shared/ipc.ts) bounds, in one place with the code that makes or keeps such
 * values, so that a value main makes or stores always fits the contract that carries it. A note's
 * limits are in shared/notes.ts.
 */

/**
 * An id in the contract: a call's, a transfer's, a colleague's, a contact's. A contact known only by
 * its number is cut to it (contactIdFor), so its History can always be asked for.
 */
export const MAX_ID_CHARS = 128;

/** An audio device's id as the renderer reports it (AudioDeviceSetting.id: Chromium's, 64 hex characters). */
export const MAX_DEVICE_ID_CHARS = 512;

/** An audio device's label (AudioDeviceSetting.label): the OS's name for it, which IT's machine policy names too. */
export const MAX_DEVICE_LABEL_CHARS = 256;

/** The Connect screen's server address (session.connect): a wss:// URL. */
export const MAX_SERVER_ADDRESS_CHARS = 512;

/** A password as typed at sign-in or on the Connect screen. */
export const MAX_PASSWORD_CHARS = 256;

/**
 * The Connect screen's display name: it becomes the agent's roster label, which provisioning bounds
 * to 80 characters (shared/provisioning/schema.ts `label`).
 */
export const MAX_DISPLAY_NAME_CHARS = 80;

/** A provisioning document's address (session.connect). */
export const MAX_PROVISIONING_URL_CHARS = 2048;
