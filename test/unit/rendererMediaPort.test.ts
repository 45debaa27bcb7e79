import { describe, expect, it } from 'vitest';
import { MediaEngineUnavailable, RendererMediaPort } from '../../electron/core/media/rendererMediaPort.js';
import type { MediaRequest } from '../../shared/ipc.js';

describe('main’s MediaPort over IPC', () => {
  function engine(port: RendererMediaPort, answer: (r: MediaRequest) => unknown): MediaRequest[] {
    const seen: MediaRequest[] = [];
    port.attach((id, request) => {
      seen.push(request);
      queueMicrotask(() => port.reply(id, true, answer(request), undefined));
    });
    return seen;
  }

  it('forwards each operation and returns checked replies', async () => {
    const port = new RendererMediaPort();
    const seen = engine(port, (r) =>
      r.op === 'createOffer'
        ? 'v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\n'
        : r.op === 'getStats'
          ? { bytesSent: 5, inboundLevel: 7, iceState: 'connected' }
          : undefined,
    );
    const session = await port.open('c1');
    expect(await session.createOffer({ direction: 'sendonly' })).toMatch(/^v=0/);
    expect(await session.getStats()).toEqual({
      bytesSent: 5,
      bytesReceived: 0,
      packetsSent: 0,
      packetsReceived: 0,
      inboundLevel: 1,
      iceState: 'connected',
    });
    expect(seen.map((r) => r.op)).toEqual(['open', 'createOffer', 'getStats']);
    expect(seen[1]).toEqual({ op: 'createOffer', sessionId: 'c1', direction: 'sendonly', iceRestart: false });
    expect(seen[0]).toEqual({ op: 'open', sessionId: 'c1' });
  });

  it('refuses a reply that is not SDP where SDP is due', async () => {
    const port = new RendererMediaPort();
    engine(port, () => 'INVITE sip:x SIP/2.0');
    const session = await port.open('c1');
    await expect(session.createOffer({ direction: 'sendrecv' })).rejects.toThrow(/no usable SDP/);
  });

  it('fails at once with no renderer, and fails pending requests when it detaches', async () => {
    const port = new RendererMediaPort();
    await expect(port.open('c1')).rejects.toBeInstanceOf(MediaEngineUnavailable);
    port.attach(() => {});
    const pending = port.open('c2');
    port.detach();
    await expect(pending).rejects.toBeInstanceOf(MediaEngineUnavailable);
  });

  it('times out a request nobody answers, and ignores late replies', async () => {
    const port = new RendererMediaPort(30);
    let lastId = 0;
    port.attach((id) => (lastId = id));
    await expect(port.open('c1')).rejects.toThrow(/did not answer/);
    expect(() => port.reply(lastId, true, undefined, undefined)).not.toThrow();
  });
});
