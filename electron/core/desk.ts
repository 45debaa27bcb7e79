/**
 * The desk: the composition root of one agent's main process. It owns the phone, transfers, agent
 * state, directory and local store; it turns them into one DeskState for the renderer (snapshot,
 * then top-level patches) and executes the renderer's commands — each validated against the IPC
 * schema and then against the product rules, whatever button sent it.
 *
 * Its parts (electron/core/desk/): signing in and out (session.ts); the state and its patches
 * (deskStore.ts) and what they show (deskView.ts); the calls it tracks (callLedger.ts); the commands
 * with policies of their own — Confirm transfer (transferCommands.ts) and wrap-ups with their
 * History (dispositions.ts).
 */
import type { ChosenStatus } from '../../shared/agentState.js';
import type { DeskState } from '../../shared/desk.js';
import { parseCommand, type CommandName, type CommandOutcome, type CommandResults, type ValidatedPayload } from '../../shared/ipc.js';
import { AgentSettings } from './agentSettings.js';
import { RendererMediaPort } from './media/rendererMediaPort.js';
import { NO_LOG, type Log } from './log/log.js';
import type { OneLiveCall } from './oneLiveCall.js';
import type { Call } from './sip/call.js';
import { userAgentDialogs, type UserAgentDialogs } from './sip/libraryInternals.js';
import { historyFromStore } from './store/historyAdapter.js';
import type { TypedEmitter } from './typedEmitter.js';
import { CallLedger, userOf } from './desk/callLedger.js';
import type { DeskContext, DeskOptions, SignedIn } from './desk/deskContext.js';
import { DeskError, toCommandError } from './desk/deskError.js';
import { DeskStore, type DeskEvents } from './desk/deskStore.js';
import { callView, directoryView, historyNames, initialDeskState } from './desk/deskView.js';
import { Dispositions } from './desk/dispositions.js';
import { Sessions } from './desk/session.js';
import { TransferCommands } from './desk/transferCommands.js';

export type { DeskOptions } from './desk/deskContext.js';
export type { DeskEvents } from './desk/deskStore.js';

export class Desk {
  readonly events: TypedEmitter<DeskEvents>;
  private readonly store: DeskStore;
  private signedIn: SignedIn | undefined;
  private readonly now: () => number;
  private readonly log: Log;
  private readonly settings: AgentSettings;
  private readonly ctx: DeskContext;
  private readonly calls: CallLedger;
  private readonly dispositions: Dispositions;
  private readonly transferCommands: TransferCommands;
  private readonly sessions: Sessions;

  constructor(private readonly options: DeskOptions) {
    this.now = options.now ?? Date.now;
    this.log = (options.log ?? NO_LOG).child('desk');
    this.settings = new AgentSettings(options.store.settings, options.settingsPolicy, this.now);
    this.store = new DeskStore(initialDeskState(options.provisioning, this.settings.view(), options.signInOnly));
    this.events = this.store.events;
    this.calls = new CallLedger(
      () => this.ctx,
      () => this.dispositions,
    );
    this.ctx = {
      options,
      store: this.store,
      calls: this.calls,
      log: this.log,
      now: this.now,
      session: () => this.session(),
      signedIn: () => this.signedIn,
      call: (callId) => this.call(callId),
      refreshCalls: () => this.refreshCalls(),
      toast: (title, body, callId) => this.options.notifier.show({ id: callId, title, body, urgent: true }, () => this.publishSnapshot()),
    };
    this.dispositions = new Dispositions(this.ctx);
    this.transferCommands = new TransferCommands(this.ctx);
    this.sessions = new Sessions(this.ctx, {
      set: (session) => {
        this.signedIn = session;
      },
      dispositions: this.dispositions,
      refreshTransfers: () => this.refreshTransfers(),
      refreshDirectory: () => this.refreshDirectory(),
    });
  }

  snapshot(): DeskState {
    return this.store.state;
  }

  /** Sends the whole state again (a renderer attached or re-attached). */
  publishSnapshot(): void {
    this.events.emit('snapshot', this.store.state);
  }

  notice(text: string): void {
    this.store.notice(text);
  }

  /** Runs one command from the renderer. Never throws: refusals come back as typed errors. */
  async handle(command: CommandName, payload: unknown): Promise<CommandOutcome<CommandName>> {
    const parsed = parseCommand(command, payload);
    if (!parsed.ok) return { ok: false, error: parsed.error };
    try {
      // TypeScript cannot correlate `command` with its payload through the union: one cast, here.
      const handler = this.handlers[command] as (payload: ValidatedPayload<CommandName>) => Promise<CommandResults[CommandName]>;
      const value = await handler(parsed.value);
      return { ok: true, value };
    } catch (error) {
      return { ok: false, error: toCommandError(error) };
    }
  }

