/**
 * Small, pure SDP edits shared by the SIP layer and both media engines.
 *
 * Pure on purpose: this file compiles under the main (Node) and renderer (DOM) configs, so it imports
 * nothing but types. These helpers read and patch the few lines Baton cares about; they are not a
 * general SDP parser and leave every other line byte-for-byte as it was.
 *
 * Input may use CRLF or bare LF (SDP pasted from logs, or produced by tools that normalise newlines);
 * output always ends every line with CRLF, as RFC 4566 and SIP bodies require. Empty lines are dropped.
 */
import type { MediaDirection } from './media.js';

const DIRECTIONS: readonly MediaDirection[] = ['sendrecv', 'sendonly', 'recvonly', 'inactive'];

/** Address that may carry lab media: IPv4 loopback only (wrtc and Chromium also offer ::1, 192.0.2.x…). */
export const loopbackOnly = (address: string): boolean => address === '127.0.0.1';

/**
 * The direction of the audio stream: the first audio m-section's attribute, else the session-level
 * one (RFC 4566 lets media inherit it), else sendrecv (the RFC 3264 default).
 */
export function audioDirection(sdp: string): MediaDirection {
  const { session, media } = sections(lines(sdp));
  const audio = media.find(isAudio);
  return (audio && directionOf(audio.lines)) ?? directionOf(session) ?? 'sendrecv';
}

/**
 * Sets the direction of every audio m-section: the first direction attribute is replaced in place and
 * any duplicate dropped; without one, it is appended at the end of the section, where an `a=` line is
 * always grammatical. A session-level direction is left alone: the media-level attribute overrides it.
 */
export function withAudioDirection(sdp: string, direction: MediaDirection): string {
  const { session, media } = sections(lines(sdp));
  const out = [...session];
  for (const section of media) {
    if (!isAudio(section)) {
      out.push(...section.lines);
      continue;
    }
    const at = section.lines.findIndex(isDirectionLine);
    const edited = section.lines.flatMap((line, index) => (!isDirectionLine(line) ? [line] : index === at ? [`a=${direction}`] : []));
    if (at < 0) edited.push(`a=${direction}`);
    out.push(...edited);
  }
  return join(out);
}

/**
 * Drops every `a=candidate` line whose connection address fails `keep` (mDNS `.local` names included:
 * they are just addresses that fail). Nothing else changes: the `c=` line and m-line port may still name
 * a dropped default candidate, which ICE peers ignore.
 */
export function keepCandidates(sdp: string, keep: (address: string) => boolean): string {
  return join(
    lines(sdp).filter((line) => {
      if (!line.startsWith('a=candidate:')) return true;
      const address = candidateAddress(line);
      return address !== null && keep(address);
    }),
  );
}

/** The origin line's identity (RFC 4566 §5.2): fixed for a session, its version bumped on change. */
export interface SdpOrigin {
  readonly username: string;
  readonly sessionId: string;
  readonly version: bigint;
}

export function originOf(sdp: string): SdpOrigin | null {
  const line = lines(sdp).find((l) => l.startsWith('o='));
  const match = line ? /^o=(\S+) (\d+) (\d+) /.exec(line) : null;
  if (!match) return null;
  return { username: match[1] ?? '-', sessionId: match[2] ?? '0', version: BigInt(match[3] ?? '0') };
}

/**
 * Rewrites the origin's username, session id and version, keeping the address. When a new media
 * engine takes over a call its SDP has a new origin; RFC 3264 §8 wants the same session id and a
 * higher version in every later offer or answer of the session, and strict peers enforce it.
 */
export function withOrigin(sdp: string, origin: SdpOrigin): string {
  return join(
    lines(sdp).map((line) => {
      const match = /^o=\S+ \d+ \d+ (.*)$/.exec(line);
      return match ? `o=${origin.username} ${origin.sessionId} ${origin.version} ${match[1] ?? ''}` : line;
    }),
  );
}

/** True when an audio m-section lists a payload type mapped to telephone-event (RFC 4733 DTMF). */
export function hasTelephoneEvent(sdp: string): boolean {
  const { media } = sections(lines(sdp));
  return media.filter(isAudio).some((section) => {
    const formats = new Set(section.lines[0]?.split(' ').slice(3) ?? []);
    return section.lines.some((line) => {
      const match = /^a=rtpmap:(\d+) telephone-event\//i.exec(line);
      return match !== null && formats.has(match[1] ?? '');
    });
  });
}

