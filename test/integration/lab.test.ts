/**
 * The lab launcher against the real Kamailio: lifecycle, and the routing the other integration tests
 * rely on, driven by hand-written SIP over raw WebSocket so a failure points at the lab, not SIP.js.
 */
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { LabError, startLab, type Lab } from '../lab/lab.js';
import { textContaining } from '../support/matchers.js';

const DOMAIN = '127.0.0.1';

describe('lab lifecycle', () => {
  it('starts, and stop() leaves no process, no listener and no run folder', async () => {
    const lab = await startLab();
    expect(lab.wsUrl).toBe(`ws://127.0.0.1:${lab.port}`);
    expect(lab.domain).toBe(DOMAIN);
    const pid = Number(readFileSync(`${lab.runDir}/kamailio.pid`, 'utf8'));
    expect(await connects(lab.wsUrl)).toBe(true);

    await lab.stop();

    expect(isAlive(pid)).toBe(false);
    expect(await portIsFree(lab.port)).toBe(true);
    if (process.env.KEEP_LAB !== '1') expect(existsSync(lab.runDir)).toBe(false);
  });

  it('runs two labs at once on different ports', async () => {
    const [first, second] = await Promise.all([startLab(), startLab()]);
    try {
      expect(first.port).not.toBe(second.port);
      expect(await connects(first.wsUrl)).toBe(true);
      expect(await connects(second.wsUrl)).toBe(true);
    } finally {
      await Promise.all([first.stop(), second.stop()]);
    }
  });

  it('comes back on the same port after kill() and restart()', async () => {
    const lab = await startLab();
    try {
      const port = lab.port;
      await lab.kill();
      expect(await connects(lab.wsUrl)).toBe(false);
      expect(existsSync(lab.runDir)).toBe(true);

      await lab.restart();

      expect(lab.port).toBe(port);
      const alice = await SipSocket.open(lab.wsUrl);
      expect(status(await alice.request(register('alice')))).toBe(200);
      await alice.close();
    } finally {
      await lab.stop();
    }
  });

  it("reports LabError exited, with Kamailio's log, when the port is taken", async () => {
    const squatter = createServer();
    await new Promise<void>((resolve) => squatter.listen(0, DOMAIN, resolve));
    const address = squatter.address();
    const port = typeof address === 'object' && address !== null ? address.port : 0;
    try {
      await expect(startLab({ port })).rejects.toMatchObject({
        code: 'exited',
        message: textContaining('Address already in use'),
      });
    } finally {
      squatter.close();
    }
  });

  it('says how to install Kamailio when the binary is missing', async () => {
    const attempt = startLab({ kamailioBinary: '/nonexistent/kamailio' });
    await expect(attempt).rejects.toBeInstanceOf(LabError);
    await expect(attempt).rejects.toMatchObject({ code: 'kamailio-missing', message: textContaining('apt-get install kamailio') });
  });

  it('rejects a user name outside [A-Za-z0-9._-] before looking for or starting Kamailio', async () => {
    const attempt = startLab({ auth: { users: [{ user: 'bad"name', password: 'x' }] }, kamailioBinary: '/nonexistent/kamailio' });
    await expect(attempt).rejects.toMatchObject({ code: 'config-invalid', message: textContaining('user name') });
  });
});

