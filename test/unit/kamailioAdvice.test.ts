/** The demo's sentence when Kamailio cannot start: the binary missing, or only its modules. */
import { describe, expect, it } from 'vitest';
import { LabError } from '../lab/lab.js';
import { kamailioAdvice } from '../lab/demo/kamailioAdvice.js';

describe('kamailioAdvice', () => {
  it('says Kamailio is not installed when the binary is missing, with the apt command for it and its modules', () => {
    const advice = kamailioAdvice(
      new LabError('kamailio-missing', 'Kamailio not found (looked in PATH, /usr/sbin, /usr/local/sbin). Install it: …'),
    );
    expect(advice).toContain('Kamailio is not installed');
    expect(advice).toContain('sudo apt-get install kamailio kamailio-websocket-modules kamailio-presence-modules');
  });

  it('names the modules, and asks only for the module packages, when Kamailio is there but its modules are not', () => {
    const advice = kamailioAdvice(
      new LabError(
        'kamailio-missing',
        'Kamailio modules (websocket.so, presence.so, presence_xml.so) not found in /usr/lib/x86_64-linux-gnu/kamailio/modules, /usr/lib/kamailio/modules. Install them: …',
      ),
    );
    expect(advice).toContain('Kamailio is installed, but not the modules it needs (websocket.so, presence.so, presence_xml.so)');
    expect(advice).not.toContain('not installed');
    expect(advice).toMatch(/sudo apt-get install kamailio-websocket-modules kamailio-presence-modules$/);
  });

  it('leaves other lab failures to the caller', () => {
    expect(kamailioAdvice(new LabError('start-timeout', 'Kamailio did not start'))).toBeUndefined();
  });
});
