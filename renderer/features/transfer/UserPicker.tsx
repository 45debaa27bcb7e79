/**
 * The colleague picker: search, live state badges, Ready and Dispositioning first (main sorts the
 * directory and marks `recommended`). Others stay pickable with a warning, unless policy blocks them.
 *
 * Every match is shown. Up to WHOLE_LIST_MAX matches render as plain radio lists; beyond that only
 * the rows in view are in the DOM (@tanstack/react-virtual), so a keystroke in a directory of
 * thousands repaints a screenful, not the directory. Native radios move between rendered rows only,
 * so the windowed list handles the arrow keys itself, with the same meaning: select and focus the
 * next (or previous) pickable colleague, scrolled into view.
 */
import { useEffect, useId, useMemo, useRef, useState, type KeyboardEvent, type ReactNode } from 'react';
import { useVirtualizer } from '@tanstack/react-virtual';
import type { DirectoryEntryView } from '../../../shared/desk.js';
import { StatusBadge } from '../agent/StatusBadge.js';

const WHOLE_LIST_MAX = 200;
const ROW_PX = 52;
const GROUP_PX = 28;

type Row = { readonly kind: 'group'; readonly id: string; readonly text: string } | { readonly kind: 'entry'; readonly entry: DirectoryEntryView };

export interface UserPickerProps {
  readonly directory: readonly DirectoryEntryView[];
  readonly selectedId: string | null;
  readonly policy: 'warn' | 'block' | 'allow';
  readonly onSelect: (userId: string) => void;
  readonly autoFocus?: boolean;
}

/** Name, user id and team, lower-cased; a query (one line) matches within one of them. */
function searchText(entry: DirectoryEntryView): string {
  return `${entry.name}\n${entry.userId}\n${entry.team}`.toLowerCase();
}

