/**
 * The agent UI, clicked as an agent would: the production bundle in Chromium, each page wired to a
 * real desk (Node) through the bridge, a customer bot calling in over the lab Kamailio.
 *
 * Flows: sign-in and the idle desk; cold transfer; warm transfer completed (forbidden actions absent
 * from both screens and refused by main when sent anyway); the remembered choice preselected on the
 * next call, changed through the pencil icons, then repeated with Ctrl+Shift+T; warm transfer
 * cancelled by the recipient; the non-recommended warning. Every screen is kept as a screenshot
 * (report attachment, and test-results/screens/<name>.png) — look at them.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import AxeBuilder from '@axe-core/playwright';
import type { Page } from '@playwright/test';
import type { Call } from '../../electron/core/sip/call.js';
import { labDocument } from '../support/deskFixture.js';
import { TONES, untilHearsNoTone, untilHearsOnly } from '../support/audioOracle.js';
import { waitFor } from '../support/waitFor.js';
import type { CustomerBot } from '../lab/bots.js';
import type { AgentEndpoint } from './fixtures.js';
import { expect, invoke, test as base } from './fixtures.js';
import { pageEar } from './harness/pageOracle.js';
import { REPO_ROOT } from './harness/paths.js';

/** The product default: a non-recommended colleague is a warning the agent confirms. */
const test = base.extend({
  provisioning: [async ({ lab }, use) => use(labDocument(lab, { nonRecommendedTransfer: 'warn' })), { scope: 'worker' }],
});

const SCREENS = join(REPO_ROOT, 'test-results', 'screens');

/** A screenshot as a report attachment and as a file to open. */
async function screen(page: Page, name: string): Promise<void> {
  // Let transitions settle (toast slide-in) so the picture shows the steady screen.
  await page.waitForTimeout(250);
  // Columns scroll on their own: grow the viewport to the tallest one so the picture shows it all.
  const viewport = page.viewportSize() ?? { width: 1280, height: 720 };
  const tallest = await page.evaluate(() =>
    Math.max(0, ...[...document.querySelectorAll('.workspace, .sidebar')].map((e) => e.scrollHeight + e.getBoundingClientRect().top)),
  );
  if (tallest > viewport.height) await page.setViewportSize({ width: viewport.width, height: Math.ceil(tallest) + 8 });
  const body = await page.screenshot({ fullPage: true });
  await page.setViewportSize(viewport);
  mkdirSync(SCREENS, { recursive: true });
  writeFileSync(join(SCREENS, `${name}.png`), body);
  await test.info().attach(`${name}.png`, { body, contentType: 'image/png' });
}

/** No serious or critical accessibility violation on what the page shows now. */
async function accessible(page: Page, where: string): Promise<void> {
  const results = await new AxeBuilder({ page }).analyze();
  const bad = results.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  expect(bad.map((v) => `${where}: ${v.id} (${v.impact}) ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`)).toEqual([]);
}

async function setReady(page: Page): Promise<void> {
  await page.getByRole('combobox', { name: 'Agent state' }).selectOption('Ready');
  await expect(page.getByRole('status', { name: 'Your state' })).toHaveText('Ready');
}

/** The customer calls alice; alice answers from the incoming-call card. */
async function customerCalls(page: Page, customer: CustomerBot, shot?: string): Promise<Call> {
  const dialing = customer.phone.call('alice');
  const incoming = page.getByRole('region', { name: /^Incoming call from/ });
  await expect(incoming).toBeVisible();
  if (shot) await screen(page, shot);
  await incoming.getByRole('button', { name: 'Answer' }).click();
  const call = await dialing;
  await waitFor('the customer connected', () => call.state === 'established', 8000);
  await expect(page.getByRole('region', { name: /^Call with: / })).toBeVisible();
  return call;
}

async function pickColleague(page: Page, name: RegExp): Promise<void> {
  await page.getByRole('radio', { name }).check();
}

async function fileDisposition(page: Page, code: string, note = ''): Promise<void> {
  const form = page.getByRole('form', { name: /^Disposition:/ });
  await expect(form).toBeVisible();
  await form.getByLabel('Disposition code').selectOption({ label: code });
  if (note) await form.getByLabel('Wrap-up note').fill(note);
  await form.getByRole('button', { name: 'File disposition' }).click();
  await expect(form).toBeHidden();
}

