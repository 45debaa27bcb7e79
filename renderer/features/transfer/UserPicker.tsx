/**
 * The colleague picker: search, live state badges, Ready and Dispositioning first (main sorts the
 * directory and marks `recommended`). Others stay pickable with a warning, unless policy blocks them.
 *
 * Every match is shown. Up to WHOLE_LIST_MAX matches render as plain radio lists; beyond that only
 * the rows in view are in the DOM (@tanstack/react-virtual), so a keystroke in a directory of
 * thousands repaints a screenful, not the directory. Native radios move between rendered rows only,
 * so the windowed list handles the arrow keys itself, with the same meaning: select and focus the
 * next (or previous) pickable colleague, scrolled into view.
 *
 * A keystroke's cost stays within a frame in a directory of 5,000 (npm run bench -- ui): each
 * entry's search text is lower-cased once, a query that extends an earlier one searches only its
 * matches, rows are made only for the window, and a row renders again only when its entry,
 * selection or policy changed.
 */
import { memo, useCallback, useEffect, useId, useMemo, useRef, useState, type KeyboardEvent, type ReactNode } from 'react';
import { useVirtualizer } from '@tanstack/react-virtual';
import type { DirectoryEntryView } from '../../../shared/desk.js';
import { StatusBadge } from '../agent/StatusBadge.js';

// About a screenful: a list this short costs less to lay out whole than to window, and keeps native
// radio keys; 200 whole rows took a keystroke past a frame (npm run bench -- ui).
const WHOLE_LIST_MAX = 40;
const ROW_PX = 52;
const GROUP_PX = 28;

type Row =
  { readonly kind: 'group'; readonly id: string; readonly text: string } | { readonly kind: 'entry'; readonly entry: DirectoryEntryView };

export interface UserPickerProps {
  readonly directory: readonly DirectoryEntryView[];
  readonly selectedId: string | null;
  readonly policy: 'warn' | 'block' | 'allow';
  readonly onSelect: (userId: string) => void;
  readonly autoFocus?: boolean;
}

/**
 * Name, user id and team, lower-cased; a query (one line) matches within one of them. Kept per
 * entry object: a patch replaces only the entries that changed, so a presence change costs one
 * string, not the directory's.
 */
const searchTexts = new WeakMap<DirectoryEntryView, string>();
function searchText(entry: DirectoryEntryView): string {
  let text = searchTexts.get(entry);
  if (text === undefined) {
    text = `${entry.name}\n${entry.userId}\n${entry.team}`.toLowerCase();
    searchTexts.set(entry, text);
  }
  return text;
}

interface Matches {
  readonly recommended: readonly DirectoryEntryView[];
  readonly others: readonly DirectoryEntryView[];
}

/** The matches, split as shown: recommended first, then the others. */
function matches(directory: readonly DirectoryEntryView[], q: string): Matches {
  const recommended: DirectoryEntryView[] = [];
  const others: DirectoryEntryView[] = [];
  for (const entry of directory) {
    if (q && !searchText(entry).includes(q)) continue;
    (entry.recommended ? recommended : others).push(entry);
  }
  return { recommended, others };
}

/** Queries answered per directory (collected with it), kept for the next keystroke. */
const answered = new WeakMap<readonly DirectoryEntryView[], Map<string, Matches>>();
const MATCHES_KEPT = 64;

/**
 * The matches for `q`, from what earlier queries found in the same directory: a query that extends
 * one already answered searches only that one's matches (typing on), and one answered before is
 * not searched again (deleting back).
 */
function matchesFrom(directory: readonly DirectoryEntryView[], q: string): Matches {
  let cache = answered.get(directory);
  if (!cache || cache.size > MATCHES_KEPT) {
    cache = new Map();
    answered.set(directory, cache);
  }
  const known = cache.get(q);
  if (known) return known;
  let narrowest: Matches | undefined;
  let narrowestLength = -1;
  for (const [query, found] of cache) {
    if (query.length > narrowestLength && q.startsWith(query)) {
      narrowest = found;
      narrowestLength = query.length;
    }
  }
  const result = narrowest
    ? {
        recommended: narrowest.recommended.filter((e) => searchText(e).includes(q)),
        others: narrowest.others.filter((e) => searchText(e).includes(q)),
      }
    : matches(directory, q);
  cache.set(q, result);
  return result;
}

interface OptionProps {
  readonly entry: DirectoryEntryView;
  readonly group: string;
  readonly selected: boolean;
  readonly blocked: boolean;
  readonly onSelect: (userId: string) => void;
}

/** One colleague; renders again only when its entry, selection or policy changed. */
const Option = memo(function Option({ entry, group, selected, blocked, onSelect }: OptionProps) {
  return (
    <label className={`user-option${selected ? ' user-option--selected' : ''}${blocked ? ' user-option--blocked' : ''}`}>
      <input type="radio" name={group} value={entry.userId} checked={selected} disabled={blocked} onChange={() => onSelect(entry.userId)} />
      <span className="user-option__who">
        <span className="user-option__name">{entry.name}</span>
        <span className="user-option__team muted">{entry.team}</span>
      </span>
      <StatusBadge status={entry.status} />
    </label>
  );
});