  /**
   * A new media engine attached (the window reloaded, or came back after a crash): every live call
   * moves to it with one re-INVITE each (fresh ICE and DTLS, hold kept), and a call we placed that
   * still rings moves once answered (Call.moveToNewEngine). No call ends meanwhile.
   */
  mediaEngineAttached(): void {
    const s = this.signedIn;
    if (!s) return;
    this.calls.mediaEngineChanged();
    s.transfers.dropPreparedMedia(); // prepared in the engine that is gone; the panel prepares anew
    for (const call of s.phone.calls()) {
      void call
        .moveToNewEngine()
        // Retried once while the call is up (the retry's failure is logged below); a call no longer up has no audio to move.
        .catch(() => (call.state === 'established' ? call.renegotiateMedia() : undefined))
        .catch((error: unknown) => {
          this.log.error('media take-over failed: the call has no audio in the new window', {
            callId: call.id,
            sipCallId: call.sipCallId,
            error,
          });
          this.notice(`Audio could not be restored for the call with ${call.remoteName ?? userOf(call.remoteUri)}.`);
        });
    }
  }

  /** See Phone.containAsyncThrow: true when the phone took the error as a SIP.js fault. */
  containSipThrow(error: unknown): boolean {
    return this.signedIn?.phone.containAsyncThrow(error) ?? false;
  }

  /** The SIP call behind a call id, while it lasts (diagnostics; tests listen to its media). */
  callById(callId: string): Call | undefined {
    return this.signedIn?.phone.calls().find((c) => c.id === callId);
  }

  /** SIP.js sessions the phone still holds (diagnostics; tests assert none is orphaned). */
  sipSessionCount(): number {
    return this.signedIn?.phone.sessionCount() ?? 0;
  }

  /** SIP.js dialogs the phone still holds (diagnostics; tests assert none is orphaned). Undefined when signed out. */
  sipDialogs(): UserAgentDialogs | undefined {
    const ua = this.signedIn?.phone.userAgent;
    return ua ? userAgentDialogs(ua) : undefined;
  }

  dialRequest(target: string): void {
    this.events.emit('dialRequest', { target });
  }

  reconnectNow(): void {
    this.signedIn?.phone.reconnectNow();
  }

  /**
   * What signing out or quitting now would end, as one sentence ("You are on a call with Dana
   * and a held call with Bob."), or null when nothing is live. Ringing calls are not counted:
   * they are declined and their callers go on to the next agent.
   */
  liveWork(): string | null {
    const s = this.signedIn;
    if (!s) return null;
    const parts = s.phone.calls().flatMap((call) => {
      const name = this.calls.nameOf(call);
      if (call.state === 'established') return [call.held ? `a held call with ${name}` : `a call with ${name}`];
      if (call.direction === 'outbound' && call.state !== 'ended') return [`a call to ${name} still ringing`];
      return [];
    });
    if (parts.length === 0) return null;
    const list = parts.length === 1 ? parts[0] : `${parts.slice(0, -1).join(', ')} and ${parts.at(-1)}`;
    return `You are on ${list}.`;
  }

  /**
   * Quit or OS log-off, after the agent confirmed (or when there is no one to ask): every call is
   * ended cleanly — a recipient's consult as a cancel, so the contact stays with the colleague —
   * then the phone unregisters. Never a silent drop.
   */
  async dispose(): Promise<void> {
    const s = this.signedIn;
    if (s) {
      for (const t of s.transfers.list()) {
        // Quitting goes on whatever a Cancel meets: signing out ends the consult anyway.
        if (t.allowed.includes('cancel'))
          await s.transfers.cancel(t.id).catch((error: unknown) => this.log.warn('cancel on quit failed', { transferId: t.id, error }));
      }
    }
    await this.sessions.signOut();
    this.events.removeAll();
  }

  // ── commands ───────────────────────────────────────────────────────────────────────────────

