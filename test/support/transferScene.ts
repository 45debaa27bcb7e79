/**
 * The scene most transfer tests start from, through the real Kamailio: a customer bot (the contact)
 * on a call with agent Alice (the initiator, tone 440 Hz), agent Bob (the recipient, 660 Hz)
 * signed in beside them; plus the transfer request and the wait for a phase those tests share.
 */
import { createCustomer, createDesk, type CustomerBot, type Desk } from '../lab/bots.js';
import type { Lab } from '../lab/lab.js';
import type { Call } from '../../electron/core/sip/call.js';
import type { StartTransfer, TransferView } from '../../electron/core/transfer/transfers.js';
import { TONES, untilTalking } from './audioOracle.js';
import { waitFor } from './waitFor.js';

export type BotDeskOptions = NonNullable<Parameters<typeof createDesk>[2]>;

export interface TransferParties {
  readonly customer: CustomerBot;
  readonly alice: Desk;
  readonly bob: Desk;
}

export interface ContactScene extends TransferParties {
  /** Alice's call with the customer. */
  readonly contactLeg: Call;
  /** The customer's original call to Alice. */
  readonly customerLeg: Call;
}

export interface PartiesOptions {
  readonly bobPolicy?: Desk['incomingPolicy'];
  readonly alice?: BotDeskOptions;
  readonly bob?: BotDeskOptions;
}

/** The three parties, made but not started (the caller keeps them for disposal, and may listen first). */
export function transferParties(lab: Lab, options: PartiesOptions = {}): TransferParties {
  return {
    customer: createCustomer(lab, 'customer'),
    alice: createDesk(lab, 'alice', { toneHz: 440, ...options.alice }),
    bob: createDesk(lab, 'bob', { toneHz: 660, incomingPolicy: options.bobPolicy ?? 'accept', ...options.bob }),
  };
}

/** Starts the three phones; the customer calls Alice, she answers, and each hears only the other. */
export async function connectContact(parties: TransferParties): Promise<ContactScene> {
  const { customer, alice, bob } = parties;
  await Promise.all([customer.phone.start(), alice.phone.start(), bob.phone.start()]);
  const ringing = alice.nextIncoming();
  const customerLeg = await customer.phone.call('alice');
  const contactLeg = await ringing;
  await contactLeg.answer();
  await untilTalking(customerLeg, TONES.alice, contactLeg, TONES.customer);
  return { ...parties, contactLeg, customerLeg };
}

/** Alice's request to hand the scene's contact to Bob, with a note and one earlier History entry. */
export function transferRequest(
  lab: Lab,
  s: Pick<ContactScene, 'contactLeg'>,
  method: StartTransfer['method'],
  words: { readonly note: string; readonly earlierNote: string },
): StartTransfer {
  return {
    method,
    contactCallId: s.contactLeg.id,
    recipient: { userId: 'bob', name: 'Bob', uri: `sip:bob@${lab.domain}` },
    outcome: { id: 'billing', label: 'Billing question' },
    note: words.note,
    contact: { id: 'contact-1', name: 'Dana Customer', number: 'customer' },
    history: [
      {
        id: 'earlier-1',
        contactId: 'contact-1',
        at: '2026-11-20T10:00:00.000Z',
        kind: 'call',
        actor: { id: 'carol', name: 'Carol' },
        note: words.earlierNote,
      },
    ],
  };
}

/** Resolves with `desk`'s view of transfer `id` once it reaches `expected`; on timeout, says where it is. */
export function transferPhase(desk: Desk, id: string, expected: TransferView['state']['phase'], timeoutMs = 8000): Promise<TransferView> {
  return waitFor(
    `${desk.name}'s transfer to reach ${expected}`,
    () => {
      const view = desk.transfers.get(id);
      return view.state.phase === expected ? view : undefined;
    },
    timeoutMs,
  ).catch((error: unknown) => {
    throw new Error(`${String(error)} (it is ${JSON.stringify(desk.transfers.get(id).state)})`, { cause: error });
  });
}
