/**
 * The desk: the composition root of one agent's main process. It owns the phone, transfers, agent
 * state, directory and local store; it turns them into one DeskState for the renderer (snapshot,
 * then top-level patches) and executes the renderer's commands — each validated against the IPC
 * schema and then against the product rules, whatever button sent it.
 */
import type { ChosenStatus } from '../../shared/agentState.js';
import { isRecommendedTransferTarget, statusLabel } from '../../shared/agentState.js';
import type { CallView, DeskState, DirectoryEntryView, DispositionCodeView, DispositionDueView, LabelledId, OutcomeView } from '../../shared/desk.js';
import { diffDesk, type DeskPatch } from '../../shared/deskPatch.js';
import { parseCommand, type CommandError, type CommandName, type CommandOutcome, type CommandResults, type ValidatedPayload } from '../../shared/ipc.js';
import type { MediaPort } from '../../shared/media.js';
import {
  appliesToTeam,
  dispositionApplies,
  dispositionCallKinds,
  outcomeApplies,
  outcomeMethods,
  type CallKind,
  type ProvisioningDocument,
  type RosterUser,
} from '../../shared/provisioning/index.js';
import { TransferContextError } from '../../shared/transfer/context.js';
import { isSettled } from '../../shared/transfer/index.js';
import { checkNumber, externalUri } from '../../shared/transfer/dialPlan.js';
import type { ExternalTransferView } from '../../shared/desk.js';
import { AgentStateDesk } from './presence/agentStateDesk.js';
import { PresenceDirectory } from './presence/presenceDirectory.js';
import type { CredentialStore, Notifier, StatusIndicator } from './ports.js';
import type { Call } from './sip/call.js';
import { Phone, type PhoneOptions } from './sip/phone.js';
import { PhoneError } from './sip/phoneError.js';
import type { Store } from './store/store.js';
import { historyFromStore, historyToStore } from './store/historyAdapter.js';
import { Transfers, TransferNotFound, TransferRuleViolation, type TransferHistorySink, type TransfersOptions, type TransferView } from './transfer/transfers.js';
import { colleagueLookup } from './transfer/colleagues.js';
import { isLive, LiveCallRefusal, OneLiveCall } from './oneLiveCall.js';
import { TypedEmitter, type Disposable } from './typedEmitter.js';
import { NO_LOG, type Log, type SipTrace } from './log/log.js';
import { AgentSettings, SettingFixedByPolicy, type AgentSettingsPolicy } from './agentSettings.js';

export interface DeskOptions {
  readonly provisioning: ProvisioningDocument;
  readonly store: Store;
  readonly media: MediaPort;
  readonly notifier: Notifier;
  readonly credentials: CredentialStore;
  readonly status?: StatusIndicator;
  /** Where every part of the desk logs (main: the log files in the OS's log folder). */
  readonly log?: Log;
  /** Set when IT turned the SIP trace on: every SIP message, redacted, to its own file. */
  readonly sipTrace?: SipTrace;
  /** The certificate authorities a wss:// server must chain to (Node's, the OS's and IT's); default Node's. */
  readonly trustedCa?: readonly string[];
  /** What machine policy fixes of the agent's settings (audio devices). */
  readonly settingsPolicy?: AgentSettingsPolicy;
  /** Writes the diagnostics bundle where the agent chooses (main: a save dialog); null = cancelled. */
  readonly exportDiagnostics?: () => Promise<{ readonly path: string | null }>;
  /** Tests tune timers; the product uses the defaults. */
  readonly phone?: Partial<PhoneOptions>;
  readonly transfers?: Partial<TransfersOptions>;
  readonly now?: () => number;
}

export interface DeskEvents {
  snapshot: DeskState;
  /** What changed: top-level keys, and list items one by one (shared/deskPatch.ts). */
  patch: DeskPatch;
  /** A tel:/sip: link asked for the dialer (the renderer prefills it). */
  dialRequest: { readonly target: string };
}

/** A refusal the renderer shows as is. */
class DeskError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

interface SignedIn {
  readonly user: RosterUser;
  readonly phone: Phone;
  readonly transfers: Transfers;
  readonly agent: AgentStateDesk;
  readonly directory: PresenceDirectory;
  readonly live: OneLiveCall;
  readonly subscriptions: Disposable[];
}

