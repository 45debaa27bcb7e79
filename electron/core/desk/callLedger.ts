/**
 * What the desk keeps about each call beyond SIP (when it started and was answered, who it was
 * with, which contact it is about) and what it does as calls come, change and end: the toast, the
 * agent's on-call state, the wrap-up owed for a plain answered call.
 */
import { userOf } from '../../../shared/phone.js';
import { MAX_ID_CHARS } from '../../../shared/limits.js';
import type { Call } from '../sip/call.js';
import { afterEndListeners } from '../callEndOrder.js';
import type { DeskContext } from './deskContext.js';
import type { Dispositions } from './dispositions.js';
import { MediaChecks } from './mediaCheck.js';

export interface CallMeta {
  readonly startedAt: number;
  readonly direction: 'inbound' | 'outbound';
  /** Who the call was with, kept for the wrap-up title after the call is gone. */
  readonly remote: string;
  answeredAt: number | null;
  contactId: string | null;
}

export class CallLedger {
  private readonly meta = new Map<string, CallMeta>();
  private checks: MediaChecks | undefined;

  constructor(
    private readonly ctx: () => DeskContext,
    private readonly dispositions: () => Dispositions,
  ) {}

  get(callId: string): CallMeta | undefined {
    return this.meta.get(callId);
  }

  forget(callId: string): void {
    this.meta.delete(callId);
  }

  clear(): void {
    this.meta.clear();
  }

  /** A new media engine attached (Desk.mediaEngineAttached): the calls it takes over are not checked for audio. */
  mediaEngineChanged(): void {
    this.checks?.engineChanged();
  }

  private mediaChecks(): MediaChecks {
    const ctx = this.ctx();
    this.checks ??= new MediaChecks(ctx.options.mediaCheck ?? {}, (text) => ctx.store.notice(text), ctx.log);
    return this.checks;
  }

  /** A call appeared (incoming, dialled, a consult, a call following a REFER). */
  onCall(call: Call): void {
    if (this.meta.has(call.id)) return;
    const ctx = this.ctx();
    this.meta.set(call.id, {
      startedAt: ctx.now(),
      direction: call.direction,
      remote: call.remoteName ?? userOf(call.remoteUri),
      answeredAt: null,
      contactId: null,
    });
    ctx.log.info(`call ${call.direction}`, { callId: call.id, sipCallId: call.sipCallId });
    const s = ctx.session();
    call.events.on('state', (state) => {
      const meta = this.meta.get(call.id);
      if (state === 'established' && meta) {
        meta.answeredAt = ctx.now();
        meta.contactId = this.contactOf(call);
        s.agent.callStarted(call.id);
      }
      ctx.refreshCalls();
    });
    for (const event of ['hold', 'remoteHold'] as const) call.events.on(event, () => ctx.refreshCalls());
    this.mediaChecks().watch(call, () => this.nameOf(call));
    // The transfer this call belongs to decides first what it owes (callEndOrder.ts).
    call.events.on('ended', () => afterEndListeners(() => this.onCallEnded(call)));
    if (call.direction === 'inbound' && !call.replaces && s.transfers.forCall(call.id) === null) {
      ctx.toast('Incoming call', call.remoteName ?? userOf(call.remoteUri), call.id);
    }
    ctx.refreshCalls();
  }

  private onCallEnded(call: Call): void {
    const ctx = this.ctx();
    const s = ctx.signedIn();
    if (!s) return;
    const meta = this.meta.get(call.id);
    const answered = meta?.answeredAt !== null && meta?.answeredAt !== undefined;
    ctx.log.info('call ended', { callId: call.id, sipCallId: call.sipCallId, answered, end: call.end });
    // A call that ended for a reason the agent could not have seen (no audio codec in common) says why.
    if (call.end?.detail !== undefined) ctx.store.notice(`The call with ${this.nameOf(call)} ended: ${call.end.detail}`);
    // Transfer legs owe what the transfer rules say (Transfers emitted it); other calls owe one if answered.
    if (answered && s.transfers.forCall(call.id) === null) this.dispositions().owe(call.id, null, null);
    const owed = this.dispositions().isOwed(call.id);
    if (answered) s.agent.callEnded(call.id, owed);
    if (!owed) {
      // Kept until the wrap-up is filed otherwise.
      this.meta.delete(call.id);
      ctx.store.update({ drafts: ctx.store.draftsWithout(call.id) });
    }
    ctx.refreshCalls();
  }

  /** The contact a call is about: a transfer's contact, else whoever calls from that number. */
  private contactOf(call: Call): string {
    const transfer = this.ctx().signedIn()?.transfers.forCall(call.id);
    return transfer?.contact?.id ?? contactIdFor(call);
  }

  /** Who a call is with, as the agent knows them: the contact of a transfer leg, else the far end. */
  nameOf(call: Call): string {
    const transfer = this.ctx().signedIn()?.transfers.forCall(call.id);
    if (transfer?.consultCallId === call.id) return transfer.counterpart.name;
    return transfer?.contact?.name ?? call.remoteName ?? userOf(call.remoteUri);
  }
}

export { userOf };

/** Until a CRM link exists, a contact is known by the number (SIP user) it calls from. */
export function contactIdFor(call: Call): string {
  return `tel:${userOf(call.remoteUri)}`.slice(0, MAX_ID_CHARS);
}
