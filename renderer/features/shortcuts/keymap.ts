/**
 * The desk's keyboard shortcuts: one key per call action, written the way `aria-keyshortcuts`
 * spells them ("A", "Control+Shift+T", "?"). IT may rebind or switch off any of them by policy
 * (`policies.shortcuts.keys`); the rest keep their defaults.
 *
 * A key without Control, Alt or Meta never fires while the agent types in a text field (the note,
 * the dialer, the colleague search): the letter belongs to the text. Chords with one of those
 * modifiers are made for that and fire anywhere.
 */
import type { ShortcutKeys } from '../../../shared/provisioning/schema.js';
import { DEFAULT_SHORTCUT_KEYS, type ShortcutAction } from '../../../shared/provisioning/shortcutDefaults.js';

export type { ShortcutAction } from '../../../shared/provisioning/shortcutDefaults.js';

export const DEFAULT_KEYS = DEFAULT_SHORTCUT_KEYS;

/** What each action does, in the words of the help overlay (same order). */
export const ACTION_LABELS: Readonly<Record<ShortcutAction, string>> = {
  answer: 'Answer the ringing call, or accept the transfer offered to you',
  decline: 'Decline the ringing call or transfer',
  hold: 'Hold, or take off hold, the call in front',
  mute: 'Mute or unmute the call in front',
  hangUp: 'Hang up the call in front',
  transfer: 'Open the transfer panel for the call in front',
  repeatTransfer: 'Transfer to your last colleague and outcome at once',
  complete: 'Complete the transfer (warm, after talking to your colleague)',
  cancel: 'Cancel the transfer',
  toasts: 'Go to the transfer offers at the top right',
  help: 'Show or hide this list',
};

export type Keymap = Readonly<Record<ShortcutAction, string | null>>;

/** The defaults with IT's overrides applied; null switches an action's key off. */
export function resolveKeymap(overrides: ShortcutKeys | undefined): Keymap {
  const map: Record<ShortcutAction, string | null> = { ...DEFAULT_KEYS };
  if (overrides) {
    for (const action of Object.keys(DEFAULT_KEYS) as ShortcutAction[]) {
      const value = overrides[action];
      if (value !== undefined) map[action] = value;
    }
  }
  return map;
}

interface ParsedKey {
  readonly control: boolean;
  readonly alt: boolean;
  readonly shift: boolean;
  readonly meta: boolean;
  readonly key: string;
}

export function parseKey(spec: string): ParsedKey {
  const parts = spec.split('+');
  const mods = new Set(parts.slice(0, -1));
  return { control: mods.has('Control'), alt: mods.has('Alt'), shift: mods.has('Shift'), meta: mods.has('Meta'), key: parts.at(-1) ?? '' };
}

/** Whether a key may fire while the agent types: only chords with Control, Alt or Meta. */
export function worksWhileTyping(spec: string): boolean {
  const k = parseKey(spec);
  return k.control || k.alt || k.meta;
}

/** The key an event names: the letter from `code` when Alt turned it into another character (macOS). */
function eventKey(e: KeyboardEvent): string {
  if (e.altKey && /^Key[A-Z]$/.test(e.code)) return e.code.slice(3);
  return e.key.length === 1 ? e.key.toUpperCase() : e.key;
}

export function matchesKey(e: KeyboardEvent, spec: string): boolean {
  const k = parseKey(spec);
  const wanted = k.key.length === 1 ? k.key.toUpperCase() : k.key;
  if (eventKey(e) !== wanted) return false;
  // Control also means Command on macOS, as the desktop apps agents know do.
  if (k.control !== (e.ctrlKey || (e.metaKey && !k.meta))) return false;
  if (k.meta && !e.metaKey) return false;
  if (k.alt !== e.altKey) return false;
  // A punctuation key such as "?" needs Shift on most layouts: Shift is part of the character then.
  const letterOrNamed = /^[A-Z0-9]$/.test(wanted) || wanted.length > 1;
  return letterOrNamed ? k.shift === e.shiftKey : true;
}

/** The action a keystroke asks for, if any; `typing` when focus is in a text field. */
export function actionFor(e: KeyboardEvent, keymap: Keymap, typing: boolean): ShortcutAction | null {
  if (e.repeat || e.isComposing) return null;
  for (const action of Object.keys(keymap) as ShortcutAction[]) {
    const spec = keymap[action];
    if (spec === null || !matchesKey(e, spec)) continue;
    if (typing && !worksWhileTyping(spec)) return null;
    return action;
  }
  return null;
}

/** Whether keystrokes at this element are text: inputs that take characters, text areas, editables. */
export function isTextEntry(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false;
  if (target.isContentEditable || target instanceof HTMLTextAreaElement) return true;
  if (target instanceof HTMLSelectElement) return true; // typing a letter picks an option
  if (!(target instanceof HTMLInputElement)) return false;
  return !['button', 'checkbox', 'radio', 'submit', 'reset', 'range', 'color', 'file', 'image'].includes(target.type);
}

/** The parts a key is shown as: ["Ctrl", "Shift", "T"]. */
export function keyParts(spec: string): string[] {
  const k = parseKey(spec);
  const parts: string[] = [];
  if (k.control) parts.push('Ctrl');
  if (k.alt) parts.push('Alt');
  if (k.shift) parts.push('Shift');
  if (k.meta) parts.push('Meta');
  parts.push(k.key === ' ' ? 'Space' : k.key);
  return parts;
}