async function twoAgents(agentPage: (id: string) => Promise<Page>, agent: (id: string) => Promise<AgentEndpoint>) {
  const alicePage = await agentPage('alice');
  const bobPage = await agentPage('bob');
  await setReady(alicePage);
  await setReady(bobPage);
  const alice = await agent('alice');
  const bob = await agent('bob');
  await alice.until('bob ready in alice’s directory', (s) => s.directory.some((e) => e.userId === 'bob' && e.status.kind === 'Ready'));
  return { alicePage, bobPage, alice, bob };
}

test('sign-in, the idle desk, audio settings and the keypad', async ({ agentPage, agent, customer }) => {
  const page = await agentPage('alice', { signedIn: false });
  await expect(page.getByRole('heading', { name: 'Sign in' })).toBeVisible();
  await page.getByLabel('User').selectOption({ label: 'Alice (lab)' });
  await screen(page, '01-sign-in');
  await accessible(page, 'sign-in');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByRole('status', { name: 'Your state' })).toHaveText(/Not ready/);
  const alice = await agent('alice');
  await alice.until('registered', (s) => s.session.registration === 'registered');
  await setReady(page);
  await screen(page, '02-desk-idle');
  await accessible(page, 'idle desk');

  await page.getByRole('button', { name: 'Audio settings' }).click();
  const dialog = page.getByRole('dialog', { name: 'Audio devices' });
  await expect(dialog.getByLabel('Microphone')).toBeVisible();
  await screen(page, '03-audio-settings');
  await dialog.getByRole('button', { name: 'Cancel' }).click();
  await expect(dialog).toBeHidden();

  const call = await customerCalls(page, customer, '04-incoming-call');
  await expect(page.getByRole('status', { name: 'Your state' })).toHaveText('On call');
  await page.getByRole('button', { name: 'Keypad' }).click();
  await page.getByRole('group', { name: 'Keypad' }).getByRole('button', { name: '5', exact: true }).click();
  await expect.poll(() => alice.replies('sendDtmf').length).toBe(1);
  await screen(page, '05-active-call-keypad');
  await accessible(page, 'active call');

  await page.getByRole('button', { name: 'Hold' }).click();
  await expect(page.getByRole('button', { name: 'Resume' })).toBeVisible();
  await screen(page, '06-call-on-hold');
  await page.getByRole('button', { name: 'Resume' }).click();
  await untilHearsOnly(call, TONES.alice, 5000);
  await page.getByRole('button', { name: 'Mute' }).click();
  await expect(page.getByRole('button', { name: 'Unmute' })).toBeVisible();
  // Muted: the customer still gets packets, and none of alice's voice.
  await untilHearsNoTone(call, 5000);
  await page.getByRole('button', { name: 'Hang up' }).click();
  await expect(page.getByRole('status', { name: 'Your state' })).toHaveText('Dispositioning');
  await screen(page, '07-disposition');
  await accessible(page, 'disposition');
  await fileDisposition(page, 'Resolved', 'Asked about opening hours');
  await expect(page.getByRole('status', { name: 'Your state' })).toHaveText('Ready');
});

