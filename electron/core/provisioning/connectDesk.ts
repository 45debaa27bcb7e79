/**
 * What main runs behind the IPC bridge while Baton has no configuration: the Connect screen's side.
 * It answers like a Desk (snapshot, handle) but knows one command, `session.connect`:
 *
 * - an account (server, user, password, display name): the server address is checked, then the
 *   account registers once (a real REGISTER, no media) so that a wrong password, an unknown user,
 *   an unreachable server or an untrusted certificate is told now, as a sentence, with nothing saved;
 * - a provisioning URL: fetched (https only) and validated whole, like IT's own.
 *
 * On success the settings are saved (the password in the CredentialStore only), and `onConnected`
 * gets the document; main then builds the real Desk on it.
 */
import { parseCommand, type CommandName, type CommandOutcome, type ValidatedPayload } from '../../../shared/ipc.js';
import type { ConnectView, DeskState } from '../../../shared/desk.js';
import type { MediaPort } from '../../../shared/media.js';
import { parseProvisioning, type ProvisioningDocument } from '../../../shared/provisioning/index.js';
import { DEFAULT_NOTE_MAX_CHARS } from '../../../shared/notes.js';
import type { CredentialStore } from '../ports.js';
import { Phone } from '../sip/phone.js';
import { TypedEmitter } from '../typedEmitter.js';
import type { DeskEvents } from '../desk.js';
import { fetchDocument, type Fetched } from './fetchDocument.js';
import {
  accountDomain,
  accountUser,
  connectFailure,
  documentForAccount,
  provisioningUrlProblem,
  saveConnection,
  serverAddressProblem,
  type SavedConnection,
} from './connection.js';

export interface Account {
  readonly server: string;
  readonly aor: string;
  readonly password: string;
  readonly displayName: string;
}

export interface Connected {
  readonly document: ProvisioningDocument;
  /** Where it came from, as provisioning issues name it. */
  readonly source: string;
  /** Account connections sign in at once with what the agent typed. */
  readonly signIn: { readonly userId: string; readonly password: string } | null;
}

export interface ConnectDeskOptions {
  /** connection.json in the user-data folder. */
  readonly connectionFile: string;
  readonly credentials: CredentialStore;
  /** What the screen starts with (a saved connection that no longer worked, for instance). */
  readonly saved?: SavedConnection;
  readonly onConnected: (connected: Connected) => void | Promise<void>;
  /** Registers once and unregisters; rejects with the phone's error. Default: a Phone without media. */
  readonly probe?: (account: Account) => Promise<void>;
  readonly fetch?: (url: string) => Promise<Fetched>;
  /**
   * The certificate authorities (PEM) the real desk will trust — Node's bundle, the OS store, IT's
   * policy files (shell/trustedCas.ts) — so that the screen's checks accept exactly the servers the
   * desk would. Absent: Node's bundle alone.
   */
  readonly trustedCa?: readonly string[];
}

type Refusal = CommandOutcome<CommandName> & { readonly ok: false };
const refuse = (code: string, message: string): Refusal => ({ ok: false, error: { code, message } });

/** The probe's phone never takes a call: no media is ever opened. */
const NO_MEDIA: MediaPort = {
  open: () => Promise.reject(new Error('The Connect screen places no calls.')),
};

export async function probeRegistration(account: Account, trustedCa?: readonly string[]): Promise<void> {
  const phone = new Phone({
    ...(trustedCa ? { ca: trustedCa } : {}),
    server: account.server,
    aor: account.aor,
    password: account.password,
    displayName: account.displayName,
    media: NO_MEDIA,
    connectTimeoutMs: 8000,
  });
  try {
    await phone.start();
  } finally {
    // The probe's answer is start()'s: this phone opened no call and no media, and its registration
    // lapses on its own, so a failed stop changes nothing and must not replace start()'s error.
    // eslint-disable-next-line baton/no-swallowed-error -- see above; the probe has no log to write to
    await phone.stop().catch(() => undefined);
  }
}

export class ConnectDesk {
  readonly events = new TypedEmitter<DeskEvents>();
  private state: DeskState;
  private busy = false;
  private done = false;

