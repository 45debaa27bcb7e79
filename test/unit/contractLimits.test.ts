/**
 * A value main makes or keeps fits the contract (shared/ipc.ts) that carries it, because both take
 * their bounds from one constant (shared/limits.ts, shared/notes.ts): a contact id made from any
 * caller, a device IT names in machine policy, a device the store kept, a note over the agent's limit.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { AgentSettings } from '../../electron/core/agentSettings.js';
import { contactIdFor } from '../../electron/core/desk/callLedger.js';
import type { Call } from '../../electron/core/sip/call.js';
import { openStore } from '../../electron/core/store/index.js';
import { readMachinePolicy } from '../../electron/shell/machinePolicy.js';
import { COMMANDS } from '../../shared/ipc.js';
import { MAX_DEVICE_ID_CHARS, MAX_DEVICE_LABEL_CHARS, MAX_ID_CHARS } from '../../shared/limits.js';
import { MAX_NOTE_CHARS } from '../../shared/notes.js';

describe('limits shared by the contract and main', () => {
  it("a contact id made from a caller's number, however long, is one the History can be asked for", () => {
    // contactIdFor reads only the far end's URI.
    const call = { remoteUri: `sip:${'4'.repeat(3 * MAX_ID_CHARS)}@127.0.0.1` } as unknown as Call;
    const contactId = contactIdFor(call);
    expect(contactId).toHaveLength(MAX_ID_CHARS);
    expect(COMMANDS['history.list'].safeParse({ contactId }).success).toBe(true);
  });

  it('a device label IT names in machine policy is one the contract carries; a longer one is refused as an issue', async () => {
    const longest = 'L'.repeat(MAX_DEVICE_LABEL_CHARS);
    const policy = await readMachinePolicy(
      'linux',
      {},
      {
        run: () => Promise.resolve(null),
        readText: (path) =>
          Promise.resolve(
            path === '/etc/baton/policy.json' ? JSON.stringify({ MicrophoneDevice: longest, SpeakerDevice: `${longest}!` }) : null,
          ),
      },
    );
    expect(policy.devices).toEqual({ microphone: longest });
    expect(policy.issues).toEqual(['/etc/baton/policy.json: SpeakerDevice must be a device name (or "default")']);
    expect(COMMANDS['settings.set'].safeParse({ devices: { microphone: { id: null, label: longest } } }).success).toBe(true);
    expect(COMMANDS['settings.set'].safeParse({ devices: { microphone: { id: null, label: `${longest}!` } } }).success).toBe(false);
  });

  it('a device kept in the store is read back only within the bounds the contract would take it in', () => {
    const store = openStore(join(mkdtempSync(join(tmpdir(), 'baton-limits-')), 'baton.db')).store;
    try {
      const settings = new AgentSettings(store.settings);
      const id = 'i'.repeat(MAX_DEVICE_ID_CHARS);
      const label = 'l'.repeat(MAX_DEVICE_LABEL_CHARS);
      settings.set({ devices: { microphone: { id, label }, speaker: { id: `${id}!`, label: `${label}!` } } });
      const { devices } = settings.view();
      expect(devices.microphone).toEqual({ id, label });
      expect(devices.speaker).toEqual({ id: null, label: null });
      expect(COMMANDS['settings.set'].safeParse({ devices: { microphone: devices.microphone } }).success).toBe(true);
    } finally {
      store.close();
    }
  });

  it("a note past the agent's limit still reaches main, which refuses it in words", () => {
    const payload = { callId: 'c1', codeId: 'done', note: '😀'.repeat(2 * MAX_NOTE_CHARS) };
    expect(COMMANDS['disposition.file'].safeParse(payload).success).toBe(true);
  });
});