describe('routing without auth', () => {
  let lab: Lab;
  beforeAll(async () => {
    lab = await startLab();
  });
  afterAll(async () => {
    await lab.stop();
  });

  it('accepts a REGISTER with 200', async () => {
    const alice = await SipSocket.open(lab.wsUrl);
    const reply = await alice.request(register('alice'));
    expect(status(reply)).toBe(200);
    expect(header(reply, 'Contact')).toContain('transport=ws');
    await alice.close();
  });

  it('delivers an out-of-dialog MESSAGE to the registered user, keeping R-URI parameters', async () => {
    const [alice, bob] = await Promise.all([SipSocket.open(lab.wsUrl), SipSocket.open(lab.wsUrl)]);
    await alice.request(register('alice'));
    const sent = bob.request(outOfDialog('MESSAGE', 'bob', 'sip:alice@127.0.0.1;xfer=tok-123', { 'Content-Type': 'text/plain' }, 'hello'));

    const received = await alice.nextRequest('MESSAGE');
    expect(received.split('\r\n')[0]).toMatch(/^MESSAGE sip:alice-c@[^ ]*;xfer=tok-123 SIP\/2\.0$/);
    expect(received.endsWith('hello')).toBe(true);
    alice.send(replyTo(received, 200, 'OK'));
    expect(status(await sent)).toBe(200);
    await Promise.all([alice.close(), bob.close()]);
  });

  it('answers 404 for a user who is not registered', async () => {
    const bob = await SipSocket.open(lab.wsUrl);
    expect(status(await bob.request(outOfDialog('MESSAGE', 'bob', 'sip:nobody@127.0.0.1')))).toBe(404);
    await bob.close();
  });

  // An INVITE with Replaces is an initial request addressed to the recipient's Contact (with ;alias=).
  it('routes an initial INVITE whose R-URI is an aliased Contact (attended transfer)', async () => {
    const [alice, bob, carol] = await Promise.all([SipSocket.open(lab.wsUrl), SipSocket.open(lab.wsUrl), SipSocket.open(lab.wsUrl)]);
    await alice.request(register('alice'));
    const answered = bob.request(outOfDialog('INVITE', 'bob', 'sip:alice@127.0.0.1'), 200);
    const invite = await alice.nextRequest('INVITE');
    alice.send(replyTo(invite, 200, 'OK', { Contact: '<sip:alice-c@alice.invalid;transport=ws>' }));
    const aliceContact = /<([^>]+)>/.exec(header(await answered, 'Contact') ?? '')?.[1] ?? '';
    expect(aliceContact).toContain(';alias=');

    carol.send(outOfDialog('INVITE', 'carol', aliceContact, { Replaces: 'consult-call;to-tag=a;from-tag=b' }));

    const replacing = await alice.nextRequest('INVITE');
    expect(header(replacing, 'Replaces')).toBe('consult-call;to-tag=a;from-tag=b');
    expect(header(replacing, 'Record-Route')).toContain(`127.0.0.1:${lab.port}`);
    await Promise.all([alice.close(), bob.close(), carol.close()]);
  });

  it('answers SUBSCRIBE and PUBLISH for presence and NOTIFYs the WebSocket watcher', async () => {
    const [alice, bob] = await Promise.all([SipSocket.open(lab.wsUrl), SipSocket.open(lab.wsUrl)]);
    const subscribed = bob.request(
      outOfDialog('SUBSCRIBE', 'bob', 'sip:alice@127.0.0.1', { Event: 'presence', Expires: '60', Accept: 'application/pidf+xml' }),
    );
    expect(status(await subscribed)).toBe(200);
    bob.send(replyTo(await bob.nextRequest('NOTIFY'), 200, 'OK'));

    const pidf = `<?xml version="1.0"?><presence xmlns="urn:ietf:params:xml:ns:pidf" entity="sip:alice@127.0.0.1"><tuple id="t1"><status><basic>open</basic></status></tuple></presence>`;
    const published = alice.request(
      outOfDialog(
        'PUBLISH',
        'alice',
        'sip:alice@127.0.0.1',
        { Event: 'presence', Expires: '60', 'Content-Type': 'application/pidf+xml' },
        pidf,
      ),
    );
    expect(status(await published)).toBe(200);
    const notify = await bob.nextRequest('NOTIFY');
    expect(notify).toContain('<basic>open</basic>');
    bob.send(replyTo(notify, 200, 'OK'));
    await Promise.all([alice.close(), bob.close()]);
  });
});

