/**
 * Whether Baton's media engines can take an SDP offer, decided before anyone is alerted: an offer
 * they cannot take would ring the agent and then fail on answer, so the phone refuses it at once
 * (488 with a Warning) and logs why.
 *
 * Both engines are libwebrtc (Chromium in the product, @roamhq/wrtc in tests and bots). What they
 * need of an audio m-section, measured with Chromium 156 and wrtc 0.10 (see test/fixtures/sdp):
 * - ICE credentials and a DTLS fingerprint (session or media level): without them
 *   setRemoteDescription fails ("Called with SDP without DTLS fingerprint", "... ice-ufrag").
 * - rtcp-mux: both engines run `rtcpMuxPolicy: 'require'` and refuse an offer without it.
 * - A DTLS-SRTP profile. TCP/DTLS/RTP/SAVPF (RFC 7850) is not one libwebrtc knows: it answers that
 *   m-line with port 0, a call without audio. Legacy peers label DTLS-SRTP with a plain profile
 *   (RTP/SAVPF with ICE and a fingerprint) and libwebrtc takes it, so a plain profile is refused
 *   only when ICE or the fingerprint is missing: a phone speaking plain RTP or SDES-SRTP.
 * - A voice codec both engines decode: opus/48000/2, G722/8000, PCMU/8000, PCMA/8000. Chromium
 *   answers an offer without one (telephone-event alone, G.729…) with no voice codec at all instead
 *   of failing; wrtc fails. Either way nobody would hear anybody.
 *
 * Pure: compiles under the main and renderer configs, imports nothing. The answer check
 * (answerCheck.ts) reads SDP with the exported helpers below.
 */

export type OfferProblemReason = 'no-audio' | 'unsupported-transport' | 'no-ice' | 'no-fingerprint' | 'no-rtcp-mux' | 'no-common-codec';

/** RFC 3261 §20.43 warn-codes used for refused offers. */
export type OfferWarnCode = 302 | 304 | 305;

export interface OfferProblem {
  readonly reason: OfferProblemReason;
  /** One sentence for logs and the Warning header: what the offer lacks and what we need. */
  readonly detail: string;
  readonly warnCode: OfferWarnCode;
}

const WARN_TEXT: Readonly<Record<OfferWarnCode, string>> = {
  302: 'Incompatible transport protocol',
  304: 'Media type not available',
  305: 'Incompatible media format',
};

const WARN_CODE: Readonly<Record<OfferProblemReason, OfferWarnCode>> = {
  'no-audio': 304,
  'unsupported-transport': 302,
  'no-ice': 302,
  'no-fingerprint': 302,
  'no-rtcp-mux': 302,
  'no-common-codec': 305,
};

/** Profiles libwebrtc runs DTLS-SRTP over (its IsDtlsRtp list). Compared exactly, as libwebrtc does. */
const DTLS_PROFILES = new Set(['UDP/TLS/RTP/SAVPF', 'UDP/TLS/RTP/SAVP', 'TCP/TLS/RTP/SAVPF', 'TCP/TLS/RTP/SAVP']);
/** Plain RTP profiles: libwebrtc accepts the label, but always speaks ICE and DTLS-SRTP under it. */
const PLAIN_PROFILES = new Set(['RTP/AVP', 'RTP/AVPF', 'RTP/SAVP', 'RTP/SAVPF']);

export interface Codec {
  readonly name: string;
  readonly rate: number;
  readonly channels: number;
}

/** Voice codecs both engines decode (Chromium 156 lacks wrtc's iLBC and iSAC). */
export const OUR_CODECS: readonly Codec[] = [
  { name: 'opus', rate: 48000, channels: 2 },
  { name: 'G722', rate: 8000, channels: 1 },
  { name: 'PCMU', rate: 8000, channels: 1 },
  { name: 'PCMA', rate: 8000, channels: 1 },
];
const OUR_CODEC_NAMES = OUR_CODECS.map((codec) => codec.name).join(', ');

/** RFC 3551 static payload types a peer may list without an rtpmap line (only ours matter). */
const STATIC_PAYLOADS: Readonly<Record<string, Codec>> = {
  '0': { name: 'PCMU', rate: 8000, channels: 1 },
  '8': { name: 'PCMA', rate: 8000, channels: 1 },
  '9': { name: 'G722', rate: 8000, channels: 1 },
};

