/**
 * The media host's part in device choices and in being replaced, in Node:
 * - checkDevices (renderer/media/deviceCheck.ts): a device a settings change names must be present
 *   (by id, else by name) and must open; what fails comes back as words for the agent;
 * - main (electron/shell/ipcBridge.ts) asks the attached media host before the desk saves a change
 *   of devices, and a refusal keeps the saved choice (the desk never sees the command);
 * - a second media host attaching tells the first it was replaced, and the first lets go of its
 *   engine (renderer/media/attachMediaEngine.ts).
 * Driven through the real RendererMediaPort and IpcBridge, with typed fakes of ipcMain and the pages.
 */
import { describe, expect, it } from 'vitest';
import type { AgentSettingsView, DeskState } from '../../shared/desk.js';
import type { CommandName, CommandOutcome, MediaHostApi, MediaRequest } from '../../shared/ipc.js';
import { RendererMediaPort } from '../../electron/core/media/rendererMediaPort.js';
import { IpcBridge, type IpcDesk } from '../../electron/shell/ipcBridge.js';
import { SenderPolicy, type IpcSenderInfo } from '../../electron/shell/senderPolicy.js';
import { attachMediaEngine, checkDevices, type DeviceInfo, type DeviceProbe, type MediaEngine } from '../../renderer/media/index.js';
import { attachFrom, FakeIpcMain, FakeRenderer, invokeFrom } from '../support/fakeIpcMain.js';

const DEVICES: DeviceInfo[] = [
  { deviceId: 'default', kind: 'audioinput', label: 'Default' },
  { deviceId: 'mic-usb', kind: 'audioinput', label: 'USB Headset Microphone' },
  { deviceId: 'out-usb', kind: 'audiooutput', label: 'USB Headset Earphones' },
];

function probe(fail: { microphone?: Error; output?: Error } = {}, canRoute = true) {
  const opened: string[] = [];
  let listed = 0;
  const p: DeviceProbe = {
    list: async () => {
      listed += 1;
      return DEVICES;
    },
    microphone: async (id) => {
      opened.push(`microphone:${id}`);
      if (fail.microphone) throw fail.microphone;
    },
    output: canRoute
      ? async (id) => {
          opened.push(`output:${id}`);
          if (fail.output) throw fail.output;
        }
      : null,
  };
  return { probe: p, opened, listed: () => listed };
}

describe('checkDevices: where the devices are used', () => {
  it('refuses a device that is not here, naming it, without opening anything', async () => {
    const { probe: p, opened } = probe();
    await expect(checkDevices({ microphone: { id: 'ghost', label: 'Ghost Headset' } }, p)).rejects.toThrow(
      'the microphone “Ghost Headset” is not connected.',
    );
    await expect(checkDevices({ ringer: { id: 'ghost', label: null } }, p)).rejects.toThrow('the chosen ringer output is not connected.');
    expect(opened).toEqual([]);
  });

  it('refuses a device that is here but does not open, with the reason', async () => {
    const busy = new DOMException('Could not start audio source', 'NotReadableError');
    const { probe: p, opened } = probe({ microphone: busy });
    await expect(checkDevices({ microphone: { id: 'mic-usb', label: 'USB Headset Microphone' } }, p)).rejects.toThrow(
      'the microphone “USB Headset Microphone” did not open (NotReadableError: Could not start audio source).',
    );
    expect(opened).toEqual(['microphone:mic-usb']);
  });

  it('opens each device found by id or by the name IT gave, and passes the system default unchecked', async () => {
    const { probe: p, opened, listed } = probe();
    await checkDevices({ microphone: { id: null, label: 'usb headset microphone' }, speaker: { id: 'out-usb', label: null } }, p);
    expect(opened).toEqual(['microphone:mic-usb', 'output:out-usb']);
    await checkDevices({ microphone: { id: null, label: null } }, p);
    expect(listed()).toBe(1);
  });

  it('refuses an output choice where outputs cannot be routed', async () => {
    const { probe: p } = probe({}, false);
    await expect(checkDevices({ speaker: { id: 'out-usb', label: 'USB Headset Earphones' } }, p)).rejects.toThrow(
      /the speaker “USB Headset Earphones” did not open \(this system plays all audio on its default output\)/,
    );
  });
});

// ── main's side ───────────────────────────────────────────────────────────────────────────────

const SAVED: AgentSettingsView = {
  devices: {
    microphone: { id: 'mic-usb', label: 'USB Headset Microphone' },
    speaker: { id: null, label: null },
    ringer: { id: 'gone', label: 'Unplugged speakers' },
  },
  devicesFixed: [],
  globalShortcuts: false,
};

class FakeDesk implements IpcDesk {
  readonly handled: Array<{ command: CommandName; payload: unknown }> = [];
  async handle(command: CommandName, payload: unknown): Promise<CommandOutcome<CommandName>> {
    this.handled.push({ command, payload });
    return { ok: true, value: undefined };
  }
  snapshot(): DeskState {
    return { version: 1, calls: [], settings: SAVED } as unknown as DeskState;
  }
  mediaEngineAttached(): void {}
}

const from = (id: number): IpcSenderInfo => ({ sender: { id }, senderFrame: { url: 'app://baton/index.html', parent: null } });
const UI = 1;

