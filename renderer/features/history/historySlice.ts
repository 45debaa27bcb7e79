/** A contact's History tab: entries fetched from main (`history.list`), cached per contact. */
import { createSlice, type PayloadAction } from '@reduxjs/toolkit';
import type { ContactHistoryEntry } from '../../../shared/history.js';

export interface ContactHistoryCache {
  readonly status: 'loading' | 'ready' | 'failed';
  readonly entries: readonly ContactHistoryEntry[];
  readonly error: string | null;
}

export type HistoryState = Readonly<Record<string, ContactHistoryCache>>;

/** Contacts whose History stays cached: the newest asked for. A shift's hundreds of contacts live in SQLite. */
export const HISTORY_CACHE_CONTACTS = 20;

/** The cache with `contactId` set to `entry`, as the newest; the oldest beyond the bound dropped. */
function remember(state: HistoryState, contactId: string, entry: ContactHistoryCache): HistoryState {
  const { [contactId]: _previous, ...others } = state;
  const keep = Object.entries(others).slice(-(HISTORY_CACHE_CONTACTS - 1));
  return { ...Object.fromEntries(keep), [contactId]: entry };
}

const initialState: HistoryState = {};

const historySlice = createSlice({
  name: 'history',
  initialState,
  reducers: {
    historyRequested(state, action: PayloadAction<string>) {
      const before = state[action.payload];
      return remember(state, action.payload, { status: 'loading', entries: before?.entries ?? [], error: null });
    },
    historyLoaded(state, action: PayloadAction<{ contactId: string; entries: readonly ContactHistoryEntry[] }>) {
      return remember(state, action.payload.contactId, { status: 'ready', entries: action.payload.entries, error: null });
    },
    historyFailed(state, action: PayloadAction<{ contactId: string; error: string }>) {
      const before = state[action.payload.contactId];
      return remember(state, action.payload.contactId, { status: 'failed', entries: before?.entries ?? [], error: action.payload.error });
    },
  },
});

export const { historyRequested, historyLoaded, historyFailed } = historySlice.actions;
export const historyReducer = historySlice.reducer;
