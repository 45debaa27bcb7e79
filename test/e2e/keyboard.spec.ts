/**
 * The desk driven from the keyboard alone: no click in these flows. A cold transfer, a warm
 * transfer completed and a warm transfer cancelled, each asserting where focus lands after every
 * action, that what rings reaches the assertive live region and how transfers stand the polite one,
 * and axe clean at every impact level on every screen. The remembered choice makes a cold transfer
 * from ringing to confirmed a three-keystroke job (A, T, Enter); the budget is four.
 */
import AxeBuilder from '@axe-core/playwright';
import type { Locator, Page } from '@playwright/test';
import type { Call } from '../../electron/core/sip/call.js';
import { TONES, untilHearsOnly } from '../support/audioOracle.js';
import { waitFor } from '../support/waitFor.js';
import type { CustomerBot } from '../lab/bots.js';
import type { AgentEndpoint } from './fixtures.js';
import { expect, keepScreenshot, test } from './fixtures.js';
import { pageEar } from './harness/pageOracle.js';

/** Counts what the agent presses: the budget is in keystrokes, a chord counting once. */
class Keys {
  count = 0;
  constructor(private readonly page: Page) {}
  async press(key: string): Promise<void> {
    this.count += 1;
    await this.page.keyboard.press(key);
  }
  async type(text: string): Promise<void> {
    this.count += text.length;
    await this.page.keyboard.type(text);
  }
}

/** No accessibility violation of any impact (minor included) on what the page shows now. */
async function axeClean(page: Page, where: string): Promise<void> {
  const results = await new AxeBuilder({ page }).analyze();
  expect(results.violations.map((v) => `${where}: ${v.id} (${v.impact}) ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`)).toEqual([]);
}

const urgent = (page: Page): Locator => page.locator('#live-urgent[aria-live="assertive"]');
const polite = (page: Page): Locator => page.locator('#live-status[aria-live="polite"]');

/** Ready from the keyboard: Tab to the state picker, type-ahead "R". */
async function readyByKeyboard(page: Page): Promise<void> {
  const picker = page.getByRole('combobox', { name: 'Agent state' });
  await page.keyboard.press('Tab');
  await expect(picker).toBeFocused();
  await page.keyboard.press('R');
  await expect(page.getByRole('status', { name: 'Your state' })).toHaveText('Ready');
}

async function twoReadyAgents(agentPage: (id: string) => Promise<Page>, agent: (id: string) => Promise<AgentEndpoint>) {
  const alicePage = await agentPage('alice');
  const bobPage = await agentPage('bob');
  await readyByKeyboard(alicePage);
  await readyByKeyboard(bobPage);
  const alice = await agent('alice');
  const bob = await agent('bob');
  await alice.until('bob ready in alice’s directory', (s) => s.directory.some((e) => e.userId === 'bob' && e.status.kind === 'Ready'));
  return { alicePage, bobPage, alice, bob };
}

/** The customer rings alice: the assertive region says so and Answer takes focus; A answers. */
async function answerByKeyboard(page: Page, keys: Keys, customer: CustomerBot): Promise<Call> {
  const dialing = customer.phone.call('alice');
  await expect(urgent(page)).toContainText('Incoming call from customer');
  const answer = page.getByRole('region', { name: /^Incoming call from/ }).getByRole('button', { name: 'Answer' });
  await expect(answer).toBeFocused();
  await expect(answer).toHaveAttribute('aria-keyshortcuts', 'A');
  await keys.press('A');
  const call = await dialing;
  await waitFor('the customer connected', () => call.state === 'established', 8000);
  await expect(page.getByRole('region', { name: /^Call with: / })).toBeFocused();
  return call;
}

