/**
 * The colleague picker: search, live state badges, Ready and Dispositioning first (main sorts the
 * directory and marks `recommended`). Others stay pickable with a warning, unless policy blocks them.
 */
import { useId, useMemo, useState } from 'react';
import type { DirectoryEntryView } from '../../../shared/desk.js';
import { StatusBadge } from '../agent/StatusBadge.js';

const MAX_SHOWN = 100;

export interface UserPickerProps {
  readonly directory: readonly DirectoryEntryView[];
  readonly selectedId: string | null;
  readonly policy: 'warn' | 'block' | 'allow';
  readonly onSelect: (userId: string) => void;
  readonly autoFocus?: boolean;
}

function matches(entry: DirectoryEntryView, query: string): boolean {
  if (!query) return true;
  return entry.name.toLowerCase().includes(query) || entry.userId.toLowerCase().includes(query) || entry.team.toLowerCase().includes(query);
}

export function UserPicker({ directory, selectedId, policy, onSelect, autoFocus }: UserPickerProps) {
  const blockNonRecommended = policy === 'block';
  const [query, setQuery] = useState('');
  const name = useId();
  const q = query.trim().toLowerCase();
  const found = useMemo(() => directory.filter((e) => matches(e, q)), [directory, q]);
  const shown = found.slice(0, MAX_SHOWN);
  const recommended = shown.filter((e) => e.recommended);
  const others = shown.filter((e) => !e.recommended);

  const option = (entry: DirectoryEntryView) => {
    const blocked = blockNonRecommended && !entry.recommended;
    return (
      <li key={entry.userId}>
        <label className={`user-option${entry.userId === selectedId ? ' user-option--selected' : ''}${blocked ? ' user-option--blocked' : ''}`}>
          <input type="radio" name={name} value={entry.userId} checked={entry.userId === selectedId} disabled={blocked} onChange={() => onSelect(entry.userId)} />
          <span className="user-option__who">
            <span className="user-option__name">{entry.name}</span>
            <span className="user-option__team muted">{entry.team}</span>
          </span>
          <StatusBadge status={entry.status} />
        </label>
      </li>
    );
  };

  return (
    <fieldset className="user-picker">
      <legend className="field__label">Colleague</legend>
      <input
        type="search"
        className="user-picker__search"
        aria-label="Search colleagues"
        placeholder="Search by name, user or team"
        value={query}
        autoFocus={autoFocus}
        onChange={(e) => setQuery(e.target.value)}
      />
      <div className="user-picker__list">
        {found.length === 0 && <p className="muted">No colleague matches “{query}”.</p>}
        {recommended.length > 0 && (
          <>
            <p className="user-picker__group" id={`${name}-rec`}>
              Recommended — Ready or Dispositioning
            </p>
            <ul aria-labelledby={`${name}-rec`}>{recommended.map(option)}</ul>
          </>
        )}
        {others.length > 0 && (
          <>
            <p className="user-picker__group" id={`${name}-other`}>
              {policy === 'block' ? 'Other states — not available for transfer' : policy === 'warn' ? 'Other states — not recommended' : 'Other states'}
            </p>
            <ul aria-labelledby={`${name}-other`}>{others.map(option)}</ul>
          </>
        )}
        {found.length > MAX_SHOWN && (
          <p className="muted">
            Showing {MAX_SHOWN} of {found.length}. Type to narrow the list.
          </p>
        )}
      </div>
    </fieldset>
  );
}
