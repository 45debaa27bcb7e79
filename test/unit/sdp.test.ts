import { describe, expect, it } from 'vitest';
import type { MediaDirection } from '../../shared/media.js';
import {
  audioDirection,
  dtlsClientOffer,
  dtlsClientOfferFits,
  dtlsServerAnswer,
  hasTelephoneEvent,
  keepCandidates,
  loopbackOnly,
  withAudioDirection,
} from '../../shared/sdp.js';

const crlf = (...sdpLines: string[]): string => sdpLines.map((line) => `${line}\r\n`).join('');

/** Shaped like Debian Chromium's offer: mDNS, IPv6, loopback, TCP and a srflx whose raddr is private. */
const CHROME_OFFER = crlf(
  'v=0',
  'o=- 4611731400430051336 2 IN IP4 127.0.0.1',
  's=-',
  't=0 0',
  'a=group:BUNDLE 0',
  'a=extmap-allow-mixed',
  'a=msid-semantic: WMS 3f0c2a1e-7d55-4c1b-9a4e-2b8d6f1c0e93',
  'm=audio 46243 UDP/TLS/RTP/SAVPF 111 63 9 0 8 13 110 126',
  'c=IN IP4 192.0.2.10',
  'a=rtcp:9 IN IP4 0.0.0.0',
  'a=candidate:1467250027 1 udp 2122260223 192.0.2.10 46243 typ host generation 0 network-id 1 network-cost 10',
  'a=candidate:2961913541 1 udp 2122194687 5b1f3c2a-8e4d-4f6a-9c1b-7d2e0a3f4b5c.local 51234 typ host generation 0 network-id 2',
  'a=candidate:3245112890 1 udp 2122131711 fd00::10 40111 typ host generation 0 network-id 3 network-cost 10',
  'a=candidate:1510613869 1 udp 2122063615 127.0.0.1 52710 typ host generation 0 network-id 4',
  'a=candidate:559267639 1 udp 2122136831 ::1 60987 typ host generation 0 network-id 5',
  'a=candidate:4233069003 1 tcp 1518280447 192.0.2.10 9 typ host tcptype active generation 0 network-id 1 network-cost 10',
  'a=candidate:842163049 1 udp 1686052607 203.0.113.7 46243 typ srflx raddr 127.0.0.1 rport 46243 generation 0 network-id 1 network-cost 10',
  'a=ice-ufrag:Vx1P',
  'a=ice-pwd:9ZkQv2pN6yT0rW8sL4mB1cXe',
  'a=ice-options:trickle',
  'a=fingerprint:sha-256 3B:8E:51:0C:9A:27:F4:6D:12:E0:B5:7A:C3:49:8F:D1:66:2C:0E:9B:A4:53:7F:18:D2:6E:B0:C9:41:5A:87:3F',
  'a=setup:actpass',
  'a=mid:0',
  'a=extmap:1 urn:ietf:params:rtp-hdrext:ssrc-audio-level',
  'a=extmap:2 http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time',
  'a=extmap:3 http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01',
  'a=extmap:4 urn:ietf:params:rtp-hdrext:sdes:mid',
  'a=sendrecv',
  'a=msid:3f0c2a1e-7d55-4c1b-9a4e-2b8d6f1c0e93 8a7e5d0b-2c4f-4e1a-b3d9-6f0c1e2a9b74',
  'a=rtcp-mux',
  'a=rtcp-rsize',
  'a=rtpmap:111 opus/48000/2',
  'a=rtcp-fb:111 transport-cc',
  'a=fmtp:111 minptime=10;useinbandfec=1',
  'a=rtpmap:63 red/48000/2',
  'a=fmtp:63 111/111',
  'a=rtpmap:9 G722/8000',
  'a=rtpmap:0 PCMU/8000',
  'a=rtpmap:8 PCMA/8000',
  'a=rtpmap:13 CN/8000',
  'a=rtpmap:110 telephone-event/48000',
  'a=rtpmap:126 telephone-event/8000',
  'a=ssrc:2387429871 cname:q9Hc3nWm0VtZr1Xb',
  'a=ssrc:2387429871 msid:3f0c2a1e-7d55-4c1b-9a4e-2b8d6f1c0e93 8a7e5d0b-2c4f-4e1a-b3d9-6f0c1e2a9b74',
);

