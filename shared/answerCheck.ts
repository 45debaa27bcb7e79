/**
 * Whether the far end's SDP answer to our offer leaves the call any audio, decided before the
 * answer reaches the engine. Chromium 156 applies an answer without a voice codec it can send
 * (G.729 alone, telephone-event alone, iLBC) without an error, and the call looks live while it
 * sends nothing; wrtc 0.10 (libwebrtc M106) refuses the same answers ("Failed to set remote audio
 * description send parameters") but takes iLBC, which Chromium cannot. Measured: both engines.
 *
 * What an answer must have, against the offer it answers (RFC 3264 §6):
 * - The audio m-line at the offer's position, with a port other than 0 (or bundled with one that has).
 * - A voice codec Baton offered (opus, G722, PCMU, PCMA), under the payload type Baton offered it
 *   with: telephone-event, CN or red alone carry no voice.
 * - Each payload type it shares with the offer naming the offer's codec: an answer that reuses our
 *   number for another codec makes each end decode the other's packets as the wrong codec.
 * - ICE credentials, a DTLS fingerprint and rtcp-mux where the offer had them: the engines refuse
 *   such an answer anyway; the check says why in a sentence the agent can read.
 *
 * Pure: reads SDP with offerCheck's reader, imports nothing outside shared/.
 */
import {
  bundleTagAttributes,
  codecsOf,
  describeCodecs,
  has,
  OUR_CODECS,
  parseSdp,
  printable,
  quotedText,
  sameCodec,
  value,
  type Codec,
  type Section,
} from './offerCheck.js';

export type AnswerProblemReason = 'no-audio' | 'remapped-payload' | 'no-common-codec' | 'no-ice' | 'no-fingerprint' | 'no-rtcp-mux';

export interface AnswerProblem {
  readonly reason: AnswerProblemReason;
  /** One sentence for the agent, the log and the BYE's Reason header: what the answer lacks. */
  readonly detail: string;
}

/**
 * Why the far end's `answer` to our `offer` leaves the call without audio, or null when it does not.
 * Looks at the answer's m-section at the position of the offer's first audio section that is not
 * declined (Baton's offers carry one). An offer with no such section has nothing to check.
 */
export function answerProblem(offer: string, answer: string): AnswerProblem | null {
  const ours = parseSdp(offer);
  const index = ours.sections.findIndex((section) => section.media === 'audio' && section.port !== 0);
  const offered = ours.sections[index];
  if (offered === undefined) return null;
  const theirs = parseSdp(answer);
  const answered = theirs.sections[index];
  if (answered?.media !== 'audio') {
    return problem('no-audio', "The other side's answer has no audio stream, so the call would have no audio.");
  }
  if (answered.port === 0 && !bundled(theirs.session, answered)) {
    return problem('no-audio', 'The other side declined the audio stream (port 0 in its answer), so the call would have no audio.');
  }

  const offeredCodecs = codecsOf(offered);
  const answeredCodecs = codecsOf(answered);
  const offeredAs = (format: string): Codec | null => offeredCodecs[offered.formats.indexOf(format)] ?? null;
  for (const [position, format] of answered.formats.entries()) {
    const theirCodec = answeredCodecs[position] ?? null;
    const ourCodec = offeredAs(format);
    if (theirCodec !== null && ourCodec !== null && !sameCodec(ourCodec, theirCodec)) {
      return problem(
        'remapped-payload',
        `The other side's answer uses payload type ${printable(format)} for ${codecName(theirCodec)}, which Baton offered as ${codecName(ourCodec)}, so neither side would decode the other's audio.`,
      );
    }
  }
  // A dynamic payload type the answer lists without an rtpmap names no codec (libwebrtc ignores it).
  const common = answered.formats.some((format, position) => {
    const codec = answeredCodecs[position] ?? null;
    return codec !== null && offeredAs(format) !== null && isVoice(codec);
  });
  if (!common) {
    const voice: Section = { ...offered, formats: offered.formats.filter((_format, position) => isVoice(offeredCodecs[position] ?? null)) };
    return problem(
      'no-common-codec',
      `The other side answered with no audio codec Baton can use (answered: ${describeCodecs(answered, answeredCodecs)}; offered: ${describeCodecs(voice, codecsOf(voice))}).`,
    );
  }

  const ourTransport = transport(ours.session, ours.sections, offered);
  const theirTransport = transport(theirs.session, theirs.sections, answered);
  if (has(ourTransport, 'ice-ufrag') && !(has(theirTransport, 'ice-ufrag') && has(theirTransport, 'ice-pwd'))) {
    return problem('no-ice', "The other side's answer has no ICE credentials (a=ice-ufrag, a=ice-pwd); Baton's audio needs ICE.");
  }
  if (has(ourTransport, 'fingerprint') && !has(theirTransport, 'fingerprint')) {
    return problem('no-fingerprint', "The other side's answer has no DTLS fingerprint (a=fingerprint); Baton's audio needs DTLS-SRTP.");
  }
  const theirMux = [...answered.attributes, ...bundleTagAttributes(theirs.session, theirs.sections, answered)];
  if (has(offered.attributes, 'rtcp-mux') && !has(theirMux, 'rtcp-mux')) {
    return problem(
      'no-rtcp-mux',
      "The other side's answer does not multiplex RTCP with RTP (no a=rtcp-mux); Baton's audio needs rtcp-mux.",
    );
  }
  return null;
}

/**
 * The Reason header value (RFC 3326) of the BYE that ends a call whose answer cannot be used:
 * cause 488 (Not Acceptable Here), `text` a problem's detail.
 */
export function answerReason(text: string): string {
  return `SIP;cause=488;text="${quotedText(text)}"`;
}

function problem(reason: AnswerProblemReason, detail: string): AnswerProblem {
  return { reason, detail };
}

/** A section's transport attributes: its own, its BUNDLE group's tagged section's, the session's. */
function transport(session: readonly string[], sections: readonly Section[], section: Section): readonly string[] {
  return [...section.attributes, ...bundleTagAttributes(session, sections, section), ...session];
}

/** True when the answer puts `section` in a BUNDLE group, whose transport then carries it. */
function bundled(session: readonly string[], section: Section): boolean {
  const mid = value(section.attributes, 'mid');
  if (mid === null) return false;
  return session.some((line) => /^group:BUNDLE\s/i.test(line) && line.split(/\s+/).slice(1).includes(mid));
}

/** One of the voice codecs Baton's engines decode: telephone-event, CN and red are not. */
function isVoice(codec: Codec | null): boolean {
  return codec !== null && OUR_CODECS.some((ours) => sameCodec(ours, codec));
}

function codecName(codec: Codec): string {
  return `${printable(codec.name)}/${codec.rate}${codec.channels === 1 ? '' : `/${codec.channels}`}`;
}