interface CallMeta {
  readonly startedAt: number;
  readonly direction: 'inbound' | 'outbound';
  /** Who the call was with, kept for the wrap-up title after the call is gone. */
  readonly remote: string;
  answeredAt: number | null;
  contactId: string | null;
}

const MAX_NOTICES = 20;
const DEFAULT_CHOSEN: ChosenStatus = { kind: 'NotReady', reason: 'Signing in' };
const SIGNED_IN: ChosenStatus = { kind: 'NotReady', reason: 'Just signed in' };

export class Desk {
  readonly events = new TypedEmitter<DeskEvents>();
  private state: DeskState;
  private signedIn: SignedIn | undefined;
  private readonly meta = new Map<string, CallMeta>();
  private readonly now: () => number;
  private readonly log: Log;
  private readonly settings: AgentSettings;

  constructor(private readonly options: DeskOptions) {
    this.now = options.now ?? Date.now;
    this.log = (options.log ?? NO_LOG).child('desk');
    this.settings = new AgentSettings(options.store.settings, options.settingsPolicy, this.now);
    const doc = options.provisioning;
    this.state = {
      version: 1,
      session: {
        registration: 'unregistered',
        error: null,
        user: null,
        signInUsers: doc.roster.map((u) => ({ id: u.id, name: u.displayName })),
      },
      agent: { status: { kind: 'Offline' }, chosen: DEFAULT_CHOSEN },
      calls: [],
      transfers: [],
      directory: [],
      outcomes: outcomeViews(doc, null),
      dispositionCodes: dispositionCodeViews(doc, null),
      notReadyReasons: doc.notReadyReasons,
      policies: { ...doc.policies },
      remembered: { userId: null, outcomeId: null, method: null },
      dispositionsDue: [],
      drafts: {},
      settings: this.settings.view(),
      notices: [],
    };
  }

  snapshot(): DeskState {
    return this.state;
  }

  /** Sends the whole state again (a renderer attached or re-attached). */
  publishSnapshot(): void {
    this.events.emit('snapshot', this.state);
  }

  notice(text: string): void {
    // The newest few: a shift's worth of notices must not grow the desk for ever.
    this.update({ notices: [...this.state.notices, { id: `n${this.state.version}`, text }].slice(-MAX_NOTICES) });
  }

  /** Runs one command from the renderer. Never throws: refusals come back as typed errors. */
  async handle(command: CommandName, payload: unknown): Promise<CommandOutcome<CommandName>> {
    const parsed = parseCommand(command, payload);
    if (!parsed.ok) return { ok: false, error: parsed.error };
    try {
      // TypeScript cannot correlate `command` with its payload through the union: one cast, here.
      const handler = this.handlers[command] as (payload: ValidatedPayload<CommandName>) => Promise<CommandResults[CommandName]>;
      const value = await handler(parsed.value);
      return { ok: true, value } as CommandOutcome<CommandName>;
    } catch (error) {
      return { ok: false, error: toCommandError(error) };
    }
  }

