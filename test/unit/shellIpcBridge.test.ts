/**
 * Main's IPC: every message's sender is checked, the command looked up in the contract and its
 * payload validated before the desk sees it; refusals are typed outcomes. Driven through a typed
 * fake ipcMain and the real RendererMediaPort.
 */
import { describe, expect, it } from 'vitest';
import type { DeskState } from '../../shared/desk.js';
import type { CommandName, CommandOutcome } from '../../shared/ipc.js';
import { RendererMediaPort } from '../../electron/core/media/rendererMediaPort.js';
import { CHANNELS } from '../../electron/shell/channels.js';
import { IpcBridge, type IpcDesk } from '../../electron/shell/ipcBridge.js';
import { SenderPolicy, type IpcSenderInfo } from '../../electron/shell/senderPolicy.js';
import { FakeIpcMain, FakeRenderer } from '../support/fakeIpcMain.js';

class FakeDesk implements IpcDesk {
  readonly calls: Array<{ command: CommandName; payload: unknown }> = [];
  async handle(command: CommandName, payload: unknown): Promise<CommandOutcome<CommandName>> {
    this.calls.push({ command, payload });
    return { ok: true, value: command === 'call.dial' ? { callId: 'c1' } : undefined };
  }
  state = { version: 7, calls: [] } as unknown as DeskState;
  snapshot(): DeskState {
    return this.state;
  }
  engineAttachments = 0;
  mediaEngineAttached(): void {
    this.engineAttachments += 1;
  }
}

const OUR_PAGE = 'app://baton/index.html';
const topFrame = (url = OUR_PAGE) => ({ url, parent: null });
const from = (id: number, frame: IpcSenderInfo['senderFrame'] = topFrame()): IpcSenderInfo => ({ sender: { id }, senderFrame: frame });

function setup() {
  const ipcMain = new FakeIpcMain();
  const senders = new SenderPolicy();
  const desk = new FakeDesk();
  const media = new RendererMediaPort(1000);
  const window = new FakeRenderer(1);
  const stranger = new FakeRenderer(2);
  const host = new FakeRenderer(3);
  senders.trust(window.id);
  senders.trust(host.id);
  const logs: string[] = [];
  const bridge = new IpcBridge({
    ipcMain,
    senders,
    desk,
    media,
    renderer: (id) => [window, stranger, host].find((r) => r.id === id),
    isMediaHost: (id) => id === host.id,
    log: (m) => logs.push(m),
  });
  return { ipcMain, senders, desk, media, window, stranger, host, bridge, logs };
}

describe('IPC bridge: refusals', () => {
  it('refuses a payload that fails the schema, before the desk sees it', async () => {
    const { ipcMain, desk } = setup();
    const outcome = await ipcMain.invoke(CHANNELS.invoke, from(1), 'call.dtmf', { callId: 'c1', tones: '1; rm -rf' });
    expect(outcome).toMatchObject({ ok: false, error: { code: 'invalid-payload' } });
    const extraKey = await ipcMain.invoke(CHANNELS.invoke, from(1), 'call.hangUp', { callId: 'c1', sneaky: true });
    expect(extraKey).toMatchObject({ ok: false, error: { code: 'invalid-payload' } });
    expect(desk.calls).toEqual([]);
  });

  it('refuses a command that is not in the contract (also inherited names)', async () => {
    const { ipcMain, desk } = setup();
    for (const name of ['shell.openExternal', '__proto__', 'constructor', 42, null]) {
      expect(await ipcMain.invoke(CHANNELS.invoke, from(1), name, {})).toMatchObject({ ok: false, error: { code: 'unknown-command' } });
    }
    expect(desk.calls).toEqual([]);
  });

  it('opens only its three channels: anything else has no handler', async () => {
    const { ipcMain } = setup();
    expect([...ipcMain.handlers.keys()]).toEqual([CHANNELS.invoke]);
    expect([...ipcMain.listeners.keys()]).toEqual([CHANNELS.attach]);
    await expect(ipcMain.invoke('call.dial', from(1), { target: '1' })).rejects.toThrow(/No handler/);
  });

  it.each([
    ['a webContents we did not create', from(2)],
    ['a sub-frame of our window', from(1, { url: OUR_PAGE, parent: topFrame() })],
    ['our window after navigating elsewhere', from(1, topFrame('https://evil.example/'))],
    ['a file:// page', from(1, topFrame('file:///tmp/index.html'))],
    ['a look-alike host', from(1, topFrame('app://baton.evil/index.html'))],
    ['a frame that is gone', from(1, null)],
  ])('refuses the wrong sender: %s', async (_label, event) => {
    const { ipcMain, desk, logs } = setup();
    expect(await ipcMain.invoke(CHANNELS.invoke, event, 'call.dial', { target: '1001' })).toMatchObject({
      ok: false,
      error: { code: 'forbidden-sender' },
    });
    expect(desk.calls).toEqual([]);
    expect(logs.join('\n')).toMatch(/refused IPC/);
  });

  it('ignores an attach from a wrong sender', () => {
    const { ipcMain, media, stranger } = setup();
    ipcMain.send(CHANNELS.attach, from(2));
    expect(media.attached).toBe(false);
    expect(stranger.sent).toEqual([]);
  });

  it('turns a desk that throws into a typed internal error', async () => {
    const { ipcMain, desk } = setup();
    desk.handle = () => Promise.reject(new Error('boom'));
    expect(await ipcMain.invoke(CHANNELS.invoke, from(1), 'session.signOut', {})).toEqual({
      ok: false,
      error: { code: 'internal', message: 'Something went wrong.' },
    });
  });
});

