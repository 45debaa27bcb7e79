/**
 * Wrap-ups: which calls owe one (a plain answered call; a transfer's legs as the transfer rules
 * say), the kind of call each is for, and filing one — checked against IT's codes and note limit,
 * then written to the contact's History.
 */
import type { DispositionDueView, LabelledId } from '../../../shared/desk.js';
import { noteTooLong } from '../../../shared/notes.js';
import { dispositionApplies, type CallKind } from '../../../shared/provisioning/index.js';
import { historyToStore } from '../store/historyAdapter.js';
import type { DeskContext } from './deskContext.js';
import { DeskError } from './deskError.js';

const CALL_KIND_WORDS: Readonly<Record<CallKind, string>> = {
  inbound: 'an incoming call',
  outbound: 'a call you placed',
  'transferred-in': 'a call transferred to you',
  consult: 'a consult with a colleague',
};

export class Dispositions {
  constructor(private readonly ctx: DeskContext) {}

  isOwed(callId: string): boolean {
    return this.ctx.store.state.dispositionsDue.some((d) => d.callId === callId);
  }

  owe(callId: string, transferId: string | null, prefill: LabelledId | null): void {
    const { store, calls } = this.ctx;
    if (this.isOwed(callId)) return;
    const transfer = transferId ? this.ctx.signedIn()?.transfers.forCall(callId) : null;
    // A transfer leg is named for the contact (the consult leg's far end is only the colleague).
    const remote = transfer?.contact?.name ?? calls.get(callId)?.remote ?? '';
    const due: DispositionDueView = { callId, transferId, prefill, remote, callKind: this.callKindOf(callId) };
    store.update({ dispositionsDue: [...store.state.dispositionsDue, due] });
  }

  file(callId: string, codeId: string, note: string): void {
    const { store, calls, options } = this.ctx;
    const s = this.ctx.session();
    const due = store.state.dispositionsDue.find((d) => d.callId === callId);
    if (!due) throw new DeskError('no-disposition-due', 'This call has no disposition to file.');
    // The transfer outcome chosen in the panel is the initiator's result for its part of the call.
    const isPrefill = due.prefill?.id === codeId;
    const code = options.provisioning.dispositions.find((d) => d.id === codeId);
    if (!isPrefill && !code) throw new DeskError('unknown-code', 'Choose a disposition code from the list.');
    if (!isPrefill && code && !dispositionApplies(code, due.callKind, s.user.team)) {
      throw new DeskError(
        'code-not-applicable',
        `“${code.label}” is not a code your administrator allows for ${CALL_KIND_WORDS[due.callKind]}.`,
      );
    }
    const tooLong = noteTooLong(note, options.provisioning.policies.noteMaxLength);
    if (tooLong) throw new DeskError('note-too-long', tooLong);
    const result = s.agent.fileDisposition(callId, codeId, note);
    if (!result.ok) throw new DeskError(result.error.code, result.error.message);
    const contactId = calls.get(callId)?.contactId;
    if (contactId) {
      options.store.history.append([
        historyToStore({
          id: `${callId}:disposition`,
          contactId,
          at: new Date(this.ctx.now()).toISOString(),
          kind: 'disposition',
          actor: { id: s.user.id, name: s.user.displayName },
          outcome: { id: codeId, label: (isPrefill ? due.prefill?.label : code?.label) ?? codeId },
          ...(note ? { note } : {}),
        }),
      ]);
    }
    calls.forget(callId);
    store.update({ dispositionsDue: store.state.dispositionsDue.filter((d) => d.callId !== callId), drafts: store.draftsWithout(callId) });
    s.transfers.forgetFinished(); // the transfer named on this wrap-up may now leave the desk
  }

  /** The kind of call a wrap-up is for, which decides the codes that apply. */
  private callKindOf(callId: string): CallKind {
    const transfer = this.ctx.signedIn()?.transfers.forCall(callId);
    if (transfer?.consultCallId === callId) return 'consult';
    if (transfer?.role === 'recipient' && transfer.contactCallId === callId) return 'transferred-in';
    return this.ctx.calls.get(callId)?.direction ?? 'inbound';
  }
}
