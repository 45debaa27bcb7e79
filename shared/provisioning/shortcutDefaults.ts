/**
 * The desk's keyboard actions and the key each has unless IT rebinds it (provisioning
 * `policies.shortcuts.keys`). Plain data without zod, so the renderer can import it.
 */
export const SHORTCUT_ACTIONS = [
  'answer',
  'decline',
  'hold',
  'mute',
  'hangUp',
  'transfer',
  'repeatTransfer',
  'complete',
  'cancel',
  'toasts',
  'help',
] as const;
export type ShortcutAction = (typeof SHORTCUT_ACTIONS)[number];

/** Keys as `aria-keyshortcuts` writes them. */
export const DEFAULT_SHORTCUT_KEYS: Readonly<Record<ShortcutAction, string>> = {
  answer: 'A',
  decline: 'D',
  hold: 'H',
  mute: 'M',
  hangUp: 'E',
  transfer: 'T',
  repeatTransfer: 'Control+Shift+T',
  complete: 'C',
  cancel: 'X',
  toasts: 'N',
  help: '?',
};

/** System-wide keys (Electron accelerators) when the agent or policy turns them on. */
export const DEFAULT_GLOBAL_ACCELERATORS = { answer: 'CommandOrControl+Shift+F9', hangUp: 'CommandOrControl+Shift+F10' } as const;