describe('IPC bridge: the happy path', () => {
  it('runs a valid command from our page in the desk and returns its outcome', async () => {
    const { ipcMain, desk } = setup();
    expect(await ipcMain.invoke(CHANNELS.invoke, from(1), 'call.dial', { target: '1001' })).toEqual({ ok: true, value: { callId: 'c1' } });
    expect(desk.calls).toEqual([{ command: 'call.dial', payload: { target: '1001' } }]);
  });

  it('on a UI attach sends a snapshot; media requests go to the media host, whose replies settle them', async () => {
    const { ipcMain, media, window, host } = setup();
    ipcMain.send(CHANNELS.attach, from(1));
    expect(window.sent[0]).toEqual({ channel: CHANNELS.event, args: ['desk.snapshot', { version: 7, calls: [] }] });
    expect(media.attached).toBe(false); // the UI is no media engine
    ipcMain.send(CHANNELS.attach, from(3));
    expect(host.sent[0]).toEqual({ channel: CHANNELS.event, args: ['media.state', { ringing: false, devices: null }] });
    const opened = media.open('call-1');
    const request = host.sent[1]!;
    expect(request.args[0]).toBe('media.request');
    const { requestId } = request.args[1] as { requestId: number };
    expect(await ipcMain.invoke(CHANNELS.invoke, from(3), 'media.reply', { requestId, ok: true })).toEqual({ ok: true, value: undefined });
    await expect(opened).resolves.toMatchObject({ id: 'call-1' });
    expect(window.sent.map((s) => s.args[0])).toEqual(['desk.snapshot']);
  });

  it('refuses media replies from a media host that is not attached', async () => {
    const { ipcMain } = setup();
    expect(await ipcMain.invoke(CHANNELS.invoke, from(3), 'media.reply', { requestId: 1, ok: true })).toMatchObject({
      ok: false,
      error: { code: 'not-attached' },
    });
  });

  it('keeps each page to its side: the UI may not answer media requests, the media host may not drive the desk', async () => {
    const { ipcMain, desk } = setup();
    ipcMain.send(CHANNELS.attach, from(1));
    ipcMain.send(CHANNELS.attach, from(3));
    expect(await ipcMain.invoke(CHANNELS.invoke, from(1), 'media.reply', { requestId: 1, ok: true })).toMatchObject({
      ok: false,
      error: { code: 'forbidden-command' },
    });
    expect(await ipcMain.invoke(CHANNELS.invoke, from(3), 'call.dial', { target: '1001' })).toMatchObject({
      ok: false,
      error: { code: 'forbidden-command' },
    });
    expect(await ipcMain.invoke(CHANNELS.invoke, from(3), 'session.signOut', {})).toMatchObject({
      ok: false,
      error: { code: 'forbidden-command' },
    });
    expect(desk.calls).toEqual([]);
  });

  it('fails pending media requests at once when the media host reloads or crashes', async () => {
    const { ipcMain, media, bridge, host } = setup();
    ipcMain.send(CHANNELS.attach, from(3));
    const pending = media.open('call-2');
    bridge.rendererLost(host.id);
    await expect(pending).rejects.toThrow(/closed/);
    expect(media.attached).toBe(false);
  });

  it('a UI reload, crash or close touches no media: nothing fails, no call moves', async () => {
    const { ipcMain, media, bridge, desk, window, host } = setup();
    ipcMain.send(CHANNELS.attach, from(3));
    ipcMain.send(CHANNELS.attach, from(1));
    const pending = media.open('call-3');
    bridge.rendererLost(window.id);
    bridge.publish('desk.patch', { version: 8, changes: {} });
    expect(window.sent.filter((s) => s.args[0] === 'desk.patch')).toEqual([]);
    ipcMain.send(CHANNELS.attach, from(1)); // the reloaded UI
    expect(media.attached).toBe(true);
    expect(desk.engineAttachments).toBe(1);
    const request = host.sent.find((s) => s.args[0] === 'media.request')!;
    const { requestId } = request.args[1] as { requestId: number };
    await ipcMain.invoke(CHANNELS.invoke, from(3), 'media.reply', { requestId, ok: true });
    await expect(pending).resolves.toMatchObject({ id: 'call-3' });
  });

  it('hands live calls to a new engine only: after the media host restarts, not when it asks again', () => {
    const { ipcMain, bridge, desk, host } = setup();
    ipcMain.send(CHANNELS.attach, from(3));
    expect(desk.engineAttachments).toBe(1);
    ipcMain.send(CHANNELS.attach, from(3));
    expect(desk.engineAttachments).toBe(1);
    bridge.rendererLost(host.id); // crash or reload
    ipcMain.send(CHANNELS.attach, from(3));
    expect(desk.engineAttachments).toBe(2);
  });

  it('tells the media host when to ring and which devices to use, only when that changes', () => {
    const { ipcMain, bridge, desk, host } = setup();
    ipcMain.send(CHANNELS.attach, from(3));
    const states = (): unknown[] => host.sent.filter((s) => s.args[0] === 'media.state').map((s) => s.args[1]);
    desk.state = { version: 8, calls: [{ id: 'c1', direction: 'inbound', state: 'ringing' }] } as unknown as DeskState;
    bridge.publish('desk.patch', { version: 8, changes: {} });
    desk.state = { version: 9, calls: [{ id: 'c1', direction: 'inbound', state: 'ringing' }], notices: [] } as unknown as DeskState;
    bridge.publish('desk.patch', { version: 9, changes: {} }); // nothing the media host needs changed
    const devices = { microphone: { id: 'm1', label: 'Headset' }, speaker: { id: null, label: null }, ringer: { id: null, label: null } };
    desk.state = {
      version: 10,
      calls: [{ id: 'c1', direction: 'inbound', state: 'established' }],
      settings: { devices },
    } as unknown as DeskState;
    bridge.publish('desk.patch', { version: 10, changes: {} });
    expect(states()).toEqual([
      { ringing: false, devices: null },
      { ringing: true, devices: null },
      { ringing: false, devices },
    ]);
    expect(host.sent.some((s) => s.args[0] === 'desk.patch')).toBe(false);
  });

  it('publishes events to the attached window only, and not once it is destroyed', () => {
    const { ipcMain, bridge, window, stranger } = setup();
    bridge.publish('desk.patch', { version: 2, changes: {} }); // none attached yet: dropped
    ipcMain.send(CHANNELS.attach, from(1));
    bridge.publish('desk.patch', { version: 3, changes: {} });
    window.destroyed = true;
    bridge.publish('desk.patch', { version: 4, changes: {} });
    expect(window.sent.map((s) => s.args[0])).toEqual(['desk.snapshot', 'desk.patch']);
    expect(stranger.sent).toEqual([]);
  });

  it('keeps every attached UI page live (two browser tabs on one desk): each gets the events; a resync snapshot goes to the asker only', () => {
    const { ipcMain, senders, bridge, window, stranger, logs } = setup();
    // A second tab of the browser fallback, trusted as its connection is (webContents 2 stands in for it).
    senders.trust(stranger.id);
    ipcMain.send(CHANNELS.attach, from(1));
    ipcMain.send(CHANNELS.attach, from(2));
    bridge.publish('desk.patch', { version: 8, changes: {} });
    expect(window.sent.map((s) => s.args[0])).toEqual(['desk.snapshot', 'desk.patch']);
    expect(stranger.sent.map((s) => s.args[0])).toEqual(['desk.snapshot', 'desk.patch']);
    ipcMain.send(CHANNELS.attach, from(1)); // the first tab lost a patch and asks again
    expect(window.sent.map((s) => s.args[0])).toEqual(['desk.snapshot', 'desk.patch', 'desk.snapshot']);
    expect(stranger.sent.map((s) => s.args[0])).toEqual(['desk.snapshot', 'desk.patch']);
    bridge.rendererLost(1); // the first tab closed: the second goes on
    bridge.publish('desk.patch', { version: 9, changes: {} });
    expect(window.sent).toHaveLength(3);
    expect(stranger.sent.map((s) => s.args[0])).toEqual(['desk.snapshot', 'desk.patch', 'desk.patch']);
    expect(bridge.uiAttached).toBe(true);
    bridge.rendererLost(2);
    expect(bridge.uiAttached).toBe(false);
    expect(logs).toEqual([]);
  });

  it('removes its handlers on dispose', () => {
    const { ipcMain, bridge } = setup();
    bridge.dispose();
    expect(ipcMain.handlers.size).toBe(0);
    expect(ipcMain.listeners.get(CHANNELS.attach)).toEqual([]);
  });
});
