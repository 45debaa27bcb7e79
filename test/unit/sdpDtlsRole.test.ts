import { describe, expect, it } from 'vitest';
import { dtlsClientOffer, dtlsClientOfferFits } from '../../shared/sdp.js';

const crlf = (...sdpLines: string[]): string => sdpLines.map((line) => `${line}\r\n`).join('');

const offer = (setup: string): string =>
  crlf(
    'v=0',
    'o=- 1 2 IN IP4 127.0.0.1',
    's=-',
    't=0 0',
    'm=audio 9 UDP/TLS/RTP/SAVPF 111',
    'a=mid:0',
    `a=setup:${setup}`,
    'a=fingerprint:sha-256 AA:BB',
  );

/** What rtpengine hands an agent: the phone's origin, no msid-semantic. */
const relay = (setup: string): string =>
  crlf(
    'v=0',
    'o=contact 3621 2530 IN IP4 127.0.0.1',
    's=Talk',
    't=0 0',
    'm=audio 20047 UDP/TLS/RTP/SAVPF 111',
    `a=setup:${setup}`,
    'a=fingerprint:sha-256 85:22',
  );

/** What a libwebrtc engine (wrtc, Chromium) sends. */
const browser = (setup: string): string =>
  crlf(
    'v=0',
    'o=- 4611 2 IN IP4 127.0.0.1',
    's=-',
    't=0 0',
    'a=group:BUNDLE 0',
    'a=msid-semantic: WMS',
    'm=audio 9 UDP/TLS/RTP/SAVPF 111',
    `a=setup:${setup}`,
  );

describe('dtlsClientOffer: a take-over offer that makes our engine the DTLS client', () => {
  it('turns actpass into active and changes nothing else', () => {
    expect(dtlsClientOffer(offer('actpass'))).toBe(offer('active'));
  });

  it('leaves an offer that already fixed its role as it was', () => {
    expect(dtlsClientOffer(offer('passive'))).toBe(offer('passive'));
  });

  it('reads bare LF and writes CRLF', () => {
    expect(dtlsClientOffer(offer('actpass').replace(/\r\n/g, '\n'))).toBe(offer('active'));
  });
});

describe('dtlsClientOfferFits: only a far end that is the client and can give the role up', () => {
  it.each([
    ['a relay that is the DTLS client', relay('active'), true],
    ['a relay that is the DTLS server already', relay('passive'), false],
    ['a browser engine that is the client (libwebrtc M106 breaks on a role change)', browser('active'), false],
    ['a browser engine that is the server', browser('passive'), false],
    ['no earlier description', undefined, false],
    ['a description without a setup attribute', crlf('v=0', 'm=audio 9 RTP/AVP 0'), false],
  ])('%s → %s', (_name, previousRemote, expected) => {
    expect(dtlsClientOfferFits(previousRemote)).toBe(expected);
  });
});
