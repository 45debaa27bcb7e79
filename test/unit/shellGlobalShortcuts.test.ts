/**
 * The system-wide answer / hang-up keys: registered only when policy or the agent turns them on
 * (and someone is signed in), released when turned off, and each key sends the command its button
 * would — to the desk, whose rules still decide. A recording fake stands in for globalShortcut.
 */
import type { GlobalShortcut } from 'electron';
import { describe, expect, it } from 'vitest';
import type { CallView, DeskState } from '../../shared/desk.js';
import type { CommandName, CommandOutcome } from '../../shared/ipc.js';
import type { ShortcutPolicy } from '../../shared/provisioning/schema.js';
import type { TransferView } from '../../shared/transfer/view.js';
import { answerCommand, GlobalShortcuts, hangUpCommand, type GlobalShortcutPort } from '../../electron/shell/globalShortcuts.js';
import { idleDesk } from '../support/deskStateFixture.js';

// Compiles only if Electron's globalShortcut fits the port.
const asPort = (x: GlobalShortcut): GlobalShortcutPort => x;

class RecordingShortcuts implements GlobalShortcutPort {
  readonly held = new Map<string, () => void>();
  readonly log: string[] = [];
  /** Accelerators another application holds. */
  readonly taken = new Set<string>();
  register(accelerator: string, callback: () => void): boolean {
    this.log.push(`register ${accelerator}`);
    if (this.taken.has(accelerator)) return false;
    this.held.set(accelerator, callback);
    return true;
  }
  unregister(accelerator: string): void {
    this.log.push(`unregister ${accelerator}`);
    this.held.delete(accelerator);
  }
  press(accelerator: string): void {
    const callback = this.held.get(accelerator);
    if (!callback) throw new Error(`${accelerator} is not registered`);
    callback();
  }
}

function call(id: string, overrides: Partial<CallView> = {}): CallView {
  return {
    id,
    direction: 'inbound',
    state: 'established',
    remote: { uri: `sip:${id}@lab`, name: null },
    held: false,
    live: false,
    remoteHeld: false,
    muted: false,
    startedAt: 0,
    answeredAt: null,
    end: null,
    contactId: null,
    transferId: null,
    ...overrides,
  };
}

function offer(id: string, allowed: TransferView['allowed'] = ['accept', 'decline']): TransferView {
  return {
    id,
    role: 'recipient',
    state: { role: 'recipient', phase: 'consultRinging', method: 'warm', failure: null },
    contactCallId: null,
    consultCallId: `${id}-consult`,
    counterpart: { name: 'Bob', uri: 'sip:bob@lab' },
    contact: null,
    outcome: null,
    note: '',
    history: [],
    contextProblem: null,
    contactHeld: false,
    allowed,
  };
}

function deskState(overrides: Partial<DeskState> = {}): DeskState {
  return idleDesk(
    { id: 'alice', name: 'Alice' },
    { policies: { nonRecommendedTransfer: 'warn', noteMaxLength: 500, rememberChoices: true }, ...overrides },
  );
}

function setup(policy: ShortcutPolicy | undefined, initial: Partial<DeskState> = {}) {
  const shortcuts = new RecordingShortcuts();
  let state = deskState(initial);
  const sent: string[] = [];
  const logged: string[] = [];
  const refuse = new Set<CommandName>();
  const desk = {
    snapshot: () => state,
    handle: async (command: CommandName, payload: unknown): Promise<CommandOutcome<CommandName>> => {
      sent.push(`${command} ${JSON.stringify(payload)}`);
      return refuse.has(command)
        ? { ok: false, error: { code: 'initiator-cannot-cancel', message: 'Only the colleague can cancel.' } }
        : { ok: true, value: undefined };
    },
  };
  const keys = new GlobalShortcuts({ shortcuts, desk, policy, log: (m) => void logged.push(m) });
  const change = (next: Partial<DeskState>): void => {
    state = { ...state, ...next };
    keys.sync();
  };
  return { shortcuts, keys, sent, logged, refuse, change };
}

const settings = {
  devices: { microphone: { id: null, label: null }, speaker: { id: null, label: null }, ringer: { id: null, label: null } },
  devicesFixed: [],
};
const agentOn = { settings: { ...settings, globalShortcuts: true } };
const agentOff = { settings: { ...settings, globalShortcuts: false } };
const flush = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