/** Captured from @roamhq/wrtc 0.10.0 on the lab machine (host candidates on every interface). */
const WRTC_OFFER = crlf(
  'v=0',
  'o=- 3641858113697989134 2 IN IP4 127.0.0.1',
  's=-',
  't=0 0',
  'a=group:BUNDLE 0',
  'a=extmap-allow-mixed',
  'a=msid-semantic: WMS',
  'm=audio 58352 UDP/TLS/RTP/SAVPF 111 63 103 104 9 102 0 8 106 105 13 110 112 113 126',
  'c=IN IP4 192.0.2.2',
  'a=rtcp:9 IN IP4 0.0.0.0',
  'a=candidate:3077952869 1 udp 2122265343 fd00::2 37652 typ host generation 0 network-id 2',
  'a=candidate:3229573512 1 udp 2122194687 192.0.2.2 58352 typ host generation 0 network-id 1',
  'a=candidate:559267639 1 udp 2122136831 ::1 60987 typ host generation 0 network-id 4',
  'a=candidate:1510613869 1 udp 2122063615 127.0.0.1 51384 typ host generation 0 network-id 3',
  'a=candidate:4193659285 1 tcp 1518285567 fd00::2 59485 typ host tcptype passive generation 0 network-id 2',
  'a=candidate:2398920056 1 tcp 1518214911 192.0.2.2 48613 typ host tcptype passive generation 0 network-id 1',
  'a=candidate:1876313031 1 tcp 1518157055 ::1 37507 typ host tcptype passive generation 0 network-id 4',
  'a=candidate:344579997 1 tcp 1518083839 127.0.0.1 38663 typ host tcptype passive generation 0 network-id 3',
  'a=ice-ufrag:uLgx',
  'a=ice-pwd:KvKsRMjBrfKIATZbnXi4M1hy',
  'a=ice-options:trickle',
  'a=fingerprint:sha-256 8C:2A:B7:2E:10:D1:2A:70:DF:56:CB:52:BD:5E:C8:37:D5:7C:51:12:87:D8:8F:DE:78:1F:6D:A7:EB:57:81:9E',
  'a=setup:actpass',
  'a=mid:0',
  'a=extmap:1 urn:ietf:params:rtp-hdrext:ssrc-audio-level',
  'a=extmap:2 http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time',
  'a=extmap:3 http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01',
  'a=extmap:4 urn:ietf:params:rtp-hdrext:sdes:mid',
  'a=sendrecv',
  'a=msid:- 754309c3-575b-48de-9811-d2afa2856166',
  'a=rtcp-mux',
  'a=rtpmap:111 opus/48000/2',
  'a=rtcp-fb:111 transport-cc',
  'a=fmtp:111 minptime=10;useinbandfec=1',
  'a=rtpmap:63 red/48000/2',
  'a=fmtp:63 111/111',
  'a=rtpmap:103 ISAC/16000',
  'a=rtpmap:104 ISAC/32000',
  'a=rtpmap:9 G722/8000',
  'a=rtpmap:102 ILBC/8000',
  'a=rtpmap:0 PCMU/8000',
  'a=rtpmap:8 PCMA/8000',
  'a=rtpmap:106 CN/32000',
  'a=rtpmap:105 CN/16000',
  'a=rtpmap:13 CN/8000',
  'a=rtpmap:110 telephone-event/48000',
  'a=rtpmap:112 telephone-event/32000',
  'a=rtpmap:113 telephone-event/16000',
  'a=rtpmap:126 telephone-event/8000',
  'a=ssrc:1739229460 cname:u+uVp/zXXSy44Lv8',
  'a=ssrc:1739229460 msid:- 754309c3-575b-48de-9811-d2afa2856166',
);

/** A plain-RTP PBX putting us on hold the old way: session-level sendonly, no media-level direction, no DTMF. */
const PBX_HOLD_OFFER = crlf(
  'v=0',
  'o=pbx 1700 1701 IN IP4 127.0.0.1',
  's=pbx',
  'c=IN IP4 127.0.0.1',
  't=0 0',
  'a=sendonly',
  'm=audio 40000 RTP/AVP 0 8',
  'a=rtpmap:0 PCMU/8000',
  'a=rtpmap:8 PCMA/8000',
  'a=ptime:20',
);

/** Video first and inactive, audio second: direction and DTMF must be read from the audio section. */
const VIDEO_FIRST_OFFER = crlf(
  'v=0',
  'o=- 1 1 IN IP4 127.0.0.1',
  's=-',
  't=0 0',
  'a=inactive',
  'm=video 9 UDP/TLS/RTP/SAVPF 96 101',
  'c=IN IP4 0.0.0.0',
  'a=mid:v',
  'a=inactive',
  'a=rtpmap:96 VP8/90000',
  'a=rtpmap:101 telephone-event/8000',
  'm=audio 9 UDP/TLS/RTP/SAVPF 111',
  'c=IN IP4 0.0.0.0',
  'a=mid:a',
  'a=recvonly',
  'a=rtpmap:111 opus/48000/2',
  'a=rtpmap:126 telephone-event/8000',
);

