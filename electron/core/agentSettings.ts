/**
 * The agent's settings on this computer (audio devices, the system-wide keys switch), kept in the
 * store so they outlive the renderer's storage and IT can see them in a diagnostics bundle. Machine
 * policy may fix a device: it then wins over whatever was saved, and a change is refused.
 */
import { AUDIO_DEVICE_ROLES, type AgentSettingsView, type AudioDeviceRole, type AudioDeviceSetting } from '../../shared/desk.js';
import { MAX_DEVICE_ID_CHARS, MAX_DEVICE_LABEL_CHARS } from '../../shared/limits.js';
import type { AgentSettingsStore } from './store/agentSettings.js';

/** Settings of the computer, not of one roster user: '' in the store's agent column. */
const COMPUTER = '';
const SYSTEM_DEFAULT: AudioDeviceSetting = { id: null, label: null };

export interface AgentSettingsPolicy {
  /** Device label as the OS names it, or "default", per role IT fixed. */
  readonly devices?: Readonly<Partial<Record<AudioDeviceRole, string>>>;
}

export interface AgentSettingsChange {
  readonly devices?: Readonly<Partial<Record<AudioDeviceRole, AudioDeviceSetting>>>;
  readonly globalShortcuts?: boolean;
}

export class SettingFixedByPolicy extends Error {
  readonly code = 'fixed-by-policy';
}

export class AgentSettings {
  constructor(
    private readonly store: AgentSettingsStore,
    private readonly policy: AgentSettingsPolicy = {},
    private readonly now: () => number = Date.now,
  ) {}

  view(): AgentSettingsView {
    const fixed = this.fixedRoles();
    const devices = Object.fromEntries(
      AUDIO_DEVICE_ROLES.map((role) => [
        role,
        fixed.includes(role) ? this.policyDevice(role) : readDevice(this.store.get(COMPUTER, `device.${role}`)),
      ]),
    ) as Record<AudioDeviceRole, AudioDeviceSetting>;
    return { devices, devicesFixed: fixed, globalShortcuts: this.store.get(COMPUTER, 'globalShortcuts') === true };
  }

  /** Applies a change; throws SettingFixedByPolicy (and changes nothing) if it touches a fixed device. */
  set(change: AgentSettingsChange): AgentSettingsView {
    const fixed = this.fixedRoles();
    const devices = Object.entries(change.devices ?? {}) as Array<[AudioDeviceRole, AudioDeviceSetting]>;
    const blocked = devices.find(([role]) => fixed.includes(role));
    if (blocked) throw new SettingFixedByPolicy(`IT set the ${ROLE_WORDS[blocked[0]]} for this computer; it cannot be changed here.`);
    for (const [role, setting] of devices) this.store.set(COMPUTER, `device.${role}`, { id: setting.id, label: setting.label }, this.now());
    if (change.globalShortcuts !== undefined) this.store.set(COMPUTER, 'globalShortcuts', change.globalShortcuts, this.now());
    return this.view();
  }

  private fixedRoles(): AudioDeviceRole[] {
    return AUDIO_DEVICE_ROLES.filter((role) => this.policy.devices?.[role] !== undefined);
  }

  private policyDevice(role: AudioDeviceRole): AudioDeviceSetting {
    const label = this.policy.devices?.[role];
    return label === undefined || label.toLowerCase() === 'default' ? SYSTEM_DEFAULT : { id: null, label };
  }
}

const ROLE_WORDS: Readonly<Record<AudioDeviceRole, string>> = { microphone: 'microphone', speaker: 'speaker', ringer: 'ringer' };

function readDevice(value: unknown): AudioDeviceSetting {
  if (typeof value !== 'object' || value === null) return SYSTEM_DEFAULT;
  const { id, label } = value as { id?: unknown; label?: unknown };
  const text = (v: unknown, max: number): string | null => (typeof v === 'string' && v.length > 0 && v.length <= max ? v : null);
  return { id: text(id, MAX_DEVICE_ID_CHARS), label: text(label, MAX_DEVICE_LABEL_CHARS) };
}
