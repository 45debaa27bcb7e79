/**
 * The three IPC channels between the preload and main. Commands and events travel *inside* them by
 * name, so the renderer can never reach a channel main did not open. The preload is a sandboxed
 * script that cannot import this file: it keeps its own copy, and a unit test holds the two equal.
 */
export const CHANNELS = {
  /** renderer → main, invoke: (command name, payload) → CommandOutcome */
  invoke: 'baton:invoke',
  /** renderer → main, send: "send me a snapshot; my media engine is ready" */
  attach: 'baton:attach',
  /** main → renderer: (event name, payload) */
  event: 'baton:event',
} as const;

export type Channel = (typeof CHANNELS)[keyof typeof CHANNELS];
