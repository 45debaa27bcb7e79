/**
 * What IT's files must never hold, read back from the files themselves: credentials in URLs (a
 * provisioning address with a user part and an access token, a wss:// server with a password,
 * machine policy's crash and update servers), digests folded over several header lines, and more
 * than a bounded slice of any one SIP message. And a diagnostics bundle taken while the log is
 * rotating holds each line exactly once.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { createAppLog } from '../../electron/core/log/log.js';
import { writeDiagnostics } from '../../electron/core/log/diagnostics.js';
import { redactSip, scrubText } from '../../electron/core/log/redact.js';
import { TRACED_BODY_BYTES, TRACED_HEAD_BYTES, traceText } from '../../electron/core/log/traceText.js';
import { startCrashReporter } from '../../electron/shell/crashReporter.js';
import { readMachinePolicy } from '../../electron/shell/machinePolicy.js';
import { parseProvisioning } from '../../shared/provisioning/index.js';
import { textMatching } from '../support/matchers.js';

const tmp = (name: string): string => mkdtempSync(join(tmpdir(), `baton-${name}-`));

/** The entries of a .tar.gz as writeTarGz writes them (ustar, regular files). */
function untar(path: string): Map<string, string> {
  const data = gunzipSync(readFileSync(path));
  const out = new Map<string, string>();
  for (let offset = 0; offset + 512 <= data.length;) {
    const header = data.subarray(offset, offset + 512);
    if (header.every((b) => b === 0)) break;
    const field = (start: number, length: number): string =>
      header
        .subarray(start, start + length)
        .toString('utf8')
        .replace(/\0[\s\S]*$/, '');
    const size = Number.parseInt(field(124, 12).trim(), 8);
    out.set(field(0, 100), data.subarray(offset + 512, offset + 512 + size).toString('utf8'));
    offset += 512 + Math.ceil(size / 512) * 512;
  }
  return out;
}

