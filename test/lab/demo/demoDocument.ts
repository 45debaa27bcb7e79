/**
 * The demo's provisioning: one agent at the desk (you) and six colleagues run by bots, each with a
 * part to play (see demoBots.ts). Pointed at a lab Kamailio; no passwords (the demo lab has no auth).
 */
import type { DeskOptions } from '../../../electron/core/desk.js';
import { parseProvisioning, type ProvisioningDocument } from '../../../shared/provisioning/index.js';
import type { Lab } from '../lab.js';

export const DEMO_AGENT = 'sam';

/** Colleagues and what each does; the order is the directory's. */
export const DEMO_COLLEAGUES = {
  ana: { name: 'Ana Lima', part: 'Ready: accepts cold and warm transfers and talks' },
  ben: { name: 'Ben Okafor', part: 'Dispositioning after each short call, then Ready for a while' },
  cleo: { name: 'Cleo Park', part: 'Not ready (Lunch)' },
  dev: { name: 'Dev Patel', part: 'On call with a customer' },
  eli: { name: 'Eli Novak', part: 'Ready, but declines every transfer' },
  fay: { name: 'Fay Moreau', part: 'Ready: accepts; now and then cancels a warm consult' },
} as const;

export type ColleagueId = keyof typeof DEMO_COLLEAGUES;

export function demoDocument(lab: Lab): ProvisioningDocument {
  const doc = {
    version: 1,
    sip: { server: lab.wsUrl, domain: lab.domain },
    roster: [
      { id: DEMO_AGENT, displayName: 'Sam Reyes (you)', sipUri: `sip:${DEMO_AGENT}@${lab.domain}`, team: 'support' },
      ...Object.entries(DEMO_COLLEAGUES).map(([id, c]) => ({
        id,
        displayName: c.name,
        sipUri: `sip:${id}@${lab.domain}`,
        team: 'support',
      })),
    ],
    outcomes: [
      { id: 'billing-question', label: 'Billing question' },
      { id: 'technical-issue', label: 'Technical issue' },
      { id: 'cancellation', label: 'Wants to cancel' },
      { id: 'other', label: 'Other' },
    ],
    dispositions: [
      { id: 'resolved', label: 'Resolved' },
      { id: 'callback', label: 'Callback promised' },
      { id: 'consult-only', label: 'Consultation', appliesTo: { callKinds: ['consult'] } },
    ],
    policies: { nonRecommendedTransfer: 'warn', noteMaxLength: 500, rememberChoices: true },
  };
  const parsed = parseProvisioning(JSON.stringify(doc), 'demo');
  if (!parsed.ok) throw new Error(`the demo document is invalid: ${parsed.issues.map((i) => `${i.path}: ${i.expected}`).join('; ')}`);
  return parsed.value;
}

/** What a demo call whose audio never connected tells the agent (a browser refusing WebRTC on 127.0.0.1). */
export const DEMO_AUDIO_HINT =
  "The demo's audio stays on 127.0.0.1, which browsers refuse for calls unless told: open both printed links in Chromium started with --allow-loopback-in-peer-connection, and keep the audio tab open.";

/**
 * The demo desk: only the demo agent signs in (the colleagues' users are the bots' own: a desk
 * signed in as one would take its calls, and the customer would ring nobody here), and a call whose
 * audio never connected says what to do about it.
 */
export function demoDeskOptions(doc: ProvisioningDocument): Pick<DeskOptions, 'signInOnly' | 'mediaCheck'> {
  const agent = doc.roster.find((u) => u.id === DEMO_AGENT)?.displayName ?? DEMO_AGENT;
  return {
    signInOnly: { users: [DEMO_AGENT], why: `in the demo, the colleagues are played by bots. Sign in as ${agent}.` },
    mediaCheck: { hint: DEMO_AUDIO_HINT },
  };
}