/** T opens the panel; pick bob by search, the method by arrows, the outcome by type-ahead; Enter confirms. */
async function transferToBobByKeyboard(
  page: Page,
  keys: Keys,
  method: 'warm' | 'cold',
  outcomeInitial: string,
  note: string,
): Promise<void> {
  await keys.press('T');
  const panel = page.getByRole('form', { name: /^Transfer / });
  await expect(panel.getByRole('searchbox', { name: 'Search colleagues' })).toBeFocused();
  await keys.type('bob');
  await keys.press('Tab');
  await expect(panel.getByRole('radio', { name: /Bob \(lab\)/ })).toBeFocused();
  await keys.press('Space');
  await expect(panel.getByRole('radio', { name: /Bob \(lab\)/ })).toBeChecked();
  await keys.press('Tab');
  await expect(panel.getByRole('radio', { name: /Warm/ })).toBeFocused();
  if (method === 'cold') await keys.press('ArrowDown');
  await expect(panel.getByRole('radio', { name: method === 'cold' ? /Cold/ : /Warm/ })).toBeChecked();
  await keys.press('Tab');
  await expect(panel.getByLabel('Outcome')).toBeFocused();
  await keys.press(outcomeInitial);
  await keys.press('Tab');
  await expect(panel.getByLabel('Note (optional)')).toBeFocused();
  await keys.type(note);
  await keys.press('Tab');
  await expect(panel.getByRole('button', { name: 'Confirm transfer' })).toBeFocused();
  await axeClean(page, `transfer panel (${method})`);
  await keys.press('Enter');
}

/** A wrap-up from the keyboard: the code by type-ahead when none is prefilled, then File; focus lands on what is next. */
async function fileByKeyboard(page: Page, keys: Keys, codeInitial: string | null): Promise<void> {
  const form = page.getByRole('form', { name: /^Disposition:/ });
  await expect(form).toBeVisible();
  await axeClean(page, 'disposition');
  if (codeInitial !== null) {
    await expect(form.getByLabel('Disposition code')).toBeFocused();
    await keys.press(codeInitial);
    await keys.press('Tab');
    await keys.press('Tab');
  }
  await expect(form.getByRole('button', { name: 'File disposition' })).toBeFocused();
  await keys.press('Enter');
  await expect(form).toBeHidden();
}

test('cold transfer from the keyboard, then again with the remembered choice in at most 4 keystrokes', async ({
  agentPage,
  agent,
  customer,
}) => {
  test.setTimeout(90_000);
  const { alicePage, bobPage, alice, bob } = await twoReadyAgents(agentPage, agent);
  const a = new Keys(alicePage);
  const b = new Keys(bobPage);
  await axeClean(alicePage, 'idle desk');

  const call = await answerByKeyboard(alicePage, a, customer);
  await expect(alicePage.getByRole('button', { name: 'Hang up' })).toHaveAttribute('aria-keyshortcuts', 'E');
  await keepScreenshot(alicePage, 'kb-01-answered');
  await axeClean(alicePage, 'active call');
  await transferToBobByKeyboard(alicePage, a, 'cold', 'B', 'Refund for order 42');

  // Bob: the offer is spoken with its contact, outcome and note; Accept has focus; A accepts.
  await expect(urgent(bobPage)).toContainText('Cold transfer from Alice (lab): customer, Billing question. Note: Refund for order 42');
  const toast = bobPage.getByRole('region', { name: 'Incoming cold transfer from Alice (lab)' });
  await expect(toast.getByRole('button', { name: /Alice \(lab\) wants to hand you customer · Billing question/ })).toBeVisible();
  await expect(toast.getByRole('button', { name: 'Accept' })).toBeFocused();
  await keepScreenshot(bobPage, 'kb-02-cold-toast');
  await axeClean(bobPage, 'cold toast');
  await b.press('A');
  await expect(bobPage.getByRole('main').getByText('is yours now')).toBeVisible();
  await expect(polite(bobPage)).toContainText('is yours now');
  const followed = await waitFor('the customer followed the REFER', () => customer.followed[0], 8000);
  // The customer and bob hear each other, and no one else.
  const bobEar = pageEar(bobPage, bob);
  await untilHearsOnly(followed, TONES.bob, 8000);
  await bobEar.untilHearsOnly(await bobEar.callWith('customer'), TONES.customer, 8000);
  await expect(bobPage.getByRole('region', { name: /^Contact: / })).toBeFocused();
  await axeClean(bobPage, 'cold completed (recipient)');
  expect(call.state).toBe('ended');

  // Alice: the wrap-up, prefilled with the outcome, File focused; filed, focus on the idle heading.
  await expect(alicePage.getByLabel('Disposition code')).toHaveValue('billing-question');
  await fileByKeyboard(alicePage, a, null);
  await expect(alicePage.getByRole('heading', { name: 'No call in front' })).toBeFocused();
  await alice.until('alice filed', (s) => s.dispositionsDue.length === 0 && s.agent.status.kind === 'Ready');

  // Bob hangs up with E and files: focus back on his idle heading.
  await b.press('E');
  await fileByKeyboard(bobPage, b, 'R');
  await expect(bobPage.getByRole('heading', { name: 'No call in front' })).toBeFocused();
  await bob.until('bob ready again', (s) => s.agent.status.kind === 'Ready');

  // The next call: ringing → confirmed cold transfer with the remembered choice.
  const budget = new Keys(alicePage);
  await answerByKeyboard(alicePage, budget, customer);
  await budget.press('T');
  await expect(alicePage.getByRole('button', { name: 'Confirm transfer' })).toBeFocused();
  await budget.press('Enter');
  await expect(bobPage.getByRole('region', { name: 'Incoming cold transfer from Alice (lab)' })).toBeVisible();
  expect(budget.count).toBeLessThanOrEqual(4);
  test
    .info()
    .annotations.push({ type: 'keystrokes', description: `ringing → confirmed cold transfer (remembered choice): ${budget.count}` });
  await b.press('A');
  await expect(bobPage.getByRole('main').getByText('is yours now')).toBeVisible();
});

