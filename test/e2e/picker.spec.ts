/**
 * The colleague picker with a directory far larger than a screen: every match is reachable (no
 * "first 100" cap), only a window of rows is in the DOM, and the keyboard works as on the small list
 * — Tab lands on a colleague, the arrows select and focus the next or previous one, scrolled into
 * view, past the rendered window. Main's side is a scripted desk (no SIP): the page is what is tested.
 */
import { randomBytes } from 'node:crypto';
import { test, expect } from './harness/pageFaults.js';
import type { DeskState, DirectoryEntryView } from '../../shared/desk.js';
import type { Connection } from './harness/agentEndpoint.js';
import type { BridgeEndpoint, BridgeServer } from './harness/bridgeServer.js';
import { startScriptedBridge } from '../support/scriptedBridge.js';
import { idleDesk } from '../support/deskStateFixture.js';

const USERS = 1000;

/** Colleagues "User 0000" … in main's order (all Ready: one recommended group). */
const directory: DirectoryEntryView[] = Array.from({ length: USERS }, (_, i) => {
  const n = String(i).padStart(4, '0');
  return { userId: `u${n}`, name: `User ${n}`, uri: `sip:u${n}@127.0.0.1`, team: 'support', status: { kind: 'Ready' }, recommended: true };
});

function deskState(remembered: DeskState['remembered'] = { userId: null, outcomeId: null, method: null }): DeskState {
  const now = Date.now();
  return idleDesk(
    { id: 'sam', name: 'Sam', domain: '127.0.0.1' },
    {
      agent: { status: { kind: 'OnCall' }, chosen: { kind: 'Ready' } },
      calls: [
        {
          id: 'c1',
          direction: 'inbound',
          state: 'established',
          remote: { uri: 'sip:customer@127.0.0.1', name: 'Customer' },
          held: false,
          live: true,
          remoteHeld: false,
          muted: false,
          startedAt: now,
          answeredAt: now,
          end: null,
          contactId: 'customer',
          transferId: null,
        },
      ],
      directory,
      outcomes: [{ id: 'other', label: 'Other', methods: ['warm', 'cold'] }],
      notReadyReasons: ['Lunch'],
      remembered,
    },
  );
}

/** Main's part: the snapshot on attach, and "done" to every command (kept, to see what was sent). */
class ScriptedDesk implements BridgeEndpoint {
  readonly token = randomBytes(32).toString('base64url');
  readonly commands: string[] = [];
  private readonly pages = new Map<number, Connection>();
  constructor(private readonly remembered?: DeskState['remembered']) {}
  connected(connection: Connection): void {
    this.pages.set(connection.id, connection);
  }
  disconnected(id: number): void {
    this.pages.delete(id);
  }
  async invoke(_connection: number, _channel: string, args: readonly unknown[]): Promise<unknown> {
    this.commands.push(String(args[0]));
    return { ok: true, value: undefined };
  }
  send(id: number): void {
    this.pages.get(id)?.send('baton:event', 'desk.snapshot', deskState(this.remembered));
  }
}

let server: BridgeServer;

test.beforeAll(async () => {
  server = await startScriptedBridge();
});

test.afterAll(async () => {
  await server?.close();
});

test('a directory of 1,000: a window of rows rendered, every colleague reachable, arrows move past the window', async ({ page }) => {
  const desk = new ScriptedDesk();
  server.register(desk);
  await page.goto(`${server.origin}/#token=${desk.token}`);
  await page.getByRole('button', { name: 'Transfer' }).click();
  const panel = page.getByRole('form', { name: /^Transfer / });
  const search = panel.getByRole('searchbox', { name: 'Search colleagues' });
  await expect(search).toBeFocused();
  const radios = panel.getByRole('group', { name: 'Colleague' }).getByRole('radio');
  expect(await radios.count()).toBeLessThan(60);

  await page.keyboard.press('Tab');
  await expect(panel.getByRole('radio', { name: /User 0000/ })).toBeFocused();
  for (let i = 0; i < 30; i++) await page.keyboard.press('ArrowDown');
  const thirtieth = panel.getByRole('radio', { name: /User 0030/ });
  await expect(thirtieth).toBeFocused();
  await expect(thirtieth).toBeChecked();
  await expect(thirtieth).toBeInViewport();
  await page.keyboard.press('ArrowUp');
  await expect(panel.getByRole('radio', { name: /User 0029/ })).toBeFocused();
  await expect(panel.getByRole('radio', { name: /User 0029/ })).toBeChecked();
  // Tab from the search lands on the chosen colleague, as in a native radio group.
  await search.fill('');
  await search.focus();
  await page.keyboard.press('Tab');
  await expect(panel.getByRole('radio', { name: /User 0029/ })).toBeFocused();

  // No cap: the last colleague is found by search, and a narrowed list is a plain list again.
  await search.fill('user 0999');
  await expect(panel.getByRole('radio', { name: /User 0999/ })).toBeVisible();
  await search.fill('user 001');
  await expect(radios).toHaveCount(10);
  await expect(panel.getByRole('listitem')).toHaveCount(10);
  // Past a screenful the matches are windowed again.
  await search.fill('user 01');
  await expect(panel.getByRole('radio', { name: /User 0100/ })).toBeVisible();
  expect(await radios.count()).toBeLessThan(60);
  await expect(panel.getByRole('listitem')).toHaveCount(0);
  server.unregister(desk);
});

test('Enter in the search box picks the one match and never confirms a transfer to the colleague chosen before', async ({ page }) => {
  const desk = new ScriptedDesk({ userId: 'u0001', outcomeId: 'other', method: 'cold' });
  server.register(desk);
  await page.goto(`${server.origin}/#token=${desk.token}`);
  await page.getByRole('button', { name: 'Transfer' }).click();
  const panel = page.getByRole('form', { name: /^Transfer / });
  await panel.getByRole('button', { name: 'Edit colleague' }).click();
  const search = panel.getByRole('searchbox', { name: 'Search colleagues' });
  await search.fill('user 0007');
  await search.press('Enter');
  await expect(panel.getByRole('radio', { name: /User 0007/ })).toBeChecked();
  await page.waitForTimeout(300); // a submit would have reached main by now
  expect(desk.commands).not.toContain('transfer.start');
  // Several matches: Enter does nothing at all.
  await search.fill('user 00');
  await search.press('Enter');
  await page.waitForTimeout(300);
  expect(desk.commands).not.toContain('transfer.start');
  await expect(panel).toBeVisible();
  server.unregister(desk);
});