const NO_DIRECTION_OFFER = crlf('v=0', 'o=- 1 1 IN IP4 127.0.0.1', 's=-', 't=0 0', 'm=audio 9 RTP/AVP 0', 'a=rtpmap:0 PCMU/8000');

const asLf = (sdp: string): string => sdp.replaceAll('\r\n', '\n');
const candidateAddresses = (sdp: string): string[] =>
  sdp
    .split('\r\n')
    .filter((line) => line.startsWith('a=candidate:'))
    .map((line) => line.split(' ')[4] ?? '');
const sectionOf = (sdp: string, kind: string): string[] => {
  const all = sdp.split('\r\n');
  const start = all.findIndex((line) => line.startsWith(`m=${kind} `));
  const end = all.findIndex((line, index) => index > start && line.startsWith('m='));
  return all.slice(start, end < 0 ? all.length - 1 : end);
};
const DIRECTION_LINES = ['a=sendrecv', 'a=sendonly', 'a=recvonly', 'a=inactive'];
const ALL_DIRECTIONS: readonly MediaDirection[] = ['sendrecv', 'sendonly', 'recvonly', 'inactive'];

describe('loopbackOnly', () => {
  it.each([
    ['127.0.0.1', true],
    ['::1', false],
    ['127.0.0.2', false],
    ['192.0.2.2', false],
    ['fd00::2', false],
    ['localhost', false],
    ['5b1f3c2a-8e4d-4f6a-9c1b-7d2e0a3f4b5c.local', false],
    ['', false],
  ])('%j → %s', (address, expected) => {
    expect(loopbackOnly(address)).toBe(expected);
  });
});

describe('audioDirection', () => {
  it.each<[string, string, MediaDirection]>([
    ['Chrome offer', CHROME_OFFER, 'sendrecv'],
    ['wrtc offer', WRTC_OFFER, 'sendrecv'],
    ['wrtc offer put on hold', WRTC_OFFER.replace('a=sendrecv', 'a=sendonly'), 'sendonly'],
    ['held party answer', WRTC_OFFER.replace('a=sendrecv', 'a=recvonly'), 'recvonly'],
    ['both on hold', WRTC_OFFER.replace('a=sendrecv', 'a=inactive'), 'inactive'],
    ['session-level only (PBX hold)', PBX_HOLD_OFFER, 'sendonly'],
    ['media level beats session level', VIDEO_FIRST_OFFER, 'recvonly'],
    ['no direction anywhere', NO_DIRECTION_OFFER, 'sendrecv'],
    ['bare LF line endings', asLf(WRTC_OFFER.replace('a=sendrecv', 'a=sendonly')), 'sendonly'],
    ['no audio section: session level', crlf('v=0', 's=-', 't=0 0', 'a=inactive', 'm=video 9 RTP/AVP 96'), 'inactive'],
    ['empty text', '', 'sendrecv'],
  ])('%s → %s', (_name, sdp, expected) => {
    expect(audioDirection(sdp)).toBe(expected);
  });
});

