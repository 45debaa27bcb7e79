/**
 * The call in front: the contact, the transfer in progress (status card with its own buttons), each
 * call leg with its controls, the transfer panel when open, and Details / History tabs.
 *
 * The warm views fall out of the same pieces: the initiator sees "Contact on hold" (the contact leg,
 * without Resume or Hang up, which the rules forbid), the consult leg and Complete; the recipient
 * sees the contact's info, note and history and Cancel; after completion, the contact's call with
 * "Take contact off hold".
 */
import type { KeyboardEvent } from 'react';
import type { CallView } from '../../../shared/desk.js';
import { useAppDispatch, useAppSelector } from '../../app/store.js';
import { callName, selectLiveCalls, selectTransfers, transferOfCall, userPart, workspaceLegs } from '../desk/selectors.js';
import { detailTabChosen } from '../desk/workspaceSlice.js';
import { HistoryTab } from '../history/HistoryTab.js';
import { TransferPanel } from '../transfer/TransferPanel.js';
import { TransferStatus } from '../transfer/TransferStatus.js';
import { LegCard } from './LegCard.js';

const TABS = ['details', 'history'] as const;

export function CallWorkspace({ call }: { readonly call: CallView }) {
  const calls = useAppSelector(selectLiveCalls);
  const transfers = useAppSelector(selectTransfers);
  const panelCallId = useAppSelector((s) => s.workspace.transferPanelCallId);
  const tab = useAppSelector((s) => s.workspace.detailTab);
  const dispatch = useAppDispatch();

  const transfer = transferOfCall(transfers, call);
  const { contactLeg, consultLeg, legs } = workspaceLegs(call, calls, transfers);
  const contactName = transfer?.contact?.name ?? (contactLeg ? callName(contactLeg) : callName(call));
  const contactNumber = transfer?.contact?.number ?? userPart((contactLeg ?? call).remote.uri);
  const contactId = transfer?.contact?.id ?? contactLeg?.contactId ?? null;
  const panelFor = legs.find((c) => c.id === panelCallId);

  const onTabKey = (event: KeyboardEvent): void => {
    if (event.key !== 'ArrowRight' && event.key !== 'ArrowLeft') return;
    const next = TABS[(TABS.indexOf(tab) + 1) % TABS.length] ?? 'details';
    dispatch(detailTabChosen(next));
    document.getElementById(`tab-${next}`)?.focus();
  };

  return (
    <div className="call-workspace">
      <header className="contact-header">
        <div className="avatar" aria-hidden="true">
          {contactName.slice(0, 1).toUpperCase()}
        </div>
        <div>
          <h1 className="contact-header__name" tabIndex={-1} data-workspace-heading="">
            {contactName}
          </h1>
          {contactNumber !== contactName && <span className="muted">{contactNumber}</span>}
        </div>
      </header>

      {transfer && <TransferStatus transfer={transfer} />}

      {legs.map((leg) => (
        <LegCard
          key={leg.id}
          call={leg}
          transfer={transfer}
          title={
            leg === consultLeg ? (transfer?.role === 'recipient' ? 'Consult from' : 'Consult with') : transfer ? 'Contact' : 'Call with'
          }
        />
      ))}

      {panelFor && <TransferPanel key={panelFor.id} callId={panelFor.id} contactName={contactName} />}

      <section className="card tabs-card" aria-label="Contact">
        <div className="tabs" role="tablist" aria-label="Contact" onKeyDown={onTabKey}>
          {TABS.map((t) => (
            <button
              key={t}
              id={`tab-${t}`}
              type="button"
              role="tab"
              aria-selected={tab === t}
              aria-controls={`tabpanel-${t}`}
              tabIndex={tab === t ? 0 : -1}
              className="tab"
              onClick={() => dispatch(detailTabChosen(t))}
            >
              {t === 'details' ? 'Details' : 'History'}
            </button>
          ))}
        </div>
        <div id={`tabpanel-${tab}`} role="tabpanel" aria-labelledby={`tab-${tab}`} className="tabpanel">
          {tab === 'details' ? (
            <dl className="facts">
              <div>
                <dt>Contact</dt>
                <dd>{contactName}</dd>
              </div>
              <div>
                <dt>Number</dt>
                <dd>{contactNumber}</dd>
              </div>
              <div>
                <dt>Direction</dt>
                <dd>{(contactLeg ?? call).direction === 'inbound' ? 'Inbound' : 'Outbound'}</dd>
              </div>
              <div>
                <dt>Started</dt>
                <dd>{new Date((contactLeg ?? call).startedAt).toLocaleTimeString()}</dd>
              </div>
            </dl>
          ) : (
            <HistoryTab contactId={contactId} contactName={contactName} />
          )}
        </div>
      </section>
    </div>
  );
}
