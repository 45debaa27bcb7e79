/**
 * The Connect screen's fields (session.connect), by the name an agent knows them by and the length
 * the contract allows: the screen bounds its inputs with these, and a payload the contract refuses
 * is answered with one sentence about the field to fix, never the schema's own words.
 */
import {
  MAX_DISPLAY_NAME_CHARS,
  MAX_ID_CHARS,
  MAX_PASSWORD_CHARS,
  MAX_PROVISIONING_URL_CHARS,
  MAX_SERVER_ADDRESS_CHARS,
} from './limits.js';

export const CONNECT_FIELDS = {
  server: { name: 'server address', max: MAX_SERVER_ADDRESS_CHARS },
  userId: { name: 'user name', max: MAX_ID_CHARS },
  password: { name: 'password', max: MAX_PASSWORD_CHARS },
  displayName: { name: 'display name', max: MAX_DISPLAY_NAME_CHARS },
  url: { name: 'provisioning address', max: MAX_PROVISIONING_URL_CHARS },
} as const;

export type ConnectField = keyof typeof CONNECT_FIELDS;

/** The part of a schema issue the sentence is made from (zod's issue has these). */
export interface ConnectPayloadIssue {
  readonly code: string;
  readonly path: readonly PropertyKey[];
}

const isField = (key: PropertyKey | undefined): key is ConnectField =>
  typeof key === 'string' && Object.prototype.hasOwnProperty.call(CONNECT_FIELDS, key);

/** One sentence the agent can act on, for the first thing the contract refused in a session.connect payload. */
export function connectPayloadSentence(issue: ConnectPayloadIssue | undefined): string {
  const key = issue?.path[0];
  if (issue === undefined || !isField(key)) return 'Baton could not read these connection settings: reload the window and try again.';
  const field = CONNECT_FIELDS[key];
  if (issue.code === 'too_big') return `The ${field.name} can be at most ${field.max} characters.`;
  if (issue.code === 'too_small') return `Enter the ${field.name}.`;
  return `Baton could not read the ${field.name}: type it again.`;
}
