/**
 * The rejection handler of a lab step whose failure the scenario judges elsewhere — a bot's answer or
 * hang-up (the test then checks what the far end saw), a teardown of what is going away — so it must
 * neither throw into a test that did not ask nor vanish: it is written to Node's debug log,
 * `NODE_DEBUG=baton-lab`, where a confusing run can show it.
 */
import { debuglog } from 'node:util';

const log = debuglog('baton-lab');

export function bestEffort(what: string): (error: unknown) => void {
  return (error) => log('%s failed: %s', what, error instanceof Error ? error.message : String(error));
}
