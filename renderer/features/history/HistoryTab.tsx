/** The History tab of a contact: fetched from main's store when shown, refreshable. */
import { useCallback, useEffect } from 'react';
import { useSend } from '../../app/commands.js';
import { useAppDispatch, useAppSelector } from '../../app/store.js';
import { historyFailed, historyLoaded, historyRequested } from './historySlice.js';
import { HistoryList } from './HistoryList.js';

export function HistoryTab({ contactId, contactName }: { readonly contactId: string | null; readonly contactName: string }) {
  const cache = useAppSelector((s) => (contactId ? s.history[contactId] : undefined));
  const send = useSend();
  const dispatch = useAppDispatch();

  const load = useCallback(async () => {
    if (!contactId) return;
    dispatch(historyRequested(contactId));
    const outcome = await send('history.list', { contactId }, { quiet: true });
    if (outcome.ok) dispatch(historyLoaded({ contactId, entries: outcome.value }));
    else dispatch(historyFailed({ contactId, error: outcome.error.message }));
  }, [contactId, dispatch, send]);

  useEffect(() => {
    void load();
  }, [load]);

  if (!contactId) return <p className="muted">This call is not linked to a contact record.</p>;
  return (
    <div className="history-tab">
      <div className="history-tab__bar">
        <span className="muted">{cache?.status === 'loading' ? 'Loading…' : `${cache?.entries.length ?? 0} entries`}</span>
        <button type="button" className="button button--small" onClick={() => void load()}>
          Refresh
        </button>
      </div>
      {cache?.status === 'failed' && (
        <p className="message message--error" role="alert">
          {cache.error}
        </p>
      )}
      <HistoryList entries={cache?.entries ?? []} label={`History of ${contactName}`} />
    </div>
  );
}
