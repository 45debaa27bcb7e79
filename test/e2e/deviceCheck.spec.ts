/**
 * A device choice is checked where the devices are used: before main saves one, the media host
 * must find it and open it. Alice saves a working microphone in Settings; then her UI lists a
 * headset her media host does not have (unplugged between listing and saving): choosing it shows
 * "That device cannot be used: …" in Settings, main keeps the working choice, the dialog shows it
 * again, and the next call captures that microphone and the customer hears her. A device id that
 * exists nowhere, sent as the UI would, is refused the same way.
 */
import type { Page } from '@playwright/test';
import { TONES, untilHearsOnly } from '../support/audioOracle.js';
import { expect, invoke, mediaHostOf, MICROPHONE_REQUESTS_GLOBAL, test } from './fixtures.js';
import type { MicrophoneRequest } from './harness/fakeMicrophone.js';
import { customerCallsAlice } from './harness/pageCalls.js';
import { pageEar } from './harness/pageOracle.js';
import { alicesPage } from './harness/pageCalls.js';

const GHOST = { deviceId: 'ghost-headset-id', label: 'Ghost Headset' };

/** The UI page lists one more microphone than the computer has (its media host cannot open it). */
async function listGhostMicrophone(page: Page): Promise<void> {
  await page.evaluate((ghost) => {
    const devices = navigator.mediaDevices;
    const list = devices.enumerateDevices.bind(devices);
    const extra = { ...ghost, groupId: 'ghost', kind: 'audioinput', toJSON: () => ghost } as unknown as MediaDeviceInfo;
    Object.defineProperty(devices, 'enumerateDevices', { value: async () => [...(await list()), extra], configurable: true });
  }, GHOST);
}

const microphoneRequests = (host: Page): Promise<MicrophoneRequest[]> =>
  host.evaluate((name) => (window as unknown as Record<string, MicrophoneRequest[]>)[name] ?? [], MICROPHONE_REQUESTS_GLOBAL);

test('a microphone the media host cannot use is refused in Settings in a sentence; the working choice stays and the next call uses it', async ({
  agentPage,
  agent,
  customer,
}) => {
  const { page, alice } = await alicesPage({ agentPage, agent });
  const host = mediaHostOf(page);
  const dialog = page.getByRole('dialog', { name: 'Audio devices' });
  const microphone = dialog.getByLabel('Microphone');

  // A working choice first: a microphone other than the default, picked and saved in Settings.
  const inputs = await host.evaluate(async () =>
    (await navigator.mediaDevices.enumerateDevices())
      .filter((d) => d.kind === 'audioinput' && d.deviceId !== 'default' && d.deviceId !== '')
      .map((d) => ({ id: d.deviceId, label: d.label })),
  );
  const working = inputs.at(-1);
  if (!working) throw new Error(`no microphone to choose among ${JSON.stringify(inputs)}`);
  await page.getByRole('button', { name: 'Audio settings' }).click();
  await microphone.selectOption(working.id);
  await dialog.getByRole('button', { name: 'Save' }).click();
  await expect(dialog).toBeHidden();
  const saved = (await alice.until('the working microphone saved', (s) => s.settings?.devices.microphone.id === working.id)).settings
    ?.devices;

  // The headset the media host does not have: refused in words, the dialog stays open on it.
  await listGhostMicrophone(page);
  await page.getByRole('button', { name: 'Audio settings' }).click();
  await expect(microphone).toHaveValue(working.id);
  await microphone.selectOption({ label: GHOST.label });
  await dialog.getByRole('button', { name: 'Save' }).click();
  await expect(dialog.getByRole('alert')).toHaveText('That device cannot be used: the microphone “Ghost Headset” is not connected.');
  await expect(dialog).toBeVisible();
  expect(alice.state().settings?.devices).toEqual(saved);
  // Cancelled and opened again: the saved, working microphone.
  await dialog.getByRole('button', { name: 'Cancel' }).click();
  await expect(dialog).toBeHidden();
  await page.getByRole('button', { name: 'Audio settings' }).click();
  await expect(microphone).toHaveValue(working.id);
  await dialog.getByRole('button', { name: 'Cancel' }).click();

  // An id no device has, sent as the dialog sends it: the same refusal, nothing saved.
  expect(await invoke(page, 'settings.set', { devices: { microphone: { id: 'no-such-device', label: null } } })).toEqual({
    ok: false,
    error: { code: 'device-unusable', message: 'That device cannot be used: the chosen microphone is not connected.' },
  });
  expect(alice.state().settings?.devices).toEqual(saved);

  // The next call captures the working microphone, and the customer hears alice on it.
  const askedBefore = (await microphoneRequests(host)).length;
  const { call, callId } = await customerCallsAlice(page, alice, customer);
  const asked = (await microphoneRequests(host)).slice(askedBefore);
  expect(asked.map((r) => r.deviceId)).toEqual([working.id]);
  await untilHearsOnly(call, TONES.alice, 8000);
  await pageEar(page, alice).untilHearsOnly(callId, TONES.customer, 8000);
});
