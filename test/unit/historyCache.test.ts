/**
 * The renderer's History cache (renderer/features/history/historySlice.ts) keeps the newest contacts
 * asked for, not every contact of the shift: History itself lives in main's SQLite file.
 */
import { describe, expect, it } from 'vitest';
import { HISTORY_CACHE_CONTACTS, historyLoaded, historyReducer, historyRequested } from '../../renderer/features/history/historySlice.js';

describe('History cache', () => {
  it('keeps the newest contacts, the one asked for again included, and drops the oldest', () => {
    let state = historyReducer(undefined, { type: '@@init' });
    for (let i = 0; i < HISTORY_CACHE_CONTACTS + 5; i += 1) {
      state = historyReducer(state, historyRequested(`tel:${i}`));
      state = historyReducer(state, historyLoaded({ contactId: `tel:${i}`, entries: [] }));
    }
    expect(Object.keys(state)).toHaveLength(HISTORY_CACHE_CONTACTS);
    expect(state['tel:0']).toBeUndefined();
    expect(state[`tel:${HISTORY_CACHE_CONTACTS + 4}`]?.status).toBe('ready');
    // Asked for again: it becomes the newest and survives the next ones.
    state = historyReducer(state, historyRequested('tel:5'));
    for (let i = 100; i < 100 + HISTORY_CACHE_CONTACTS - 1; i += 1) state = historyReducer(state, historyRequested(`tel:${i}`));
    expect(state['tel:5']?.status).toBe('loading');
    expect(state['tel:6']).toBeUndefined();
  });
});
