import { describe, expect, it } from 'vitest';
import { MediaEngineUnavailable, RendererMediaPort } from '../../electron/core/media/rendererMediaPort.js';
import type { MediaRequest } from '../../shared/ipc.js';

/** The media host's side, answered by hand: each request and its id, in the order main sent them. */
function host(port: RendererMediaPort): Array<{ id: number; request: MediaRequest }> {
  const seen: Array<{ id: number; request: MediaRequest }> = [];
  port.attach((id, request) => seen.push({ id, request }));
  return seen;
}

const OFFER = 'v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\n';

describe('main’s MediaPort: a session opened without waiting for the open’s reply', () => {
  it('sends the first request right behind the open, before the open is answered', async () => {
    const port = new RendererMediaPort();
    const seen = host(port);
    const session = port.openPipelined('c1');
    const offer = session.createOffer({ direction: 'sendrecv' });
    expect(seen.map((s) => s.request.op)).toEqual(['open', 'createOffer']);
    port.reply(seen[1]?.id ?? 0, true, OFFER, undefined);
    port.reply(seen[0]?.id ?? 0, true, undefined, undefined);
    await expect(offer).resolves.toBe(OFFER);
  });

  it('fails the requests made on it with the open’s own error when the open failed', async () => {
    const port = new RendererMediaPort();
    const seen = host(port);
    const session = port.openPipelined('c1');
    const offer = session.createOffer({ direction: 'sendrecv' });
    port.reply(seen[0]?.id ?? 0, false, undefined, 'microphone refused');
    port.reply(seen[1]?.id ?? 0, false, undefined, 'no media session c1');
    await expect(offer).rejects.toThrow('microphone refused');
  });

  it('throws at once with no media host, and fails what is pending when it goes away', async () => {
    const port = new RendererMediaPort();
    expect(() => port.openPipelined('c1')).toThrow(MediaEngineUnavailable);
    host(port);
    const offer = port.openPipelined('c2').createOffer({ direction: 'sendrecv' });
    port.detach();
    await expect(offer).rejects.toThrow(MediaEngineUnavailable);
  });

  it('closes a session whose open failed without an unhandled rejection', async () => {
    const port = new RendererMediaPort();
    const seen = host(port);
    const session = port.openPipelined('c1');
    port.reply(seen[0]?.id ?? 0, false, undefined, 'engine disposed');
    const closing = session.close();
    port.reply(seen[1]?.id ?? 0, true, undefined, undefined);
    await expect(closing).resolves.toBeUndefined();
  });
});
