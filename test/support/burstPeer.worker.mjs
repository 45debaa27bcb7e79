// A SIP server over WebSocket on 127.0.0.1 in its own thread, so that its work does not count in
// the event-loop stall measured in the phone's thread. It answers REGISTER and the phone's INVITEs
// (200 with an SDP answer made from the offer), and on {burst: n} sends n new INVITEs to the phone
// and reports how each was answered: {statuses: {100: …, 503: …}, unanswered}.
import { parentPort } from 'node:worker_threads';
import { randomBytes } from 'node:crypto';
import { WebSocketServer } from 'ws';

const server = new WebSocketServer({ host: '127.0.0.1', port: 0, handleProtocols: () => 'sip' });
let client;
let contactUser = '';
let pending; // { ids: Set, statuses: Map, done: fn }

const header = (text, name) => new RegExp(`^${name}:\\s*(.*)$`, 'mi').exec(text)?.[1]?.trim() ?? '';
const headers = (text, name) => [...text.matchAll(new RegExp(`^${name}:\\s*(.*)$`, 'gmi'))].map((m) => m[1].trim());

server.on('listening', () => parentPort.postMessage({ port: server.address().port }));
server.on('connection', (ws) => {
  client = ws;
  ws.on('message', (data) => {
    // ws hands a frame over as one Buffer, a fragmented one as a list of them.
    const text = (Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data)).toString('utf8');
    const first = text.slice(0, text.indexOf('\r\n'));
    if (first.startsWith('SIP/2.0 ')) {
      const id = header(text, 'Call-ID');
      if (pending?.ids.has(id) && !pending.answered.has(id)) {
        pending.answered.add(id);
        const status = Number(first.split(' ')[1]);
        pending.statuses[status] = (pending.statuses[status] ?? 0) + 1;
        if (pending.answered.size === pending.ids.size) pending.done();
      }
      return;
    }
    const method = first.split(' ')[0];
    const reply = (status, extra = [], body = '') => {
      const to = header(text, 'To');
      ws.send(
        [
          `SIP/2.0 ${status}`,
          ...headers(text, 'Via').map((v) => `Via: ${v}`),
          `From: ${header(text, 'From')}`,
          `To: ${/;tag=/.test(to) ? to : `${to};tag=${randomBytes(4).toString('hex')}`}`,
          `Call-ID: ${header(text, 'Call-ID')}`,
          `CSeq: ${header(text, 'CSeq')}`,
          ...extra,
          `Content-Length: ${Buffer.byteLength(body)}`,
          '',
          body,
        ].join('\r\n'),
      );
    };
    if (method === 'REGISTER') {
      const contact = header(text, 'Contact');
      contactUser = /sip:([^@;>]+)@/.exec(contact)?.[1] ?? '';
      reply('200 OK', [`Contact: ${contact};expires=600`]);
    } else if (method === 'INVITE') {
      const offer = text.slice(text.indexOf('\r\n\r\n') + 4);
      const answer = offer
        .replace(/^a=setup:actpass$/m, 'a=setup:active')
        .replace(/^a=ice-ufrag:.*$/m, 'a=ice-ufrag:brst')
        .replace(/^a=ice-pwd:.*$/m, 'a=ice-pwd:burstpeerpassword012345')
        .replace(/^a=candidate:.*\r\n/gm, '');
      reply('200 OK', ['Contact: <sip:peer@127.0.0.1;transport=ws>', 'Content-Type: application/sdp'], answer);
    } else if (method === 'BYE' || method === 'OPTIONS') {
      reply('200 OK');
    }
  });
});

parentPort.on('message', (command) => {
  if (command.close) {
    for (const ws of server.clients) ws.terminate();
    server.close(() => parentPort.postMessage({ closed: true }));
    return;
  }
  const { burst, body } = command;
  const ids = new Set();
  const frames = [];
  const port = server.address().port;
  for (let i = 0; i < burst; i += 1) {
    const id = `burst-${i}-${randomBytes(4).toString('hex')}`;
    ids.add(id);
    frames.push(
      [
        `INVITE sip:${contactUser}@127.0.0.1;transport=ws SIP/2.0`,
        `Via: SIP/2.0/WS 127.0.0.1:${port};branch=z9hG4bK${randomBytes(6).toString('hex')}`,
        `From: <sip:caller${i}@127.0.0.1>;tag=${randomBytes(4).toString('hex')}`,
        'To: <sip:alice@127.0.0.1>',
        `Call-ID: ${id}`,
        'CSeq: 1 INVITE',
        'Max-Forwards: 70',
        `Contact: <sip:caller${i}@127.0.0.1;transport=ws>`,
        'Content-Type: application/sdp',
        `Content-Length: ${Buffer.byteLength(body)}`,
        '',
        body,
      ].join('\r\n'),
    );
  }
  const timer = setTimeout(() => pending?.done(), 20_000);
  pending = {
    ids,
    answered: new Set(),
    statuses: {},
    done: () => {
      clearTimeout(timer);
      const result = { statuses: pending.statuses, unanswered: ids.size - pending.answered.size };
      pending = undefined;
      parentPort.postMessage(result);
    },
  };
  for (const frame of frames) client.send(frame);
});
