import { describe, expect, it } from 'vitest';
import { answerProblem, answerReason } from '../../shared/answerCheck.js';
import * as answers from '../fixtures/sdp/answers.js';

const { OUR_OFFER, OFFER_OPUS_PCMU, G729_ONLY, LINPHONE_VIA_RTPENGINE, WRTC_AGENT } = answers;

describe('answerProblem on answers as real peers send them', () => {
  it.each(Object.entries(answers.GOOD_ANSWERS))('%s: none', (_name, answer) => {
    expect(answerProblem(OUR_OFFER, answer)).toBeNull();
  });

  const bad = Object.entries(answers.BAD_ANSWERS).flatMap(([reason, byName]) =>
    Object.entries(byName).map(([name, answer]) => [name, reason, answer] as const),
  );
  it.each(bad)('%s: %s', (_name, reason, answer) => {
    expect(answerProblem(OUR_OFFER, answer)?.reason).toBe(reason);
  });

  it('takes PCMU alone as the answer to an opus and PCMU offer, and not G.729', () => {
    expect(answerProblem(OFFER_OPUS_PCMU, answers.LINPHONE_PCMU_VIA_RTPENGINE)).toBeNull();
    expect(answerProblem(OFFER_OPUS_PCMU, answers.BARESIP_PCMU_VIA_RTPENGINE)).toBeNull();
    expect(answerProblem(OFFER_OPUS_PCMU, G729_ONLY)?.reason).toBe('no-common-codec');
  });

  it('reads SDP with bare LF line ends as with CRLF', () => {
    const lf = (sdp: string): string => sdp.replace(/\r\n/g, '\n');
    expect(answerProblem(lf(OUR_OFFER), lf(LINPHONE_VIA_RTPENGINE))).toBeNull();
    expect(answerProblem(lf(OUR_OFFER), lf(G729_ONLY))?.reason).toBe('no-common-codec');
  });

  it('treats a body that is not SDP as an answer with no audio', () => {
    expect(answerProblem(OUR_OFFER, 'hello')?.reason).toBe('no-audio');
    expect(answerProblem(OUR_OFFER, '')?.reason).toBe('no-audio');
  });

  it('has nothing to check when our offer carried no audio', () => {
    expect(answerProblem('', G729_ONLY)).toBeNull();
    expect(answerProblem(OUR_OFFER.replace(/^m=audio \d+/m, 'm=audio 0'), G729_ONLY)).toBeNull();
  });
});

describe('where the answer’s audio section is', () => {
  it('is the one at the position of our audio section, not the first audio section', () => {
    const offer = OUR_OFFER.replace(/^m=audio/m, 'm=video 9 UDP/TLS/RTP/SAVPF 96\r\na=mid:v\r\nm=audio');
    const declinedVideoFirst = LINPHONE_VIA_RTPENGINE.replace(/^m=audio/m, 'm=video 0 UDP/TLS/RTP/SAVPF 96\r\na=mid:v\r\nm=audio');
    expect(answerProblem(offer, declinedVideoFirst)).toBeNull();
    expect(answerProblem(offer, LINPHONE_VIA_RTPENGINE)?.reason).toBe('no-audio');
  });

  it('takes a port 0 audio section bundled with a section that carries the transport', () => {
    const offer = OUR_OFFER.replace('a=group:BUNDLE 0', 'a=group:BUNDLE v 0').replace(
      /^m=audio/m,
      'm=video 9 UDP/TLS/RTP/SAVPF 96\r\na=mid:v\r\na=rtpmap:96 VP8/90000\r\nm=audio',
    );
    const answer = WRTC_AGENT.replace('a=group:BUNDLE 0', 'a=group:BUNDLE v 0')
      .replace(/^m=audio \d+/m, 'm=video 9 UDP/TLS/RTP/SAVPF 96\r\na=mid:v\r\na=rtcp-mux\r\na=rtpmap:96 VP8/90000\r\nm=audio 0')
      // rtcp-mux only on the section that carries the transport
      .replace(/(^m=audio[^]*?)a=rtcp-mux\r\n/m, '$1');
    expect(answer.match(/^a=rtcp-mux/gm)).toHaveLength(1);
    expect(answerProblem(offer, answer)).toBeNull();
  });
});

describe('the sentence', () => {
  it('names what was answered and the voice codecs we offered', () => {
    expect(answerProblem(OFFER_OPUS_PCMU, G729_ONLY)?.detail).toBe(
      'The other side answered with no audio codec Baton can use (answered: G729/8000; offered: opus/48000/2, PCMU/8000).',
    );
  });

  it('names the payload type, its codec in the answer and in our offer', () => {
    expect(answerProblem(OUR_OFFER, answers.PCMU_NUMBER_REMAPPED)?.detail).toBe(
      "The other side's answer uses payload type 0 for G729/8000, which Baton offered as PCMU/8000, so neither side would decode the other's audio.",
    );
    expect(answerProblem(OUR_OFFER, answers.OPUS_NUMBER_REMAPPED)?.detail).toContain(
      'payload type 111 for PCMA/8000, which Baton offered as opus/48000/2',
    );
  });

  it('says the audio was declined, and what the transport lacks', () => {
    expect(answerProblem(OUR_OFFER, answers.AUDIO_DECLINED)?.detail).toContain('declined the audio stream (port 0');
    expect(answerProblem(OUR_OFFER, answers.NO_FINGERPRINT)?.detail).toContain('no DTLS fingerprint');
  });

  it('keeps what the peer chose printable and bounded', () => {
    const hostile = G729_ONLY.replace('a=rtpmap:18 G729/8000', `a=rtpmap:18 G7"29\\${'x'.repeat(100)}/8000`);
    const detail = answerProblem(OUR_OFFER, hostile)?.detail ?? '';
    expect(detail).toContain('G7?29?xxx');
    expect(detail).not.toMatch(/x{40}/);
    expect(detail).not.toMatch(/["\\]/);
  });
});

describe('answerReason', () => {
  it('is a Reason header value with cause 488 and the sentence as its text', () => {
    const problem = answerProblem(OFFER_OPUS_PCMU, G729_ONLY);
    if (!problem) throw new Error('G.729 only must be a problem');
    expect(answerReason(problem.detail)).toBe(`SIP;cause=488;text="${problem.detail}"`);
  });

  it('escapes quotes and backslashes and drops line breaks', () => {
    expect(answerReason('a "b" \\ c\r\nd')).toBe('SIP;cause=488;text="a \\"b\\" \\\\ c d"');
  });
});
