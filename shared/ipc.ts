/**
 * The one contract between the renderer and main: every command, its payload schema (validated in
 * main — the renderer is untrusted input like any peer) and its result, and every event main sends.
 *
 * The preload exposes `window.baton` generated from COMMANDS, the E2E bridge implements the same
 * object over a WebSocket, and main registers its handlers from the same map: a command cannot
 * exist on one side only.
 */
import { z } from 'zod';
import type { AgentSettingsView, AudioDeviceRole, AudioDeviceSetting, DeskState } from './desk.js';
import type { DeskPatch } from './deskPatch.js';
import type { ContactHistoryEntry } from './history.js';
import type { MediaDirection, MediaStats, Sdp } from './media.js';
import { MAX_DEVICE_ID_CHARS, MAX_DEVICE_LABEL_CHARS, MAX_ID_CHARS } from './limits.js';
import { CONNECT_FIELDS, connectPayloadSentence } from './connectFields.js';
import { MAX_NOTE_PAYLOAD_UNITS } from './notes.js';
import { MAX_TYPED_NUMBER } from './transfer/dialPlan.js';

const id = z.string().min(1).max(MAX_ID_CHARS);
/** Free text the agent types: bounded, and stored/sent as data, never as SIP header text. */
const note = z.string().max(MAX_NOTE_PAYLOAD_UNITS);
/** An audio device as main keeps it (shared/desk.ts AudioDeviceSetting): nulls = the system default. */
const audioDevice = z.strictObject({
  id: z.string().min(1).max(MAX_DEVICE_ID_CHARS).nullable(),
  label: z.string().min(1).max(MAX_DEVICE_LABEL_CHARS).nullable(),
});