test('cold transfer: pick a Ready colleague, outcome and note; the colleague accepts the toast', async ({ agentPage, agent, customer }) => {
  const { alicePage, bobPage, alice, bob } = await twoAgents(agentPage, agent);
  await customerCalls(alicePage, customer);

  await alicePage.getByRole('button', { name: 'Transfer' }).click();
  const panel = alicePage.getByRole('form', { name: /^Transfer / });
  await expect(panel.getByRole('radio', { name: 'User' })).toBeChecked();
  await expect(panel.getByRole('radio', { name: /External number/ })).toBeEnabled();
  await expect(panel.getByRole('searchbox', { name: 'Search colleagues' })).toBeFocused();
  await screen(alicePage, '10-transfer-panel-empty');
  await accessible(alicePage, 'transfer panel');
  await panel.getByRole('searchbox', { name: 'Search colleagues' }).fill('bo');
  await pickColleague(alicePage, /Bob \(lab\)/);
  await panel.getByRole('radio', { name: /Cold/ }).check();
  await panel.getByLabel('Outcome').selectOption({ label: 'Billing question' });
  await panel.getByLabel('Note (optional)').fill('Refund for order 42, already verified');
  await expect(panel.getByText(/^37 \/ 500 characters/)).toBeVisible();
  await screen(alicePage, '11-transfer-panel-filled');
  await panel.getByRole('button', { name: 'Confirm transfer' }).click();

  const toast = bobPage.getByRole('region', { name: 'Incoming cold transfer from Alice (lab)' });
  await expect(toast).toBeVisible();
  await expect(toast).toContainText('Refund for order 42');
  await screen(bobPage, '12-cold-toast-recipient');
  await toast.getByRole('button', { name: 'Accept' }).click();
  await expect(bobPage.getByRole('main').getByText('is yours now')).toBeVisible();
  const followed = await waitFor('the customer followed the REFER', () => customer.followed[0], 8000);
  // The customer and bob hear each other, and no one else.
  const bobEar = pageEar(bobPage, bob);
  await untilHearsOnly(followed, TONES.bob, 8000);
  await bobEar.untilHearsOnly(await bobEar.callWith('customer'), TONES.customer, 8000);
  await screen(bobPage, '13-cold-completed-recipient');

  // Alice: the call is gone, her wrap-up starts with the transfer's outcome.
  await expect(alicePage.getByRole('form', { name: /^Disposition:/ })).toBeVisible();
  await expect(alicePage.getByLabel('Disposition code')).toHaveValue('billing-question');
  await screen(alicePage, '14-cold-initiator-wrap-up');
  // Filed as prefilled: the transfer outcome is alice's result for her part of the call.
  const wrapUp = alicePage.getByRole('form', { name: /^Disposition:/ });
  await wrapUp.getByRole('button', { name: 'File disposition' }).click();
  await expect(wrapUp).toBeHidden();
  await alice.until('filed', (s) => s.dispositionsDue.length === 0);
  expect(alice.state().remembered).toEqual({ userId: 'bob', outcomeId: 'billing-question', method: 'cold' });

  // Bob: the History tab has the note alice wrote.
  await bobPage.getByRole('tab', { name: 'History' }).click();
  await expect(bobPage.getByRole('tabpanel')).toContainText('Refund for order 42');
  await screen(bobPage, '15-history-tab');
  await bobPage.getByRole('button', { name: 'Hang up' }).click();
  await fileDisposition(bobPage, 'Resolved');
  await bob.until('bob ready again', (s) => s.agent.status.kind === 'Ready');
});