/**
 * The answer to send instead of `answer` when `offer` starts a new DTLS association on a session
 * that had one (its fingerprint differs from `previousRemote`'s): the offerer's engine was replaced,
 * a reloaded page taking over the call. Answering `a=setup:passive` makes that engine the DTLS
 * client, so its first flight reaches us on its new path at once.
 *
 * libwebrtc otherwise keeps its earlier role (client, if it answered the call), sends its ClientHello
 * down the path it has selected — the dead engine's, which it keeps until that path has been silent
 * ~3.5 s — and backs off: measured in Chromium 156, the new association came up after 6.4 s instead
 * of 76 ms. RFC 8842 §5 lets the answerer take either role for a new association of an `actpass`
 * offer. Null when the rule does not apply (first negotiation, same association, an offer that fixed
 * the role, an answer already passive).
 */
export function dtlsServerAnswer(previousRemote: string | undefined, offer: string, answer: string): string | null {
  if (previousRemote === undefined) return null;
  const before = attribute(previousRemote, 'fingerprint');
  const now = attribute(offer, 'fingerprint');
  if (before === null || now === null || before.toLowerCase() === now.toLowerCase()) return null;
  if (attribute(offer, 'setup') !== 'actpass' || attribute(answer, 'setup') !== 'active') return null;
  return join(lines(answer).map((line) => (line.trimEnd() === 'a=setup:active' ? 'a=setup:passive' : line)));
}

/**
 * Our offer as sent when a new engine takes over a call (its fresh connection offered `actpass`):
 * `a=setup:active`, so the far end answers `passive` and our engine, applying that answer to its
 * `actpass` offer, becomes the DTLS client and sends the first flight the moment its ICE connects.
 *
 * Left as `actpass`, a far end that was the call's DTLS client keeps that role (rtpengine does) and
 * starts the new handshake as it takes our offer, before our engine can take it: that flight is lost,
 * and only a retransmission after its back-off gets through (rtpengine here: 2.0 s instead of 0.45 s).
 * RFC 8842 lets an offer for a new DTLS association fix the role; an initial offer stays `actpass`.
 * Only for far ends that dtlsClientOfferFits. Every other line is kept.
 */
export function dtlsClientOffer(offer: string): string {
  return join(lines(offer).map((line) => (line.trimEnd() === 'a=setup:actpass' ? 'a=setup:active' : line)));
}

/**
 * Whether a take-over offer to the far end whose last description is `previousRemote` goes out as
 * dtlsClientOffer: only when that far end is the DTLS client now (a server answers as server anyway)
 * and is no browser engine. libwebrtc M106 (the wrtc bots) refuses an offer that moves its negotiated
 * role even for a new association ("Offerer must use current negotiated role for setup attribute"),
 * and its peer connection then refuses every later offer as well: the call would stay silent. Browser
 * engines (libwebrtc, Firefox) always send `a=msid-semantic`; relays, PBXes and SIP phones do not.
 */
export function dtlsClientOfferFits(previousRemote: string | undefined): boolean {
  if (previousRemote === undefined || attribute(previousRemote, 'setup') !== 'active') return false;
  return !lines(previousRemote).some((line) => line.startsWith('a=msid-semantic:'));
}

/** The first `a=<name>:` value, session- or media-level (Baton's calls have one audio section). */
function attribute(sdp: string, name: string): string | null {
  const prefix = `a=${name}:`;
  const line = lines(sdp).find((l) => l.startsWith(prefix));
  return line === undefined ? null : line.slice(prefix.length).trim();
}

interface MediaSection {
  /** The m-line first, then its attributes. */
  readonly lines: readonly string[];
}

function lines(sdp: string): string[] {
  return sdp.split(/\r?\n/).filter((line) => line.length > 0);
}

function join(sdpLines: readonly string[]): string {
  return sdpLines.map((line) => `${line}\r\n`).join('');
}

function sections(sdpLines: readonly string[]): { session: string[]; media: MediaSection[] } {
  const session: string[] = [];
  const media: { lines: string[] }[] = [];
  for (const line of sdpLines) {
    if (line.startsWith('m=')) media.push({ lines: [line] });
    else (media.at(-1)?.lines ?? session).push(line);
  }
  return { session, media };
}

function isAudio(section: MediaSection): boolean {
  return section.lines[0]?.startsWith('m=audio ') ?? false;
}

function isDirectionLine(line: string): boolean {
  return DIRECTIONS.some((direction) => line.trimEnd() === `a=${direction}`);
}

function directionOf(sectionLines: readonly string[]): MediaDirection | null {
  const line = sectionLines.find(isDirectionLine);
  return line === undefined ? null : (DIRECTIONS.find((direction) => line.trimEnd() === `a=${direction}`) ?? null);
}

/** RFC 8839: `a=candidate:<foundation> <component> <transport> <priority> <address> <port> typ …`. */
function candidateAddress(line: string): string | null {
  return line.slice('a=candidate:'.length).trim().split(/\s+/)[4] ?? null;
}
