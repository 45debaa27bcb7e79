/**
 * System-wide answer and hang-up keys (Electron's globalShortcut), for agents who work in a CRM
 * window with Baton beside it. Off unless policy turns them on (`policies.shortcuts.global.mode:
 * "on"`) or leaves the choice to the agent ("agent", the default) and the agent turned them on —
 * that choice is the agent setting `globalShortcuts` main keeps (DeskState.settings, set with the
 * `settings.set` command). Registered only while someone
 * is signed in, so the keys stay free for other applications otherwise.
 *
 * The keys do what the desk's buttons do, through Desk.handle: main's rules still decide (a
 * forbidden hang-up is refused and logged, never forced).
 */
import type { DeskState } from '../../shared/desk.js';
import type { CommandName, CommandOutcome } from '../../shared/ipc.js';
import type { ShortcutPolicy } from '../../shared/provisioning/schema.js';
import { DEFAULT_GLOBAL_ACCELERATORS } from '../../shared/provisioning/shortcutDefaults.js';

/** The parts of Electron's globalShortcut used here; Electron's own object satisfies it. */
export interface GlobalShortcutPort {
  register(accelerator: string, callback: () => void): boolean;
  unregister(accelerator: string): void;
}

/** What the keys need of the Desk (electron/core/desk.ts). */
export interface GlobalShortcutDesk {
  snapshot(): DeskState;
  handle(command: CommandName, payload: unknown): Promise<CommandOutcome<CommandName>>;
}

export type GlobalKeyAction = 'answer' | 'hangUp';

/** A command the key sends, or null when there is nothing to do. */
export type GlobalCommand =
  | { readonly command: 'call.answer'; readonly payload: { readonly callId: string } }
  | { readonly command: 'transfer.accept'; readonly payload: { readonly transferId: string } }
  | { readonly command: 'call.hangUp'; readonly payload: { readonly callId: string } };

export function globalKeysEnabled(policy: ShortcutPolicy | undefined, desk: DeskState): boolean {
  if (desk.session.user === null) return false;
  const mode = policy?.global?.mode ?? 'agent';
  if (mode !== 'agent') return mode === 'on';
  return desk.settings?.globalShortcuts === true;
}

export function globalAccelerators(policy: ShortcutPolicy | undefined): Readonly<Record<GlobalKeyAction, string>> {
  return {
    answer: policy?.global?.answer ?? DEFAULT_GLOBAL_ACCELERATORS.answer,
    hangUp: policy?.global?.hangUp ?? DEFAULT_GLOBAL_ACCELERATORS.hangUp,
  };
}

/** Answer: the oldest plain call ringing in, else the oldest transfer offered to this agent. */
export function answerCommand(desk: DeskState): GlobalCommand | null {
  const inTransfer = new Set(desk.transfers.flatMap((t) => [t.contactCallId, t.consultCallId]));
  const plain = desk.calls.find(
    (c) => c.direction === 'inbound' && c.state === 'ringing' && c.transferId === null && !inTransfer.has(c.id),
  );
  if (plain) return { command: 'call.answer', payload: { callId: plain.id } };
  const offer = desk.transfers.find(
    (t) => t.role === 'recipient' && (t.state.phase === 'consultRinging' || t.state.phase === 'referring') && t.allowed.includes('accept'),
  );
  return offer ? { command: 'transfer.accept', payload: { transferId: offer.id } } : null;
}

/** Hang up: the live call (the one the agent talks on), else a call of theirs still ringing out. */
export function hangUpCommand(desk: DeskState): GlobalCommand | null {
  const call =
    desk.calls.find((c) => c.live) ??
    desk.calls.find((c) => c.direction === 'outbound' && (c.state === 'calling' || c.state === 'ringing'));
  return call ? { command: 'call.hangUp', payload: { callId: call.id } } : null;
}

export interface GlobalShortcutsOptions {
  readonly shortcuts: GlobalShortcutPort;
  readonly desk: GlobalShortcutDesk;
  readonly policy: ShortcutPolicy | undefined;
  readonly log: (message: string) => void;
}

export class GlobalShortcuts {
  private registered: readonly string[] = [];
  /** The accelerators another application holds: tried again only when the keys are turned on anew. */
  private refused = new Set<string>();

  constructor(private readonly options: GlobalShortcutsOptions) {}

  /** Registers or releases the keys to match the desk (call on every desk change; cheap when nothing changed). */
  sync(): void {
    const on = globalKeysEnabled(this.options.policy, this.options.desk.snapshot());
    if (on && this.registered.length === 0) this.register();
    else if (!on && this.registered.length > 0) this.release();
    if (!on) this.refused.clear();
  }

  /** Runs one key's action now (what the OS calls back). */
  async press(action: GlobalKeyAction): Promise<void> {
    const desk = this.options.desk.snapshot();
    const next = action === 'answer' ? answerCommand(desk) : hangUpCommand(desk);
    if (next === null) return;
    const outcome = await this.options.desk.handle(next.command, next.payload);
    if (!outcome.ok)
      this.options.log(`system-wide ${action} key: ${next.command} refused (${outcome.error.code}): ${outcome.error.message}`);
  }

  dispose(): void {
    this.release();
  }

  private register(): void {
    const keys = globalAccelerators(this.options.policy);
    const taken: string[] = [];
    for (const action of ['answer', 'hangUp'] as const) {
      const accelerator = keys[action];
      if (this.refused.has(accelerator)) continue;
      let ok = false;
      try {
        ok = this.options.shortcuts.register(accelerator, () => void this.press(action));
      } catch (error) {
        this.options.log(`system-wide ${action} key ${accelerator} is not a valid accelerator: ${String(error)}`);
      }
      if (ok) taken.push(accelerator);
      else {
        this.refused.add(accelerator);
        this.options.log(`system-wide ${action} key ${accelerator} could not be registered (another application may hold it)`);
      }
    }
    this.registered = taken;
  }

  private release(): void {
    for (const accelerator of this.registered) this.options.shortcuts.unregister(accelerator);
    this.registered = [];
  }
}
