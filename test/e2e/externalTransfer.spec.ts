/**
 * Transfer to an external number, clicked through in the production bundle: the number field
 * checks the dial plan as the agent types (an emergency number is refused on screen), a speed-dial
 * entry fills it, and a cold transfer hands the customer to the lab's "PSTN" (a bot registered for
 * the +1555 range behind the lab's Kamailio), after which the customer and the PSTN hear each other
 * and the agent's wrap-up starts with the outcome.
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
  'cold transfer to an external number: the dial plan on screen, a speed-dial entry, the customer reaches the PSTN',
  async ({ agentPage, agent, customer, pstn }) => {
    const page = await agentPage('alice');
    const alice = await agent('alice');
    const dialing = customer.phone.call('alice');
    const incoming = page.getByRole('region', { name: /^Incoming call from/ });
    await expect(incoming).toBeVisible();
    await incoming.getByRole('button', { name: 'Answer' }).click();
    const customerLeg = await dialing;
    await waitFor('the customer connected', () => customerLeg.state === 'established', 8000);

    await page.getByRole('button', { name: 'Transfer' }).click();
    const panel = page.getByRole('form', { name: /^Transfer / });
    await panel.getByRole('radio', { name: /External number/ }).check();
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
  },
);
