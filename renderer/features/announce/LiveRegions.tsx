/**
 * The page's two live regions, mounted with the desk and never removed, so what is put in them is
 * spoken: assertive for what rings (a call, a transfer offer — with its contact, outcome and note),
 * polite for how a transfer stands and for short answers to shortcuts.
 *
 * Something ringing also takes focus (its Answer or Accept) when the agent is not in the middle of
 * something: focus on nothing, or on a control outside any form.
 */
import { useEffect, useRef, useState } from 'react';
import type { TransferView } from '../../../shared/transfer/view.js';
import { useAppDispatch, useAppSelector } from '../../app/store.js';
import { callName, selectIncomingCalls, selectRingingTransfers, selectTransfers } from '../desk/selectors.js';
import { focusRequested } from '../desk/workspaceSlice.js';
import { isTextEntry } from '../shortcuts/keymap.js';
import { useKeymap } from '../shortcuts/KeyHint.js';
import { transferHeadline } from '../transfer/transferLabels.js';

export function offerText(t: TransferView): string {
  const method = t.state.method === 'cold' ? 'Cold transfer' : 'Warm transfer';
  const contact = t.contact?.name ?? 'a contact';
  const outcome = t.outcome?.label ? `, ${t.outcome.label}` : '';
  const note = t.note ? ` Note: ${t.note}` : '';
  return `${method} from ${t.counterpart.name}: ${contact}${outcome}.${note}`;
}

function busyElsewhere(): boolean {
  const active = document.activeElement;
  if (active === null || active === document.body) return false;
  // Forms are where the agent writes (dialer, transfer, wrap-up); the state picker and buttons are not.
  return active.closest('form, dialog[open]') !== null || (isTextEntry(active) && !(active instanceof HTMLSelectElement));
}

/** The same words twice are not spoken again unless the text changes: alternate a trailing space. */
function fresh(previous: string, next: string): string {
  return previous === next ? `${next}\u00a0` : next;
}

export function LiveRegions() {
  const incoming = useAppSelector(selectIncomingCalls);
  const offers = useAppSelector(selectRingingTransfers);
  const transfers = useAppSelector(selectTransfers);
  const announcement = useAppSelector((s) => s.workspace.announcement);
  const keymap = useKeymap();
  const dispatch = useAppDispatch();
  const [urgent, setUrgent] = useState('');
  const [status, setStatus] = useState('');
  const rung = useRef(new Set<string>());
  const headlines = useRef(new Map<string, string>());

  useEffect(() => {
    const now = new Set<string>();
    const said: string[] = [];
    for (const call of incoming) {
      const key = `call:${call.id}`;
      now.add(key);
      if (!rung.current.has(key)) said.push(`Incoming call from ${callName(call)}.`);
    }
    for (const t of offers) {
      const key = `transfer:${t.id}`;
      now.add(key);
      if (!rung.current.has(key)) said.push(offerText(t));
    }
    rung.current = now;
    if (said.length === 0) return;
    // With more than one thing ringing, say what the answer key takes (plain calls come first) and
    // how to reach the transfer offer, rather than let "A answers" point at the wrong one.
    const first = incoming[0];
    const keys =
      incoming.length + offers.length > 1
        ? [
            first && keymap.answer && `${keymap.answer} answers ${callName(first)}`,
            offers.length > 0 && keymap.toasts && `${keymap.toasts} goes to the transfer offer`,
          ]
            .filter(Boolean)
            .join(', ')
        : [keymap.answer && `${keymap.answer} answers`, keymap.decline && `${keymap.decline} declines`].filter(Boolean).join(', ');
    // eslint-disable-next-line react-hooks/set-state-in-effect -- an announcement is an event (what changed since the last render, read against refs), not state derivable during render; the live region must re-render with it
    setUrgent((previous) => fresh(previous, `${said.join(' ')}${keys ? ` Press ${keys}.` : ''}`));
    if (!busyElsewhere()) dispatch(focusRequested({ kind: 'ringing' }));
  }, [incoming, offers, keymap, dispatch]);

  useEffect(() => {
    const seen = new Map<string, string>();
    let latest: string | null = null;
    for (const t of transfers) {
      const line = transferHeadline(t);
      seen.set(t.id, line);
      // An offer ringing here is the assertive region's; everything after it is a status.
      const ringingHere = t.role === 'recipient' && (t.state.phase === 'consultRinging' || t.state.phase === 'referring');
      if (headlines.current.get(t.id) !== line && !ringingHere) latest = line;
    }
    headlines.current = seen;
    if (latest !== null) {
      const line = latest;
      // eslint-disable-next-line react-hooks/set-state-in-effect -- an announcement is an event (what changed since the last render, read against refs), not state derivable during render; the live region must re-render with it
      setStatus((previous) => fresh(previous, line));
    }
  }, [transfers]);

  useEffect(() => {
    // eslint-disable-next-line react-hooks/set-state-in-effect -- an announcement is an event (what changed since the last render, read against refs), not state derivable during render; the live region must re-render with it
    if (announcement) setStatus((previous) => fresh(previous, announcement.text));
  }, [announcement]);

  return (
    <>
      <div id="live-urgent" className="visually-hidden" aria-live="assertive" aria-atomic="true">
        {urgent}
      </div>
      <div id="live-status" className="visually-hidden" role="status" aria-live="polite" aria-atomic="true">
        {status}
      </div>
    </>
  );
}