describe('credentials in URLs', () => {
  const provisioningUrl = 'https://itadmin:ProvPassw0rd@prov.example.com/baton.json?v=2&access_token=QUERYTOKEN123';
  const server = 'wss://agent:WssPassw0rd@pbx.example.com:7443/ws';

  it('never reach the log: the user part and secret query parameters go, in messages, fields and errors', () => {
    const dir = tmp('url-log');
    const log = createAppLog({ dir, level: 'debug' });
    // As main.ts and the desk write them: a provisioning issue (with its source URL), a server field, an error.
    log.child('shell').info(`no provisioning: provisioning URL ${provisioningUrl}: at $: expected a reachable server`);
    log.child('desk').info('signing in', { userId: 'u1', server });
    log.child('phone').warn(`connecting to ${server} failed`, { detail: new Error(`Connection to ${server} closed (1006).`) });
    log
      .child('update')
      .info('checking', { feed: 'https://updates.example.com/baton/?X-Amz-Signature=AMZSIG0001&sig=SIGVALUE02&key=APIKEY0003&expires=60' });
    log.child('transfer').info('offered', { xferToken: 'XferTok3n0001', savedPassword: true }); // by key: a secret's name, not a yes/no about one
    log.close();
    const text = readFileSync(join(dir, 'baton.log'), 'utf8');
    for (const secret of [
      'itadmin',
      'ProvPassw0rd',
      'XferTok3n0001',
      'QUERYTOKEN123',
      'agent:',
      'WssPassw0rd',
      'AMZSIG0001',
      'SIGVALUE02',
      'APIKEY0003',
    ])
      expect(text).not.toContain(secret);
    // What IT needs to know stays: which server, which document, which other parameters.
    expect(text).toContain('https://[redacted]@prov.example.com/baton.json?v=2&access_token=[redacted]');
    expect(text).toContain('wss://[redacted]@pbx.example.com:7443/ws');
    expect(text).toContain('&expires=60');
    expect(text).not.toContain('XferTok3n0001');
    expect(text).toContain('"savedPassword":true');
  });

  it('leave ordinary addresses, SIP URIs and SIP parameters alone', () => {
    const plain = [
      'wss://pbx.example.com:7443/ws',
      'https://host.example.com/path@version/file.json?v=1',
      'sip:alice@example.com;transport=ws',
      'Via: SIP/2.0/WSS 10.0.0.1;branch=z9hG4bK776;rport',
      'Contact: <sip:alice@10.0.0.1;transport=ws>;expires=600',
      'WWW-Authenticate: Digest realm="example.com", nonce="abc", qop="auth"',
    ];
    for (const text of plain) expect(scrubText(text)).toBe(text);
  });

  it('in sip.server are refused by the provisioning schema, without echoing them', () => {
    const doc = JSON.parse(readFileSync(new URL('../../resources/provisioning/lab.json', import.meta.url), 'utf8')) as {
      sip: Record<string, unknown>;
    };
    doc.sip.server = server;
    const result = parseProvisioning(JSON.stringify(doc), 'test');
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.issues).toEqual([
      {
        source: 'test',
        path: '$.sip.server',
        expected: textMatching(/^a wss:\/\/ URL without a user name or password .*credential store/) as string,
      },
    ]);
    expect(JSON.stringify(result.issues)).not.toContain('WssPassw0rd');
    doc.sip.server = 'wss://agent@pbx.example.com/ws'; // a user name alone is refused too
    expect(parseProvisioning(JSON.stringify(doc), 'test').ok).toBe(false);
  });

  it('of machine policy (crash and update servers) stay out of the crash reporter’s log line and the bundle’s policy.json', async () => {
    const policyText = JSON.stringify({
      CrashReportUrl: 'https://crash:CrashPassw0rd@crash.example.com/submit?token=CRASHTOKEN9',
      UpdateUrl: 'https://upd:UpdPassw0rd@updates.example.com/baton/',
    });
    const policy = await readMachinePolicy(
      'linux',
      {},
      { run: async () => null, readText: async (path) => (path === '/etc/baton/policy.json' ? policyText : null) },
    );
    expect(policy.crashReportUrl).toContain('CrashPassw0rd'); // policy carries it (the reporter needs it) …
    const logged: string[] = [];
    const started: unknown[] = [];
    startCrashReporter({ start: (options) => void started.push(options) }, policy, '1.0.0', (m) => void logged.push(m));
    expect(started[0]).toMatchObject({ submitURL: policy.crashReportUrl }); // … and Electron gets it whole
    expect(logged).toEqual(['crash dumps are kept and uploaded to https://[redacted]@crash.example.com/submit?token=[redacted]']);

    const out = join(tmp('policy-bundle'), 'bundle.tar.gz');
    await writeDiagnostics(out, { logFiles: [], about: {}, provisioning: null, policy, store: null });
    const policyJson = untar(out).get('policy.json') ?? '';
    for (const secret of ['CrashPassw0rd', 'CRASHTOKEN9', 'UpdPassw0rd', 'crash:', 'upd:']) expect(policyJson).not.toContain(secret);
    expect(JSON.parse(policyJson)).toMatchObject({
      crashReportUrl: 'https://[redacted]@crash.example.com/submit?token=[redacted]',
      updateUrl: 'https://[redacted]@updates.example.com/baton/',
    });
  });
});

