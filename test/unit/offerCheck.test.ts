import { describe, expect, it } from 'vitest';
import { offerProblem, warningHeader } from '../../shared/offerCheck.js';
import {
  CHROMIUM,
  FIREFOX,
  GATEWAY_G711_ONLY,
  LINPHONE_PLAIN_RTP,
  NO_COMMON_CODEC,
  OFFERS,
  OPUS_ONLY,
  RTPENGINE_TO_WEBRTC,
  VIDEO_ONLY,
} from '../fixtures/sdp/offers.js';

describe('offerProblem on offers as real peers send them', () => {
  it.each(OFFERS.map((offer) => [offer.name, offer] as const))('%s', (_name, offer) => {
    expect(offerProblem(offer.sdp)?.reason ?? null).toBe(offer.problem);
  });

  it('reads SDP with bare LF line ends as with CRLF', () => {
    expect(offerProblem(CHROMIUM.replace(/\r\n/g, '\n'))).toBeNull();
    expect(offerProblem(LINPHONE_PLAIN_RTP.replace(/\r\n/g, '\n'))?.reason).toBe('unsupported-transport');
  });

  it('treats a body that is not SDP as an offer with no audio', () => {
    expect(offerProblem('hello')?.reason).toBe('no-audio');
    expect(offerProblem('')?.reason).toBe('no-audio');
  });
});

describe('where the transport attributes may be', () => {
  it('takes ICE credentials from the session level', () => {
    const moved = GATEWAY_G711_ONLY.replace(/a=ice-(ufrag|pwd):.*\r\n/g, '').replace(
      't=0 0\r\n',
      't=0 0\r\na=ice-ufrag:sess\r\na=ice-pwd:sessionlevelpassword0123\r\n',
    );
    expect(offerProblem(moved)).toBeNull();
  });

  it("takes a bundle-only audio section's transport from the section carrying its BUNDLE group", () => {
    const offer = [
      'v=0',
      'o=- 1 1 IN IP4 127.0.0.1',
      's=-',
      't=0 0',
      'a=group:BUNDLE v a',
      'm=video 47021 UDP/TLS/RTP/SAVPF 96',
      'a=mid:v',
      'a=ice-ufrag:UMbs',
      'a=ice-pwd:RWuDFbzAwKv9o37Q4sivI7wV',
      'a=fingerprint:sha-256 66:34:61:5D',
      'a=rtcp-mux',
      'a=rtpmap:96 VP8/90000',
      'm=audio 0 UDP/TLS/RTP/SAVPF 111',
      'a=bundle-only',
      'a=mid:a',
      'a=rtcp-mux',
      'a=rtpmap:111 opus/48000/2',
      '',
    ].join('\r\n');
    expect(offerProblem(offer)).toBeNull();
  });

  it('does not take rtcp-mux from the session level (RFC 5761 defines it per m-line)', () => {
    const sessionMux = RTPENGINE_TO_WEBRTC.replace('a=rtcp-mux\r\n', '').replace('t=0 0\r\n', 't=0 0\r\na=rtcp-mux\r\n');
    expect(offerProblem(sessionMux)?.reason).toBe('no-rtcp-mux');
  });
});

describe('codec matching', () => {
  const withOpus = (rtpmap: string): string => OPUS_ONLY.replace('a=rtpmap:102 opus/48000/2', `a=rtpmap:102 ${rtpmap}`);

  it('matches names in any case', () => {
    expect(offerProblem(withOpus('OPUS/48000/2'))).toBeNull();
  });

  it('wants the clock rate and channels the engines know (measured: opus mono and PCMU/16000 get no voice codec)', () => {
    expect(offerProblem(withOpus('opus/48000'))?.reason).toBe('no-common-codec');
    expect(offerProblem(withOpus('PCMU/16000'))?.reason).toBe('no-common-codec');
    expect(offerProblem(withOpus('PCMU/8000/1'))).toBeNull();
  });

  it('lets an rtpmap override what a static payload type would mean', () => {
    const g711 = GATEWAY_G711_ONLY.replace('a=rtpmap:0 PCMU/8000', 'a=rtpmap:0 G729/8000').replace(
      'UDP/TLS/RTP/SAVPF 0 8 101',
      'UDP/TLS/RTP/SAVPF 0 101',
    );
    expect(offerProblem(g711)?.reason).toBe('no-common-codec');
  });

  it('ignores an rtpmap for a payload type the m-line does not list', () => {
    const unlisted = NO_COMMON_CODEC.replace('a=rtpmap:3 GSM/8000', 'a=rtpmap:3 GSM/8000\r\na=rtpmap:111 opus/48000/2');
    expect(offerProblem(unlisted)?.reason).toBe('no-common-codec');
  });
});

describe('details and the Warning header', () => {
  it('names what was offered and what we take', () => {
    const problem = offerProblem(NO_COMMON_CODEC);
    expect(problem).toMatchObject({ reason: 'no-common-codec', warnCode: 305 });
    expect(problem?.detail).toContain('G729/8000, GSM/8000, AMR/8000, telephone-event/8000');
    expect(problem?.detail).toContain('opus, G722, PCMU, PCMA');
    expect(offerProblem(VIDEO_ONLY)?.detail).toContain('offered: video');
    expect(offerProblem(LINPHONE_PLAIN_RTP)?.detail).toContain('plain RTP (RTP/AVP)');
  });

  it('uses 304 for missing audio, 302 for transport, 305 for codecs', () => {
    expect(offerProblem(VIDEO_ONLY)?.warnCode).toBe(304);
    expect(offerProblem(LINPHONE_PLAIN_RTP)?.warnCode).toBe(302);
    expect(offerProblem(NO_COMMON_CODEC)?.warnCode).toBe(305);
  });

  it('builds an RFC 3261 Warning', () => {
    const problem = offerProblem(NO_COMMON_CODEC);
    if (!problem) throw new Error('expected a problem');
    expect(warningHeader(problem)).toMatch(
      /^Warning: 305 baton "Incompatible media format: The offer has no voice codec in common[^"\r\n]*"$/,
    );
  });

  it('keeps peer-chosen names from breaking the quoted string or the header', () => {
    const hostile = NO_COMMON_CODEC.replace('a=rtpmap:3 GSM/8000', 'a=rtpmap:3 G"S\\M\u00e9/8000').replace(
      'UDP/TLS/RTP/SAVPF 18 3 97 101',
      `UDP/TLS/RTP/SAVPF 18 3 97 101 ${Array.from({ length: 20 }, (_, i) => String(110 + i)).join(' ')}`,
    );
    const problem = offerProblem(hostile);
    if (!problem) throw new Error('expected a problem');
    expect(problem.detail).toContain('G?S?M?/8000');
    expect(problem.detail).toContain('and 16 more');
    const header = warningHeader(problem);
    expect(header).toMatch(/^Warning: 305 baton "(?:[^"\\\r\n]|\\.)*"$/);
  });

  it('passes the offers Baton itself and the lab relay make', () => {
    expect(offerProblem(CHROMIUM)).toBeNull();
    expect(offerProblem(FIREFOX)).toBeNull();
    expect(offerProblem(RTPENGINE_TO_WEBRTC)).toBeNull();
  });
});
