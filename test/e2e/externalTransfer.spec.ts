/**
 * Transfer to an external number, clicked through in the production bundle: the number field
 * checks the dial plan as the agent types (an emergency number is refused on screen), a speed-dial
 * entry fills it, and a cold transfer hands the customer to the lab's "PSTN" (a bot registered for
 * the +1555 range behind the lab's Kamailio), after which the customer and the PSTN hear each other
 * and the agent's wrap-up starts with the outcome. Then the choice is remembered like a colleague's:
 * the next transfer panel opens on External number with the number, method and outcome already
 * chosen (each with its edit icon), and switching to User brings the colleague's remembered values.
 */
import { createPstn, PSTN_NUMBERS, type PstnBot } from '../lab/bots.js';
import { TONES, untilHearsOnly } from '../support/audioOracle.js';
import { waitFor } from '../support/waitFor.js';
import { expect, keepScreenshot, test } from './fixtures.js';

const externalTest = test.extend<{ pstn: PstnBot }>({
  pstn: async ({ lab }, use) => {
    const pstn = createPstn(lab, { toneHz: TONES.sixth });
    await pstn.phone.start();
    await use(pstn);
    await pstn.dispose();
  },
});

externalTest(
  'cold transfer to an external number: the dial plan on screen, a speed-dial entry, the customer reaches the PSTN, the choice remembered',
  async ({ agentPage, agent, customer, pstn }) => {
    // An earlier session of Alice's transferred to Bob: her store (SQLite) remembers that choice.
    const alice = await agent('alice');
    alice.store.choices.set('alice', 'user-transfer', { userId: 'bob', outcomeId: 'other', method: 'warm', updatedAt: 1 });
    const page = await agentPage('alice');
    const dialing = customer.phone.call('alice');
    const incoming = page.getByRole('region', { name: /^Incoming call from/ });
    await expect(incoming).toBeVisible();
    await incoming.getByRole('button', { name: 'Answer' }).click();
    const customerLeg = await dialing;
    await waitFor('the customer connected', () => customerLeg.state === 'established', 8000);

    await page.getByRole('button', { name: 'Transfer' }).click();
    const panel = page.getByRole('form', { name: /^Transfer / });
    // The last transfer went to a colleague: the panel opens on User.
    await expect(panel.getByRole('radio', { name: /^User/ })).toBeChecked();
    await panel.getByRole('radio', { name: /External number/ }).check();
    // No number transferred to yet: the colleague's outcome stays chosen, and can be changed.
    await expect(panel.getByRole('group', { name: 'Outcome', exact: true })).toContainText('Other');
    await panel.getByRole('button', { name: 'Edit outcome' }).click();
    const number = panel.getByLabel('Phone number');
    // An emergency number is never transferred: said on screen, Confirm stays disabled.
    await number.fill('911');
    await expect(panel).toContainText(/emergency/i);
    await expect(panel.getByRole('button', { name: 'Confirm transfer' })).toBeDisabled();

    await panel.getByRole('button', { name: /Supplier hotline/ }).click();
    await expect(number).toHaveValue(/555/);
    await expect(panel).toContainText('Will dial +1 555 010 0100');
    await panel.getByRole('radio', { name: /Cold/ }).check();
    await panel.getByLabel('Outcome').selectOption({ label: 'Billing question' });
    await panel.getByLabel('Note (optional)').fill('Supplier takes the refund');
    await keepScreenshot(page, 'external-transfer-panel');
    await panel.getByRole('button', { name: 'Confirm transfer' }).click();

    const reached = await waitFor(
      'the PSTN reached on the number',
      () => pstn.reached.find((r) => r.number === PSTN_NUMBERS.answers),
      8000,
    );
    const followed = await waitFor('the customer’s call to the number', () => customer.followed[0], 8000);
    await untilHearsOnly(followed, TONES.sixth, 8000);
    await untilHearsOnly(reached.call, TONES.customer, 8000);

    // Alice's part is over: her wrap-up starts with the outcome she chose.
    await expect(page.getByRole('form', { name: /^Disposition:/ })).toBeVisible();
    await expect(page.getByLabel('Disposition code')).toHaveValue('billing-question');
    await keepScreenshot(page, 'external-transfer-wrap-up');
    await page
      .getByRole('form', { name: /^Disposition:/ })
      .getByRole('button', { name: 'File disposition' })
      .click();
    await alice.until('filed', (s) => s.dispositionsDue.length === 0);
    await followed.hangUp();
    await waitFor('the PSTN call ended', () => reached.call.state === 'ended', 8000);

    // The next contact: the panel opens on the kind of the last transfer, everything chosen.
    const again = customer.phone.call('alice');
    await expect(incoming).toBeVisible();
    await incoming.getByRole('button', { name: 'Answer' }).click();
    const secondLeg = await again;
    await waitFor('the customer connected again', () => secondLeg.state === 'established', 8000);
    await page.getByRole('button', { name: 'Transfer' }).click();
    const chosen = (name: string) => panel.getByRole('group', { name, exact: true });
    await expect(panel.getByRole('radio', { name: /External number/ })).toBeChecked();
    await expect(chosen('Number')).toContainText(`Supplier hotline (lab PSTN) · ${PSTN_NUMBERS.answers}`);
    await expect(panel.getByRole('button', { name: 'Edit number' })).toBeVisible();
    await expect(panel.getByRole('radio', { name: /Cold/ })).toBeChecked();
    await expect(chosen('Outcome')).toContainText('Billing question');
    await expect(panel.getByRole('button', { name: 'Edit outcome' })).toBeVisible();
    await expect(panel.getByRole('button', { name: 'Confirm transfer' })).toBeEnabled();
    await keepScreenshot(page, 'external-transfer-remembered');

    // Switching to User brings the colleague's remembered values, and back again the number's.
    await panel.getByRole('radio', { name: /^User/ }).check();
    await expect(chosen('Colleague')).toContainText('Bob (lab)');
    await expect(panel.getByRole('button', { name: 'Edit colleague' })).toBeVisible();
    await expect(panel.getByRole('radio', { name: /Warm/ })).toBeChecked();
    await expect(chosen('Outcome')).toContainText('Other');
    await panel.getByRole('radio', { name: /External number/ }).check();
    await expect(chosen('Number')).toContainText(PSTN_NUMBERS.answers);
    await expect(panel.getByRole('radio', { name: /Cold/ })).toBeChecked();
    await expect(chosen('Outcome')).toContainText('Billing question');

    await panel.getByRole('button', { name: 'Close' }).click();
    await secondLeg.hangUp();
  },
);
