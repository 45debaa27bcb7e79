/**
 * Commands to a whole test desk through `handle()`, the way the renderer sends them, for tests
 * whose subject is what follows: a refusal here fails the test with the desk's own code and words.
 */
import type { CommandName, CommandPayload } from '../../shared/ipc.js';
import type { TestDesk } from './deskFixture.js';

export async function ok<C extends CommandName>(d: TestDesk, command: C, payload: CommandPayload<C>): Promise<unknown> {
  const outcome = await d.desk.handle(command, payload);
  if (!outcome.ok) throw new Error(`${command} refused: ${outcome.error.code} ${outcome.error.message}`);
  return outcome.value;
}

/** Signs `userId` in (the lab needs no password) and makes them Ready. */
export async function signIn(d: TestDesk, userId: string): Promise<void> {
  await ok(d, 'session.signIn', { userId, password: '' });
  await ok(d, 'agent.setStatus', { kind: 'Ready' });
}