test('warm transfer completed: only Complete for the initiator, only Cancel for the recipient, then Take contact off hold', async ({
  agentPage,
  agent,
  customer,
}) => {
  const { alicePage, bobPage, alice, bob } = await twoAgents(agentPage, agent);
  const call = await customerCalls(alicePage, customer);

  await alicePage.getByRole('button', { name: 'Transfer' }).click();
  const panel = alicePage.getByRole('form', { name: /^Transfer / });
  await pickColleague(alicePage, /Bob \(lab\)/);
  await expect(panel.getByRole('radio', { name: /Warm/ })).toBeChecked();
  await panel.getByLabel('Outcome').selectOption({ label: 'Billing question' });
  await panel.getByLabel('Note (optional)').fill('Wants to change the billing address');
  await panel.getByRole('button', { name: 'Confirm transfer' }).click();

  const toast = bobPage.getByRole('region', { name: 'Incoming warm transfer from Alice (lab)' });
  await expect(toast).toBeVisible();
  await screen(bobPage, '20-warm-toast-recipient');
  // Clicking the toast brings the offered call forward: the contact's info and note before answering.
  await toast.getByRole('button', { name: /^Warm transfer Alice \(lab\) wants to hand you customer/ }).click();
  await expect(bobPage.getByRole('region', { name: 'Warm transfer from Alice (lab)', exact: true })).toContainText(
    'Wants to change the billing address',
  );
  await expect(toast).toBeHidden();
  await screen(bobPage, '20b-warm-offer-brought-forward');
  await bobPage
    .getByRole('region', { name: 'Warm transfer from Alice (lab)', exact: true })
    .getByRole('button', { name: 'Accept' })
    .click();
  const transferId = (await alice.until('consulting', (s) => s.transfers[0]?.state.phase === 'consulting')).transfers[0]?.id ?? '';
  // The consult: alice and bob hear each other only; the held customer hears neither.
  const aliceEar = pageEar(alicePage, alice);
  const bobEar = pageEar(bobPage, bob);
  await aliceEar.untilHearsOnly(await aliceEar.callWith('bob'), TONES.bob, 8000);
  await bobEar.untilHearsOnly(await bobEar.callWith('alice'), TONES.alice, 8000);
  await untilHearsNoTone(call, 5000);

  // Initiator: contact on hold, Complete only — no Cancel, no Resume / off-hold, no Hang up on the contact.
  const aliceStatus = alicePage.getByRole('region', { name: 'Warm transfer to Bob (lab)', exact: true });
  await expect(aliceStatus.getByRole('button', { name: 'Complete transfer' })).toBeVisible();
  await expect(aliceStatus).toContainText('Contact on hold');
  for (const name of ['Cancel transfer', 'Take contact off hold', 'Resume', 'Hang up', 'Accept', 'Decline']) {
    await expect(alicePage.getByRole('button', { name, exact: true })).toHaveCount(0);
  }
  await screen(alicePage, '21-warm-initiator-consulting');
  await accessible(alicePage, 'warm initiator');

  // Recipient: the contact's info, note and Cancel only — no Complete, no off-hold.
  const bobStatus = bobPage.getByRole('region', { name: 'Warm transfer from Alice (lab)', exact: true });
  await expect(bobStatus.getByRole('button', { name: 'Cancel transfer' })).toBeVisible();
  await expect(bobStatus).toContainText('Wants to change the billing address');
  await expect(bobStatus).toContainText('Billing question');
  for (const name of ['Complete transfer', 'Take contact off hold', 'Resume']) {
    await expect(bobPage.getByRole('button', { name, exact: true })).toHaveCount(0);
  }
  await screen(bobPage, '22-warm-recipient-consulting');
  await accessible(bobPage, 'warm recipient');

  // Sent anyway (not through a button), main refuses them.
  expect(await invoke(alicePage, 'transfer.cancel', { transferId })).toMatchObject({
    ok: false,
    error: { code: 'initiator-cannot-cancel' },
  });
  expect(await invoke(alicePage, 'transfer.unholdContact', { transferId })).toMatchObject({
    ok: false,
    error: { code: 'contact-held-during-transfer' },
  });
  expect(await invoke(bobPage, 'transfer.complete', { transferId })).toMatchObject({
    ok: false,
    error: { code: 'recipient-cannot-complete' },
  });

  await aliceStatus.getByRole('button', { name: 'Complete transfer' }).click();
  const offHold = bobPage.getByRole('button', { name: 'Take contact off hold' });
  await expect(offHold).toBeVisible();
  await expect(bobPage.getByRole('button', { name: 'Cancel transfer' })).toHaveCount(0);
  await screen(bobPage, '23-warm-completed-recipient');
  await offHold.click();
  const followed = await waitFor('the customer’s new call', () => customer.followed[0], 8000);
  await untilHearsOnly(followed, TONES.bob, 8000);
  await bobEar.untilHearsOnly(await bobEar.callWith('customer'), TONES.customer, 8000);
  expect(call.state).toBe('ended');

  await expect(alicePage.getByLabel('Disposition code')).toHaveValue('billing-question');
  await fileDisposition(alicePage, 'Resolved', 'Handed to Bob');
  await bobPage.getByRole('button', { name: 'Hang up' }).click();
  await fileDisposition(bobPage, 'Resolved');
  await bob.until('bob ready', (s) => s.agent.status.kind === 'Ready');
});