export function UserPicker({ directory, selectedId, policy, onSelect, autoFocus }: UserPickerProps) {
  const blockNonRecommended = policy === 'block';
  const [query, setQuery] = useState('');
  const name = useId();
  const q = query.trim().toLowerCase();
  // Lower-cased once per directory change, not once per keystroke and entry.
  const haystacks = useMemo(() => directory.map(searchText), [directory]);
  const found = useMemo(() => (q ? directory.filter((_, i) => haystacks[i]?.includes(q)) : directory), [directory, haystacks, q]);
  // State, not a ref: the windowed list renders again once its scroll container exists.
  const [listElement, setListElement] = useState<HTMLDivElement | null>(null);
  const recommended = found.filter((e) => e.recommended);
  const others = found.filter((e) => !e.recommended);
  const otherTitle = policy === 'block' ? 'Other states — not available for transfer' : policy === 'warn' ? 'Other states — not recommended' : 'Other states';

  const option = (entry: DirectoryEntryView): ReactNode => {
    const blocked = blockNonRecommended && !entry.recommended;
    return (
      <label className={`user-option${entry.userId === selectedId ? ' user-option--selected' : ''}${blocked ? ' user-option--blocked' : ''}`}>
        <input type="radio" name={name} value={entry.userId} checked={entry.userId === selectedId} disabled={blocked} onChange={() => onSelect(entry.userId)} />
        <span className="user-option__who">
          <span className="user-option__name">{entry.name}</span>
          <span className="user-option__team muted">{entry.team}</span>
        </span>
        <StatusBadge status={entry.status} />
      </label>
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
        onKeyDown={(e) => {
          // Enter in the search box never confirms the transfer (the browser would submit the form,
          // to whoever was chosen before the search): it picks the match when there is just one.
          if (e.key !== 'Enter') return;
          e.preventDefault();
          const selectable = found.filter((entry) => !(blockNonRecommended && !entry.recommended));
          if (selectable.length === 1 && selectable[0]) onSelect(selectable[0].userId);
        }}
      />
      <div className="user-picker__list" ref={setListElement}>
        {found.length === 0 && <p className="muted">No colleague matches “{query}”.</p>}
        {found.length > WHOLE_LIST_MAX ? (
          <WindowedOptions
            scroller={listElement}
            recommended={recommended}
            others={others}
            groupIds={[`${name}-rec`, `${name}-other`]}
            otherTitle={otherTitle}
            selectable={(e) => !(blockNonRecommended && !e.recommended)}
            onSelect={onSelect}
            option={option}
          />
        ) : (
          <>
            {recommended.length > 0 && (
              <>
                <p className="user-picker__group" id={`${name}-rec`}>
                  Recommended — Ready or Dispositioning
                </p>
                <ul aria-labelledby={`${name}-rec`}>
                  {recommended.map((e) => (
                    <li key={e.userId}>{option(e)}</li>
                  ))}
                </ul>
              </>
            )}
            {others.length > 0 && (
              <>
                <p className="user-picker__group" id={`${name}-other`}>
                  {otherTitle}
                </p>
                <ul aria-labelledby={`${name}-other`}>
                  {others.map((e) => (
                    <li key={e.userId}>{option(e)}</li>
                  ))}
                </ul>
              </>
            )}
          </>
        )}
      </div>
    </fieldset>
  );
}

interface WindowedOptionsProps {
  /** The picker's list box, which scrolls. */
  readonly scroller: HTMLDivElement | null;
  readonly recommended: readonly DirectoryEntryView[];
  readonly others: readonly DirectoryEntryView[];
  readonly groupIds: readonly [string, string];
  readonly otherTitle: string;
  readonly selectable: (entry: DirectoryEntryView) => boolean;
  readonly onSelect: (userId: string) => void;
  readonly option: (entry: DirectoryEntryView) => ReactNode;
}

function WindowedOptions({ scroller, recommended, others, groupIds, otherTitle, selectable, onSelect, option }: WindowedOptionsProps) {
  const rows = useMemo<Row[]>(
    () => [
      ...(recommended.length > 0 ? [{ kind: 'group' as const, id: groupIds[0], text: 'Recommended — Ready or Dispositioning' }] : []),
      ...recommended.map((entry) => ({ kind: 'entry' as const, entry })),
      ...(others.length > 0 ? [{ kind: 'group' as const, id: groupIds[1], text: otherTitle }] : []),
      ...others.map((entry) => ({ kind: 'entry' as const, entry })),
    ],
    [recommended, others, groupIds, otherTitle],
  );
  const virtualizer = useVirtualizer({
    count: rows.length,
    getScrollElement: () => scroller,
    estimateSize: (index) => (rows[index]?.kind === 'group' ? GROUP_PX : ROW_PX),
    overscan: 8,
  });
  const focusAfterRender = useRef<string | null>(null);

  useEffect(() => {
    const id = focusAfterRender.current;
    if (id === null) return;
    const input = [...(scroller?.querySelectorAll<HTMLInputElement>('input[type=radio]') ?? [])].find((i) => i.value === id);
    if (input) {
      focusAfterRender.current = null;
      input.focus();
    }
  });

  const onKeyDown = (event: KeyboardEvent<HTMLDivElement>): void => {
    const step = event.key === 'ArrowDown' || event.key === 'ArrowRight' ? 1 : event.key === 'ArrowUp' || event.key === 'ArrowLeft' ? -1 : 0;
    if (step === 0 || !(event.target instanceof HTMLInputElement)) return;
    event.preventDefault();
    const from = rows.findIndex((r) => r.kind === 'entry' && r.entry.userId === (event.target as HTMLInputElement).value);
    for (let i = from + step, tries = 0; tries < rows.length; i += step, tries++) {
      const index = (i + rows.length) % rows.length; // wraps, as native radio groups do
      const row = rows[index];
      if (row?.kind !== 'entry' || !selectable(row.entry)) continue;
      focusAfterRender.current = row.entry.userId;
      onSelect(row.entry.userId);
      virtualizer.scrollToIndex(index, { align: 'auto' });
      return;
    }
  };

  return (
    <div style={{ height: virtualizer.getTotalSize(), position: 'relative' }} onKeyDown={onKeyDown}>
      {virtualizer.getVirtualItems().map((item) => {
        const row = rows[item.index];
        if (!row) return null;
        return (
          <div key={row.kind === 'group' ? row.id : row.entry.userId} data-index={item.index} ref={virtualizer.measureElement} style={{ position: 'absolute', top: 0, left: 0, right: 0, transform: `translateY(${item.start}px)` }}>
            {row.kind === 'group' ? (
              <p className="user-picker__group" id={row.id}>
                {row.text}
              </p>
            ) : (
              option(row.entry)
            )}
          </div>
        );
      })}
    </div>
  );
}
