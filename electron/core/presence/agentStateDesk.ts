/**
 * The agent's own state in the main process: the pure machine from shared/agentState.ts, fed by
 * the phone's registration and by the desk's call and disposition events, published to colleagues
 * as presence on every change, and unpublished (Expires: 0) before the phone stops.
 */
import { UserAgent } from 'sip.js';
import {
  agentTransition,
  initialAgentState,
  type AgentEvent,
  type AgentResult,
  type AgentState,
  type ChosenStatus,
} from '../../../shared/agentState.js';
import type { Dispositions } from '../store/dispositions.js';
import type { Phone } from '../sip/phone.js';
import { TypedEmitter, type Disposable } from '../typedEmitter.js';
import { buildPidf } from './pidf.js';
import { PresencePublisher } from './presencePublisher.js';

export interface AgentStateDeskOptions {
  /** The agent's remembered choice, or the admin default. */
  readonly initial: ChosenStatus;
  /** Roster id, recorded with each disposition. */
  readonly agentId: string;
  readonly publishExpiresSec?: number;
  readonly dispositions?: Dispositions;
  readonly now?: () => Date;
}

export interface AgentStateDeskEvents {
  state: AgentState;
  problem: { readonly message: string; readonly detail?: unknown };
}

export class AgentStateDesk {
  readonly events = new TypedEmitter<AgentStateDeskEvents>((error) => this.problem('an agent-state listener threw', error));
  private _state: AgentState;
  private readonly publisher: PresencePublisher;
  private readonly disposables: Disposable[] = [];
  private readonly now: () => Date;

  constructor(
    private readonly phone: Phone,
    private readonly options: AgentStateDeskOptions,
  ) {
    this.now = options.now ?? (() => new Date());
    this._state = initialAgentState(options.initial);
    const target = UserAgent.makeURI(phone.aor);
    if (!target) throw new Error(`not a SIP URI: ${phone.aor}`);
    this.publisher = new PresencePublisher(() => phone.userAgent, target, {
      expiresSec: options.publishExpiresSec ?? 120,
      log: (message, detail) => this.problem(message, detail),
    });
    this.disposables.push(
      phone.events.on('registration', ({ state }) => {
        if (state === 'registered') {
          const before = this._state;
          this.apply({ type: 'registered' });
          // Same status as before the drop (never went offline here): the server may still have
          // lost our publication, so send it again anyway.
          if (this._state === before) void this.publisher.republish();
        } else if (state === 'reconnecting' || state === 'unregistered' || state === 'failed') {
          this.apply({ type: 'unregistered' });
        }
      }),
      phone.onBeforeStop(() => this.publisher.unpublish()),
    );
    if (phone.registration === 'registered') this.apply({ type: 'registered' });
  }

  get state(): AgentState {
    return this._state;
  }

  choose(status: ChosenStatus): AgentResult {
    return this.apply({ type: 'chose', status });
  }

  callStarted(callId: string): AgentResult {
    return this.apply({ type: 'callStarted', callId });
  }

  /** `dispositionOwed` from the transfer rules (a consult replaced by the contact owes none). */
  callEnded(callId: string, dispositionOwed: boolean): AgentResult {
    return this.apply({ type: 'callEnded', callId, dispositionOwed });
  }

  /** Stores the disposition first: the agent leaves wrap-up only once it is safely on disk. */
  fileDisposition(callId: string, code: string, note: string): AgentResult {
    if (this._state.liveCalls.includes(callId)) return agentTransition(this._state, { type: 'dispositionFiled', callId });
    if (this._state.owedDispositions.includes(callId)) {
      this.options.dispositions?.file({ callId, agent: this.options.agentId, code, note, at: this.now().getTime() });
    }
    return this.apply({ type: 'dispositionFiled', callId });
  }

  /** Publishes the current state now and resolves once the server holds it (tests, benches). */
  published(): Promise<void> {
    if (this._state.status.kind === 'Offline') return Promise.resolve();
    return this.publisher.publish(buildPidf(this.phone.aor, this._state.status, this.now()));
  }

  dispose(): void {
    for (const d of this.disposables) d.dispose();
    this.publisher.close();
    this.events.removeAll();
  }

  private apply(event: AgentEvent): AgentResult {
    const result = agentTransition(this._state, event);
    if (!result.ok || !result.changed) return result;
    const before = this._state.status;
    this._state = result.state;
    this.events.emit('state', result.state);
    const status = result.state.status;
    // Offline is never published: we are offline because we cannot reach the server; signing out
    // unpublishes instead, and a crash lets the short Expires do it.
    if (status.kind !== 'Offline' && JSON.stringify(status) !== JSON.stringify(before)) {
      void this.publisher.publish(buildPidf(this.phone.aor, status, this.now()));
    }
    return result;
  }

  private problem(message: string, detail?: unknown): void {
    this.events.emit('problem', detail === undefined ? { message } : { message, detail });
  }
}