describe('withAudioDirection', () => {
  const fixtures: [string, string][] = [
    ['Chrome offer', CHROME_OFFER],
    ['wrtc offer', WRTC_OFFER],
    ['PBX hold offer (no media-level direction)', PBX_HOLD_OFFER],
    ['video-first offer', VIDEO_FIRST_OFFER],
    ['LF-only wrtc offer', asLf(WRTC_OFFER)],
  ];
  const grid = fixtures.flatMap(([name, sdp]) => ALL_DIRECTIONS.map((d) => [name, sdp, d] as const));

  it.each(grid)('%s → %s', (_name, sdp, direction) => {
    const out = withAudioDirection(sdp, direction);
    expect(audioDirection(out)).toBe(direction);
    expect(out.endsWith('\r\n')).toBe(true);
    expect(out.replaceAll('\r\n', '')).not.toContain('\n');
    const audio = sectionOf(out, 'audio');
    expect(audio.filter((line) => DIRECTION_LINES.includes(line))).toEqual([`a=${direction}`]);
    // Nothing but the audio direction changes.
    const withoutAudioDirection = (text: string): string[] => {
      const all = text.split('\r\n');
      const start = all.findIndex((line) => line.startsWith('m=audio '));
      const end = all.findIndex((line, index) => index > start && line.startsWith('m='));
      const inAudio = (index: number): boolean => index >= start && (end < 0 || index < end);
      return all.filter((line, index) => !(inAudio(index) && DIRECTION_LINES.includes(line)));
    };
    expect(withoutAudioDirection(out)).toEqual(withoutAudioDirection(sdp.replaceAll(/\r?\n/g, '\r\n')));
  });

  it('replaces the direction in place', () => {
    const out = withAudioDirection(WRTC_OFFER, 'sendonly');
    expect(out).toBe(WRTC_OFFER.replace('a=sendrecv', 'a=sendonly'));
  });

  it('appends a direction at the end of an audio section that has none', () => {
    const out = withAudioDirection(NO_DIRECTION_OFFER, 'inactive');
    expect(out).toBe(`${NO_DIRECTION_OFFER}a=inactive\r\n`);
  });

  it('leaves the video section and the session level alone', () => {
    const out = withAudioDirection(VIDEO_FIRST_OFFER, 'sendrecv');
    expect(sectionOf(out, 'video')).toEqual(sectionOf(VIDEO_FIRST_OFFER, 'video'));
    expect(out.split('\r\n').slice(0, 5)).toEqual(VIDEO_FIRST_OFFER.split('\r\n').slice(0, 5));
  });

  it('collapses duplicate direction attributes into one', () => {
    const doubled = WRTC_OFFER.replace('a=sendrecv\r\n', 'a=sendrecv\r\na=inactive\r\n');
    expect(withAudioDirection(doubled, 'recvonly')).toBe(WRTC_OFFER.replace('a=sendrecv', 'a=recvonly'));
  });
});

describe('keepCandidates', () => {
  it.each<[string, string, (address: string) => boolean, string[]]>([
    ['Chrome offer, loopback only', CHROME_OFFER, loopbackOnly, ['127.0.0.1']],
    ['wrtc offer, loopback only (UDP and TCP)', WRTC_OFFER, loopbackOnly, ['127.0.0.1', '127.0.0.1']],
    ['LF-only wrtc offer, loopback only', asLf(WRTC_OFFER), loopbackOnly, ['127.0.0.1', '127.0.0.1']],
    ['wrtc offer, IPv4 only', WRTC_OFFER, (a) => !a.includes(':'), ['192.0.2.2', '127.0.0.1', '192.0.2.2', '127.0.0.1']],
    ['wrtc offer, keep nothing', WRTC_OFFER, () => false, []],
    ['PBX offer (no candidates)', PBX_HOLD_OFFER, loopbackOnly, []],
  ])('%s', (_name, sdp, keep, expected) => {
    const out = keepCandidates(sdp, keep);
    expect(candidateAddresses(out)).toEqual(expected);
    expect(out.replaceAll('\r\n', '')).not.toContain('\n');
    // Every other line is kept, in order.
    const others = (text: string): string[] => text.split(/\r?\n/).filter((line) => !line.startsWith('a=candidate:'));
    expect(others(out)).toEqual(others(sdp));
  });

  it('is the identity on CRLF input when everything is kept', () => {
    expect(keepCandidates(CHROME_OFFER, () => true)).toBe(CHROME_OFFER);
    expect(keepCandidates(WRTC_OFFER, () => true)).toBe(WRTC_OFFER);
  });

  it('turns bare LF into CRLF', () => {
    expect(keepCandidates(asLf(WRTC_OFFER), () => true)).toBe(WRTC_OFFER);
  });

  it('asks about the connection address, never the related address (raddr)', () => {
    const asked: string[] = [];
    keepCandidates(CHROME_OFFER, (address) => {
      asked.push(address);
      return true;
    });
    expect(asked).toEqual([
      '192.0.2.10',
      '5b1f3c2a-8e4d-4f6a-9c1b-7d2e0a3f4b5c.local',
      'fd00::10',
      '127.0.0.1',
      '::1',
      '192.0.2.10',
      '203.0.113.7',
    ]);
  });

  it('leaves c= and the m-line port alone even when they name a dropped candidate', () => {
    const out = keepCandidates(WRTC_OFFER, loopbackOnly);
    expect(out).toContain('c=IN IP4 192.0.2.2\r\n');
    expect(out).toContain('m=audio 58352 ');
  });

  it('drops a malformed candidate line (no address)', () => {
    const sdp = crlf('v=0', 'm=audio 9 RTP/AVP 0', 'a=candidate:1 1 udp', 'a=rtpmap:0 PCMU/8000');
    expect(keepCandidates(sdp, () => true)).toBe(crlf('v=0', 'm=audio 9 RTP/AVP 0', 'a=rtpmap:0 PCMU/8000'));
  });
});

