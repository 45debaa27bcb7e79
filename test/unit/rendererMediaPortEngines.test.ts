import { describe, expect, it } from 'vitest';
import { MediaEngineUnavailable, RendererMediaPort } from '../../electron/core/media/rendererMediaPort.js';
import type { MediaRequest } from '../../shared/ipc.js';

/** A media host answering every request at once; records what it was asked. */
function host(port: RendererMediaPort): MediaRequest[] {
  const seen: MediaRequest[] = [];
  port.attach((id, request) => {
    seen.push(request);
    queueMicrotask(() => port.reply(id, true, request.op === 'createOffer' ? 'v=0\r\n' : undefined, undefined));
  });
  return seen;
}

describe('main’s MediaPort: a session belongs to the engine that opened it', () => {
  it('fails a request on a session of an engine that is gone with MediaEngineUnavailable, without asking the next engine', async () => {
    const port = new RendererMediaPort();
    host(port);
    const session = await port.open('c1');
    port.detach();
    const next = host(port);
    await expect(session.applyAnswer('v=0\r\n')).rejects.toThrow(MediaEngineUnavailable);
    await expect(session.setMuted(true)).rejects.toThrow(MediaEngineUnavailable);
    await expect(session.close()).resolves.toBeUndefined();
    expect(next).toEqual([]);
  });

  it('keeps a session of the engine still attached working', async () => {
    const port = new RendererMediaPort();
    const seen = host(port);
    const session = port.openPipelined('c1');
    await expect(session.createOffer({ direction: 'sendrecv' })).resolves.toBe('v=0\r\n');
    await expect(session.applyAnswer('v=0\r\n')).resolves.toBeUndefined();
    expect(seen.map((r) => r.op)).toEqual(['open', 'createOffer', 'applyAnswer']);
  });
});
