/**
 * What IT gets from a real run: two desks (the composition root, as main runs it) sign in with
 * passwords against an authenticating Kamailio, take a call and hand it over with a warm transfer
 * (a note, a transfer token in Refer-To, the context in a SIP header) — with log files and the SIP
 * trace on. Then the files on disk are read back: they explain the run (registrations, call and
 * transfer ids, SIP messages) and hold none of its secrets. The diagnostics bundle of that run is
 * unpacked with the system's tar.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAppLog, type AppLog } from '../../electron/core/log/log.js';
import { writeDiagnostics } from '../../electron/core/log/diagnostics.js';
import { startLab, type Lab } from '../lab/lab.js';
import { createCustomer } from '../lab/bots.js';
import { createTestDesk, labDocument, type TestDesk } from '../support/deskFixture.js';
import { waitFor } from '../support/waitFor.js';
import type { CommandName, CommandPayload } from '../../shared/ipc.js';
import { Phone } from '../../electron/core/sip/phone.js';
import { TRACED_BODY_BYTES, TRACED_HEAD_BYTES } from '../../electron/core/log/traceText.js';
import { createWrtcMediaPort } from '../lab/wrtcEngine.js';
import { requestTo, startHostilePeer } from '../support/hostilePeer.js';
import { bestEffort } from '../lab/bestEffort.js';

const PASSWORDS = { alice: 'alice-Secret-7731', bob: 'bob-Secret-5518', customer: 'cust-Secret-0042' };
const NOTE = 'Card ending 4242 disputes order 77';

let lab: Lab;

beforeAll(async () => {
  lab = await startLab({ auth: { users: Object.entries(PASSWORDS).map(([user, password]) => ({ user, password })) } });
});
afterAll(async () => lab?.stop());

async function ok<C extends CommandName>(d: TestDesk, command: C, payload: CommandPayload<C>): Promise<unknown> {
  const outcome = await d.desk.handle(command, payload);
  if (!outcome.ok) throw new Error(`${command} refused: ${outcome.error.code} ${outcome.error.message}`);
  return outcome.value;
}

function read(files: readonly string[]): string {
  return files.map((f) => readFileSync(f, 'utf8')).join('\n');
}

describe('logs, SIP trace and diagnostics from a real run', () => {
  it('explain a sign-in, a call and a warm transfer without writing a password, a digest, a transfer token or a note', async () => {
    const doc = labDocument(lab);
    const logs: Record<'alice' | 'bob', AppLog> = {
      alice: createAppLog({ dir: mkdtempSync(join(tmpdir(), 'baton-logs-alice-')), level: 'debug', sipTrace: true }),
      bob: createAppLog({ dir: mkdtempSync(join(tmpdir(), 'baton-logs-bob-')), level: 'debug', sipTrace: true }),
    };
    const desk = (who: 'alice' | 'bob', toneHz: number): TestDesk =>
      createTestDesk(doc, { toneHz, log: logs[who], ...(logs[who].sipTrace ? { sipTrace: logs[who].sipTrace } : {}) });
    const alice = desk('alice', 440);
    const bob = desk('bob', 660);
    const customer = createCustomer(lab, 'customer');
    try {
      await customer.phone.start();
      await ok(alice, 'session.signIn', { userId: 'alice', password: PASSWORDS.alice });
      await ok(bob, 'session.signIn', { userId: 'bob', password: PASSWORDS.bob });
      await ok(alice, 'agent.setStatus', { kind: 'Ready' });
      await ok(bob, 'agent.setStatus', { kind: 'Ready' });
      await alice.until('bob ready', (s) => s.directory.some((e) => e.userId === 'bob' && e.status.kind === 'Ready'));

      await customer.phone.call('alice');
      const ringing = await alice.until('a ringing call', (s) => s.calls.some((c) => c.state === 'ringing'));
      const callId = ringing.calls[0]?.id ?? '';
      await ok(alice, 'call.answer', { callId });
      await alice.until('on call', (s) => s.agent.status.kind === 'OnCall');
      const { transferId } = (await ok(alice, 'transfer.start', {
        callId,
        method: 'warm',
        userId: 'bob',
        outcomeId: 'billing-question',
        note: NOTE,
      })) as { transferId: string };
      await bob.until('bob sees the transfer', (s) => s.transfers.some((t) => t.id === transferId));
      expect(bob.state().transfers[0]?.note).toBe(NOTE); // the note did travel, so its absence below means something
      await ok(bob, 'transfer.accept', { transferId });
      await alice.until('consulting', (s) => s.transfers[0]?.state.phase === 'consulting');
      await ok(alice, 'transfer.complete', { transferId });
      await bob.until('completed at bob', (s) => s.transfers[0]?.state.phase === 'completed');
      await waitFor('the customer followed the REFER', () => customer.followed[0]);
      await alice.until('alice owes a disposition', (s) => s.dispositionsDue.some((d) => d.callId === callId));
      await ok(alice, 'disposition.file', { callId, codeId: 'resolved', note: NOTE });
    } finally {
      await alice.dispose();
      await bob.dispose();
      await customer.dispose();
    }

    for (const who of ['alice', 'bob'] as const) {
      const files = logs[who].files();
      const log = read(files.filter((f) => f.includes('baton.log')));
      const trace = read(files.filter((f) => f.includes('sip-trace.log')));
      // The files explain the run.
      expect(log).toContain('"component":"desk"');
      expect(log).toContain('registration registered');
      expect(log).toMatch(/"transferId":"[^"]+"/);
      expect(log).toMatch(/transfer (initiator|recipient) warm: completed/);
      expect(trace).toMatch(/^REGISTER sip:/m);
      expect(trace).toMatch(/^Authorization: \[redacted\]$/m); // digests were there, and were taken out
      expect(trace).toMatch(/^X-Baton-Transfer: \[redacted\]$/m);
      if (who === 'alice') expect(trace).toMatch(/^REFER sip:/m);
      // …and hold none of its secrets.
      for (const text of [log, trace]) {
        for (const password of Object.values(PASSWORDS)) expect(text).not.toContain(password);
        expect(text).not.toMatch(/Digest\s+username=|response="/i);
        expect(text).not.toMatch(/xfer=(?!\[redacted\])/);
        expect(text).not.toContain(NOTE);
        expect(text).not.toMatch(/"token"\s*:\s*"(?!\[redacted\])/);
      }
    }

    // The diagnostics bundle of that run: a real .tar.gz with the logs and what IT needs beside them.
    const out = mkdtempSync(join(tmpdir(), 'baton-diag-'));
    const store = createTestDesk(doc).store; // a sound store file, as main has one open
    const { path } = await writeDiagnostics(join(out, 'bundle.tar.gz'), {
      logFiles: logs.alice.files(),
      about: { versions: process.versions },
      provisioning: doc,
      policy: { sipTrace: true },
      store,
      crashDumps: [],
    });
    store.close();
    const unpacked = mkdtempSync(join(tmpdir(), 'baton-diag-x-'));
    execFileSync('tar', ['-xzf', path, '-C', unpacked]);
    expect(readdirSync(unpacked).sort()).toEqual([
      'about.json',
      'crash-dumps.json',
      'logs',
      'policy.json',
      'provisioning.json',
      'recent.json',
      'store.json',
    ]);
    expect(readdirSync(join(unpacked, 'logs')).sort()).toEqual(['baton.log', 'sip-trace.log']);
    expect(readFileSync(join(unpacked, 'logs', 'baton.log'), 'utf8')).toBe(readFileSync(logs.alice.files()[0] ?? '', 'utf8'));
    const recent = JSON.parse(readFileSync(join(unpacked, 'recent.json'), 'utf8')) as { calls: string[]; transfers: string[] };
    expect(recent.calls.length).toBeGreaterThan(0);
    expect(recent.transfers.length).toBe(1);
    expect(JSON.parse(readFileSync(join(unpacked, 'store.json'), 'utf8'))).toMatchObject({ sound: true, integrity: ['ok'] });
    expect(JSON.parse(readFileSync(join(unpacked, 'provisioning.json'), 'utf8'))).toMatchObject({
      sip: { server: lab.wsUrl.replace(/\/?$/, '/') },
    });
    const all = execFileSync('sh', ['-c', `cat ${unpacked}/*.json ${unpacked}/logs/*`], { encoding: 'utf8' });
    for (const password of Object.values(PASSWORDS)) expect(all).not.toContain(password);
    expect(all).not.toContain(NOTE);
    logs.alice.close();
    logs.bob.close();
  });
});

describe('the SIP trace holds every message on the wire', () => {
  /** The trace's entries: direction and message, in order. */
  function entries(dir: string): Array<{ direction: string; message: string }> {
    const text = readFileSync(join(dir, 'sip-trace.log'), 'utf8');
    return text
      .split(/^\d{4}-\d\d-\d\dT[\d:.]+Z (?=sent\n|received\n)/m)
      .filter((e) => e !== '')
      .map((e) => ({ direction: e.slice(0, e.indexOf('\n')), message: e.slice(e.indexOf('\n') + 1) }));
  }
  const about = (callId: string, list: ReturnType<typeof entries>): string[] =>
    list
      .filter((e) => e.message.includes(`Call-ID: ${callId}\r\n`))
      .map((e) => `${e.direction} ${e.message.slice(0, e.message.indexOf('\r\n'))}`);

  it('the ingress’s own answers and SIP in binary frames are in it; one huge message is cut', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'baton-trace-'));
    const files = createAppLog({ dir, sipTrace: true });
    const peer = await startHostilePeer();
    const media = createWrtcMediaPort();
    const phone = new Phone({
      server: peer.url,
      aor: 'sip:alice@127.0.0.1',
      media,
      ...(files.sipTrace ? { sipTrace: files.sipTrace } : {}),
      backoff: { initialMs: 50, maxMs: 200 },
    });
    try {
      await phone.start();
      // Refused by the ingress before SIP.js sees it: its 406 goes out on the wire.
      const refused = requestTo(peer, 'INVITE', {
        headers: ['Accept: text/nobody-knows-this', 'Content-Type: application/sdp'],
        body: 'v=0\r\n',
      });
      const answered406 = peer.responseTo(refused.callId);
      peer.send(refused.text);
      expect((await answered406).text).toMatch(/^SIP\/2\.0 406 /);
      // SIP in a binary frame, answered by SIP.js.
      const options = requestTo(peer, 'OPTIONS');
      const answered200 = peer.responseTo(options.callId);
      peer.send(Buffer.from(options.text), { binary: true });
      expect((await answered200).text).toMatch(/^SIP\/2\.0 200 /);
      // 2 MiB: answered 513 from its headers, and cut in the trace.
      const before = statSync(join(dir, 'sip-trace.log')).size;
      const big = requestTo(peer, 'INFO', { headers: ['Content-Type: text/plain'], body: 'x'.repeat(2 * 1024 * 1024) });
      const answered513 = peer.responseTo(big.callId);
      peer.send(big.text);
      expect((await answered513).text).toMatch(/^SIP\/2\.0 513 /);
      const grown = statSync(join(dir, 'sip-trace.log')).size - before;

      const list = entries(dir);
      expect(about(refused.callId, list)).toEqual([
        `received INVITE sip:${peer.contactUser()}@127.0.0.1;transport=ws SIP/2.0`,
        'sent SIP/2.0 406 Not Acceptable',
      ]);
      expect(about(options.callId, list)).toEqual([
        `received OPTIONS sip:${peer.contactUser()}@127.0.0.1;transport=ws SIP/2.0`,
        'sent SIP/2.0 200 OK',
      ]);
      expect(about(big.callId, list)).toEqual([
        `received INFO sip:${peer.contactUser()}@127.0.0.1;transport=ws SIP/2.0`,
        'sent SIP/2.0 513 Message Too Large',
      ]);
      expect(grown).toBeLessThan(TRACED_HEAD_BYTES + TRACED_BODY_BYTES);
      expect(list.find((e) => e.message.startsWith('INFO '))?.message).toContain(
        `[… ${2 * 1024 * 1024 - TRACED_BODY_BYTES} more bytes not traced]`,
      );
    } finally {
      await phone.stop().catch(bestEffort('stopping the phone'));
      await media.dispose();
      await peer.close();
      files.close();
    }
  });
});