test('warm transfer completed from the keyboard: focus on Complete and Cancel, then Take contact off hold, then Hang up', async ({
  agentPage,
  agent,
  customer,
}) => {
  test.setTimeout(90_000);
  const { alicePage, bobPage, alice, bob } = await twoReadyAgents(agentPage, agent);
  const a = new Keys(alicePage);
  const b = new Keys(bobPage);
  await answerByKeyboard(alicePage, a, customer);
  await transferToBobByKeyboard(alicePage, a, 'warm', 'B', 'Wants to change the billing address');

  // Alice: the status line is spoken ("Calling Bob…"), focus rests on the transfer card meanwhile.
  await expect(polite(alicePage)).toContainText('Calling Bob (lab)…');
  await expect(alicePage.getByRole('region', { name: 'Warm transfer to Bob (lab)', exact: true })).toBeFocused();
  await expect(urgent(bobPage)).toContainText(
    'Warm transfer from Alice (lab): customer, Billing question. Note: Wants to change the billing address',
  );
  await keepScreenshot(bobPage, 'kb-10-warm-toast');

  // N jumps to the toasts (focus was already there; from the heading it goes back).
  await bobPage.getByRole('heading', { name: 'No call in front' }).focus();
  await b.press('N');
  await expect(
    bobPage.getByRole('region', { name: 'Incoming warm transfer from Alice (lab)' }).getByRole('button', { name: 'Accept' }),
  ).toBeFocused();
  await b.press('A');

  // Recipient: focus on Cancel; initiator: focus on Complete.
  const bobCard = bobPage.getByRole('region', { name: 'Warm transfer from Alice (lab)', exact: true });
  await expect(bobCard.getByRole('button', { name: 'Cancel transfer' })).toBeFocused();
  await expect(bobCard.getByRole('button', { name: 'Cancel transfer' })).toHaveAttribute('aria-keyshortcuts', 'X');
  const aliceCard = alicePage.getByRole('region', { name: 'Warm transfer to Bob (lab)', exact: true });
  await expect(aliceCard.getByRole('button', { name: 'Complete transfer' })).toBeFocused();
  await expect(polite(alicePage)).toContainText('Talking with Bob (lab)');
  await keepScreenshot(alicePage, 'kb-11-warm-initiator-consulting');
  await keepScreenshot(bobPage, 'kb-12-warm-recipient-consulting');
  await axeClean(alicePage, 'warm initiator consulting');
  await axeClean(bobPage, 'warm recipient consulting');

  // C completes. Bob: his Cancel is gone, focus on Take contact off hold; H takes the contact; focus on Hang up.
  await a.press('C');
  const offHold = bobPage.getByRole('button', { name: 'Take contact off hold' });
  await expect(offHold).toBeFocused();
  await axeClean(bobPage, 'warm completed (recipient)');
  await b.press('H');
  await expect(bobPage.getByRole('button', { name: 'Hang up' })).toBeFocused();
  const followed = await waitFor('the customer’s new call', () => customer.followed[0], 8000);
  const bobEar = pageEar(bobPage, bob);
  await untilHearsOnly(followed, TONES.bob, 8000);
  await bobEar.untilHearsOnly(await bobEar.callWith('customer'), TONES.customer, 8000);

  await fileByKeyboard(alicePage, a, null);
  await expect(alicePage.getByRole('heading', { name: 'No call in front' })).toBeFocused();
  await b.press('Enter'); // Hang up has focus
  await fileByKeyboard(bobPage, b, 'R');
  await expect(bobPage.getByRole('heading', { name: 'No call in front' })).toBeFocused();
  await alice.until('alice ready', (s) => s.agent.status.kind === 'Ready');
  await bob.until('bob ready', (s) => s.agent.status.kind === 'Ready');
});