/** How many offered codecs a detail names; the rest are counted. */
const MAX_NAMED_CODECS = 8;

export interface Section {
  readonly media: string;
  readonly port: number | null;
  readonly profile: string;
  readonly formats: readonly string[];
  /** Its attribute lines without the `a=` prefix. */
  readonly attributes: readonly string[];
}

/**
 * Why our engines cannot take `sdp` as an offer, or null when they can. Looks at the first audio
 * m-section that is not declined (Baton's calls carry one); other sections are the engine's to
 * decline. Not an SDP parser: reads only the lines the rules above need.
 */
export function offerProblem(sdp: string): OfferProblem | null {
  const { session, sections } = parseSdp(sdp);
  const audio = sections.find((section) => section.media === 'audio' && (section.port !== 0 || has(section.attributes, 'bundle-only')));
  if (!audio) return problem('no-audio', noAudioDetail(sections));

  // Attributes of the transport: the section's own, those of the section that carries its BUNDLE
  // group's transport (a bundle-only section has none of its own), then the session's.
  const transport = [...audio.attributes, ...bundleTagAttributes(session, sections, audio), ...session];
  const ice = has(transport, 'ice-ufrag') && has(transport, 'ice-pwd');
  const fingerprint = has(transport, 'fingerprint');

  if (!DTLS_PROFILES.has(audio.profile)) {
    if (!PLAIN_PROFILES.has(audio.profile)) {
      return problem(
        'unsupported-transport',
        `The offer's audio transport ${printable(audio.profile)} is not one WebRTC speaks; it needs UDP/TLS/RTP/SAVPF.`,
      );
    }
    if (!ice || !fingerprint) {
      const sdes = has(audio.attributes, 'crypto');
      return problem(
        'unsupported-transport',
        sdes
          ? `The offer protects audio with SDES keys (${printable(audio.profile)}, a=crypto) and has no DTLS fingerprint; WebRTC needs ICE and DTLS-SRTP (UDP/TLS/RTP/SAVPF).`
          : `The offer sends plain RTP (${printable(audio.profile)}) without ICE and DTLS-SRTP; WebRTC needs UDP/TLS/RTP/SAVPF.`,
      );
    }
  }
  if (!ice) return problem('no-ice', 'The offer has no ICE credentials (a=ice-ufrag, a=ice-pwd); WebRTC needs ICE.');
  if (!fingerprint) return problem('no-fingerprint', 'The offer has no DTLS fingerprint (a=fingerprint); WebRTC needs DTLS-SRTP.');
  if (!has(audio.attributes, 'rtcp-mux')) {
    return problem('no-rtcp-mux', 'The offer does not multiplex RTCP with RTP (no a=rtcp-mux); WebRTC needs rtcp-mux.');
  }

  const offered = codecsOf(audio);
  if (!offered.some((codec) => codec !== null && OUR_CODECS.some((ours) => sameCodec(ours, codec)))) {
    return problem(
      'no-common-codec',
      `The offer has no voice codec in common with ours (offered: ${describeCodecs(audio, offered)}; ours: ${OUR_CODEC_NAMES}).`,
    );
  }
  return null;
}

/**
 * The Warning header (RFC 3261 §20.43) for a 488 refusing an offer, e.g.
 * `Warning: 305 baton "Incompatible media format: The offer has no voice codec ..."`.
 */
export function warningHeader(problem: OfferProblem, agent = 'baton'): string {
  return `Warning: ${problem.warnCode} ${agent} "${WARN_TEXT[problem.warnCode]}: ${quotedText(problem.detail)}"`;
}

function problem(reason: OfferProblemReason, detail: string): OfferProblem {
  return { reason, detail, warnCode: WARN_CODE[reason] };
}

function noAudioDetail(sections: readonly Section[]): string {
  if (sections.some((section) => section.media === 'audio'))
    return 'The offer declines its audio stream (port 0); there is nothing to answer.';
  if (sections.length === 0) return 'The offer has no media stream (no m= line); an audio stream is needed.';
  const kinds = [...new Set(sections.map((section) => printable(section.media)))].join(', ');
  return `The offer has no audio stream (offered: ${kinds}); an audio stream is needed.`;
}

