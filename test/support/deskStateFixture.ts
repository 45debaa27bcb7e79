import type { DeskState } from '../../shared/desk.js';

/**
 * A desk as main would publish it for a signed-in, registered agent with nothing going on (Ready, no
 * call, empty lists), with `overrides` on top: the tests that feed a page or the renderer's store a
 * scripted desk state start from here and spell out only what they are about.
 */
export function idleDesk(
  user: { readonly id: string; readonly name: string; readonly domain?: string },
  overrides: Partial<DeskState> = {},
): DeskState {
  return {
    version: 1,
    session: {
      registration: 'registered',
      error: null,
      user: { id: user.id, name: user.name, aor: `sip:${user.id}@${user.domain ?? 'lab'}` },
      signInUsers: [],
    },
    agent: { status: { kind: 'Ready' }, chosen: { kind: 'Ready' } },
    calls: [],
    transfers: [],
    directory: [],
    outcomes: [],
    dispositionCodes: [],
    notReadyReasons: [],
    policies: { nonRecommendedTransfer: 'warn', noteMaxLength: 500, rememberChoices: false },
    remembered: { userId: null, outcomeId: null, method: null },
    dispositionsDue: [],
    drafts: {},
    notices: [],
    ...overrides,
  };
}