test('warm transfer cancelled from the keyboard: Escape returns to Transfer, X cancels, the initiator takes the contact back', async ({
  agentPage,
  agent,
  customer,
}) => {
  test.setTimeout(90_000);
  const { alicePage, bobPage, alice, bob } = await twoReadyAgents(agentPage, agent);
  const a = new Keys(alicePage);
  const b = new Keys(bobPage);
  const call = await answerByKeyboard(alicePage, a, customer);

  // The help overlay: ? opens it, Escape closes it and focus comes back.
  await a.press('?');
  const help = alicePage.getByRole('dialog', { name: 'Keyboard shortcuts' });
  await expect(help).toBeVisible();
  await expect(help).toContainText('Answer the ringing call');
  await keepScreenshot(alicePage, 'kb-20-help');
  await axeClean(alicePage, 'help overlay');
  await a.press('Escape');
  await expect(help).toBeHidden();

  // Hold and off hold: focus on Resume, then on Hang up.
  await a.press('H');
  await expect(alicePage.getByRole('button', { name: 'Resume' })).toBeFocused();
  await a.press('H');
  await expect(alicePage.getByRole('button', { name: 'Hang up' })).toBeFocused();

  // T opens the panel, Escape closes it: focus on the Transfer button.
  await a.press('T');
  await expect(alicePage.getByRole('form', { name: /^Transfer / })).toBeVisible();
  await a.press('Escape');
  await expect(alicePage.getByRole('form', { name: /^Transfer / })).toBeHidden();
  await expect(alicePage.getByRole('button', { name: 'Transfer' })).toBeFocused();

  await transferToBobByKeyboard(alicePage, a, 'warm', 'O', 'Not sure this is billing');
  await expect(
    bobPage.getByRole('region', { name: 'Incoming warm transfer from Alice (lab)' }).getByRole('button', { name: 'Accept' }),
  ).toBeFocused();
  await b.press('Enter');
  const cancel = bobPage.getByRole('button', { name: 'Cancel transfer' });
  await expect(cancel).toBeFocused();
  await expect(alicePage.getByRole('button', { name: 'Complete transfer' })).toBeFocused();

  // X cancels: bob's wrap-up for the consult; alice's Complete is gone, focus on Take contact off hold.
  await b.press('X');
  await fileByKeyboard(bobPage, b, 'C');
  await bob.until('bob ready', (s) => s.agent.status.kind === 'Ready');
  await expect(polite(alicePage)).toContainText('cancelled the transfer');
  const offHold = alicePage.getByRole('button', { name: 'Take contact off hold' });
  await expect(offHold).toBeFocused();
  await keepScreenshot(alicePage, 'kb-21-cancelled-initiator');
  await axeClean(alicePage, 'cancelled (initiator)');
  await a.press('H');
  await expect(alicePage.getByRole('button', { name: 'Hang up' })).toBeFocused();
  await untilHearsOnly(call, TONES.alice, 8000);
  const aliceEar = pageEar(alicePage, alice);
  await aliceEar.untilHearsOnly(await aliceEar.callWith('customer'), TONES.customer, 8000);
  await a.press('E');
  await fileByKeyboard(alicePage, a, 'R');
  await expect(alicePage.getByRole('heading', { name: 'No call in front' })).toBeFocused();
  await alice.until('alice ready', (s) => s.agent.status.kind === 'Ready');
});
