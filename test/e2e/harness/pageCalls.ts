/**
 * The calls the page specs start from, made through the product's own commands (window.baton):
 * the customer's call answered on alice's page, and a warm consult between two agents' pages (two
 * Baton desks on Chromium, libwebrtc at both ends of the consult), each resolved once the audio
 * says the parties hear each other.
 */
import type { Page } from '@playwright/test';
import type { Call } from '../../../electron/core/sip/call.js';
import { TONES, untilHearsOnly } from '../../support/audioOracle.js';
import { expect, invoke, type AgentEndpoint, type TestFixtures } from '../fixtures.js';
import { pageEar, type PageEar } from './pageOracle.js';

type PageFixtures = Pick<TestFixtures, 'agentPage' | 'agent' | 'customer'>;

/** The customer calls alice, who answers from her page; resolves once the customer hears her. */
export async function customerCallsAlice(
  page: Page,
  alice: AgentEndpoint,
  customer: TestFixtures['customer'],
): Promise<{ call: Call; callId: string }> {
  const dialing = customer.phone.call('alice');
  const ringing = await alice.until('an incoming call', (s) => s.calls.some((c) => c.state === 'ringing'));
  const callId = ringing.calls[0]?.id ?? '';
  expect(await invoke(page, 'call.answer', { callId })).toMatchObject({ ok: true });
  const call = await dialing;
  await untilHearsOnly(call, TONES.alice, 8000);
  return { call, callId };
}

/** Alice's UI page (with its media host) and her desk. */
export async function alicesPage({
  agentPage,
  agent,
}: Pick<PageFixtures, 'agentPage' | 'agent'>): Promise<{ page: Page; alice: AgentEndpoint }> {
  return { page: await agentPage('alice'), alice: await agent('alice') };
}

/** Alice's page and desk, the customer's call answered on it and heard. */
export async function aliceAnswersCustomer({
  agentPage,
  agent,
  customer,
}: PageFixtures): Promise<{ page: Page; alice: AgentEndpoint; call: Call; callId: string }> {
  const { page, alice } = await alicesPage({ agentPage, agent });
  return { page, alice, ...(await customerCallsAlice(page, alice, customer)) };
}

export interface PageConsult extends Omit<PageOffer, 'transferId'> {
  readonly aliceEar: PageEar;
  readonly bobEar: PageEar;
  /** Alice's id for the consult call, and Bob's. */
  readonly consultId: string;
  readonly bobsConsultId: string;
}

export interface PageOffer {
  readonly page: Page;
  readonly alice: AgentEndpoint;
  readonly bobPage: Page;
  readonly bob: AgentEndpoint;
  /** The customer's call to alice (the contact, held during the consult). */
  readonly contact: Call;
  /** Alice's id for the contact's call. */
  readonly callId: string;
  /** The transfer as bob's desk lists it, its consult ringing at bob. */
  readonly transferId: string;
}

/**
 * Bob Ready on his page; the customer's call answered on alice's; alice starts a warm transfer to
 * bob. Resolves once bob's desk offers it (the consult rings at bob).
 */
export async function warmTransferOfferedToBob({ agentPage, agent, customer }: PageFixtures): Promise<PageOffer> {
  const bobPage = await agentPage('bob');
  const bob = await agent('bob');
  expect(await invoke(bobPage, 'agent.setStatus', { kind: 'Ready' })).toMatchObject({ ok: true });
  const { page, alice } = await alicesPage({ agentPage, agent });
  await alice.until('bob ready in the directory', (s) => s.directory.some((e) => e.userId === 'bob' && e.status.kind === 'Ready'));
  const { call: contact, callId } = await customerCallsAlice(page, alice, customer);
  expect(
    await invoke(page, 'transfer.start', {
      callId,
      method: 'warm',
      userId: 'bob',
      outcomeId: 'billing-question',
      note: '',
      acknowledgedWarning: false,
    }),
  ).toMatchObject({ ok: true });
  const offered = await bob.until('bob offered the transfer', (s) => s.transfers.some((t) => t.state.role === 'recipient'));
  return { page, alice, bobPage, bob, contact, callId, transferId: offered.transfers[0]?.id ?? '' };
}

/**
 * Bob Ready on his page; the customer's call answered on alice's; alice starts a warm transfer to
 * bob, who accepts it on his page. Resolves once alice consults and hears bob.
 */
export async function warmConsultBetweenPages(fixtures: PageFixtures): Promise<PageConsult> {
  const { page, alice, bobPage, bob, contact, callId, transferId } = await warmTransferOfferedToBob(fixtures);
  expect(await invoke(bobPage, 'transfer.accept', { transferId })).toMatchObject({ ok: true });
  await alice.until('consulting', (s) => s.transfers[0]?.state.phase === 'consulting');
  const aliceEar = pageEar(page, alice);
  const bobEar = pageEar(bobPage, bob);
  const consultId = await aliceEar.callWith('bob');
  const bobsConsultId = await bobEar.callWith('alice');
  await aliceEar.untilHearsOnly(consultId, TONES.bob, 8000);
  return { page, alice, bobPage, bob, contact, callId, aliceEar, bobEar, consultId, bobsConsultId };
}