describe('hasTelephoneEvent', () => {
  it.each([
    ['Chrome offer', CHROME_OFFER, true],
    ['wrtc offer', WRTC_OFFER, true],
    ['LF-only wrtc offer', asLf(WRTC_OFFER), true],
    ['PBX offer without DTMF', PBX_HOLD_OFFER, false],
    ['telephone-event only in video, unlisted in audio', VIDEO_FIRST_OFFER, false],
    [
      'rtpmap present but payload type not offered on the m-line',
      crlf('v=0', 'm=audio 9 RTP/AVP 0', 'a=rtpmap:0 PCMU/8000', 'a=rtpmap:101 telephone-event/8000'),
      false,
    ],
    ['upper-case encoding name', crlf('v=0', 'm=audio 9 RTP/AVP 0 101', 'a=rtpmap:0 PCMU/8000', 'a=rtpmap:101 TELEPHONE-EVENT/8000'), true],
    ['empty text', '', false],
  ])('%s → %s', (_name, sdp, expected) => {
    expect(hasTelephoneEvent(sdp)).toBe(expected);
  });
});

/** One DTLS audio stream; a null fingerprint or setup leaves that attribute out. */
const dtlsAudio = (fingerprint: string | null, setup: string | null): string =>
  crlf(
    'v=0',
    'o=- 1 2 IN IP4 127.0.0.1',
    's=-',
    't=0 0',
    'm=audio 9 UDP/TLS/RTP/SAVPF 111',
    'a=ice-ufrag:abcd',
    ...(fingerprint === null ? [] : [`a=fingerprint:${fingerprint}`]),
    ...(setup === null ? [] : [`a=setup:${setup}`]),
    'a=mid:0',
    'a=sendrecv',
  );

describe('dtlsServerAnswer: a new DTLS association gets our passive answer', () => {
  const FP_OLD = 'sha-256 AA:BB:CC:DD';
  const FP_NEW = 'sha-256 11:22:33:44';
  const description = dtlsAudio;
  const answer = description('sha-256 99:88:77:66', 'active');

  it.each([
    ['the first negotiation (no earlier remote description)', undefined, description(FP_NEW, 'actpass'), answer],
    ['the same association (hold, unhold)', description(FP_OLD, 'actpass'), description(FP_OLD, 'actpass'), answer],
    ['the same fingerprint in other letter case', description(FP_OLD, 'actpass'), description(FP_OLD.toLowerCase(), 'actpass'), answer],
    ['an offer that fixed its role active', description(FP_OLD, 'actpass'), description(FP_NEW, 'active'), answer],
    ['an offer that fixed its role passive', description(FP_OLD, 'actpass'), description(FP_NEW, 'passive'), answer],
    ['an offer without a setup attribute', description(FP_OLD, 'actpass'), description(FP_NEW, null), answer],
    ['an offer without a fingerprint', description(FP_OLD, 'actpass'), description(null, 'actpass'), answer],
    [
      'an answer already passive',
      description(FP_OLD, 'actpass'),
      description(FP_NEW, 'actpass'),
      description('sha-256 99:88:77:66', 'passive'),
    ],
  ])('leaves %s alone', (_case, previous, offer, ours) => {
    expect(dtlsServerAnswer(previous, offer, ours)).toBeNull();
  });

  it('answers passive, and changes nothing else, when the offerer started a new association', () => {
    const edited = dtlsServerAnswer(description(FP_OLD, 'passive'), description(FP_NEW, 'actpass'), answer);
    expect(edited).toBe(answer.replace('a=setup:active', 'a=setup:passive'));
  });

  it('edits a session-level setup attribute too, and accepts bare-LF input', () => {
    const sessionLevel = answer.replace('t=0 0\r\n', 't=0 0\r\na=setup:active\r\n').replace(/\r\n/g, '\n');
    const edited = dtlsServerAnswer(description(FP_OLD, 'active'), description(FP_NEW, 'actpass'), sessionLevel) ?? '';
    expect(edited.match(/^a=setup:passive\r$/gm)).toHaveLength(2);
    expect(edited).not.toContain('a=setup:active');
  });
});

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
  const offer = (setup: string): string => dtlsAudio('sha-256 AA:BB', setup);

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
