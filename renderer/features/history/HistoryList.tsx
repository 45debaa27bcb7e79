/** A contact's history entries, newest first: what happened, who, outcome and note. */
import type { ContactHistoryEntry, ContactHistoryKind } from '../../../shared/history.js';

const KIND: Readonly<Record<ContactHistoryKind, string>> = {
  call: 'Call',
  'transfer-started': 'Transfer started',
  'transfer-completed': 'Transfer completed',
  'transfer-cancelled': 'Transfer cancelled',
  'transfer-failed': 'Transfer failed',
  disposition: 'Disposition',
};

const timeFormat = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });

function when(iso: string): string {
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? iso : timeFormat.format(date);
}

export function HistoryList({ entries, label }: { readonly entries: readonly ContactHistoryEntry[]; readonly label: string }) {
  if (entries.length === 0) return <p className="muted">No history for this contact yet.</p>;
  const sorted = [...entries].sort((a, b) => (a.at < b.at ? 1 : a.at > b.at ? -1 : 0));
  return (
    <ol className="history" aria-label={label}>
      {sorted.map((e) => (
        <li key={e.id} className={`history__entry history__entry--${e.kind}`}>
          <div className="history__head">
            <strong>{KIND[e.kind] ?? e.kind}</strong>
            {e.outcome && <span className="tag">{e.outcome.label}</span>}
            <time className="muted history__time" dateTime={e.at}>
              {when(e.at)}
            </time>
          </div>
          <div className="history__by muted">
            {e.actor.name}
            {e.detail ? ` — ${e.detail}` : ''}
            {e.origin === 'transfer' ? ` (from ${e.via ? `${e.via.name}’s` : 'a colleague’s'} transfer)` : ''}
          </div>
          {e.note && <p className="history__note">{e.note}</p>}
        </li>
      ))}
    </ol>
  );
}
