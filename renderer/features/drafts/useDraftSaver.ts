/**
 * Form drafts live in main (`draft.save`), so a reloaded window gets the half-typed note back.
 * Saves ~300 ms after the last change; `cancel()` drops a pending save (call it before the command
 * that consumes the draft — main deletes the draft then, and a late save would bring it back).
 */
import { useCallback, useEffect, useRef } from 'react';
import { useSend } from '../../app/commands.js';
import { useAppSelector } from '../../app/store.js';

export type DraftFields = Readonly<Record<string, string | boolean | null>>;

const DEBOUNCE_MS = 300;

export function useDraft(key: string): DraftFields | null {
  return useAppSelector((s) => s.desk.desk?.drafts[key] ?? null);
}

export function useDraftSaver(key: string, fields: DraftFields): { readonly cancel: () => void } {
  const send = useSend();
  const timer = useRef<number | null>(null);
  const lastSaved = useRef<string>(JSON.stringify(fields));
  const serialized = JSON.stringify(fields);

  const cancel = useCallback(() => {
    if (timer.current !== null) window.clearTimeout(timer.current);
    timer.current = null;
  }, []);

  useEffect(() => {
    if (serialized === lastSaved.current) return;
    cancel();
    timer.current = window.setTimeout(() => {
      timer.current = null;
      lastSaved.current = serialized;
      void send('draft.save', { key, fields: JSON.parse(serialized) as DraftFields }, { quiet: true });
    }, DEBOUNCE_MS);
  }, [serialized, key, send, cancel]);

  useEffect(() => cancel, [cancel]);
  return { cancel };
}