export const COMMANDS = {
  'session.signIn': z.strictObject({ userId: id, password: z.string().max(256) }),
  'session.signOut': z.strictObject({}),
  /**
   * First run without provisioning from IT (the Connect screen): the agent's own server and account,
   * or a provisioning URL IT gave them. Refused once Baton is configured.
   */
  'session.connect': z.discriminatedUnion('kind', [
    z.strictObject({
      kind: z.literal('account'),
      server: z.string().trim().min(1).max(CONNECT_FIELDS.server.max),
      userId: z.string().trim().min(1).max(CONNECT_FIELDS.userId.max),
      password: z.string().max(CONNECT_FIELDS.password.max),
      displayName: z.string().trim().max(CONNECT_FIELDS.displayName.max),
    }),
    z.strictObject({ kind: z.literal('provisioningUrl'), url: z.string().trim().min(1).max(CONNECT_FIELDS.url.max) }),
  ]),
  'agent.setStatus': z.discriminatedUnion('kind', [
    z.strictObject({ kind: z.literal('Ready') }),
    z.strictObject({ kind: z.literal('NotReady'), reason: z.string().min(1).max(80) }),
  ]),
  'call.dial': z.strictObject({ target: z.string().min(1).max(256) }),
  'call.answer': z.strictObject({ callId: id }),
  'call.decline': z.strictObject({ callId: id }),
  'call.hangUp': z.strictObject({ callId: id }),
  'call.hold': z.strictObject({ callId: id }),
  'call.unhold': z.strictObject({ callId: id }),
  'call.mute': z.strictObject({ callId: id, muted: z.boolean() }),
  'call.dtmf': z.strictObject({ callId: id, tones: z.string().regex(/^[0-9A-D*#]{1,32}$/) }),
  /** The transfer panel opened on this call: prepare the consult's media meanwhile. */
  'transfer.prepare': z.strictObject({ callId: id }),
  'transfer.start': z
    .strictObject({
      callId: id,
      method: z.enum(['warm', 'cold']),
      /** A colleague from the roster… */
      userId: id.optional(),
      /** …or an external number as typed (main checks it against the dial plan and normalises it). */
      number: z.string().min(1).max(MAX_TYPED_NUMBER).optional(),
      outcomeId: id,
      note,
      /** The agent saw the non-recommended-state warning and confirmed anyway. */
      acknowledgedWarning: z.boolean().default(false),
    })
    .refine((p) => (p.userId === undefined) !== (p.number === undefined), { error: 'either a colleague (userId) or a number, not both' }),
  'transfer.complete': z.strictObject({ transferId: id }),
  'transfer.cancel': z.strictObject({ transferId: id }),
  'transfer.accept': z.strictObject({ transferId: id }),
  'transfer.decline': z.strictObject({ transferId: id }),
  'transfer.unholdContact': z.strictObject({ transferId: id }),
  'disposition.file': z.strictObject({ callId: id, codeId: id, note }),
  'history.list': z.strictObject({ contactId: id }),
  /** Drafts live in main so a reload loses no typed note. */
  'draft.save': z.strictObject({
    key: z.string().min(1).max(160),
    fields: z.record(z.string().max(64), z.union([z.string().max(MAX_NOTE_PAYLOAD_UNITS), z.boolean(), z.null()])),
  }),
  /** The agent's settings kept in main (audio devices, system-wide keys); a role IT fixed is refused. */
  'settings.set': z.strictObject({
    devices: z
      .strictObject({
        microphone: audioDevice.optional(),
        speaker: audioDevice.optional(),
        ringer: audioDevice.optional(),
      })
      .optional(),
    globalShortcuts: z.boolean().optional(),
  }),
  /** Writes the diagnostics bundle (logs, versions, provisioning without secrets) where the agent chooses. */
  'diagnostics.export': z.strictObject({}),
  /** The media engine's answer to a media.request event. */
  'media.reply': z.strictObject({
    requestId: z.number().int().nonnegative(),
    ok: z.boolean(),
    value: z.unknown().optional(),
    error: z.string().max(1000).optional(),
  }),
} as const;

export type CommandName = keyof typeof COMMANDS;
export type CommandPayload<C extends CommandName> = z.input<(typeof COMMANDS)[C]>;
export type ValidatedPayload<C extends CommandName> = z.output<(typeof COMMANDS)[C]>;

/** What each command resolves with. */
export interface CommandResults {
  'session.signIn': void;
  'session.signOut': void;
  'session.connect': void;
  'agent.setStatus': void;
  'call.dial': { readonly callId: string };
  'call.answer': void;
  'call.decline': void;
  'call.hangUp': void;
  'call.hold': void;
  'call.unhold': void;
  'call.mute': void;
  'call.dtmf': void;
  'transfer.prepare': void;
  'transfer.start': { readonly transferId: string };
  'transfer.complete': void;
  'transfer.cancel': void;
  'transfer.accept': void;
  'transfer.decline': void;
  'transfer.unholdContact': void;
  'disposition.file': void;
  'history.list': readonly ContactHistoryEntry[];
  'draft.save': void;
  'settings.set': void;
  /** Where the bundle was written; null when the agent cancelled. */
  'diagnostics.export': { readonly path: string | null };
  'media.reply': void;
}

/** A refused command, as the renderer receives it: a stable code and words for the agent. */
export interface CommandError {
  readonly code: string;
  readonly message: string;
}

export type CommandOutcome<C extends CommandName> =
  { readonly ok: true; readonly value: CommandResults[C] } | { readonly ok: false; readonly error: CommandError };

/** Operations main asks of the renderer's media engine (the MediaPort, across IPC). */
export type MediaRequest =
  | { readonly op: 'open'; readonly sessionId: string }
  | { readonly op: 'createOffer'; readonly sessionId: string; readonly direction: MediaDirection; readonly iceRestart: boolean }
  | { readonly op: 'acceptOffer'; readonly sessionId: string; readonly sdp: Sdp; readonly direction: MediaDirection }
  | { readonly op: 'applyAnswer'; readonly sessionId: string; readonly sdp: Sdp }
  | { readonly op: 'rollback'; readonly sessionId: string }
  | { readonly op: 'setMuted'; readonly sessionId: string; readonly muted: boolean }
  | { readonly op: 'sendDtmf'; readonly sessionId: string; readonly tones: string; readonly durationMs: number; readonly gapMs: number }
  | { readonly op: 'getStats'; readonly sessionId: string }
  | { readonly op: 'close'; readonly sessionId: string }
  /**
   * Before main saves a device choice: can the media host find and open these devices (the roles
   * that change)? Answered ok, or refused with what is wrong, in words for the agent.
   */
  | { readonly op: 'checkDevices'; readonly devices: Readonly<Partial<Record<AudioDeviceRole, AudioDeviceSetting>>> };

export interface MediaRequestResults {
  open: void;
  createOffer: Sdp;
  acceptOffer: Sdp;
  applyAnswer: void;
  rollback: void;
  setMuted: void;
  sendDtmf: boolean;
  getStats: MediaStats;
  close: void;
  checkDevices: void;
}

/** Events main sends to the renderer. */
export interface EventPayloads {
  /** The whole desk: on attach, and whenever the renderer asks for it. */
  'desk.snapshot': DeskState;
  /** What changed since `version - 1`: top-level keys, and list items one by one (shared/deskPatch.ts). */
  'desk.patch': DeskPatch;
  'media.request': { readonly requestId: number; readonly request: MediaRequest };
  /** A tel:/sip: link was opened: the dialer shows this target, ready to call. */
  'desk.dialRequest': { readonly target: string };
  /** To the media host: what it needs of the desk besides media requests (on attach, and on change). */
  'media.state': MediaHostState;
  /**
   * To a media host that another one replaced (the browser fallback's second audio tab): its calls
   * have moved, so it releases everything it holds and says so.
   */
  'media.replaced': Readonly<Record<string, never>>;
}

/**
 * The media host knows nothing of the desk but this: whether an inbound call rings (it plays the
 * ring tone), the audio devices main holds (the agent's choice, or IT's by policy), and whether
 * anyone is signed in.
 */
export interface MediaHostState {
  readonly ringing: boolean;
  readonly devices: AgentSettingsView['devices'] | null;
  /** Someone is signed in: the media host keeps a spare connection with a gathered offer for the next outgoing call (absent: nobody). */
  readonly signedIn?: true;
}

export type EventName = keyof EventPayloads;

/**
 * `window.baton`: one function per command, and a subscription per event. The preload builds it
 * from COMMANDS over ipcRenderer; the E2E bridge builds the same over a WebSocket.
 */
export interface BatonApi {
  invoke<C extends CommandName>(command: C, payload: CommandPayload<C>): Promise<CommandOutcome<C>>;
  on<E extends EventName>(event: E, listener: (payload: EventPayloads[E]) => void): () => void;
  /** Asks main for a fresh snapshot (sent as a desk.snapshot event). */
  attach(): void;
}

export const COMMAND_NAMES = Object.keys(COMMANDS) as CommandName[];

/**
 * The media side of the contract: the media host (a hidden page of its own) answers media requests
 * and follows media.state, and may do nothing else; every other command and event is the UI's.
 */
export type MediaHostCommandName = 'media.reply';
export type MediaHostEventName = 'media.request' | 'media.state' | 'media.replaced';
export const MEDIA_HOST_COMMANDS: Record<MediaHostCommandName, true> = { 'media.reply': true };
export const MEDIA_HOST_EVENTS: Record<MediaHostEventName, true> = { 'media.request': true, 'media.state': true, 'media.replaced': true };

export function isMediaHostCommand(name: CommandName): name is MediaHostCommandName {
  return Object.prototype.hasOwnProperty.call(MEDIA_HOST_COMMANDS, name);
}
export function isMediaHostEvent(name: EventName): name is MediaHostEventName {
  return Object.prototype.hasOwnProperty.call(MEDIA_HOST_EVENTS, name);
}

/** `window.baton` in the media host: the media side only (its preload, or the E2E bridge, builds it). */
export interface MediaHostApi {
  invoke(command: 'media.reply', payload: CommandPayload<'media.reply'>): Promise<CommandOutcome<'media.reply'>>;
  on<E extends MediaHostEventName>(event: E, listener: (payload: EventPayloads[E]) => void): () => void;
  /** Tells main "this media engine is ready": media requests come here from now on. */
  attach(): void;
}

/** Validates a payload from the renderer. */
export function parseCommand<C extends CommandName>(
  command: C,
  payload: unknown,
): { readonly ok: true; readonly value: ValidatedPayload<C> } | { readonly ok: false; readonly error: CommandError } {
  const schema = COMMANDS[command];
  const result = schema.safeParse(payload);
  if (result.success) return { ok: true, value: result.data as ValidatedPayload<C> };
  const issue = result.error.issues[0];
  // The Connect screen shows the answer to an agent as is: one sentence about the field to fix.
  if (command === 'session.connect') return { ok: false, error: { code: 'invalid-payload', message: connectPayloadSentence(issue) } };
  const where = issue && issue.path.length ? ` at ${issue.path.join('.')}` : '';
  return { ok: false, error: { code: 'invalid-payload', message: `${command}: ${issue?.message ?? 'invalid'}${where}` } };
}

export function isCommandName(name: unknown): name is CommandName {
  return typeof name === 'string' && Object.prototype.hasOwnProperty.call(COMMANDS, name);
}
