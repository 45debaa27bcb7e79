/**
 * The renderer's Confirm transfer, checked against IT's policies before the transfers see it: the
 * target (a roster colleague, recommended or acknowledged; or a number the dial plan allows), the
 * outcome, the note's length. Then the choice is remembered and the panel's draft dropped.
 */
import { isRecommendedTransferTarget, statusLabel } from '../../../shared/agentState.js';
import type { ValidatedPayload } from '../../../shared/ipc.js';
import { noteTooLong } from '../../../shared/notes.js';
import { outcomeApplies, type TransferOutcome } from '../../../shared/provisioning/index.js';
import { checkNumber, externalUri } from '../../../shared/transfer/dialPlan.js';
import { isSettled } from '../../../shared/transfer/index.js';
import { historyFromStore } from '../store/historyAdapter.js';
import type { StartTransfer, TransferView } from '../transfer/transfers.js';
import { contactIdFor, userOf } from './callLedger.js';
import type { DeskContext, SignedIn } from './deskContext.js';
import { DeskError } from './deskError.js';
import { externalView, historyNames } from './deskView.js';

type StartPayload = ValidatedPayload<'transfer.start'>;

/** How much of the contact's History travels in a colleague's transfer context. */
const HISTORY_IN_CONTEXT = 20;

export class TransferCommands {
  constructor(private readonly ctx: DeskContext) {}

  async start(p: StartPayload): Promise<{ transferId: string }> {
    if (p.number !== undefined) return this.startExternal(p, p.number);
    const s = this.ctx.session();
    const doc = this.ctx.options.provisioning;
    const target = doc.roster.find((u) => u.id === p.userId);
    if (!target || target.id === s.user.id) throw new DeskError('unknown-target', 'Choose a colleague from the list.');
    const outcome = this.checkOutcomeAndNote(s, p);
    const status = s.directory.entry(target.id)?.status ?? { kind: 'Offline' };
    if (!isRecommendedTransferTarget(status)) {
      const policy = doc.policies.nonRecommendedTransfer;
      if (policy === 'block')
        throw new DeskError(
          'target-not-recommended',
          `${target.displayName} is ${statusLabel(status)}; your administrator allows transfers only to Ready or Dispositioning colleagues.`,
        );
      if (policy === 'warn' && !p.acknowledgedWarning) {
        throw new DeskError('target-not-recommended-unconfirmed', `${target.displayName} is ${statusLabel(status)}. Transfer anyway?`);
      }
    }
    const repeat = this.repeatedConfirm(s, p, target.sipUri);
    if (repeat) return repeat;
    const contactId = this.contactIdOf(p.callId);
    const view = await this.startOn(s, p, outcome, {
      recipient: { userId: target.id, name: target.displayName, uri: target.sipUri },
      history: this.ctx.options.store.history
        .list(contactId, { limit: HISTORY_IN_CONTEXT })
        .map((e) => historyFromStore(e, historyNames(doc)))
        .reverse(),
    });
    if (doc.policies.rememberChoices) {
      this.ctx.options.store.choices.set(s.user.id, 'user-transfer', {
        userId: target.id,
        outcomeId: outcome.id,
        method: p.method,
        updatedAt: this.ctx.now(),
      });
      this.ctx.store.update({
        remembered: { userId: target.id, outcomeId: outcome.id, method: p.method },
        // The panel opens on the kind of the last transfer, which this one now is.
        external: externalView(doc, this.ctx.options.store.choices, s.user.id),
      });
    }
    this.dropDraft(p.callId);
    return { transferId: view.id };
  }