  /**
   * A new media engine attached (the window reloaded, or came back after a crash): every live call
   * moves to it with one re-INVITE each (fresh ICE and DTLS, hold kept). No call ends meanwhile.
   */
  mediaEngineAttached(): void {
    const s = this.signedIn;
    if (!s) return;
    s.transfers.dropPreparedMedia(); // prepared in the engine that is gone; the panel prepares anew
    for (const call of s.phone.calls()) {
      if (call.state !== 'established') continue;
      void call
        .renegotiateMedia()
        .catch(() => call.renegotiateMedia())
        .catch((error: unknown) => {
          this.log.error('media take-over failed: the call has no audio in the new window', { callId: call.id, sipCallId: call.sipCallId, error });
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
      const name = this.nameOf(call);
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
        if (t.allowed.includes('cancel')) await s.transfers.cancel(t.id).catch(() => undefined);
      }
    }
    await this.signOut();
    this.events.removeAll();
  }

  // ── commands ───────────────────────────────────────────────────────────────────────────────

  /** One handler per command of the contract, each typed by its validated payload and result. */
  private readonly handlers: { readonly [C in CommandName]: (payload: ValidatedPayload<C>) => Promise<CommandResults[C]> } = {
    'session.signIn': (p) => this.signIn(p.userId, p.password),
    'session.connect': async () => {
      throw new DeskError('already-configured', 'Baton is already set up on this computer: sign in instead.');
    },
    'session.signOut': async () => {
      const live = this.liveWork();
      if (live) throw new DeskError('calls-live', `${live} End ${live.includes(' and ') ? 'them' : 'it'} before signing out.`);
      await this.signOut();
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
    'transfer.start': (p) => this.startTransfer(p),
    'transfer.complete': async (p) => void (await this.session().transfers.complete(p.transferId)),
    'transfer.cancel': async (p) => void (await this.session().transfers.cancel(p.transferId)),
    'transfer.accept': async (p) => {
      const { transfers } = this.session();
      const t = transfers.get(p.transferId);
      if (!t.allowed.includes('accept')) return void (await transfers.accept(p.transferId)); // the rules' answer
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
    'disposition.file': async (p) => this.fileDisposition(p.callId, p.codeId, p.note),
    'history.list': async (p) => this.options.store.history.list(p.contactId).map((e) => historyFromStore(e, this.names())),
    'draft.save': async (p) => this.update({ drafts: { ...this.state.drafts, [p.key]: p.fields } }),
    'settings.set': async (p) => {
      const settings = this.settings.set(p);
      this.log.info('settings changed', { devices: p.devices, globalShortcuts: p.globalShortcuts });
      this.update({ settings });
    },
    'diagnostics.export': async () => {
      if (!this.options.exportDiagnostics) throw new DeskError('unavailable', 'Diagnostics cannot be exported here.');
      return this.options.exportDiagnostics();
    },
    // Routed by the IPC layer straight to the RendererMediaPort; nothing to do here.
    'media.reply': async () => undefined,
  };

  private async signIn(userId: string, password: string): Promise<void> {
    if (this.signedIn) throw new DeskError('already-signed-in', 'Sign out first.');
    const doc = this.options.provisioning;
    const user = doc.roster.find((u) => u.id === userId);
    if (!user) throw new DeskError('unknown-user', 'This user is not in the roster IT provided.');
    const secret = password || this.options.credentials.load(userId) || '';
    if (secret) this.log.redact(secret);
    this.log.info('signing in', { userId, server: doc.sip.server, savedPassword: !password && secret !== '' });
    const phoneLog = this.log.child('phone');
    const phone = new Phone({
      log: (level, message, detail) => phoneLog[level](message, detail === undefined ? undefined : { detail }),
      ...(this.options.trustedCa ? { ca: this.options.trustedCa } : {}),
      ...(this.options.sipTrace ? { sipTrace: this.options.sipTrace } : {}), server: doc.sip.server, aor: user.sipUri, password: secret, displayName: user.displayName, media: this.options.media, ...(doc.sip.deadConnectionSec ? { deadConnectionMs: doc.sip.deadConnectionSec * 1000 } : {}), ...this.options.phone });
    this.update({ session: { ...this.state.session, registration: 'connecting', error: null, user: { id: user.id, name: user.displayName, aor: user.sipUri } } });
    const registration = phone.events.on('registration', ({ state, error }) => {
      if (error) this.log.warn(`registration ${state}: ${error.message}`, { code: error.code, statusCode: error.statusCode, cause: error.cause });
      else this.log.info(`registration ${state}`);
      this.update({ session: { ...this.state.session, registration: state, error: error ? { code: error.code, message: error.message } : null } });
    });
    try {
      await phone.start();
    } catch (error) {
      registration.dispose();
      this.update({ session: { ...this.state.session, user: null } });
      throw error;
    }
    if (password && this.options.credentials.available) this.options.credentials.save(userId, password);
    this.attachSession(user, phone, registration);
  }

  private attachSession(user: RosterUser, phone: Phone, registration: Disposable): void {
    const { store } = this.options;
    const history: TransferHistorySink = {
      // The transfers say whose account each entry is: ours, or a colleague's transfer context.
      append: (entries, origin) => void store.history.append(entries.map((e) => historyToStore(e, origin))),
    };
    const colleague = colleagueLookup(this.options.provisioning.roster, user.id);
    const transfers = new Transfers(phone, { agent: { id: user.id, name: user.displayName }, history, colleague, log: this.log.child('transfer'), owed: (callId) => this.state.dispositionsDue.some((d) => d.callId === callId), ...this.options.transfers });
    const remembered = store.choices.get(user.id, 'user-transfer');
    // Agents start Not ready: taking calls is a choice they make on the desk.
    const agent = new AgentStateDesk(phone, { initial: SIGNED_IN, agentId: user.id, dispositions: store.dispositions });
    const directory = new PresenceDirectory(phone, this.options.provisioning.roster, { selfId: user.id });
    const subscriptions: Disposable[] = [
      registration,
      phone.events.on('incomingCall', (call) => this.onCall(call)),
      phone.events.on('outgoingCall', (call) => this.onCall(call)),
      transfers.events.on('changed', () => this.refreshTransfers()),
      transfers.events.on('forgotten', () => this.refreshTransfers()),
      transfers.events.on('incoming', ({ transfer, call }) => this.toast(transfer.counterpart.name, transfer.contact?.name ?? call.remoteUri, call.id)),
      transfers.events.on('dispositionDue', (due) => this.owe(due.callId, due.transferId, due.prefill)),
      agent.events.on('state', (state) => {
        this.update({ agent: { status: state.status, chosen: state.chosen } });
        this.options.status?.setStatus(statusLabel(state.status));
      }),
      directory.events.on('entry', () => this.refreshDirectory()),
    ];
    const live = new OneLiveCall({
      calls: () => phone.calls(),
      checkHold: (call) => transfers.guardCallCommand(call.id, 'hold'),
      nameOf: (call) => this.nameOf(call),
    });
    this.signedIn = { user, phone, transfers, agent, directory, live, subscriptions };
    const doc = this.options.provisioning;
    this.update({
      agent: { status: agent.state.status, chosen: agent.state.chosen },
      outcomes: outcomeViews(doc, user.team),
      dispositionCodes: dispositionCodeViews(doc, user.team),
      remembered: remembered
        ? { userId: remembered.userId, outcomeId: remembered.outcomeId ?? null, method: remembered.method }
        : { userId: null, outcomeId: null, method: null },
      external: this.externalView(user.id),
    });
    this.refreshDirectory();
    this.options.status?.setStatus(statusLabel(agent.state.status));
  }

  private async signOut(): Promise<void> {
    const s = this.signedIn;
    if (!s) return;
    this.signedIn = undefined;
    for (const sub of s.subscriptions) sub.dispose();
    s.transfers.dispose();
    await s.phone.stop();
    await s.directory.dispose();
    s.agent.dispose();
    this.meta.clear();
    this.update({
      session: { ...this.state.session, registration: 'unregistered', user: null, error: null },
      agent: { status: { kind: 'Offline' }, chosen: this.state.agent.chosen },
      calls: [],
      transfers: [],
      directory: [],
      outcomes: outcomeViews(this.options.provisioning, null),
      dispositionCodes: dispositionCodeViews(this.options.provisioning, null),
    });
    this.options.status?.setStatus('Offline');
  }

  /** The panel's external-number part: IT's dial plan, the remembered choice, the recent numbers. */
  private externalView(agentId: string): ExternalTransferView | undefined {
    const plan = this.options.provisioning.dialPlan;
    if (plan === undefined) return undefined;
    const { choices } = this.options.store;
    const remembered = choices.get(agentId, 'external-transfer');
    const recent = choices.recentNumbers(agentId).map(({ number, name }) => ({ number, name }));
    return {
      dialPlan: plan,
      remembered: remembered ? { number: remembered.userId, name: recent.find((r) => r.number === remembered.userId)?.name ?? remembered.userId, outcomeId: remembered.outcomeId ?? null, method: remembered.method } : null,
      recent,
    };
  }

  private async startTransfer(p: ValidatedPayload<'transfer.start'>): Promise<{ transferId: string }> {
    if (p.number !== undefined) return this.startExternalTransfer({ ...p, number: p.number });
    const s = this.session();
    const doc = this.options.provisioning;
    const target = doc.roster.find((u) => u.id === p.userId);
    if (!target || target.id === s.user.id) throw new DeskError('unknown-target', 'Choose a colleague from the list.');
    const outcome = doc.outcomes.find((o) => o.id === p.outcomeId);
    if (!outcome) throw new DeskError('unknown-outcome', 'Choose an outcome from the list.');
    if (!outcomeApplies(outcome, p.method, s.user.team)) {
      throw new DeskError('outcome-not-applicable', `“${outcome.label}” is not an outcome your administrator allows for a ${p.method} transfer from your team.`);
    }
    const note = p.note;
    if ([...note].length > doc.policies.noteMaxLength) {
      throw new DeskError('note-too-long', `The note is longer than ${doc.policies.noteMaxLength} characters.`);
    }
    const status = s.directory.entry(target.id)?.status ?? { kind: 'Offline' };
    if (!isRecommendedTransferTarget(status)) {
      const policy = doc.policies.nonRecommendedTransfer;
      if (policy === 'block') throw new DeskError('target-not-recommended', `${target.displayName} is ${statusLabel(status)}; your administrator allows transfers only to Ready or Dispositioning colleagues.`);
      if (policy === 'warn' && !p.acknowledgedWarning) {
        throw new DeskError('target-not-recommended-unconfirmed', `${target.displayName} is ${statusLabel(status)}. Transfer anyway?`);
      }
    }
    const callId = p.callId;
    const call = this.call(callId);
    const meta = this.meta.get(callId);
    const contactId = meta?.contactId ?? contactIdFor(call);
    const method = p.method;
    // A Confirm repeated while this call's transfer is under way is answered by that transfer (the
    // rules make it a no-op), whatever the panel now says: nothing is sent, held or remembered.
    const underway = s.transfers.forCall(callId);
    if (underway !== null && underway.role === 'initiator' && !isSettled(underway.state.phase)) return { transferId: underway.id };
    const start = (): Promise<TransferView> => s.transfers.start({
      method,
      contactCallId: callId,
      recipient: { userId: target.id, name: target.displayName, uri: target.sipUri },
      outcome: { id: outcome.id, label: outcome.label },
      note,
      contact: { id: contactId, name: call.remoteName ?? userOf(call.remoteUri), number: userOf(call.remoteUri) },
      history: this.options.store.history.list(contactId, { limit: 20 }).map((e) => historyFromStore(e, this.names())).reverse(),
    });
    // A consult is a new conversation: whatever else is live is held before the colleague answers.
    const view = await (method === 'warm' ? s.live.run(callId, start) : start());
    if (doc.policies.rememberChoices) {
      this.options.store.choices.set(s.user.id, 'user-transfer', { userId: target.id, outcomeId: outcome.id, method, updatedAt: this.now() });
      this.update({ remembered: { userId: target.id, outcomeId: outcome.id, method } });
    }
    const { [`transfer:${callId}`]: _sent, ...drafts } = this.state.drafts;
    this.update({ drafts });
    return { transferId: view.id };
  }

  /**
   * To a number outside the directory: refused, with the dial plan's reason, unless IT's plan allows
   * it; dialled in E.164 through the SIP server. Same outcome, note and History as for a colleague.
   */
  private async startExternalTransfer(p: ValidatedPayload<'transfer.start'> & { readonly number: string }): Promise<{ transferId: string }> {
    const s = this.session();
    const doc = this.options.provisioning;
    const verdict = checkNumber(p.number, doc.dialPlan);
    if (!verdict.ok) throw new DeskError(`dial-plan-${verdict.code}`, verdict.message);
    const outcome = doc.outcomes.find((o) => o.id === p.outcomeId);
    if (!outcome) throw new DeskError('unknown-outcome', 'Choose an outcome from the list.');
    if (!outcomeApplies(outcome, p.method, s.user.team)) {
      throw new DeskError('outcome-not-applicable', `“${outcome.label}” is not an outcome your administrator allows for a ${p.method} transfer from your team.`);
    }
    if ([...p.note].length > doc.policies.noteMaxLength) {
      throw new DeskError('note-too-long', `The note is longer than ${doc.policies.noteMaxLength} characters.`);
    }
    const callId = p.callId;
    const call = this.call(callId);
    const underway = s.transfers.forCall(callId);
    if (underway !== null && underway.role === 'initiator' && !isSettled(underway.state.phase)) return { transferId: underway.id };
    // IT's name for a speed-dial number; otherwise the number as the agent reads it.
    const speedDial = doc.dialPlan?.speedDial.find((entry) => {
      const known = checkNumber(entry.number, doc.dialPlan);
      return known.ok && known.e164 === verdict.e164;
    });
    const name = speedDial?.name ?? verdict.display;
    const contactId = this.meta.get(callId)?.contactId ?? contactIdFor(call);
    const method = p.method;
    const start = (): Promise<TransferView> => s.transfers.start({
      method,
      contactCallId: callId,
      recipient: { kind: 'external', number: verdict.e164, name, uri: externalUri(verdict.e164, doc.sip.domain) },
      outcome: { id: outcome.id, label: outcome.label },
      note: p.note,
      contact: { id: contactId, name: call.remoteName ?? userOf(call.remoteUri), number: userOf(call.remoteUri) },
    });
    const view = await (method === 'warm' ? s.live.run(callId, start) : start());
    if (doc.policies.rememberChoices) {
      const { choices } = this.options.store;
      choices.set(s.user.id, 'external-transfer', { userId: verdict.e164, outcomeId: outcome.id, method, updatedAt: this.now() });
      choices.addRecentNumber(s.user.id, { number: verdict.e164, name, usedAt: this.now() });
      this.update({ external: this.externalView(s.user.id) });
    }
    const { [`transfer:${callId}`]: _sent, ...drafts } = this.state.drafts;
    this.update({ drafts });
    return { transferId: view.id };
  }

  private fileDisposition(callId: string, codeId: string, note: string): void {
    const s = this.session();
    const due = this.state.dispositionsDue.find((d) => d.callId === callId);
    if (!due) throw new DeskError('no-disposition-due', 'This call has no disposition to file.');
    // The transfer outcome chosen in the panel is the initiator's result for its part of the call.
    const isPrefill = due.prefill?.id === codeId;
    const code = this.options.provisioning.dispositions.find((d) => d.id === codeId);
    if (!isPrefill && !code) throw new DeskError('unknown-code', 'Choose a disposition code from the list.');
    if (!isPrefill && code && !dispositionApplies(code, due.callKind, s.user.team)) {
      throw new DeskError('code-not-applicable', `“${code.label}” is not a code your administrator allows for ${CALL_KIND_WORDS[due.callKind]}.`);
    }
    const maxNote = this.options.provisioning.policies.noteMaxLength;
    if ([...note].length > maxNote) throw new DeskError('note-too-long', `The note is longer than ${maxNote} characters.`);
    const result = s.agent.fileDisposition(callId, codeId, note);
    if (!result.ok) throw new DeskError(result.error.code, result.error.message);
    const contactId = this.meta.get(callId)?.contactId;
    if (contactId) {
      this.options.store.history.append([
        historyToStore({
          id: `${callId}:disposition`,
          contactId,
          at: new Date(this.now()).toISOString(),
          kind: 'disposition',
          actor: { id: s.user.id, name: s.user.displayName },
          outcome: { id: codeId, label: (isPrefill ? due.prefill?.label : code?.label) ?? codeId },
          ...(note ? { note } : {}),
        }),
      ]);
    }
    this.meta.delete(callId);
    this.update({ dispositionsDue: this.state.dispositionsDue.filter((d) => d.callId !== callId), drafts: this.draftsWithout(callId) });
    s.transfers.forgetFinished(); // the transfer named on this wrap-up may now leave the desk
  }

  /** The drafts but those of a call that is over and owes nothing (its transfer panel, its wrap-up). */
  private draftsWithout(callId: string): DeskState['drafts'] {
    const suffix = `:${callId}`;
    return Object.fromEntries(Object.entries(this.state.drafts).filter(([key]) => !key.endsWith(suffix)));
  }

  // ── calls ──────────────────────────────────────────────────────────────────────────────────

  private onCall(call: Call): void {
    if (this.meta.has(call.id)) return;
    this.meta.set(call.id, { startedAt: this.now(), direction: call.direction, remote: call.remoteName ?? userOf(call.remoteUri), answeredAt: null, contactId: null });
    this.log.info(`call ${call.direction}`, { callId: call.id, sipCallId: call.sipCallId });
    const s = this.session();
    call.events.on('state', (state) => {
      const meta = this.meta.get(call.id);
      if (state === 'established' && meta) {
        meta.answeredAt = this.now();
        meta.contactId = this.contactOf(call);
        s.agent.callStarted(call.id);
      }
      this.refreshCalls();
    });
    for (const event of ['hold', 'remoteHold'] as const) call.events.on(event, () => this.refreshCalls());
    // After every other listener of this event: Transfers decides first what a transfer leg owes.
    call.events.on('ended', () => queueMicrotask(() => this.onCallEnded(call)));
    if (call.direction === 'inbound' && !call.replaces && s.transfers.forCall(call.id) === null) {
      this.toast('Incoming call', call.remoteName ?? userOf(call.remoteUri), call.id);
    }
    this.refreshCalls();
  }

  private onCallEnded(call: Call): void {
    const s = this.signedIn;
    if (!s) return;
    const meta = this.meta.get(call.id);
    const answered = meta?.answeredAt !== null && meta?.answeredAt !== undefined;
    this.log.info('call ended', { callId: call.id, sipCallId: call.sipCallId, answered, end: call.end });
    // Transfer legs owe what the transfer rules say (Transfers emitted it); other calls owe one if answered.
    if (answered && s.transfers.forCall(call.id) === null) this.owe(call.id, null, null);
    const owed = this.state.dispositionsDue.some((d) => d.callId === call.id);
    if (answered) s.agent.callEnded(call.id, owed);
    if (!owed) {
      // Kept until the wrap-up is filed otherwise.
      this.meta.delete(call.id);
      this.update({ drafts: this.draftsWithout(call.id) });
    }
    this.refreshCalls();
  }

  private owe(callId: string, transferId: string | null, prefill: LabelledId | null): void {
    if (this.state.dispositionsDue.some((d) => d.callId === callId)) return;
    const transfer = transferId ? this.signedIn?.transfers.forCall(callId) : null;
    // A transfer leg is named for the contact (the consult leg's far end is only the colleague).
    const remote = transfer?.contact?.name ?? this.meta.get(callId)?.remote ?? '';
    const due: DispositionDueView = { callId, transferId, prefill, remote, callKind: this.callKindOf(callId) };
    this.update({ dispositionsDue: [...this.state.dispositionsDue, due] });
  }

  /** The kind of call a wrap-up is for, which decides the codes that apply. */
  private callKindOf(callId: string): CallKind {
    const transfer = this.signedIn?.transfers.forCall(callId);
    if (transfer?.consultCallId === callId) return 'consult';
    if (transfer?.role === 'recipient' && transfer.contactCallId === callId) return 'transferred-in';
    return this.meta.get(callId)?.direction ?? 'inbound';
  }

  private toast(title: string, body: string, callId: string): void {
    this.options.notifier.show({ id: callId, title, body, urgent: true }, () => this.publishSnapshot());
  }

  private contactOf(call: Call): string {
    const transfer = this.signedIn?.transfers.forCall(call.id);
    return transfer?.contact?.id ?? contactIdFor(call);
  }

  // ── state ──────────────────────────────────────────────────────────────────────────────────

  private refreshCalls(): void {
    const s = this.signedIn;
    if (!s) return;
    this.update({ calls: s.phone.calls().map((c) => this.callView(c)) });
  }

  private refreshTransfers(): void {
    const s = this.signedIn;
    if (!s) return;
    this.update({ transfers: s.transfers.list() });
    this.refreshCalls();
  }

  private refreshDirectory(): void {
    const s = this.signedIn;
    if (!s) return;
    const directory: DirectoryEntryView[] = s.directory.entries().map((e) => ({
      userId: e.user.id,
      name: e.user.displayName,
      uri: e.user.sipUri,
      team: e.user.team,
      status: e.status,
      recommended: e.recommended,
    }));
    this.update({ directory });
  }

  private callView(call: Call): CallView {
    const meta = this.meta.get(call.id);
    return {
      id: call.id,
      direction: call.direction,
      state: call.state,
      remote: { uri: call.remoteUri, name: call.remoteName ?? null },
      held: call.held,
      live: isLive(call),
      remoteHeld: call.remoteHeld,
      muted: call.muted,
      startedAt: meta?.startedAt ?? this.now(),
      answeredAt: meta?.answeredAt ?? null,
      end: call.end ?? null,
      contactId: meta?.contactId ?? null,
      transferId: this.signedIn?.transfers.forCall(call.id)?.id ?? null,
    };
  }

  /** Nothing is sent when nothing changed; otherwise only what did (never a whole list for one item). */
  private update(changes: Partial<DeskState>): void {
    const patch = diffDesk(this.state, changes);
    if (!patch) return;
    const version = this.state.version + 1;
    this.state = { ...this.state, ...changes, version };
    this.events.emit('patch', { version, ...patch });
  }

  private names(): ReadonlyMap<string, string> {
    const doc = this.options.provisioning;
    return new Map<string, string>([...doc.roster.map((u) => [u.id, u.displayName] as const), ...doc.outcomes.map((o) => [`outcome:${o.id}`, o.label] as const), ...doc.dispositions.map((d) => [`outcome:${d.id}`, d.label] as const)]);
  }

  private live(): OneLiveCall {
    return this.session().live;
  }

  /** Who a call is with, as the agent knows them: the contact of a transfer leg, else the far end. */
  private nameOf(call: Call): string {
    const transfer = this.signedIn?.transfers.forCall(call.id);
    if (transfer?.consultCallId === call.id) return transfer.counterpart.name;
    return transfer?.contact?.name ?? call.remoteName ?? userOf(call.remoteUri);
  }

  private session(): SignedIn {
    if (!this.signedIn) throw new DeskError('not-signed-in', 'Sign in first.');
    return this.signedIn;
  }

  private call(callId: string): Call {
    const call = this.session().phone.calls().find((c) => c.id === callId);
    if (!call) throw new DeskError('no-such-call', 'That call has ended.');
    return call;
  }
}

function toCommandError(error: unknown): CommandError {
  if (error instanceof DeskError || error instanceof SettingFixedByPolicy || error instanceof PhoneError || error instanceof TransferRuleViolation || error instanceof TransferContextError || error instanceof LiveCallRefusal) {
    return { code: error.code, message: error.message };
  }
  if (error instanceof TransferNotFound) return { code: 'no-such-transfer', message: 'That transfer is over.' };
  return { code: 'internal', message: error instanceof Error ? error.message : 'Something went wrong.' };
}

const CALL_KIND_WORDS: Readonly<Record<CallKind, string>> = {
  inbound: 'an incoming call',
  outbound: 'a call you placed',
  'transferred-in': 'a call transferred to you',
  consult: 'a consult with a colleague',
};

/** The outcomes an agent of `team` may pick (all of them before anyone signed in). */
function outcomeViews(doc: ProvisioningDocument, team: string | null): OutcomeView[] {
  return doc.outcomes.filter((o) => team === null || appliesToTeam(o, team)).map((o) => ({ id: o.id, label: o.label, methods: outcomeMethods(o) }));
}

function dispositionCodeViews(doc: ProvisioningDocument, team: string | null): DispositionCodeView[] {
  return doc.dispositions.filter((d) => team === null || appliesToTeam(d, team)).map((d) => ({ id: d.id, label: d.label, callKinds: dispositionCallKinds(d) }));
}

function userOf(uri: string): string {
  return /^sips?:([^@;>]+)@/.exec(uri)?.[1] ?? uri;
}

/** Until a CRM link exists, a contact is known by the number (SIP user) it calls from. */
function contactIdFor(call: Call): string {
  return `tel:${userOf(call.remoteUri)}`.slice(0, 128);
}