describe('digest auth', () => {
  let lab: Lab;
  beforeAll(async () => {
    lab = await startLab({
      auth: {
        users: [
          { user: 'alice', password: 'secret' },
          { user: 'bob', password: 'b0b.pw' },
        ],
      },
    });
  });
  afterAll(async () => {
    await lab.stop();
  });

  it('challenges a REGISTER, accepts the right password and challenges a wrong one again', async () => {
    const alice = await SipSocket.open(lab.wsUrl);
    const challenge = await alice.request(register('alice'));
    expect(status(challenge)).toBe(401);
    const wwwAuthenticate = header(challenge, 'WWW-Authenticate') ?? '';
    expect(wwwAuthenticate).toMatch(/^Digest .*realm="127\.0\.0\.1"/);

    const good = digest(wwwAuthenticate, { user: 'alice', password: 'secret', method: 'REGISTER', uri: 'sip:127.0.0.1' });
    expect(status(await alice.request(register('alice', { Authorization: good })))).toBe(200);

    const bad = digest(wwwAuthenticate, { user: 'alice', password: 'wrong', method: 'REGISTER', uri: 'sip:127.0.0.1' });
    const again = await alice.request(register('alice', { Authorization: bad }));
    expect(status(again)).toBe(401);
    expect(header(again, 'WWW-Authenticate')).toMatch(/^Digest /);
    await alice.close();
  });

  it('answers 404 for an unknown user', async () => {
    const mallory = await SipSocket.open(lab.wsUrl);
    const reply = await mallory.request(register('mallory'));
    expect(status(reply)).toBe(404);
    expect(reply.split('\r\n')[0]).toContain('Unknown user');
    await mallory.close();
  });

  it('asks a caller from our domain to authenticate, then routes the request', async () => {
    const [alice, bob] = await Promise.all([SipSocket.open(lab.wsUrl), SipSocket.open(lab.wsUrl)]);
    const challenge = await alice.request(register('alice'));
    const credentials = digest(header(challenge, 'WWW-Authenticate') ?? '', {
      user: 'alice',
      password: 'secret',
      method: 'REGISTER',
      uri: 'sip:127.0.0.1',
    });
    expect(status(await alice.request(register('alice', { Authorization: credentials })))).toBe(200);

    const message = (extra: Record<string, string>): string => outOfDialog('MESSAGE', 'bob', 'sip:alice@127.0.0.1', extra, 'hi');
    const proxyChallenge = await bob.request(message({}));
    expect(status(proxyChallenge)).toBe(407);
    const proxyAuthorization = digest(header(proxyChallenge, 'Proxy-Authenticate') ?? '', {
      user: 'bob',
      password: 'b0b.pw',
      method: 'MESSAGE',
      uri: 'sip:alice@127.0.0.1',
    });
    const sent = bob.request(message({ 'Proxy-Authorization': proxyAuthorization }));
    const received = await alice.nextRequest('MESSAGE');
    expect(header(received, 'Proxy-Authorization')).toBeUndefined();
    alice.send(replyTo(received, 200, 'OK'));
    expect(status(await sent)).toBe(200);
    await Promise.all([alice.close(), bob.close()]);
  });
});

// ---- raw SIP over WebSocket ------------------------------------------------------------------

/** One WebSocket "phone" that writes SIP by hand and waits for what comes back. */
class SipSocket {
  private readonly inbox: string[] = [];
  private readonly waiters = new Set<() => void>();

  private constructor(private readonly socket: WebSocket) {
    socket.on('message', (data: WebSocket.RawData) => {
      this.inbox.push(rawToString(data));
      for (const wake of this.waiters) wake();
    });
  }

  static open(url: string): Promise<SipSocket> {
    return new Promise((resolve, reject) => {
      const socket = new WebSocket(url, 'sip');
      socket.once('open', () => resolve(new SipSocket(socket)));
      socket.once('error', reject);
    });
  }

  send(text: string): void {
    this.socket.send(text);
  }

  /** Sends a request and resolves with its first final reply (or the first reply with `wanted` status). */
  async request(text: string, wanted?: number): Promise<string> {
    const callId = header(text, 'Call-ID');
    const cseq = header(text, 'CSeq');
    this.send(text);
    return this.next((m) => {
      const code = status(m);
      const final = wanted === undefined ? code !== undefined && code >= 200 : code === wanted;
      return final && header(m, 'Call-ID') === callId && header(m, 'CSeq') === cseq;
    });
  }

  nextRequest(method: string): Promise<string> {
    return this.next((m) => m.startsWith(`${method} `));
  }

  next(matches: (message: string) => boolean, timeoutMs = 3_000): Promise<string> {
    return new Promise((resolve, reject) => {
      const check = (): boolean => {
        const index = this.inbox.findIndex(matches);
        if (index < 0) return false;
        const [found] = this.inbox.splice(index, 1);
        this.waiters.delete(wake);
        clearTimeout(timer);
        resolve(found ?? '');
        return true;
      };
      const wake = (): void => void check();
      const timer = setTimeout(() => {
        this.waiters.delete(wake);
        reject(new Error(`no matching SIP message within ${timeoutMs} ms; got:\n${this.inbox.join('\n---\n')}`));
      }, timeoutMs);
      this.waiters.add(wake);
      check();
    });
  }

  close(): Promise<void> {
    return new Promise((resolve) => {
      this.socket.once('close', () => resolve());
      this.socket.close();
    });
  }
}

function rawToString(data: WebSocket.RawData): string {
  if (Array.isArray(data)) return Buffer.concat(data).toString('utf8');
  if (data instanceof ArrayBuffer) return Buffer.from(new Uint8Array(data)).toString('utf8');
  return data.toString('utf8');
}

function token(): string {
  return randomBytes(6).toString('hex');
}

function buildMessage(startLine: string, headers: readonly (readonly [string, string])[], body = ''): string {
  const lines = headers.map(([name, value]) => `${name}: ${value}`);
  return [startLine, ...lines, `Content-Length: ${Buffer.byteLength(body)}`, '', body].join('\r\n');
}

