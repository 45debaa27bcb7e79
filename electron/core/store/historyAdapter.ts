/**
 * Between the History entries the desk and transfer contexts speak (shared/history.ts: names and
 * labels included, ISO times) and the rows the store keeps (ids only; names come from the roster).
 */
import { isContactHistoryKind, senderOfReceivedId, type ContactHistoryEntry } from '../../../shared/history.js';
import type { StoredHistoryEntry } from './contactHistory.js';

export function historyToStore(entry: ContactHistoryEntry, origin: StoredHistoryEntry['origin'] = 'local'): StoredHistoryEntry {
  const at = Date.parse(entry.at);
  return {
    id: entry.id,
    contactId: entry.contactId,
    at: Number.isFinite(at) ? at : 0,
    kind: entry.kind,
    actor: entry.actor.id,
    ...(entry.outcome ? { outcomeId: entry.outcome.id } : {}),
    ...(entry.note ? { note: entry.note } : {}),
    ...(entry.detail ? { detail: entry.detail } : {}),
    origin,
  };
}

/**
 * `names` maps roster ids to display names and `outcome:<id>` to labels. A received entry says whose
 * transfer brought it: the colleague its id is namespaced under, or (the desk's own account of the
 * transfer, written as received) its actor.
 */
export function historyFromStore(entry: StoredHistoryEntry, names: ReadonlyMap<string, string>): ContactHistoryEntry {
  const kind = isContactHistoryKind(entry.kind) ? entry.kind : 'call';
  const name = (id: string): { id: string; name: string } => ({ id, name: names.get(id) ?? id });
  const via = entry.origin === 'transfer' ? name(senderOfReceivedId(entry.id) ?? entry.actor) : undefined;
  return {
    id: entry.id,
    contactId: entry.contactId,
    at: new Date(entry.at).toISOString(),
    kind,
    actor: { id: entry.actor, name: names.get(entry.actor) ?? entry.actor },
    ...(entry.outcomeId ? { outcome: { id: entry.outcomeId, label: names.get(`outcome:${entry.outcomeId}`) ?? entry.outcomeId } } : {}),
    ...(entry.note ? { note: entry.note } : {}),
    ...(entry.detail ? { detail: entry.detail } : {}),
    origin: entry.origin,
    ...(via ? { via } : {}),
  };
}