test('the remembered colleague and outcome come preselected; the pencils change them; Ctrl+Shift+T repeats', async ({
  agentPage,
  agent,
  customer,
}) => {
  test.setTimeout(120_000);
  const { alicePage, bobPage, alice } = await twoAgents(agentPage, agent);
  const acceptOnBob = async (method: 'Cold' | 'Warm'): Promise<void> => {
    const toast = bobPage.getByRole('region', { name: `Incoming ${method.toLowerCase()} transfer from Alice (lab)` });
    await toast.getByRole('button', { name: 'Accept' }).click();
    await expect(bobPage.getByRole('main').getByText('is yours now')).toBeVisible();
    await bobPage.getByRole('button', { name: 'Hang up' }).click();
    await fileDisposition(bobPage, 'Resolved');
  };

  // First transfer: chosen by hand.
  await customerCalls(alicePage, customer);
  await alicePage.getByRole('button', { name: 'Transfer' }).click();
  await pickColleague(alicePage, /Bob \(lab\)/);
  await alicePage.getByRole('radio', { name: /Cold/ }).check();
  await alicePage.getByLabel('Outcome').selectOption({ label: 'Billing question' });
  await alicePage.getByRole('button', { name: 'Confirm transfer' }).click();
  await acceptOnBob('Cold');
  await fileDisposition(alicePage, 'Resolved');

  // Next call: Bob and Billing question are already chosen, each with a pencil; Confirm has focus.
  await customerCalls(alicePage, customer);
  await alicePage.getByRole('button', { name: 'Transfer' }).click();
  const panel = alicePage.getByRole('form', { name: /^Transfer / });
  await expect(panel.getByRole('group', { name: 'Colleague' })).toContainText('Bob (lab)');
  await expect(panel.getByRole('group', { name: 'Outcome' })).toContainText('Billing question');
  await expect(panel.getByRole('radio', { name: /Cold/ })).toBeChecked();
  await expect(panel.getByRole('searchbox', { name: 'Search colleagues' })).toHaveCount(0);
  await expect(panel.getByRole('button', { name: 'Confirm transfer' })).toBeFocused();
  await screen(alicePage, '30-transfer-panel-remembered');

  await panel.getByRole('button', { name: 'Edit colleague' }).click();
  await expect(panel.getByRole('searchbox', { name: 'Search colleagues' })).toBeVisible();
  await expect(panel.getByRole('radio', { name: /Bob \(lab\)/ })).toBeChecked();
  await panel.getByRole('button', { name: 'Edit outcome' }).click();
  await panel.getByLabel('Outcome').selectOption({ label: 'Other' });
  await panel.getByRole('radio', { name: /Warm/ }).check();
  await screen(alicePage, '31-transfer-panel-editing');
  await panel.getByRole('button', { name: 'Confirm transfer' }).click();
  const toast = bobPage.getByRole('region', { name: 'Incoming warm transfer from Alice (lab)' });
  await toast.getByRole('button', { name: 'Accept' }).click();
  await alicePage.getByRole('button', { name: 'Complete transfer' }).click();
  await bobPage.getByRole('button', { name: 'Take contact off hold' }).click();
  await bobPage.getByRole('button', { name: 'Hang up' }).click();
  await fileDisposition(bobPage, 'Resolved');
  await fileDisposition(alicePage, 'Resolved');
  expect(alice.state().remembered).toEqual({ userId: 'bob', outcomeId: 'other', method: 'warm' });

  // Third call: one keystroke.
  await customerCalls(alicePage, customer);
  await alicePage.keyboard.press('Control+Shift+T');
  await expect(bobPage.getByRole('region', { name: 'Incoming warm transfer from Alice (lab)' })).toBeVisible();
  await expect(alicePage.getByRole('region', { name: 'Warm transfer to Bob (lab)', exact: true })).toBeVisible();
  await screen(alicePage, '32-shortcut-started-warm');
  await bobPage.getByRole('region', { name: 'Incoming warm transfer from Alice (lab)' }).getByRole('button', { name: 'Accept' }).click();
  await alicePage.getByRole('button', { name: 'Complete transfer' }).click();
  await expect(bobPage.getByRole('button', { name: 'Take contact off hold' })).toBeVisible();
});

