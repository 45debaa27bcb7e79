/**
 * Agent status ⇄ PIDF (RFC 3863) with RPID activities (RFC 4480), the body of our PUBLISH and of
 * the NOTIFYs colleagues receive. Standard elements only, so other presence clients read something
 * sensible: closed = Offline, on-the-phone = OnCall, other "dispositioning" = Dispositioning, any
 * other activity = NotReady (the reason in the person's note), open without activity = Ready.
 *
 * Parsing: the body is untrusted input from the network. No XML library, no DTD, no entity
 * expansion (a DOCTYPE is refused; only the five predefined entities and character references are
 * decoded), a size cap, and anything unexpected reads as "unknown" rather than throwing. When the
 * server aggregates several publications of one user (a stale one that has not expired yet, a
 * second device), the person element with the newest timestamp wins.
 */
import type { AgentStatus } from '../../../shared/agentState.js';

export const PIDF_CONTENT_TYPE = 'application/pidf+xml';
/** Far more than one agent's document (~600 bytes); an aggregate of a few publications fits. */
export const MAX_PIDF_BYTES = 16 * 1024;
const MAX_REASON_CHARS = 64;

/** What a watcher learns from one NOTIFY body. */
export type PidfReading =
  | { readonly kind: 'status'; readonly status: AgentStatus; readonly at: number | undefined }
  | { readonly kind: 'unreadable'; readonly why: string };

export function buildPidf(entity: string, status: AgentStatus, now: Date): string {
  const basic = status.kind === 'Offline' ? 'closed' : 'open';
  const activity = activityXml(status);
  const note = status.kind === 'NotReady' ? `<dm:note>${escapeXml(status.reason.slice(0, MAX_REASON_CHARS))}</dm:note>` : '';
  const stamp = now.toISOString();
  // One tuple, one person; the ids are fixed per entity so a refresh replaces, not adds.
  return (
    `<?xml version="1.0" encoding="UTF-8"?>` +
    `<presence xmlns="urn:ietf:params:xml:ns:pidf" xmlns:dm="urn:ietf:params:xml:ns:pidf:data-model" xmlns:rpid="urn:ietf:params:xml:ns:pidf:rpid" entity="${escapeXml(entity)}">` +
    `<tuple id="baton"><status><basic>${basic}</basic></status><timestamp>${stamp}</timestamp></tuple>` +
    `<dm:person id="agent">${activity}${note}<dm:timestamp>${stamp}</dm:timestamp></dm:person>` +
    `</presence>`
  );
}

function activityXml(status: AgentStatus): string {
  switch (status.kind) {
    case 'Ready':
    case 'Offline':
      return '';
    case 'OnCall':
      return '<rpid:activities><rpid:on-the-phone/></rpid:activities>';
    case 'Dispositioning':
      return '<rpid:activities><rpid:other>dispositioning</rpid:other></rpid:activities>';
    case 'NotReady':
      return '<rpid:activities><rpid:away/></rpid:activities>';
  }
}

export function parsePidf(body: string | undefined): PidfReading {
  // The server sends a NOTIFY without a body when nothing is published (signed out, expired).
  if (body === undefined || body.trim() === '') return { kind: 'status', status: { kind: 'Offline' }, at: undefined };
  if (body.length > MAX_PIDF_BYTES) return { kind: 'unreadable', why: `larger than ${MAX_PIDF_BYTES} bytes` };
  if (/<!DOCTYPE|<!ENTITY/i.test(body)) return { kind: 'unreadable', why: 'a DTD (refused: no entity expansion)' };
  if (!/<(?:[\w.-]+:)?presence[\s>]/.test(body)) return { kind: 'unreadable', why: 'not a PIDF document' };

  const tuples = elements(body, 'tuple');
  const anyOpen = tuples.some((tuple) => /^open$/i.test(text(firstElement(tuple, 'basic')) ?? ''));
  if (!anyOpen) return { kind: 'status', status: { kind: 'Offline' }, at: newestTimestamp(tuples) };

  const persons = elements(body, 'person');
  const person = newest(persons);
  const at = person !== undefined ? timestampOf(person) : newestTimestamp(tuples);
  return { kind: 'status', status: person === undefined ? { kind: 'Ready' } : statusOfPerson(person), at };
}