export function UserPicker({ directory, selectedId, policy, onSelect, autoFocus }: UserPickerProps) {
  const blockNonRecommended = policy === 'block';
  const [query, setQuery] = useState('');
  const name = useId();
  const q = query.trim().toLowerCase();
  const { recommended, others } = useMemo(() => matchesFrom(directory, q), [directory, q]);
  const found = recommended.length + others.length;
  // State, not a ref: the windowed list renders again once its scroll container exists.
  const [listElement, setListElement] = useState<HTMLDivElement | null>(null);
  // The rows keep one callback whatever the parent passes, so a render of the panel re-renders no row.
  const onSelectRef = useRef(onSelect);
  useEffect(() => {
    onSelectRef.current = onSelect;
  });
  const select = useCallback((userId: string) => onSelectRef.current(userId), []);
  const groupIds = useMemo<readonly [string, string]>(() => [`${name}-rec`, `${name}-other`], [name]);
  const otherTitle =
    policy === 'block'
      ? 'Other states — not available for transfer'
      : policy === 'warn'
        ? 'Other states — not recommended'
        : 'Other states';

  const option = (entry: DirectoryEntryView): ReactNode => (
    <Option
      entry={entry}
      group={name}
      selected={entry.userId === selectedId}
      blocked={blockNonRecommended && !entry.recommended}
      onSelect={select}
    />
  );

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
          const selectable = blockNonRecommended ? recommended : [...recommended, ...others];
          if (selectable.length === 1 && selectable[0]) onSelect(selectable[0].userId);
        }}
      />
      <div className="user-picker__list" ref={setListElement}>
        {found === 0 && <p className="muted">No colleague matches “{query}”.</p>}
        {found > WHOLE_LIST_MAX ? (
          <WindowedOptions
            scroller={listElement}
            recommended={recommended}
            others={others}
            groupIds={groupIds}
            otherTitle={otherTitle}
            selectable={(e) => !(blockNonRecommended && !e.recommended)}
            onSelect={select}
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
  // Rows by index, made for the rows in view only: a keystroke builds no list of thousands.
  const recHeader = recommended.length > 0 ? 1 : 0;
  const othersHeaderAt = recHeader + recommended.length;
  const othersStart = othersHeaderAt + (others.length > 0 ? 1 : 0);
  const count = othersStart + others.length;
  const rowAt = (index: number): Row | undefined => {
    if (index < recHeader) return { kind: 'group', id: groupIds[0], text: 'Recommended — Ready or Dispositioning' };
    if (index < othersHeaderAt) {
      const entry = recommended[index - recHeader];
      return entry && { kind: 'entry', entry };
    }
    if (index < othersStart) return { kind: 'group', id: groupIds[1], text: otherTitle };
    const entry = others[index - othersStart];
    return entry && { kind: 'entry', entry };
  };
  const indexOf = (userId: string): number => {
    const inRecommended = recommended.findIndex((e) => e.userId === userId);
    if (inRecommended >= 0) return recHeader + inRecommended;
    const inOthers = others.findIndex((e) => e.userId === userId);
    return inOthers >= 0 ? othersStart + inOthers : -1;
  };
  // The build runs no React Compiler, so nothing memoizes around the virtualizer's functions; the
  // picker reads them afresh on each render, which is what TanStack Virtual expects.
  // eslint-disable-next-line react-hooks/incompatible-library -- see above
  const virtualizer = useVirtualizer({
    count,
    getScrollElement: () => scroller,
    estimateSize: (index) =>
      (index === 0 && recHeader === 1) || (index === othersHeaderAt && othersStart > othersHeaderAt) ? GROUP_PX : ROW_PX,
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
    const step =
      event.key === 'ArrowDown' || event.key === 'ArrowRight' ? 1 : event.key === 'ArrowUp' || event.key === 'ArrowLeft' ? -1 : 0;
    if (step === 0 || !(event.target instanceof HTMLInputElement)) return;
    event.preventDefault();
    const from = indexOf(event.target.value);
    for (let i = from + step, tries = 0; tries < count; i += step, tries++) {
      const index = (i + count) % count; // wraps, as native radio groups do
      const row = rowAt(index);
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
        const row = rowAt(item.index);
        if (!row) return null;
        return (
          <div
            key={row.kind === 'group' ? row.id : row.entry.userId}
            data-index={item.index}
            // Fixed heights, not measured: a measurement that differed from the estimate would lay the
            // list out a second time within the keystroke's frame.
            style={{ position: 'absolute', top: 0, left: 0, right: 0, height: item.size, transform: `translateY(${item.start}px)` }}
          >
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