describe('the SIP trace', () => {
  it('redacts Authorization and Proxy-Authorization folded over continuation lines, whole', () => {
    const dir = tmp('trace-folded');
    const log = createAppLog({ dir, sipTrace: true });
    const invite = [
      'INVITE sip:bob@x SIP/2.0',
      'Proxy-Authorization: Digest username="alice",',
      ' realm="x", nonce="n1",',
      '\tresponse="aaaabbbbccccdddd0002"',
      'authorization:',
      '  Digest username="alice", response="aaaabbbbccccdddd0003"',
      'Call-ID: folded-1',
      'Content-Length: 0',
      '',
      '',
    ].join('\r\n');
    log.sipTrace?.('sent', invite);
    log.close();
    const trace = readFileSync(join(dir, 'sip-trace.log'), 'utf8');
    expect(trace).not.toMatch(/aaaabbbbccccdddd|username=|nonce=/);
    expect(trace).toContain('Proxy-Authorization: [redacted]\r\nauthorization: [redacted]\r\nCall-ID: folded-1');
    // Quoted in other text (an error), a digest answer goes too; a challenge is no secret and stays.
    expect(scrubText('SIP.js threw on Digest username="a", nonce="n", response="deadbeef01"')).toBe('SIP.js threw on Digest [redacted]');
  });

  it('writes at most the head and the first 8 KiB of one message’s body, and says how much more there was', () => {
    const body = 'x'.repeat(2 * 1024 * 1024);
    const info = `INFO sip:alice@x SIP/2.0\r\nCall-ID: big-1\r\nContent-Length: ${body.length}\r\n\r\n${body}`;
    const cut = traceText(Buffer.from(info)); // as the transport hands it a frame: decoded only as far as kept
    expect(cut).toBe(
      `${info.slice(0, info.indexOf('\r\n\r\n') + 4 + TRACED_BODY_BYTES)}\r\n[… ${body.length - TRACED_BODY_BYTES} more bytes not traced]`,
    );
    expect(traceText(info)).toBe(cut);
    const small = 'OPTIONS sip:alice@x SIP/2.0\r\nCall-ID: s\r\n\r\n';
    expect(traceText(small)).toBe(small);
    // A head that never ends (no blank line) is cut too.
    const endless = `INFO sip:alice@x SIP/2.0\r\nX-Pad: ${'y'.repeat(100_000)}`;
    expect(Buffer.byteLength(traceText(endless))).toBeLessThan(TRACED_HEAD_BYTES + 100);

    // Through the log: one 2 MiB message is a few KB of trace; a MESSAGE body is counted, whole, not shown.
    const dir = tmp('trace-cap');
    const log = createAppLog({ dir, sipTrace: true });
    log.sipTrace?.('received', info); // a caller that did not cut is cut by the log
    log.sipTrace?.('received', traceText(Buffer.from(`MESSAGE sip:alice@x SIP/2.0\r\nCall-ID: big-2\r\n\r\n${body}`)));
    log.close();
    const trace = readFileSync(join(dir, 'sip-trace.log'), 'utf8');
    expect(Buffer.byteLength(trace)).toBeLessThan(TRACED_BODY_BYTES + 1024);
    expect(trace).toContain(`[… ${body.length - TRACED_BODY_BYTES} more bytes not traced]`);
    expect(trace).toContain(`Call-ID: big-2\r\n\r\n[${body.length} bytes of MESSAGE body not traced]`);
    expect(redactSip(`MESSAGE sip:a@x SIP/2.0\r\n\r\n{"note":"n"}`)).toMatch(/\[12 bytes of MESSAGE body not traced\]$/);
  });
});

describe('a diagnostics bundle taken while the log rotates', () => {
  it('holds every line written before the export, each once, as the files were when it began', async () => {
    const dir = tmp('export-burst');
    const log = createAppLog({ dir, maxBytes: 4096, keep: 3 });
    let seq = 0;
    const line = (): void => log.info('call event', { seq: seq++, pad: 'x'.repeat(120) });
    for (let i = 0; i < 120; i++) line(); // all four files exist, the oldest lines already dropped
    const before = seq;
    const out = join(tmp('export-burst-out'), 'bundle.tar.gz');
    let exporting = true;
    const exported = writeDiagnostics(out, { logFiles: log.files(), about: {}, provisioning: null, store: null }).finally(
      () => (exporting = false),
    );
    // The agent keeps working while the bundle is written: lines (and rotations) between its every step.
    const burst = (): void => {
      for (let i = 0; i < 30; i++) line();
      if (exporting) setImmediate(burst);
    };
    burst();
    await exported;
    log.close();
    expect(seq).toBeGreaterThan(before + 30); // the log did rotate under the export (4 KiB files, ~190-byte lines)

    const entries = untar(out);
    const seqs: number[] = [];
    for (const [name, text] of entries) {
      if (!name.startsWith('logs/baton.log')) continue;
      for (const l of text.split('\n')) if (l !== '') seqs.push((JSON.parse(l) as { seq: number }).seq);
    }
    const sorted = [...seqs].sort((a, b) => a - b);
    expect(new Set(seqs).size).toBe(seqs.length); // no line twice
    expect(sorted.at(-1)).toBe(before - 1); // nothing from after the export began …
    const first = sorted[0] ?? 0;
    expect(sorted).toEqual(Array.from({ length: before - first }, (_, i) => first + i)); // … and no gap among what was kept
    expect([...entries.keys()].filter((n) => n.startsWith('logs/'))).toEqual([
      'logs/baton.log',
      'logs/baton.log.1',
      'logs/baton.log.2',
      'logs/baton.log.3',
    ]);
    expect(first).toBeGreaterThan(0);
  });
});
