/**
 * Signing in and out: the phone registered first, then everything that lives only while an agent
 * is signed in — transfers, agent state, the directory, the one-live-call guard — wired to the desk.
 */
import type { ChosenStatus } from '../../../shared/agentState.js';
import { statusLabel } from '../../../shared/agentState.js';
import type { RosterUser } from '../../../shared/provisioning/index.js';
import { OneLiveCall } from '../oneLiveCall.js';
import { AgentStateDesk } from '../presence/agentStateDesk.js';
import { PresenceDirectory } from '../presence/presenceDirectory.js';
import { Phone } from '../sip/phone.js';
import { historyToStore } from '../store/historyAdapter.js';
import { colleagueLookup } from '../transfer/colleagues.js';
import { Transfers, type TransferHistorySink } from '../transfer/transfers.js';
import type { Disposable } from '../typedEmitter.js';
import type { DeskContext, SignedIn } from './deskContext.js';
import { DeskError } from './deskError.js';
import { dispositionCodeViews, externalView, outcomeViews } from './deskView.js';
import type { Dispositions } from './dispositions.js';

/** Agents start Not ready: taking calls is a choice they make on the desk. */
const SIGNED_IN: ChosenStatus = { kind: 'NotReady', reason: 'Just signed in' };

export interface SessionHooks {
  /** Stores the session the desk acts on (undefined once signed out). */
  readonly set: (session: SignedIn | undefined) => void;
  readonly dispositions: Dispositions;
  readonly refreshTransfers: () => void;
  readonly refreshDirectory: () => void;
}

export class Sessions {
  constructor(
    private readonly ctx: DeskContext,
    private readonly hooks: SessionHooks,
  ) {}

  async signIn(userId: string, password: string): Promise<void> {
    if (this.ctx.signedIn()) throw new DeskError('already-signed-in', 'Sign out first.');
    const doc = this.ctx.options.provisioning;
    const user = doc.roster.find((u) => u.id === userId);
    if (!user) throw new DeskError('unknown-user', 'This user is not in the roster IT provided.');
    const only = this.ctx.options.signInOnly;
    if (only && !only.users.includes(userId))
      throw new DeskError('not-at-this-desk', `${user.displayName} cannot sign in here: ${only.why}`);
    const secret = password || this.ctx.options.credentials.load(userId) || '';
    if (secret) this.ctx.log.redact(secret);
    this.ctx.log.info('signing in', { userId, server: doc.sip.server, savedPassword: !password && secret !== '' });
    const phoneLog = this.ctx.log.child('phone');
    const phone = new Phone({
      log: (level, message, detail) => phoneLog[level](message, detail === undefined ? undefined : { detail }),
      ...(this.ctx.options.trustedCa ? { ca: this.ctx.options.trustedCa } : {}),
      ...(this.ctx.options.sipTrace ? { sipTrace: this.ctx.options.sipTrace } : {}),
      server: doc.sip.server,
      aor: user.sipUri,
      password: secret,
      displayName: user.displayName,
      media: this.ctx.options.media,
      ...(doc.sip.deadConnectionSec ? { deadConnectionMs: doc.sip.deadConnectionSec * 1000 } : {}),
      ...this.ctx.options.phone,
    });
    const session = this.ctx.store.state.session;
    this.ctx.store.update({
      session: { ...session, registration: 'connecting', error: null, user: { id: user.id, name: user.displayName, aor: user.sipUri } },
    });
    const registration = phone.events.on('registration', ({ state, error }) => {
      if (error)
        this.ctx.log.warn(`registration ${state}: ${error.message}`, {
          code: error.code,
          statusCode: error.statusCode,
          cause: error.cause,
        });
      else this.ctx.log.info(`registration ${state}`);
      this.ctx.store.update({
        session: {
          ...this.ctx.store.state.session,
          registration: state,
          error: error ? { code: error.code, message: error.message } : null,
        },
      });
    });
    try {
      await phone.start();
    } catch (error) {
      registration.dispose();
      this.ctx.store.update({ session: { ...this.ctx.store.state.session, user: null } });
      throw error;
    }
    if (password && this.ctx.options.credentials.available) this.ctx.options.credentials.save(userId, password);
    this.attachSession(user, phone, registration);
  }