function statusOfPerson(person: string): AgentStatus {
  const activities = firstElement(person, 'activities');
  if (activities === undefined) return { kind: 'Ready' };
  const names = childNames(activities);
  if (names.length === 0) return { kind: 'Ready' };
  if (names.includes('on-the-phone')) return { kind: 'OnCall' };
  const other = text(firstElement(activities, 'other'));
  if (other !== undefined && other.trim().toLowerCase() === 'dispositioning') return { kind: 'Dispositioning' };
  const note = text(firstElement(person, 'note'))?.trim();
  const reason = note !== undefined && note !== '' ? note : (names[0] ?? 'away');
  return { kind: 'NotReady', reason: sanitize(reason).slice(0, MAX_REASON_CHARS) };
}

/** Outer XML of every element with this local name (any prefix), not nested in itself. */
function elements(xml: string, localName: string): string[] {
  const out: string[] = [];
  const open = new RegExp(`<((?:[\\w.-]+:)?${localName})(?=[\\s/>])[^>]*?(/?)>`, 'g');
  for (let match = open.exec(xml); match !== null; match = open.exec(xml)) {
    if (match[2] === '/') {
      out.push(match[0]);
      continue;
    }
    const close = xml.indexOf(`</${match[1]}>`, open.lastIndex);
    if (close < 0) break;
    out.push(xml.slice(match.index, close + match[1]!.length + 3));
    open.lastIndex = close;
  }
  return out;
}

function firstElement(xml: string, localName: string): string | undefined {
  // Skip the outer element itself when asking for a child of the same name.
  return elements(xml.replace(/^<[^>]*>/, ''), localName)[0];
}

function text(element: string | undefined): string | undefined {
  if (element === undefined || element.endsWith('/>')) return element === undefined ? undefined : '';
  const inner = element.replace(/^<[^>]*>/, '').replace(/<\/[^>]*>$/, '');
  return decodeEntities(inner.replace(/<[^>]*>/g, ''));
}

function childNames(element: string): string[] {
  const inner = element.replace(/^<[^>]*>/, '');
  return [...inner.matchAll(/<(?:[\w.-]+:)?([\w.-]+)(?=[\s/>])/g)].map((m) => m[1]!).filter((name) => name !== 'activities');
}

function timestampOf(element: string): number | undefined {
  const stamp = text(firstElement(element, 'timestamp'));
  if (stamp === undefined) return undefined;
  const ms = Date.parse(stamp.trim());
  return Number.isFinite(ms) ? ms : undefined;
}

function newest(list: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestAt = -Infinity;
  for (const item of list) {
    const at = timestampOf(item) ?? -1;
    if (best === undefined || at > bestAt) {
      best = item;
      bestAt = at;
    }
  }
  return best;
}

function newestTimestamp(list: readonly string[]): number | undefined {
  const stamps = list.map(timestampOf).filter((t): t is number => t !== undefined);
  return stamps.length > 0 ? Math.max(...stamps) : undefined;
}

function decodeEntities(value: string): string {
  return value.replace(/&(#x[0-9a-fA-F]{1,6}|#[0-9]{1,7}|lt|gt|amp|quot|apos);/g, (_, ref: string) => {
    if (ref.startsWith('#')) {
      const code = ref[1] === 'x' ? parseInt(ref.slice(2), 16) : parseInt(ref.slice(1), 10);
      return code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : '';
    }
    return { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" }[ref] ?? '';
  });
}

/** A reason is shown in the directory: no control characters. */
function sanitize(value: string): string {
  // eslint-disable-next-line no-control-regex -- matching control characters is this function's purpose
  return value.replace(/[\u0000-\u001f\u007f]/g, ' ');
}

function escapeXml(value: string): string {
  return value.replace(/[<>&"']/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&apos;' })[c] ?? c);
}
