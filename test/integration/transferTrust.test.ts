/**
 * The five forgeries of a transfer, tried through the real Kamailio by a hand-written SIP client —
 * as a registered colleague who is part of no transfer (carol), as an unknown From of our domain
 * (ghost, never registered) and as a From of another domain — against whole desks (real SQLite
 * files). Each runs on the lab's open config, where only Baton's own checks stand in the way, and
 * on the config that authenticates every out-of-dialog request (docs/IT-GUIDE.md). Each expects
 * the refusal, nothing written to the victim's History and no call touched (docs/TRUST.md).
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { statSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createCustomer, createDesk, type CustomerBot, type Desk } from '../lab/bots.js';
import { createTestDesk, labDocument, type TestDesk } from '../support/deskFixture.js';
import { ok } from '../support/deskCommands.js';
import { transferRequest } from '../support/transferScene.js';
import { labForTests } from '../support/labForTests.js';
import {
  clientAck,
  clientCancel,
  clientInvite,
  clientRegister,
  clientSend,
  connectSipClient,
  type ClientCredentials,
  type ClientInvite,
  type PeerMessage,
  type SipClient,
} from '../support/hostilePeer.js';
import { INVITE_WITH_SDP } from '../fixtures/sip/corpus.js';
import { singleHeader } from '../../electron/core/sip/ingress/sipScanner.js';
import { TRANSFER_CONTEXT_HEADER, base64UrlEncode } from '../../shared/transfer/context.js';
import { waitFor } from '../support/waitFor.js';
import { TRANSFER_CONTEXT_CONTENT_TYPE } from '../../shared/transfer/context.js';
import { TRANSFER_STATUS_CONTENT_TYPE } from '../../electron/core/transfer/transferStatus.js';
import { DEFAULT_PENDING_LIMITS } from '../../electron/core/transfer/pendingContexts.js';
import type { Call } from '../../electron/core/sip/call.js';
import type { StartTransfer } from '../../electron/core/transfer/transfers.js';
import type { ProvisioningDocument } from '../../shared/provisioning/index.js';

const LAB_USERS = ['alice', 'bob', 'carol', 'customer'] as const;

interface Attacker {
  readonly label: string;
  /** In the roster (Carol): her own, self-consistent context is a colleague's to send. */
  readonly colleague: boolean;
  readonly from: string;
  readonly client: SipClient;
  readonly credentials: ClientCredentials | undefined;
  /** How the server itself refuses this sender (auth config), before Baton sees anything. */
  readonly serverRefusal: string | undefined;
}

/** What the attacker gets: the server's refusal when it has one, else Baton's answer. */
function expected(a: Attacker, baton: string): string {
  return a.serverRefusal ?? baton;
}

const FORBIDDEN = '403 Forbidden';