  /**
   * To a number outside the directory: refused, with the dial plan's reason, unless IT's plan allows
   * it; dialled in E.164 through the SIP server. Same outcome, note and History as for a colleague.
   */
  private async startExternal(p: StartPayload, number: string): Promise<{ transferId: string }> {
    const s = this.ctx.session();
    const doc = this.ctx.options.provisioning;
    const verdict = checkNumber(number, doc.dialPlan);
    if (!verdict.ok) throw new DeskError(`dial-plan-${verdict.code}`, verdict.message);
    const outcome = this.checkOutcomeAndNote(s, p);
    const uri = externalUri(verdict.e164, doc.sip.domain);
    const repeat = this.repeatedConfirm(s, p, uri);
    if (repeat) return repeat;
    // IT's name for a speed-dial number; otherwise the number as the agent reads it.
    const speedDial = doc.dialPlan?.speedDial.find((entry) => {
      const known = checkNumber(entry.number, doc.dialPlan);
      return known.ok && known.e164 === verdict.e164;
    });
    const name = speedDial?.name ?? verdict.display;
    const view = await this.startOn(s, p, outcome, { recipient: { kind: 'external', number: verdict.e164, name, uri } });
    if (doc.policies.rememberChoices) {
      const { choices } = this.ctx.options.store;
      choices.set(s.user.id, 'external-transfer', {
        userId: verdict.e164,
        outcomeId: outcome.id,
        method: p.method,
        updatedAt: this.ctx.now(),
      });
      choices.addRecentNumber(s.user.id, { number: verdict.e164, name, usedAt: this.ctx.now() });
      this.ctx.store.update({ external: externalView(doc, choices, s.user.id) });
    }
    this.dropDraft(p.callId);
    return { transferId: view.id };
  }

  private checkOutcomeAndNote(s: SignedIn, p: StartPayload): TransferOutcome {
    const doc = this.ctx.options.provisioning;
    const outcome = doc.outcomes.find((o) => o.id === p.outcomeId);
    if (!outcome) throw new DeskError('unknown-outcome', 'Choose an outcome from the list.');
    if (!outcomeApplies(outcome, p.method, s.user.team)) {
      throw new DeskError(
        'outcome-not-applicable',
        `“${outcome.label}” is not an outcome your administrator allows for a ${p.method} transfer from your team.`,
      );
    }
    const tooLong = noteTooLong(p.note, doc.policies.noteMaxLength);
    if (tooLong) throw new DeskError('note-too-long', tooLong);
    return outcome;
  }

  /**
   * A Confirm repeated while this call's transfer is under way is judged by that transfer (the same
   * one again is a no-op, another is refused): nothing is sent, held or remembered.
   */
  private repeatedConfirm(s: SignedIn, p: StartPayload, targetUri: string): { transferId: string } | null {
    this.ctx.call(p.callId); // a call that has ended is refused as such
    const underway = s.transfers.forCall(p.callId);
    if (underway === null || underway.role !== 'initiator' || isSettled(underway.state.phase)) return null;
    return { transferId: s.transfers.confirmAgain(underway.id, p.method, targetUri).id };
  }

  private startOn(
    s: SignedIn,
    p: StartPayload,
    outcome: TransferOutcome,
    to: Pick<StartTransfer, 'recipient' | 'history'>,
  ): Promise<TransferView> {
    const call = this.ctx.call(p.callId);
    const contactId = this.contactIdOf(p.callId);
    const start = (): Promise<TransferView> =>
      s.transfers.start({
        method: p.method,
        contactCallId: p.callId,
        ...to,
        outcome: { id: outcome.id, label: outcome.label },
        note: p.note,
        contact: { id: contactId, name: call.remoteName ?? userOf(call.remoteUri), number: userOf(call.remoteUri) },
      });
    // A consult is a new conversation: whatever else is live is held before the colleague answers.
    return p.method === 'warm' ? s.live.run(p.callId, start) : start();
  }

  private contactIdOf(callId: string): string {
    return this.ctx.calls.get(callId)?.contactId ?? contactIdFor(this.ctx.call(callId));
  }

  private dropDraft(callId: string): void {
    const { [`transfer:${callId}`]: _sent, ...drafts } = this.ctx.store.state.drafts;
    this.ctx.store.update({ drafts });
  }
}