test('warm transfer cancelled by the recipient: the recipient files a disposition, the initiator takes the contact off hold', async ({
  agentPage,
  agent,
  customer,
}) => {
  const { alicePage, bobPage, alice, bob } = await twoAgents(agentPage, agent);
  const call = await customerCalls(alicePage, customer);
  await alicePage.getByRole('button', { name: 'Transfer' }).click();
  await pickColleague(alicePage, /Bob \(lab\)/);
  await alicePage.getByLabel('Outcome').selectOption({ label: 'Other' });
  await alicePage.getByRole('button', { name: 'Confirm transfer' }).click();
  await bobPage.getByRole('region', { name: 'Incoming warm transfer from Alice (lab)' }).getByRole('button', { name: 'Accept' }).click();
  await alice.until('consulting', (s) => s.transfers[0]?.state.phase === 'consulting');

  await bobPage.getByRole('button', { name: 'Cancel transfer' }).click();
  // Bob owes a disposition for the cancelled consult; the contact stays with alice.
  await expect(bobPage.getByRole('form', { name: /^Disposition:/ })).toBeVisible();
  await screen(bobPage, '40-cancelled-recipient-disposition');
  await fileDisposition(bobPage, 'Consultation', 'Not my queue');
  await bob.until('bob ready', (s) => s.agent.status.kind === 'Ready');

  const status = alicePage.getByRole('region', { name: 'Warm transfer to Bob (lab)', exact: true });
  await expect(status).toContainText('cancelled the transfer');
  await expect(alicePage.getByRole('button', { name: 'Complete transfer' })).toHaveCount(0);
  await screen(alicePage, '41-cancelled-initiator');
  await alicePage.getByRole('button', { name: 'Take contact off hold' }).click();
  await untilHearsOnly(call, TONES.alice, 8000);
  const aliceEar = pageEar(alicePage, alice);
  await aliceEar.untilHearsOnly(await aliceEar.callWith('customer'), TONES.customer, 8000);
  await expect(alicePage.getByRole('button', { name: 'Hold' })).toBeVisible();
  await alicePage.getByRole('button', { name: 'Hang up' }).click();
  await fileDisposition(alicePage, 'Resolved');
});

test('a colleague who is not Ready or Dispositioning: warned, listed after the recommended ones, confirmable', async ({
  agentPage,
  agent,
  customer,
}) => {
  const alicePage = await agentPage('alice');
  await agentPage('bob'); // signed in, still "Not ready (Just signed in)"
  await setReady(alicePage);
  const alice = await agent('alice');
  await alice.until('bob not ready in the directory', (s) => s.directory.some((e) => e.userId === 'bob' && e.status.kind === 'NotReady'));
  await customerCalls(alicePage, customer);

  await alicePage.getByRole('button', { name: 'Transfer' }).click();
  const panel = alicePage.getByRole('form', { name: /^Transfer / });
  await expect(panel.getByText('Other states — not recommended')).toBeVisible();
  await pickColleague(alicePage, /Bob \(lab\)/);
  await expect(panel.getByText(/Bob \(lab\) is Not ready .* recommended/)).toBeVisible();
  await panel.getByRole('radio', { name: /Cold/ }).check();
  await panel.getByLabel('Outcome').selectOption({ label: 'Other' });
  await panel.getByLabel('Note (optional)').fill('Half-typed before a reload');
  await expect.poll(() => alice.state().drafts[`transfer:${alice.state().calls[0]?.id}`]?.note).toBe('Half-typed before a reload');

  // A reload loses nothing: the call lives in main, and the form comes back from the saved draft.
  await alicePage.reload();
  await alicePage.getByRole('button', { name: 'Transfer' }).click();
  await expect(panel.getByLabel('Note (optional)')).toHaveValue('Half-typed before a reload');
  await expect(panel.getByRole('group', { name: 'Colleague' })).toContainText('Bob (lab)');
  await expect(panel.getByRole('group', { name: 'Outcome' })).toContainText('Other');
  await expect(panel.getByRole('radio', { name: /Cold/ })).toBeChecked();
  await expect(panel.getByText(/Bob \(lab\) is Not ready .* recommended/)).toBeVisible();
  await screen(alicePage, '51-draft-restored-after-reload');
  await panel.getByRole('button', { name: 'Confirm transfer' }).click();

  const warning = panel.getByRole('alert');
  await expect(warning).toContainText('Transfer anyway?');
  await expect(panel.getByRole('button', { name: 'Confirm transfer' })).toHaveCount(0);
  await screen(alicePage, '50-non-recommended-warning');
  await accessible(alicePage, 'non-recommended warning');
  expect(alice.state().transfers).toEqual([]);
  await panel.getByRole('button', { name: 'Transfer anyway' }).click();
  await alice.until('the cold transfer under way', (s) => s.transfers.some((t) => t.state.method === 'cold'));
});
