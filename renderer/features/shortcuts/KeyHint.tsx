/**
 * A shortcut shown on the button it presses. The hint is hidden from assistive technology, which
 * gets the same key from `aria-keyshortcuts` (see `keyShortcut`), so the button's name stays its words.
 */
import { useMemo } from 'react';
import { useAppSelector } from '../../app/store.js';
import { keyParts, resolveKeymap, type Keymap, type ShortcutAction } from './keymap.js';

export function useKeymap(): Keymap {
  const overrides = useAppSelector((s) => s.desk.desk?.policies.shortcuts?.keys);
  return useMemo(() => resolveKeymap(overrides), [overrides]);
}

export function Keys({ spec }: { readonly spec: string }) {
  const parts = keyParts(spec);
  return (
    <>
      {parts.map((part, i) => (
        <span key={`${part}-${i}`}>
          {i > 0 && '+'}
          <kbd>{part}</kbd>
        </span>
      ))}
    </>
  );
}

export function KeyHint({ spec }: { readonly spec: string | null }) {
  if (spec === null) return null;
  return (
    <span className="key-hint" aria-hidden="true">
      <Keys spec={spec} />
    </span>
  );
}

/** The props a control gets when `action`'s key presses it: the hint's text for assistive technology. */
export function keyShortcut(keymap: Keymap, action: ShortcutAction, active: boolean): { 'aria-keyshortcuts'?: string } {
  const spec = keymap[action];
  return active && spec !== null ? { 'aria-keyshortcuts': spec } : {};
}