  /** One handler per command of the contract, each typed by its validated payload and result. */
  private readonly handlers: { readonly [C in CommandName]: (payload: ValidatedPayload<C>) => Promise<CommandResults[C]> } = {
    'session.signIn': (p) => this.sessions.signIn(p.userId, p.password),
    'session.connect': async () => {
      throw new DeskError('already-configured', 'Baton is already set up on this computer: sign in instead.');
    },
    'session.signOut': async () => {
      const live = this.liveWork();
      if (live) throw new DeskError('calls-live', `${live} End ${live.includes(' and ') ? 'them' : 'it'} before signing out.`);
      await this.sessions.signOut();
    },
    'agent.setStatus': async (p) => {
      const status: ChosenStatus = p.kind === 'Ready' ? { kind: 'Ready' } : { kind: 'NotReady', reason: p.reason };
      const result = this.session().agent.choose(status);
      if (!result.ok) throw new DeskError(result.error.code, result.error.message);
    },
    'call.dial': async (p) => ({ callId: (await this.live().run(null, () => this.session().phone.call(p.target))).id }),
    'call.answer': async (p) => {
      const call = this.call(p.callId);
      // Only a call that can be answered holds the live one first; anything else just gets its refusal.
      if (call.state !== 'ringing' || call.direction !== 'inbound') return call.answer();
      this.requireMediaEngine();
      await this.live().run(p.callId, () => call.answer());
    },
    'call.decline': (p) => this.call(p.callId).decline(486),
    'call.hangUp': async (p) => {
      // A transfer's call may need more than a BYE (the recipient's hang-up of a consult is its Cancel).
      if (await this.session().transfers.hangUp(p.callId)) return;
      await this.call(p.callId).hangUp();
    },
    'call.hold': async (p) => {
      this.session().transfers.guardCallCommand(p.callId, 'hold');
      await this.call(p.callId).hold();
      this.refreshCalls();
    },
    'call.unhold': async (p) => {
      this.session().transfers.guardCallCommand(p.callId, 'unhold');
      const call = this.call(p.callId);
      if (call.state === 'established' && call.held) await this.live().run(p.callId, () => call.unhold());
      else await call.unhold(); // refused (not connected) or nothing to do: the live call stays as it is
      this.refreshCalls();
    },
    'call.mute': async (p) => {
      await this.call(p.callId).setMuted(p.muted);
      this.refreshCalls();
    },
    'call.dtmf': async (p) => {
      await this.call(p.callId).sendDtmf(p.tones);
    },
    'transfer.prepare': async (p) => this.session().transfers.prepare(p.callId),
    'transfer.start': (p) => this.transferCommands.start(p),
    'transfer.complete': async (p) => void (await this.session().transfers.complete(p.transferId)),
    'transfer.cancel': async (p) => void (await this.session().transfers.cancel(p.transferId)),
    'transfer.accept': async (p) => {
      const { transfers } = this.session();
      const t = transfers.get(p.transferId);
      if (!t.allowed.includes('accept')) return void (await transfers.accept(p.transferId)); // the rules' answer
      this.requireMediaEngine();
      const call = t.state.method === 'warm' ? t.consultCallId : t.contactCallId;
      await this.live().run(call, () => transfers.accept(p.transferId));
    },
    'transfer.decline': async (p) => void (await this.session().transfers.decline(p.transferId)),
    'transfer.unholdContact': async (p) => {
      const { transfers } = this.session();
      const t = transfers.get(p.transferId);
      if (t.allowed.includes('unholdContact')) await this.live().run(t.contactCallId, () => transfers.unholdContact(p.transferId));
      else await transfers.unholdContact(p.transferId); // refused by the rules, or already off hold
      this.refreshCalls();
    },
    'disposition.file': async (p) => this.dispositions.file(p.callId, p.codeId, p.note),
    'history.list': async (p) =>
      this.options.store.history.list(p.contactId).map((e) => historyFromStore(e, historyNames(this.options.provisioning))),
    'draft.save': async (p) => this.store.update({ drafts: { ...this.store.state.drafts, [p.key]: p.fields } }),
    'settings.set': async (p) => {
      const settings = this.settings.set(p);
      this.log.info('settings changed', { devices: p.devices, globalShortcuts: p.globalShortcuts });
      this.store.update({ settings });
    },
    'diagnostics.export': async () => {
      if (!this.options.exportDiagnostics) throw new DeskError('unavailable', 'Diagnostics cannot be exported here.');
      return this.options.exportDiagnostics();
    },
    // Routed by the IPC layer straight to the RendererMediaPort; nothing to do here.
    'media.reply': async () => undefined,
  };

  // ── the view, refreshed from its sources ───────────────────────────────────────────────────

  private refreshCalls(): void {
    const s = this.signedIn;
    if (!s) return;
    const now = this.now();
    this.store.update({ calls: s.phone.calls().map((c) => callView(c, this.calls.get(c.id), s.transfers.forCall(c.id)?.id ?? null, now)) });
  }

  private refreshTransfers(): void {
    const s = this.signedIn;
    if (!s) return;
    this.store.update({ transfers: s.transfers.list() });
    this.refreshCalls();
  }

  private refreshDirectory(): void {
    const s = this.signedIn;
    if (!s) return;
    this.store.update({ directory: directoryView(s.directory) });
  }

  /**
   * Answering needs an engine to make the answer: without one, SIP.js would refuse the caller (480)
   * for our own window's absence. The call keeps ringing instead, and the agent is told why.
   */
  private requireMediaEngine(): void {
    const media = this.options.media;
    if (media instanceof RendererMediaPort && !media.attached) {
      throw new DeskError(
        'no-audio-engine',
        'The audio engine is not running (its window or tab is closed, or restarting): the call keeps ringing. Answer it once audio is back.',
      );
    }
  }

  private live(): OneLiveCall {
    return this.session().live;
  }

  private session(): SignedIn {
    if (!this.signedIn) throw new DeskError('not-signed-in', 'Sign in first.');
    return this.signedIn;
  }

  private call(callId: string): Call {
    const call = this.session()
      .phone.calls()
      .find((c) => c.id === callId);
    if (!call) throw new DeskError('no-such-call', 'That call has ended.');
    return call;
  }
}
