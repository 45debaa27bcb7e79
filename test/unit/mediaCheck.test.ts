/** When the desk says a call's audio did not connect (electron/core/desk/mediaCheck.ts): from the engine's stats. */
import { describe, expect, it } from 'vitest';
import { mediaTrouble } from '../../electron/core/desk/mediaCheck.js';
import type { MediaStats } from '../../shared/media.js';

const stats = (iceState: string, packetsReceived: number): MediaStats => ({
  bytesSent: 0,
  bytesReceived: packetsReceived * 160,
  packetsSent: 0,
  packetsReceived,
  inboundLevel: null,
  iceState,
});

describe('mediaTrouble', () => {
  it('is null for a connected call that receives audio', () => {
    expect(mediaTrouble(stats('connected', 50), false)).toBeNull();
    expect(mediaTrouble(stats('completed', 1), false)).toBeNull();
  });

  it('names the ICE state when no network path was found, held or not', () => {
    for (const state of ['new', 'checking', 'failed', 'disconnected', 'closed', 'unknown'])
      for (const held of [false, true])
        expect(mediaTrouble(stats(state, 0), held)).toBe(`no network path to the other side was found; ICE is ${state}`);
  });

  it('says no packet arrived on a connected call that is not held; a held call may rightly receive nothing', () => {
    expect(mediaTrouble(stats('connected', 0), false)).toBe('connected, but no audio packet has arrived from the other side');
    expect(mediaTrouble(stats('connected', 0), true)).toBeNull();
  });
});
