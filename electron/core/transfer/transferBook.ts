/**
 * The transfers this desk keeps, and what every flow does with one: find it by id or call, feed it
 * an event (transferTransition) or check a command (checkAction), tell the desk, owe a wrap-up,
 * forget it once its last duty is done. The role modules (initiator.ts, recipient.ts) and the call
 * ends (callEnds.ts) all act through it, so there is one place where a transfer's state changes.
 */
import {
  checkAction,
  dispositionDue,
  isSettled,
  targetOf,
  transferTransition,
  type TransferAction,
  type TransferCall,
  type TransferEvent,
  type TransferView,
} from '../../../shared/transfer/index.js';
import { afterDeskHandledEnd } from '../callEndOrder.js';
import type { Call } from '../sip/call.js';
import { TypedEmitter } from '../typedEmitter.js';
import { clearLaterTimers, clearTimers, laterTimer } from './liveness.js';
import { SpentSecrets } from './spentSecrets.js';
import { TransferHistory } from './transferHistory.js';
import type { Transfer } from './transferRecord.js';
import { TransferNotFound, TransferRuleViolation, type TransferEvents, type TransfersOptions } from './transferTypes.js';
import { contactHeld, contactPresence, viewOf } from './transferView.js';

export class TransferBook {
  readonly events = new TypedEmitter<TransferEvents>();
  readonly history: TransferHistory;
  /** Secrets of recipient transfers forgotten here, remembered for a while. */
  readonly spent = new SpentSecrets();
  /**
   * Transfers the desk still shows: under way, or settled while one of their calls lasts, a wrap-up
   * for one of them is owed, or late news may still come (a `later` timer). Then they are forgotten,
   * so a shift of hundreds of transfers keeps only what is live.
   */
  private readonly transfers = new Map<string, Transfer>();
  private sweep: NodeJS.Immediate | undefined;
  private disposedFlag = false;

  constructor(private readonly options: TransfersOptions) {
    this.history = new TransferHistory(options.agent, options.history);
  }

  get log(): TransfersOptions['log'] {
    return this.options.log;
  }

  get disposed(): boolean {
    return this.disposedFlag;
  }

  add(t: Transfer): void {
    this.transfers.set(t.id, t);
  }

  has(id: string): boolean {
    return this.transfers.has(id);
  }

  get(id: string): Transfer | undefined {
    return this.transfers.get(id);
  }

  all(): Transfer[] {
    return [...this.transfers.values()];
  }

  find(id: string): Transfer {
    const t = this.transfers.get(id);
    if (!t) throw new TransferNotFound(`No transfer ${id}.`);
    return t;
  }

  /**
   * The transfer a call belongs to now: the newest it is part of. A contact whose transfer failed
   * may be transferred again; the rules of the new attempt are the ones that hold.
   */
  byCall(callId: string): Transfer | undefined {
    let current: Transfer | undefined;
    for (const t of this.transfers.values()) {
      if (t.contactCall?.id === callId || t.consultCall?.id === callId || t.failedAttempts.some((c) => c.id === callId)) current = t;
    }
    return current;
  }

  view(t: Transfer): TransferView {
    return viewOf(t);
  }

  /** Runs the rules for a command: throws when refused, false when it is a harmless repeat. */
  permit(t: Transfer, action: TransferAction): boolean {
    const check = checkAction(t.state.role, t.state.phase, contactHeld(t), action, targetOf(t.state), contactPresence(t));
    if (!check.ok) throw new TransferRuleViolation(check.error);
    return !check.noop;
  }

  /** Feeds an event to the machine; true when the transfer moved. */
  apply(t: Transfer, event: TransferEvent): boolean {
    const result = transferTransition(t.state, event);
    if (!result.ok || !result.changed) return false;
    t.state = result.state;
    const failure = t.state.failure;
    this.options.log?.[failure ? 'warn' : 'info'](`transfer ${t.state.role} ${t.state.method}: ${t.state.phase}`, {
      transferId: t.id,
      ...(failure ? { failure: failure.reason } : {}),
    });
    if (isSettled(t.state.phase) && t.state.phase !== 'completed') clearTimers(t);
    this.changed(t);
    return true;
  }

  changed(t: Transfer): void {
    this.events.emit('changed', viewOf(t));
    if (isSettled(t.state.phase)) this.forgetFinished();
  }

  owe(t: Transfer, callId: string, ended: TransferCall): void {
    const due = dispositionDue(t.state, ended);
    if (due === 'none') return;
    this.events.emit('dispositionDue', { callId, transferId: t.id, prefill: due === 'prefilled' ? t.outcome : null });
  }

  contactCallOf(t: Transfer): Call {
    if (!t.contactCall)
      throw new TransferRuleViolation({ kind: 'transfer-rule', code: 'not-your-contact', message: 'The contact is not on your call.' });
    return t.contactCall;
  }

  /** The contact's call took the consult's place (by Replaces, or by the secret without it). */
  replacedBy(t: Transfer): boolean {
    return t.contactCall !== null && (t.contactCall.replaces === t.consultCall || t.tookOverConsult);
  }

  /**
   * The rejection handler of a SIP request sent on the side (a hang-up, a decline, an answer): when
   * one fails the call is already ending or gone, which its own 'ended' event reports and handles,
   * so nothing waits on it; it is logged for the record.
   */
  sideEffectFailed(t: Transfer, what: string): (error: unknown) => void {
    return (error) => this.options.log?.info(`transfer: ${what} failed; the call's own end settles it`, { transferId: t.id, error });
  }

  /** A timer that outlives settling; the transfer may be forgotten once it has run. */
  later(t: Transfer, ms: number, run: () => void): void {
    laterTimer(t, ms, run, () => this.forgetFinished());
  }

  /**
   * Forgets, soon, every transfer whose last duty is done: settled, its calls ended, no wrap-up owed
   * for them and no late news awaited. Soon and not now: the desk's own handling of a call's end
   * still asks which transfer the call belonged to (callEndOrder.ts).
   */
  forgetFinished(): void {
    if (this.sweep !== undefined || this.disposedFlag || !this.options.owed) return;
    this.sweep = afterDeskHandledEnd(() => {
      this.sweep = undefined;
      for (const t of [...this.transfers.values()]) {
        if (!this.finished(t)) continue;
        clearTimers(t);
        this.transfers.delete(t.id);
        if (t.state.role === 'recipient' && t.token !== '') this.spent.remember(t.token);
        this.events.emit('forgotten', { transferId: t.id });
      }
    });
  }

  private finished(t: Transfer): boolean {
    if (!isSettled(t.state.phase) || t.later.size > 0) return false;
    for (const call of [t.contactCall, t.consultCall]) {
      if (call && (call.state !== 'ended' || this.options.owed?.(call.id))) return false;
    }
    return true;
  }

  dispose(): void {
    this.disposedFlag = true;
    if (this.sweep !== undefined) clearImmediate(this.sweep);
    this.sweep = undefined;
    for (const t of this.transfers.values()) {
      clearTimers(t);
      clearLaterTimers(t);
    }
  }
}
