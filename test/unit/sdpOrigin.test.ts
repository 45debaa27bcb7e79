import { describe, expect, it } from 'vitest';
import { originOf, withOrigin } from '../../shared/sdp.js';

const SDP = 'v=0\r\no=- 4611731400430051336 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\nm=audio 9 UDP/TLS/RTP/SAVPF 111\r\n';

describe('SDP origin continuity across engine take-overs', () => {
  it('reads the origin', () => {
    expect(originOf(SDP)).toEqual({ username: '-', sessionId: '4611731400430051336', version: 2n });
    expect(originOf('v=0\r\ns=-\r\n')).toBeNull();
  });
  it('rewrites only the origin line, keeping its address and every other line', () => {
    const rewritten = withOrigin(SDP.replace('4611731400430051336 2', '999 1'), {
      username: '-',
      sessionId: '4611731400430051336',
      version: 3n,
    });
    expect(rewritten).toBe(SDP.replace(' 2 IN', ' 3 IN'));
  });
});