describe('system-wide keys: when they are registered', () => {
  it('are off by default, and on once the agent turns them on; off again releases them', () => {
    const { shortcuts, keys, change } = setup(undefined);
    keys.sync();
    expect(shortcuts.log).toEqual([]);
    change(agentOn);
    expect([...shortcuts.held.keys()]).toEqual(['CommandOrControl+Shift+F9', 'CommandOrControl+Shift+F10']);
    change(agentOff);
    expect(shortcuts.held.size).toBe(0);
    expect(shortcuts.log).toEqual([
      'register CommandOrControl+Shift+F9',
      'register CommandOrControl+Shift+F10',
      'unregister CommandOrControl+Shift+F9',
      'unregister CommandOrControl+Shift+F10',
    ]);
  });

  it('policy "on" registers them without the agent, with the accelerators IT chose', () => {
    const { shortcuts, keys } = setup({ global: { mode: 'on', answer: 'Alt+Shift+F1', hangUp: 'Alt+Shift+F2' } });
    keys.sync();
    expect([...shortcuts.held.keys()]).toEqual(['Alt+Shift+F1', 'Alt+Shift+F2']);
  });

  it('policy "off" wins over the agent', () => {
    const { shortcuts, change } = setup({ global: { mode: 'off' } });
    change(agentOn);
    expect(shortcuts.log).toEqual([]);
  });

  it('nobody signed in: released, so the keys are free for other applications', () => {
    const { shortcuts, change } = setup({ global: { mode: 'on' } });
    change({});
    expect(shortcuts.held.size).toBe(2);
    change({ session: { registration: 'unregistered', error: null, user: null, signInUsers: [] } });
    expect(shortcuts.held.size).toBe(0);
  });

  it('an accelerator another application holds is logged once and not retried on every change; the other still works', () => {
    const { shortcuts, logged, change } = setup(undefined);
    shortcuts.taken.add('CommandOrControl+Shift+F9');
    change(agentOn);
    change({ version: 2 });
    change({ version: 3 });
    expect([...shortcuts.held.keys()]).toEqual(['CommandOrControl+Shift+F10']);
    expect(logged.filter((m) => m.includes('could not be registered'))).toHaveLength(1);
    expect(shortcuts.log.filter((l) => l === 'register CommandOrControl+Shift+F9')).toHaveLength(1);
  });

  it('dispose releases what is registered', () => {
    const { shortcuts, keys, change } = setup(undefined);
    change(agentOn);
    keys.dispose();
    expect(shortcuts.held.size).toBe(0);
  });
});

describe('system-wide keys: what they do', () => {
  it('answer picks the plain call ringing in before a transfer offer; nothing ringing sends nothing', async () => {
    const { shortcuts, sent, change } = setup({ global: { mode: 'on' } });
    change({
      transfers: [offer('t1')],
      calls: [call('c1', { state: 'ringing' }), call('t1-consult', { state: 'ringing', transferId: 't1' })],
    });
    shortcuts.press('CommandOrControl+Shift+F9');
    await flush();
    change({ calls: [call('t1-consult', { state: 'ringing', transferId: 't1' })] });
    shortcuts.press('CommandOrControl+Shift+F9');
    await flush();
    change({ calls: [], transfers: [] });
    shortcuts.press('CommandOrControl+Shift+F9');
    await flush();
    expect(sent).toEqual(['call.answer {"callId":"c1"}', 'transfer.accept {"transferId":"t1"}']);
  });

  it('an offer the agent may not accept is not answered', () => {
    expect(answerCommand(deskState({ transfers: [offer('t1', ['decline'])] }))).toBeNull();
  });

  it('hang up ends the live call, not a held one; else a call still ringing out', () => {
    expect(hangUpCommand(deskState({ calls: [call('held', { held: true }), call('live', { live: true })] }))).toEqual({
      command: 'call.hangUp',
      payload: { callId: 'live' },
    });
    expect(
      hangUpCommand(deskState({ calls: [call('held', { held: true }), call('out', { direction: 'outbound', state: 'calling' })] })),
    ).toEqual({
      command: 'call.hangUp',
      payload: { callId: 'out' },
    });
    expect(hangUpCommand(deskState({ calls: [call('held', { held: true })] }))).toBeNull();
  });

  it('a refusal from the desk is logged, not forced', async () => {
    const { shortcuts, sent, logged, refuse, change } = setup({ global: { mode: 'on' } });
    refuse.add('call.hangUp');
    change({ calls: [call('consult', { live: true })] });
    shortcuts.press('CommandOrControl+Shift+F10');
    await flush();
    expect(sent).toEqual(['call.hangUp {"callId":"consult"}']);
    expect(logged).toEqual([expect.stringMatching(/hangUp key: call.hangUp refused \(initiator-cannot-cancel\)/)]);
  });

  it('the port is Electron’s globalShortcut shape (checked by tsc)', () => {
    expect(typeof asPort).toBe('function');
  });
});