describe.each([
  { config: 'open', auth: false },
  { config: 'auth', auth: true },
] as const)('forged transfers on the $config lab config', ({ auth }) => {
  const suite = labForTests(
    auth ? { auth: { users: LAB_USERS.map((user) => ({ user, password: `pw-${user}-${randomBytes(4).toString('hex')}` })) } } : {},
  );
  let doc: ProvisioningDocument;
  const clients: SipClient[] = [];

  beforeAll(() => {
    doc = labDocument(suite.lab);
  });
  // Registered after the lab's own: vitest runs after-hooks newest first, so the clients close
  // before the desks and bots go.
  afterEach(async () => {
    await Promise.all(clients.splice(0).map((c) => c.close()));
  });

  // ── the parties ────────────────────────────────────────────────────────────────────────────

  /** Bob's whole desk (the victim), signed in and Ready. */
  async function bobDesk(): Promise<TestDesk> {
    const bob = createTestDesk(doc, { toneHz: 660 });
    suite.open.push(bob);
    await ok(bob, 'session.signIn', { userId: 'bob', password: suite.lab.passwordOf('bob') ?? '' });
    await ok(bob, 'agent.setStatus', { kind: 'Ready' });
    return bob;
  }

  /** Carol registered from a hand-written client; a ghost of our domain and a stranger of another, never registered. */
  async function attackers(): Promise<Attacker[]> {
    const [outsider, ghost, stranger] = await Promise.all([
      connectSipClient(suite.lab.wsUrl),
      connectSipClient(suite.lab.wsUrl),
      connectSipClient(suite.lab.wsUrl),
    ]);
    clients.push(outsider, ghost, stranger);
    const password = suite.lab.passwordOf('carol');
    const credentials = password ? { user: 'carol', password } : undefined;
    expect(await clientRegister(outsider, 'carol', suite.lab.domain, credentials)).toBe(200);
    return [
      {
        label: 'a registered colleague outside the transfer',
        colleague: true,
        from: `sip:carol@${suite.lab.domain}`,
        client: outsider,
        credentials,
        serverRefusal: undefined,
      },
      {
        label: 'an unknown From of our domain',
        colleague: false,
        from: `sip:ghost@${suite.lab.domain}`,
        client: ghost,
        credentials: undefined,
        serverRefusal: auth ? '403 Unknown user' : undefined,
      },
      {
        label: 'a From of another domain',
        colleague: false,
        from: 'sip:supervisor@evil.example',
        client: stranger,
        credentials: undefined,
        serverRefusal: auth ? '403 Not from our domain' : undefined,
      },
    ];
  }

  /** Alice (a bot desk exposing her phone) on a call with the customer. */
  async function aliceWithCustomer(): Promise<{ alice: Desk; customer: CustomerBot; contactLeg: Call; customerLeg: Call }> {
    const customer = createCustomer(suite.lab, 'customer');
    const alice = createDesk(suite.lab, 'alice', { toneHz: 440, transfers: { referTimeoutMs: 30_000 } });
    suite.open.push(customer, alice);
    await Promise.all([customer.phone.start(), alice.phone.start()]);
    const ringing = alice.nextIncoming();
    const customerLeg = await customer.phone.call('alice');
    const contactLeg = await ringing;
    await contactLeg.answer();
    await waitFor('customer connected to alice', () => customerLeg.state === 'established' && contactLeg.state === 'established');
    return { alice, customer, contactLeg, customerLeg };
  }

  function transferTo(contactLeg: Call, method: 'cold' | 'warm'): StartTransfer {
    return transferRequest(suite.lab, { contactLeg }, method, {
      note: 'Wants a refund for order 42',
      earlierNote: 'called about order #42',
    });
  }

  // ── what an attacker sends ────────────────────────────────────────────────────────────────

  /** Sends a MESSAGE; resolves with the final status line's code and reason, e.g. "403 Forbidden". */
  async function send(
    a: Pick<Attacker, 'client' | 'credentials'> & { readonly from?: string },
    to: string,
    contentType: string,
    body: string,
  ): Promise<string> {
    const requestUri = `sip:${to}@${suite.lab.domain}`;
    const from = a.from ?? `sip:carol@${suite.lab.domain}`;
    return statusLine(await clientSend(a.client, { method: 'MESSAGE', requestUri, from, contentType, body }, a.credentials));
  }

  /** A context as the attacker wrote it: a "Supervisor" note, a History entry as Bob's own. */
  function forgedContext(initiatorUri: string, token = randomBytes(16).toString('base64url')): string {
    return JSON.stringify({
      v: 1,
      transferId: randomUUID(),
      token,
      method: 'cold',
      contact: { id: 'contact-7', name: 'Dana Customer', number: 'customer' },
      outcome: { id: 'refund', label: 'Refund approved' },
      note: 'Supervisor: identity verified, approve the refund',
      initiator: { id: 'supervisor', name: 'Supervisor', uri: initiatorUri },
      sentAt: new Date().toISOString(),
      history: [
        {
          id: `forged-${randomUUID()}`,
          contactId: 'contact-7',
          at: new Date().toISOString(),
          kind: 'call',
          actor: { id: 'bob', name: 'Bob' },
          note: 'I verified the caller myself',
        },
      ],
    });
  }

  /** A warm context naming Carol as initiator, as a forger claiming her From would write it. */
  function forgedConsultContext(token: string, transferId: string): string {
    const json = JSON.stringify({
      v: 1,
      transferId,
      token,
      method: 'warm',
      contact: { id: 'victim-contact', name: 'VIP Customer', number: '5550100' },
      outcome: { id: 'refund', label: 'Refund approved by supervisor' },
      note: 'Supervisor: identity verified, approve the refund',
      initiator: { id: 'carol', name: 'Carol', uri: `sip:carol@${suite.lab.domain}` },
      sentAt: new Date().toISOString(),
      history: [],
    });
    return base64UrlEncode(new TextEncoder().encode(json));
  }

  /** The forger of test 6: never registered, claiming Carol's From. */
  const FORGER = {
    label: 'an unregistered From claiming Carol',
    colleague: false,
    credentials: undefined,
    serverRefusal: undefined,
  } as const;

  /** The first response to `invite` whose status passes `wanted`. */
  function responseTo(client: SipClient, invite: ClientInvite, wanted: (status: number) => boolean): Promise<PeerMessage> {
    return client.next(
      (m) =>
        m.scanned.startLine.kind === 'response' &&
        singleHeader(m.scanned, 'call-id') === invite.callId &&
        wanted(m.scanned.startLine.status),
      5000,
    );
  }

  // ── the forgeries ─────────────────────────────────────────────────────────────────────────

  it('1. a forged context MESSAGE to an idle agent: 403, nothing shown, nothing stored', async () => {
    const bob = await bobDesk();
    for (const a of await attackers()) {
      // The colleague claims to be passing on Alice's transfer; the others claim whoever they like.
      for (const initiator of [`sip:alice@${suite.lab.domain}`, a.from]) {
        expect(await send(a, 'bob', TRANSFER_CONTEXT_CONTENT_TYPE, forgedContext(initiator)), `${a.label} as ${initiator}`).toBe(
          a.colleague && initiator === a.from ? '200 OK' : expected(a, FORBIDDEN),
        );
      }
    }
    // Carol's own context (the one accepted above) is hers to send: it waits, in memory, unwritten.
    expect(historyRows(bob)).toEqual([]);
    expect(bob.state().transfers).toEqual([]);
    expect(bob.state().calls).toEqual([]);
  });

  it('2. a plain call from the customer a forged context names is only a call: no transfer, nothing stored, no word sent', async () => {
    const bob = await bobDesk();
    const all = await attackers();
    for (const a of all) {
      // Each names itself as initiator, consistently: only the registered colleague gets past the roster.
      expect(await send(a, 'bob', TRANSFER_CONTEXT_CONTENT_TYPE, forgedContext(a.from)), a.label).toBe(
        a.colleague ? '200 OK' : expected(a, FORBIDDEN),
      );
    }
    const customer = createCustomer(suite.lab, 'customer');
    suite.open.push(customer);
    await customer.phone.start();
    const customerLeg = await customer.phone.call('bob');
    const ringing = await bob.until('the customer rings at bob', (s) => s.calls.some((c) => c.state === 'ringing'));
    const callId = ringing.calls.find((c) => c.state === 'ringing')?.id ?? '';
    await ok(bob, 'call.answer', { callId });
    await waitFor('the customer connected to bob', () => customerLeg.state === 'established');
    // The time a "connected" word would take to go out (it leaves on the customer's ACK).
    await new Promise((resolve) => setTimeout(resolve, 1000));
    expect(bob.state().transfers).toEqual([]);
    expect(historyRows(bob)).toEqual([]);
    for (const a of all) expect(a.client.received.filter(isRequest('MESSAGE')), `${a.label} was told something`).toEqual([]);
    await customerLeg.hangUp();
  });

  it(`3. a flood of contexts: at most ${DEFAULT_PENDING_LIMITS.perSender} per colleague wait (in memory, ${DEFAULT_PENDING_LIMITS.total} in all), none stored; a real transfer still arrives`, async () => {
    const bob = await bobDesk();
    const [colleague, ghost] = await attackers();
    if (!colleague || !ghost) throw new Error('attackers');
    const before = fileBytes(bob);
    const fromColleague: string[] = [];
    for (let i = 0; i < 40; i += 1)
      fromColleague.push(await send(colleague, 'bob', TRANSFER_CONTEXT_CONTENT_TYPE, forgedContext(colleague.from)));
    const fromGhost: string[] = [];
    for (let i = 0; i < 20; i += 1) fromGhost.push(await send(ghost, 'bob', TRANSFER_CONTEXT_CONTENT_TYPE, forgedContext(ghost.from)));
    expect(count(fromColleague)).toEqual({
      '200 OK': DEFAULT_PENDING_LIMITS.perSender,
      '486 Busy Here': 40 - DEFAULT_PENDING_LIMITS.perSender,
    });
    expect(count(fromGhost)).toEqual({ [expected(ghost, FORBIDDEN)]: 20 });
    expect(historyRows(bob)).toEqual([]);
    const grown = fileBytes(bob) - before;
    console.log(
      `transferTrust flood (${auth ? 'auth' : 'open'}): 60 contexts, ${count(fromColleague)['200 OK'] ?? 0} kept in memory, 0 History rows, SQLite files grew ${grown} bytes`,
    );
    expect(grown).toBeLessThan(64 * 1024);

    // Another colleague's transfer is not crowded out.
    const { alice, contactLeg } = await aliceWithCustomer();
    const started = await alice.transfers.start(transferTo(contactLeg, 'cold'));
    await bob.until('bob is offered the transfer', (s) => s.transfers.some((t) => t.id === started.id));
    await ok(bob, 'transfer.accept', { transferId: started.id });
    await waitFor('alice handed the customer over', () => alice.transfers.get(started.id).state.phase === 'completed', 8000);
    expect(
      historyRows(bob)
        .map((r) => `${r.kind}/${r.origin}`)
        .sort(),
    ).toEqual(['call/transfer', 'transfer-completed/local', 'transfer-started/transfer']);
  });

  it('4. a forged status word naming a live transfer: 403 (400 without a token), the initiator keeps its customer', async () => {
    const bob = await bobDesk();
    const { alice, customer, contactLeg, customerLeg } = await aliceWithCustomer();
    let release: () => void = () => {};
    const forgeriesDone = new Promise<void>((resolve) => (release = resolve));
    customer.beforeFollow = () => forgeriesDone;
    const started = await alice.transfers.start(transferTo(contactLeg, 'cold'));
    await waitFor('the REFER reached the customer', () => customer.referrals.length === 1);
    expect(alice.transfers.get(started.id).state.phase).toBe('referring');

    for (const a of await attackers()) {
      const word = (status: string, token?: string): string =>
        JSON.stringify({ transferId: started.id, status, ...(token ? { token } : {}) });
      const guess = randomBytes(16).toString('base64url');
      expect(await send(a, 'alice', TRANSFER_STATUS_CONTENT_TYPE, word('connected', guess)), `${a.label}: connected`).toBe(
        expected(a, FORBIDDEN),
      );
      expect(await send(a, 'bob', TRANSFER_STATUS_CONTENT_TYPE, word('withdrawn', guess)), `${a.label}: withdrawn`).toBe(
        expected(a, FORBIDDEN),
      );
      expect(await send(a, 'alice', TRANSFER_STATUS_CONTENT_TYPE, word('connected')), `${a.label}: no token`).toBe(
        expected(a, '400 Bad Request'),
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(alice.transfers.get(started.id).state.phase).toBe('referring');
    expect(contactLeg.state).toBe('established');
    expect(customerLeg.state).toBe('established');
    expect(historyRows(bob)).toEqual([]);

    // The real transfer goes on: Bob's context was not withdrawn, Alice was not fooled.
    release();
    await bob.until('bob is offered the transfer', (s) => s.transfers.some((t) => t.id === started.id));
    await ok(bob, 'transfer.accept', { transferId: started.id });
    await waitFor('alice handed the customer over', () => alice.transfers.get(started.id).state.phase === 'completed', 8000);
    await waitFor('alice left the customer', () => contactLeg.state === 'ended', 8000);
  });

  it('5. an INVITE with Replaces naming the live consult: 403 without the secret, the consult untouched; the real completion works', async () => {
    const bob = await bobDesk();
    const { alice, customer, contactLeg } = await aliceWithCustomer();
    const started = await alice.transfers.start(transferTo(contactLeg, 'warm'));
    await bob.until('bob is offered the consult', (s) => s.transfers.some((t) => t.id === started.id));
    await ok(bob, 'transfer.accept', { transferId: started.id });
    await waitFor('consulting at alice', () => alice.transfers.get(started.id).state.phase === 'consulting');
    await bob.until('consulting at bob', (s) => s.transfers[0]?.state.phase === 'consulting');
    const consult = alice.phone.calls().find((c) => c.id === alice.transfers.get(started.id).consultCallId);
    const dialog = consult?.session.dialog;
    if (!consult || !dialog) throw new Error('no consult dialog at alice');
    // What an eavesdropper on a ws:// connection reads: the consult's Call-ID and tags.
    const replaces = `Replaces: ${dialog.callId};to-tag=${dialog.remoteTag};from-tag=${dialog.localTag}`;

    for (const a of await attackers()) {
      for (const requestUri of [
        `sip:bob@${suite.lab.domain}`,
        `sip:bob@${suite.lab.domain};xfer=${randomBytes(16).toString('base64url')}`,
      ]) {
        const reply = await clientSend(a.client, { method: 'INVITE', requestUri, from: a.from, headers: [replaces] }, a.credentials);
        expect(statusLine(reply), `${a.label} → ${requestUri}`).toBe(expected(a, FORBIDDEN));
      }
    }
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(consult.state).toBe('established');
    expect(alice.transfers.get(started.id).state.phase).toBe('consulting');
    expect(bob.state().transfers[0]?.state.phase).toBe('consulting');
    expect(bob.state().calls.map((c) => c.state)).toEqual(['established']);
    expect(contactLeg.held).toBe(true);
    expect(historyRows(bob)).toEqual([]);

    // The customer's phone, given the secret in the Refer-To, does replace the consult.
    await alice.transfers.complete(started.id);
    await bob.until('completed at bob', (s) => s.transfers[0]?.state.phase === 'completed');
    await waitFor('the customer called bob', () => customer.followed[0]?.state === 'established', 8000);
    const rows = historyRows(bob);
    expect(rows.map((r) => `${r.kind}/${r.origin}/${r.actor}`).sort()).toEqual([
      'call/transfer/carol',
      'transfer-completed/local/bob',
      'transfer-started/transfer/alice',
    ]);
    // What the context carried is stored in Alice's namespace: no document can take one of Bob's ids.
    expect(rows.find((r) => r.kind === 'call')?.id).toBe('ctx:alice:earlier-1');
    expect(rows.find((r) => r.kind === 'transfer-completed')?.id).toBe(`${started.id}:transfer-completed`);
  });

  it.runIf(!auth)(
    `6. forged consults (an unregistered From claiming Carol): at most ${DEFAULT_PENDING_LIMITS.perSender} ring, the rest 486; cancelled or "contact hung up" with the forger's own secret, none writes History`,
    async () => {
      const bob = await bobDesk();
      const ghost = await connectSipClient(suite.lab.wsUrl);
      clients.push(ghost);
      const before = fileBytes(bob);
      const offers = DEFAULT_PENDING_LIMITS.perSender + 4;
      const sent: Array<{ invite: ClientInvite; token: string; transferId: string; first: number }> = [];
      for (let i = 0; i < offers; i += 1) {
        const token = randomBytes(16).toString('base64url');
        const transferId = randomUUID();
        const invite = clientInvite(ghost, {
          user: 'bob',
          domain: suite.lab.domain,
          fromUser: 'carol',
          sdp: INVITE_WITH_SDP.slice(INVITE_WITH_SDP.indexOf('\r\n\r\n') + 4),
          headers: [`${TRANSFER_CONTEXT_HEADER}: ${forgedConsultContext(token, transferId)}`],
        });
        const ringing = responseTo(ghost, invite, (status) => status >= 180);
        ghost.send(invite.text);
        await ringing;
        sent.push({ invite, token, transferId, first: 0 });
      }
      // The phone rings (180) before the offer is judged; the ones past the bound then get 486.
      await new Promise((resolve) => setTimeout(resolve, 500));
      for (const o of sent) {
        const final = ghost.received.find(
          (m) =>
            m.scanned.startLine.kind === 'response' &&
            singleHeader(m.scanned, 'call-id') === o.invite.callId &&
            m.scanned.startLine.status >= 300,
        );
        o.first = final ? statusOf(final) : 180;
        if (final) ghost.send(clientAck(o.invite, final));
      }
      expect(count(sent.map((o) => String(o.first)))).toEqual({ '180': DEFAULT_PENDING_LIMITS.perSender, '486': 4 });
      await bob.until('the ringing consults are offered', (s) => s.transfers.length === DEFAULT_PENDING_LIMITS.perSender);
      expect(historyRows(bob)).toEqual([]);

      const ringing = sent.filter((o) => o.first < 300);
      for (const [i, o] of ringing.entries()) {
        const final = responseTo(ghost, o.invite, (status) => status >= 300);
        if (i % 2 === 0) {
          ghost.send(clientCancel(o.invite));
        } else {
          // The forger's own secret: the word may call off the ringing (as its CANCEL could), no more.
          const word = JSON.stringify({ transferId: o.transferId, status: 'contact-hung-up', token: o.token });
          expect(await send({ ...FORGER, client: ghost }, 'bob', TRANSFER_STATUS_CONTENT_TYPE, word)).toBe('200 OK');
        }
        ghost.send(clientAck(o.invite, await final));
      }
      await bob.until('no offer left', (s) => s.transfers.every((t) => t.state.phase === 'failed') && s.calls.length === 0);
      expect(historyRows(bob)).toEqual([]);
      const grown = fileBytes(bob) - before;
      console.log(
        `transferTrust forged consults: ${offers} offered, ${ringing.length} rang, 0 History rows, SQLite files grew ${grown} bytes`,
      );
      expect(grown).toBeLessThan(64 * 1024);
    },
  );

  it('7. a call whose ;xfer= names no transfer here is a plain call: no transfer, nothing stored', async () => {
    const bob = await bobDesk();
    const customer = createCustomer(suite.lab, 'customer');
    suite.open.push(customer);
    await customer.phone.start();
    const customerLeg = await customer.phone.call(`sip:bob@${suite.lab.domain};xfer=${randomBytes(16).toString('base64url')}`);
    const ringing = await bob.until('the customer rings at bob', (s) => s.calls.some((c) => c.state === 'ringing'));
    expect(ringing.transfers).toEqual([]);
    const callId = ringing.calls.find((c) => c.state === 'ringing')?.id ?? '';
    await ok(bob, 'call.answer', { callId });
    await waitFor('the customer connected to bob', () => customerLeg.state === 'established');
    expect(bob.state().transfers).toEqual([]);
    expect(historyRows(bob)).toEqual([]);
    await customerLeg.hangUp();
  });
});

// ── helpers ──────────────────────────────────────────────────────────────────────────────────

interface Row {
  readonly id: string;
  readonly kind: string;
  readonly actor: string;
  readonly origin: string;
}

/** Every History row in the desk's SQLite file, read from the file itself. */
function historyRows(d: TestDesk): Row[] {
  const db = new Database(join(d.dir, 'baton.db'), { readonly: true, fileMustExist: true });
  try {
    return db.prepare('SELECT id, kind, actor, origin FROM contact_event ORDER BY id').all() as Row[];
  } finally {
    db.close();
  }
}

/** The SQLite file and its write-ahead log, in bytes. */
function fileBytes(d: TestDesk): number {
  const size = (path: string): number => {
    try {
      return statSync(path).size;
    } catch {
      // No write-ahead log yet (or already checkpointed away) holds zero bytes.
      return 0;
    }
  };
  return size(join(d.dir, 'baton.db')) + size(join(d.dir, 'baton.db-wal'));
}

function count(statuses: readonly string[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const s of statuses) out[s] = (out[s] ?? 0) + 1;
  return out;
}

function statusOf(m: PeerMessage): number {
  return m.scanned.startLine.kind === 'response' ? m.scanned.startLine.status : 0;
}

function statusLine(m: PeerMessage): string {
  return m.scanned.startLine.kind === 'response' ? `${m.scanned.startLine.status} ${m.scanned.startLine.reasonPhrase}` : 'a request';
}

function isRequest(method: string): (m: PeerMessage) => boolean {
  return (m) => m.scanned.startLine.kind === 'request' && m.scanned.startLine.method === method;
}