function outOfDialog(method: string, fromUser: string, ruri: string, extra: Record<string, string> = {}, body = ''): string {
  const to = ruri.replace(/;alias=.*$/, '');
  return buildMessage(
    `${method} ${ruri} SIP/2.0`,
    [
      ['Via', `SIP/2.0/WS ${fromUser}.invalid;branch=z9hG4bK${token()}`],
      ['Max-Forwards', '70'],
      ['From', `<sip:${fromUser}@${DOMAIN}>;tag=${token()}`],
      ['To', `<${to}>`],
      ['Call-ID', token()],
      ['CSeq', `1 ${method}`],
      ['Contact', `<sip:${fromUser}-c@${fromUser}.invalid;transport=ws>`],
      ...Object.entries(extra),
    ],
    body,
  );
}

const registerCallIds = new Map<string, { callId: string; cseq: number }>();

/** Successive REGISTERs of one user share a Call-ID with a rising CSeq, as a real UA's do. */
function register(user: string, extra: Record<string, string> = {}): string {
  const previous = registerCallIds.get(user) ?? { callId: token(), cseq: 0 };
  const current = { callId: previous.callId, cseq: previous.cseq + 1 };
  registerCallIds.set(user, current);
  return buildMessage('REGISTER sip:127.0.0.1 SIP/2.0', [
    ['Via', `SIP/2.0/WS ${user}.invalid;branch=z9hG4bK${token()}`],
    ['Max-Forwards', '70'],
    ['From', `<sip:${user}@${DOMAIN}>;tag=${token()}`],
    ['To', `<sip:${user}@${DOMAIN}>`],
    ['Call-ID', current.callId],
    ['CSeq', `${current.cseq} REGISTER`],
    ['Contact', `<sip:${user}-c@${user}.invalid;transport=ws>;expires=60`],
    ['Expires', '60'],
    ...Object.entries(extra),
  ]);
}

/** A UAS reply: Via, Record-Route, From, Call-ID, CSeq copied; To gets a tag. */
function replyTo(request: string, code: number, reason: string, extra: Record<string, string> = {}): string {
  const copied = headerLines(request).filter(([name]) => ['via', 'record-route', 'from', 'call-id', 'cseq'].includes(name.toLowerCase()));
  const to = header(request, 'To') ?? '';
  return buildMessage(`SIP/2.0 ${code} ${reason}`, [
    ...copied,
    ['To', to.includes(';tag=') ? to : `${to};tag=${token()}`],
    ...Object.entries(extra),
  ]);
}

function headerLines(message: string): [string, string][] {
  const head = message.split('\r\n\r\n')[0] ?? '';
  return head
    .split('\r\n')
    .slice(1)
    .map((line): [string, string] => {
      const colon = line.indexOf(':');
      return [line.slice(0, colon).trim(), line.slice(colon + 1).trim()];
    });
}

function header(message: string, name: string): string | undefined {
  return headerLines(message).find(([n]) => n.toLowerCase() === name.toLowerCase())?.[1];
}

function status(message: string): number | undefined {
  const match = /^SIP\/2\.0 (\d{3}) /.exec(message);
  return match?.[1] === undefined ? undefined : Number(match[1]);
}

// ---- digest (RFC 2617, MD5, qop=auth when offered) ---------------------------------------------

function md5(text: string): string {
  return createHash('md5').update(text).digest('hex');
}

function digest(challenge: string, answer: { user: string; password: string; method: string; uri: string }): string {
  const param = (name: string): string | undefined => new RegExp(`${name}="?([^",]+)"?`).exec(challenge)?.[1];
  const realm = param('realm') ?? '';
  const nonce = param('nonce') ?? '';
  const qop = param('qop');
  const ha1 = md5(`${answer.user}:${realm}:${answer.password}`);
  const ha2 = md5(`${answer.method}:${answer.uri}`);
  const base = `Digest username="${answer.user}", realm="${realm}", nonce="${nonce}", uri="${answer.uri}", algorithm=MD5`;
  if (qop === undefined) return `${base}, response="${md5(`${ha1}:${nonce}:${ha2}`)}"`;
  const cnonce = token();
  const nc = '00000001';
  return `${base}, qop=auth, nc=${nc}, cnonce="${cnonce}", response="${md5(`${ha1}:${nonce}:${nc}:${cnonce}:auth:${ha2}`)}"`;
}

// ---- process and port probes -----------------------------------------------------------------

function connects(url: string): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = new WebSocket(url, 'sip', { handshakeTimeout: 1_000 });
    socket.once('open', () => {
      socket.terminate();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    // kill(pid, 0) throws ESRCH for a process that is gone: the answer sought.
    return false;
  }
}

function portIsFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, DOMAIN, () => server.close(() => resolve(true)));
  });
}
