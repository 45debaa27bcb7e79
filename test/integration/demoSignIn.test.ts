/**
 * The demo desk offers only the demo agent at sign-in: the colleagues' users belong to the demo's
 * bots, and a desk signed in as one of them would take that bot's calls while the customer rang
 * nobody here. Signing in as a bot's user anyway (an old page, a hand-made request) is refused with a
 * sentence and registers nothing; the demo agent then signs in as usual. Real Kamailio.
 */
import { expect, it } from 'vitest';
import { labForTests } from '../support/labForTests.js';
import { createTestDesk } from '../support/deskFixture.js';
import { DEMO_AGENT, demoDeskOptions, demoDocument } from '../lab/demo/demoDocument.js';

const suite = labForTests({ presence: false });

it('lists only the demo agent, refuses a bot user with a sentence, and lets the demo agent in', async () => {
  const doc = demoDocument(suite.lab);
  const desk = createTestDesk(doc, demoDeskOptions(doc));
  suite.open.push(desk);
  expect(desk.state().session.signInUsers).toEqual([{ id: DEMO_AGENT, name: 'Sam Reyes (you)' }]);

  const refused = await desk.desk.handle('session.signIn', { userId: 'ana', password: '' });
  expect(refused).toEqual({
    ok: false,
    error: {
      code: 'not-at-this-desk',
      message: 'Ana Lima cannot sign in here: in the demo, the colleagues are played by bots. Sign in as Sam Reyes (you).',
    },
  });
  expect(desk.state().session.user).toBeNull();
  expect(desk.state().session.registration).toBe('unregistered');

  expect(await desk.desk.handle('session.signIn', { userId: DEMO_AGENT, password: '' })).toEqual({ ok: true, value: undefined });
  await desk.until('the demo agent registered', (s) => s.session.registration === 'registered');
  expect(desk.state().session.user?.id).toBe(DEMO_AGENT);
});