  private attachSession(user: RosterUser, phone: Phone, registration: Disposable): void {
    const { store } = this.ctx.options;
    const history: TransferHistorySink = {
      // The transfers say whose account each entry is: ours, or a colleague's transfer context.
      append: (entries, origin) => void store.history.append(entries.map((e) => historyToStore(e, origin))),
    };
    const colleague = colleagueLookup(this.ctx.options.provisioning.roster, user.id);
    const transfers = new Transfers(phone, {
      agent: { id: user.id, name: user.displayName },
      history,
      colleague,
      log: this.ctx.log.child('transfer'),
      owed: (callId) => this.hooks.dispositions.isOwed(callId),
      ...this.ctx.options.transfers,
    });
    const remembered = store.choices.get(user.id, 'user-transfer');
    const agent = new AgentStateDesk(phone, { initial: SIGNED_IN, agentId: user.id, dispositions: store.dispositions });
    const directory = new PresenceDirectory(phone, this.ctx.options.provisioning.roster, { selfId: user.id });
    const subscriptions: Disposable[] = [
      registration,
      phone.events.on('incomingCall', (call) => this.ctx.calls.onCall(call)),
      phone.events.on('outgoingCall', (call) => this.ctx.calls.onCall(call)),
      transfers.events.on('changed', () => this.hooks.refreshTransfers()),
      transfers.events.on('forgotten', () => this.hooks.refreshTransfers()),
      transfers.events.on('incoming', ({ transfer, call }) =>
        this.ctx.toast(transfer.counterpart.name, transfer.contact?.name ?? call.remoteUri, call.id),
      ),
      transfers.events.on('dispositionDue', (due) => this.hooks.dispositions.owe(due.callId, due.transferId, due.prefill)),
      agent.events.on('state', (state) => {
        this.ctx.store.update({ agent: { status: state.status, chosen: state.chosen } });
        this.ctx.options.status?.setStatus(statusLabel(state.status));
      }),
      directory.events.on('entry', () => this.hooks.refreshDirectory()),
    ];
    const live = new OneLiveCall({
      calls: () => phone.calls(),
      checkHold: (call) => transfers.guardCallCommand(call.id, 'hold'),
      nameOf: (call) => this.ctx.calls.nameOf(call),
      callingOff: (call) => transfers.isCallingOff(call.id),
    });
    this.hooks.set({ user, phone, transfers, agent, directory, live, subscriptions });
    const doc = this.ctx.options.provisioning;
    this.ctx.store.update({
      agent: { status: agent.state.status, chosen: agent.state.chosen },
      outcomes: outcomeViews(doc, user.team),
      dispositionCodes: dispositionCodeViews(doc, user.team),
      remembered: remembered
        ? { userId: remembered.userId, outcomeId: remembered.outcomeId ?? null, method: remembered.method }
        : { userId: null, outcomeId: null, method: null },
      external: externalView(doc, store.choices, user.id),
    });
    this.hooks.refreshDirectory();
    this.ctx.options.status?.setStatus(statusLabel(agent.state.status));
  }

  async signOut(): Promise<void> {
    const s = this.ctx.signedIn();
    if (!s) return;
    this.hooks.set(undefined);
    for (const sub of s.subscriptions) sub.dispose();
    s.transfers.dispose();
    await s.phone.stop();
    await s.directory.dispose();
    s.agent.dispose();
    this.ctx.calls.clear();
    const doc = this.ctx.options.provisioning;
    this.ctx.store.update({
      session: { ...this.ctx.store.state.session, registration: 'unregistered', user: null, error: null },
      agent: { status: { kind: 'Offline' }, chosen: this.ctx.store.state.agent.chosen },
      calls: [],
      transfers: [],
      directory: [],
      outcomes: outcomeViews(doc, null),
      dispositionCodes: dispositionCodeViews(doc, null),
    });
    this.ctx.options.status?.setStatus('Offline');
  }
}