function setup(hostIds: readonly number[] = [3, 4]) {
  const ipcMain = new FakeIpcMain();
  const senders = new SenderPolicy();
  const desk = new FakeDesk();
  const media = new RendererMediaPort(1000);
  const pages = [new FakeRenderer(UI), ...hostIds.map((id) => new FakeRenderer(id))];
  for (const page of pages) senders.trust(page.id);
  new IpcBridge({
    ipcMain,
    senders,
    desk,
    media,
    renderer: (id) => pages.find((p) => p.id === id),
    isMediaHost: (id) => hostIds.includes(id),
  });
  const page = (id: number): FakeRenderer => pages.find((p) => p.id === id) ?? new FakeRenderer(-1);
  /** The media host `id` answers each media request it has not answered yet with `answer`. */
  const answer = async (id: number, answer: (request: MediaRequest) => { ok: boolean; error?: string }): Promise<MediaRequest[]> => {
    const asked: MediaRequest[] = [];
    for (const payload of page(id).events('media.request')) {
      const { requestId, request } = payload as { requestId: number; request: MediaRequest };
      asked.push(request);
      await invokeFrom(ipcMain, from(id), 'media.reply', { requestId, ...answer(request) });
    }
    page(id).sent.length = 0;
    return asked;
  };
  return { ipcMain, desk, page, answer };
}

const settle = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 0));

describe('main checks a device change with the media host before the desk saves it', () => {
  it('refuses a device the media host cannot use, in words, and the desk keeps the saved choice', async () => {
    const { ipcMain, desk, answer } = setup();
    attachFrom(ipcMain, from(3));
    const ghost = { id: 'ghost', label: 'Ghost Headset' };
    const outcome = invokeFrom(ipcMain, from(UI), 'settings.set', { devices: { microphone: ghost, speaker: { id: null, label: null } } });
    await settle();
    const asked = await answer(3, () => ({ ok: false, error: 'the microphone “Ghost Headset” is not connected.' }));
    // Only what changes is checked: the speaker stays the system default.
    expect(asked).toEqual([{ op: 'checkDevices', devices: { microphone: ghost } }]);
    expect(await outcome).toEqual({
      ok: false,
      error: { code: 'device-unusable', message: 'That device cannot be used: the microphone “Ghost Headset” is not connected.' },
    });
    expect(desk.handled).toEqual([]);
  });

  it('saves a device the media host can use; an unchanged (even unplugged) one is not asked about', async () => {
    const { ipcMain, desk, answer } = setup();
    attachFrom(ipcMain, from(3));
    const speaker = { id: 'out-usb', label: 'USB Headset Earphones' };
    const outcome = invokeFrom(ipcMain, from(UI), 'settings.set', { devices: { speaker, ringer: SAVED.devices.ringer } });
    await settle();
    expect(await answer(3, () => ({ ok: true }))).toEqual([{ op: 'checkDevices', devices: { speaker } }]);
    expect(await outcome).toEqual({ ok: true, value: undefined });
    expect(desk.handled.map((h) => h.command)).toEqual(['settings.set']);

    expect(
      await invokeFrom(ipcMain, from(UI), 'settings.set', { devices: { ringer: SAVED.devices.ringer }, globalShortcuts: true }),
    ).toEqual({
      ok: true,
      value: undefined,
    });
    expect(desk.handled).toHaveLength(2);
  });

  it('refuses a device change while no media host can check it, and the desk keeps the saved choice', async () => {
    const { ipcMain, desk } = setup();
    const outcome = await invokeFrom(ipcMain, from(UI), 'settings.set', { devices: { microphone: { id: 'mic-usb', label: null } } });
    expect(outcome).toMatchObject({ ok: false, error: { code: 'media-unavailable' } });
    expect(desk.handled).toEqual([]);
  });
});

describe('a media host replaced by another', () => {
  it('is told, and only it: the new one gets the media state and the requests', () => {
    const { ipcMain, page } = setup();
    attachFrom(ipcMain, from(3));
    expect(page(3).events('media.replaced')).toEqual([]);
    attachFrom(ipcMain, from(4));
    expect(page(3).events('media.replaced')).toEqual([{}]);
    expect(page(4).events('media.replaced')).toEqual([]);
    expect(page(4).events('media.state')).toHaveLength(1);
    // The same host attaching again is not replaced.
    attachFrom(ipcMain, from(4));
    expect(page(4).events('media.replaced')).toEqual([]);
  });

  it('lets go of its engine when told, answers nothing after, and says so', async () => {
    const listeners = new Map<string, (payload: unknown) => void>();
    const replies: unknown[] = [];
    const baton = {
      invoke: async (_command: string, payload: unknown) => {
        replies.push(payload);
        return { ok: true, value: undefined };
      },
      on: (event: string, listener: (payload: unknown) => void) => {
        listeners.set(event, listener);
        return () => listeners.delete(event);
      },
      attach: () => {},
    } as unknown as MediaHostApi;
    const released: string[] = [];
    const engine = {
      keepSpare: () => {},
      session: () => undefined,
      ringer: { start: () => released.push('ring started'), stop: () => released.push('ring stopped'), ringing: false },
      dispose: async () => void released.push('engine disposed'),
    } as unknown as MediaEngine;
    let told = 0;
    const media = attachMediaEngine(baton, { engine, announce: false, onReplaced: () => (told += 1) });
    listeners.get('media.replaced')?.({});
    await settle();
    expect(media.replaced).toBe(true);
    expect(released).toEqual(['ring stopped', 'engine disposed']);
    expect(told).toBe(1);
    expect([...listeners.keys()]).toEqual([]);
    // A later dispose (the tab closing) does not release twice.
    await media.dispose();
    expect(released).toEqual(['ring stopped', 'engine disposed']);
    expect(replies).toEqual([]);
  });
});