  constructor(private readonly options: ConnectDeskOptions) {
    const saved = options.saved;
    const connect: ConnectView = {
      server: saved?.kind === 'account' ? saved.server : '',
      userId: saved?.kind === 'account' ? saved.userId : '',
      displayName: saved?.kind === 'account' ? saved.displayName : '',
      provisioningUrl: saved?.kind === 'provisioningUrl' ? saved.url : '',
    };
    this.state = {
      version: 1,
      session: { registration: 'unregistered', error: null, user: null, signInUsers: [], connect },
      agent: { status: { kind: 'Offline' }, chosen: { kind: 'NotReady', reason: 'Not connected' } },
      calls: [],
      transfers: [],
      directory: [],
      outcomes: [],
      dispositionCodes: [],
      notReadyReasons: [],
      policies: { nonRecommendedTransfer: 'allow', noteMaxLength: DEFAULT_NOTE_MAX_CHARS, rememberChoices: false },
      remembered: { userId: null, outcomeId: null, method: null },
      dispositionsDue: [],
      drafts: {},
      notices: [],
    };
  }

  snapshot(): DeskState {
    return this.state;
  }

  /** No calls here: nothing to move to a new engine. */
  mediaEngineAttached(): void {}

  async handle(command: CommandName, payload: unknown): Promise<CommandOutcome<CommandName>> {
    if (command !== 'session.connect') {
      if (command === 'draft.save' || command === 'media.reply') return { ok: true, value: undefined };
      return refuse('not-connected', 'Connect Baton to your server first.');
    }
    const parsed = parseCommand(command, payload);
    if (!parsed.ok) return { ok: false, error: parsed.error };
    if (this.done) return refuse('already-configured', 'Baton is connected already.');
    if (this.busy) return refuse('busy', 'Baton is connecting already: wait a moment.');
    this.busy = true;
    this.setRegistration('connecting', null);
    try {
      const failure = await this.connect(parsed.value);
      if (failure !== null) {
        this.setRegistration('failed', { code: 'connect-failed', message: failure });
        return refuse('connect-failed', failure);
      }
      this.done = true;
      this.setRegistration('unregistered', null);
      return { ok: true, value: undefined };
    } finally {
      this.busy = false;
    }
  }

  /** Null on success, else the sentence for the agent. */
  private async connect(request: ValidatedPayload<'session.connect'>): Promise<string | null> {
    if (request.kind === 'provisioningUrl') {
      const problem = provisioningUrlProblem(request.url);
      if (problem !== null) return problem;
      const trustedCa = this.options.trustedCa;
      const fetched = await (this.options.fetch ?? ((url: string) => fetchDocument(url, trustedCa ? { ca: trustedCa } : {})))(request.url);
      if (!fetched.ok) return fetched.sentence;
      const doc = parseProvisioning(fetched.text, `provisioning URL ${request.url}`);
      if (!doc.ok)
        return `The provisioning document at this address is not valid (${doc.issues[0]?.path ?? '$'}: expected ${doc.issues[0]?.expected ?? 'a provisioning document'}). Ask IT to check it.`;
      await saveConnection(this.options.connectionFile, { version: 1, kind: 'provisioningUrl', url: request.url });
      await this.options.onConnected({ document: doc.value, source: `provisioning URL ${request.url}`, signIn: null });
      return null;
    }
    const problem = serverAddressProblem(request.server);
    if (problem !== null) return problem;
    const saved: SavedConnection = {
      version: 1,
      kind: 'account',
      server: request.server,
      userId: request.userId,
      displayName: request.displayName,
    };
    let document: ProvisioningDocument;
    try {
      document = documentForAccount(saved);
    } catch (error) {
      return error instanceof Error ? error.message : String(error);
    }
    const user = accountUser(request.userId);
    const aor = `sip:${user}@${accountDomain(request.userId, request.server)}`;
    try {
      await (this.options.probe ?? ((account: Account) => probeRegistration(account, this.options.trustedCa)))({
        server: request.server,
        aor,
        password: request.password,
        displayName: request.displayName || user,
      });
    } catch (error) {
      return connectFailure(error, { server: request.server, userId: request.userId });
    }
    await saveConnection(this.options.connectionFile, saved);
    if (request.password && this.options.credentials.available) this.options.credentials.save(user, request.password);
    await this.options.onConnected({
      document,
      source: `your connection settings ${this.options.connectionFile}`,
      signIn: { userId: user, password: request.password },
    });
    return null;
  }

  private setRegistration(registration: DeskState['session']['registration'], error: DeskState['session']['error']): void {
    const version = this.state.version + 1;
    const session = { ...this.state.session, registration, error };
    this.state = { ...this.state, version, session };
    this.events.emit('patch', { version, changes: { session } });
  }
}
