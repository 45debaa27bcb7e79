/**
 * What a screen reader hears when a call and a transfer offer ring at once: the answer key takes the
 * plain call first, so the announcement must say so (and how to reach the offer) rather than
 * "A answers" after the offer's text. Main's side is a scripted desk (no SIP): the page is tested.
 */
import { randomBytes } from 'node:crypto';
import { test, expect } from './harness/pageFaults.js';
import type { CallView, DeskState } from '../../shared/desk.js';
import type { TransferView } from '../../shared/transfer/view.js';
import type { Connection } from './harness/agentEndpoint.js';
import type { BridgeEndpoint, BridgeServer } from './harness/bridgeServer.js';
import { startScriptedBridge } from '../support/scriptedBridge.js';
import { idleDesk } from '../support/deskStateFixture.js';

function ringing(id: string, uri: string, name: string | null, transferId: string | null): CallView {
  return {
    id,
    direction: 'inbound',
    state: 'ringing',
    remote: { uri, name },
    held: false,
    live: false,
    remoteHeld: false,
    muted: false,
    startedAt: Date.now(),
    answeredAt: null,
    end: null,
    contactId: null,
    transferId,
  };
}

function deskState(withOffer: boolean): DeskState {
  const offer: TransferView = {
    id: 't1',
    role: 'recipient',
    state: { role: 'recipient', phase: 'consultRinging', method: 'warm', failure: null },
    contactCallId: null,
    consultCallId: 'consult',
    counterpart: { name: 'Cleo Park', uri: 'sip:cleo@127.0.0.1' },
    contact: { id: 'tel:dana', name: 'Dana', number: 'dana' },
    outcome: { id: 'billing', label: 'Billing' },
    note: '',
    history: [],
    contextProblem: null,
    contactHeld: false,
    allowed: ['accept', 'decline'],
  };
  return idleDesk(
    { id: 'sam', name: 'Sam', domain: '127.0.0.1' },
    {
      calls: [
        ringing('c1', 'sip:jordan@127.0.0.1', 'Jordan Blake', null),
        ...(withOffer ? [ringing('consult', 'sip:cleo@127.0.0.1', 'Cleo Park', 't1')] : []),
      ],
      transfers: withOffer ? [offer] : [],
      outcomes: [{ id: 'billing', label: 'Billing', methods: ['warm', 'cold'] }],
      notReadyReasons: ['Lunch'],
      policies: { nonRecommendedTransfer: 'warn', noteMaxLength: 500, rememberChoices: true },
    },
  );
}

class ScriptedDesk implements BridgeEndpoint {
  readonly token = randomBytes(32).toString('base64url');
  private readonly pages = new Map<number, Connection>();
  constructor(private readonly withOffer: boolean) {}
  connected(connection: Connection): void {
    this.pages.set(connection.id, connection);
  }
  disconnected(id: number): void {
    this.pages.delete(id);
  }
  async invoke(): Promise<unknown> {
    return { ok: true, value: undefined };
  }
  send(id: number): void {
    this.pages.get(id)?.send('baton:event', 'desk.snapshot', deskState(this.withOffer));
  }
}

let server: BridgeServer;

test.beforeAll(async () => {
  server = await startScriptedBridge();
});

test.afterAll(async () => {
  await server?.close();
});

test('one call ringing: the answer and decline keys are announced with it', async ({ page }) => {
  const desk = new ScriptedDesk(false);
  server.register(desk);
  await page.goto(`${server.origin}/#token=${desk.token}`);
  await expect(page.locator('#live-urgent')).toHaveText(/Incoming call from Jordan Blake\. Press A answers, D declines\./);
  server.unregister(desk);
});

test('a call and a transfer offer ringing at once: the announcement says A answers the call, and how to reach the offer', async ({
  page,
}) => {
  const desk = new ScriptedDesk(true);
  server.register(desk);
  await page.goto(`${server.origin}/#token=${desk.token}`);
  const urgent = page.locator('#live-urgent');
  await expect(urgent).toContainText('Incoming call from Jordan Blake.');
  await expect(urgent).toContainText('Cleo Park');
  await expect(urgent).toContainText('Press A answers Jordan Blake, N goes to the transfer offer.');
  await expect(urgent).not.toContainText('D declines');
  server.unregister(desk);
});