/** The codec behind each format of the m-line; null where the SDP does not say (dynamic, no rtpmap). */
export function codecsOf(section: Section): Array<Codec | null> {
  const mapped = new Map<string, Codec>();
  for (const attribute of section.attributes) {
    const match = /^rtpmap:(\d+)\s+([^/\s]+)\/(\d+)(?:\/(\d+))?/i.exec(attribute);
    if (match?.[1] === undefined || match[2] === undefined) continue;
    if (!mapped.has(match[1])) mapped.set(match[1], { name: match[2], rate: Number(match[3]), channels: Number(match[4] ?? '1') });
  }
  return section.formats.map((format) => mapped.get(format) ?? STATIC_PAYLOADS[format] ?? null);
}

export function sameCodec(ours: Codec, offered: Codec): boolean {
  return ours.name.toLowerCase() === offered.name.toLowerCase() && ours.rate === offered.rate && ours.channels === offered.channels;
}

export function describeCodecs(section: Section, codecs: ReadonlyArray<Codec | null>): string {
  const names = codecs.map((codec, index) =>
    codec === null
      ? `payload ${printable(section.formats[index] ?? '?')}`
      : `${printable(codec.name)}/${codec.rate}${codec.channels === 1 ? '' : `/${codec.channels}`}`,
  );
  if (names.length === 0) return 'none';
  const shown = names.slice(0, MAX_NAMED_CODECS).join(', ');
  return names.length > MAX_NAMED_CODECS ? `${shown} and ${names.length - MAX_NAMED_CODECS} more` : shown;
}

/** The session-level attributes and the m-sections of `sdp`, in order. */
export function parseSdp(sdp: string): { session: string[]; sections: Section[] } {
  const session: string[] = [];
  const sections: Array<{ header: string; attributes: string[] }> = [];
  for (const raw of sdp.split(/\r?\n/)) {
    const line = raw.trim();
    if (line.startsWith('m=')) sections.push({ header: line.slice(2), attributes: [] });
    else if (line.startsWith('a=')) (sections.at(-1)?.attributes ?? session).push(line.slice(2));
  }
  return {
    session,
    sections: sections.map(({ header, attributes }) => {
      const [media = '', port = '', profile = '', ...formats] = header.split(/\s+/);
      const portNumber = /^\d+(\/\d+)?$/.test(port) ? Number(port.split('/')[0]) : null;
      return { media: media.toLowerCase(), port: portNumber, profile, formats, attributes };
    }),
  };
}

/** The attributes of the first section named in the BUNDLE group that lists `section`'s mid. */
export function bundleTagAttributes(session: readonly string[], sections: readonly Section[], section: Section): readonly string[] {
  const mid = value(section.attributes, 'mid');
  if (mid === null) return [];
  for (const group of session) {
    const match = /^group:BUNDLE\s+(.*)$/i.exec(group);
    const mids = match?.[1]?.trim().split(/\s+/) ?? [];
    if (!mids.includes(mid)) continue;
    const tagged = sections.find((other) => other.port !== 0 && mids.includes(value(other.attributes, 'mid') ?? ''));
    return tagged?.attributes ?? [];
  }
  return [];
}

/** True when an attribute `name` (flag `a=name` or `a=name:value`) is present. */
export function has(attributes: readonly string[], name: string): boolean {
  return attributes.some((attribute) => attribute === name || attribute.startsWith(`${name}:`));
}

export function value(attributes: readonly string[], name: string): string | null {
  const found = attributes.find((attribute) => attribute.startsWith(`${name}:`));
  return found === undefined ? null : found.slice(name.length + 1).trim();
}

/** Peer-chosen tokens in our sentences: printable ASCII, bounded, nothing that ends a quoted string. */
export function printable(token: string): string {
  const clean = token.replace(/[^\x21-\x7e]/g, '?').replace(/["\\]/g, '?');
  return clean.length > 32 ? `${clean.slice(0, 32)}...` : clean;
}

/** RFC 3261 quoted-string content: no CR/LF, quotes and backslashes escaped, bounded length. */
export function quotedText(text: string): string {
  const flat = text.replace(/[\r\n]+/g, ' ').replace(/[\\"]/g, (char) => `\\${char}`);
  return flat.length > 400 ? `${flat.slice(0, 400)}...` : flat;
}
