/**
 * The sentence the demo prints when the lab cannot find Kamailio (LabError 'kamailio-missing'):
 * either the binary is missing, or it is there and modules the demo needs are not. Each gets the
 * apt command that fixes it; anything else is not this function's to explain.
 */
import type { LabError } from '../lab.js';

/** What the demo's Kamailio loads beyond the base package (test/lab/lab.ts findInstallation). */
export const DEMO_MODULE_PACKAGES = 'kamailio-websocket-modules kamailio-presence-modules';

export function kamailioAdvice(error: LabError): string | undefined {
  if (error.code !== 'kamailio-missing') return undefined;
  const modules = /^Kamailio modules \(([^)]*)\) not found/.exec(error.message);
  if (modules) {
    return `The demo runs a private Kamailio on 127.0.0.1; Kamailio is installed, but not the modules it needs (${modules[1] ?? ''}): sudo apt-get install ${DEMO_MODULE_PACKAGES}`;
  }
  return `The demo runs a private Kamailio on 127.0.0.1, and Kamailio is not installed: sudo apt-get install kamailio ${DEMO_MODULE_PACKAGES}`;
}
