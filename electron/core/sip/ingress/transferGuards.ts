import { hasValidEscapes, readAddress } from './addressHeader.js';
import type { DialogIndex } from './dialogIndex.js';
import { refuse, type Refusal } from './ingressReason.js';
import type { SignallingWatch } from './signallingWatch.js';
import { eventPackage, tagOf } from './signallingWatch.js';
import { grammarParse } from './sipSyntax.js';
import { headerValues, singleHeader, splitList, type ScannedMessage } from './sipScanner.js';

export interface ReplacesTarget {
  readonly callId: string;
  readonly toTag: string;
  readonly fromTag: string;
  readonly earlyOnly: boolean;
}

/** A Replaces value (RFC 3891 §6.1) read with SIP.js's grammar; undefined when it is not one. */
export function readReplaces(value: string, message?: ScannedMessage): ReplacesTarget | undefined {
  const parsed: unknown = grammarParse(value, 'Replaces', message);
  if (typeof parsed !== 'object' || parsed === null) return undefined;
  const fields = parsed as Record<string, unknown>;
  const callId = fields['call_id'];
  const toTag = fields['replaces_to_tag'];
  const fromTag = fields['replaces_from_tag'];
  if (typeof callId !== 'string' || typeof toTag !== 'string' || typeof fromTag !== 'string') return undefined;
  if (!callId || !toTag || !fromTag) return undefined;
  return { callId, toTag, fromTag, earlyOnly: fields['early_only'] === true };
}

/**
 * The checks transfers rely on, given what the phone and the wire tell us:
 *  - INVITE with Replaces (warm transfer completing here): exactly one parsable Replaces, only on an
 *    initial INVITE, naming a dialog we have (RFC 3891 §3: to-tag is our tag, from-tag the peer's).
 *    Naming a dialog authorizes nothing (RFC 3891 §6): the phone then refuses 403 unless the
 *    transfers find the transfer's secret in it (Phone.authorizeReplaces);
 *  - REFER: exactly one Refer-To, a sip/sips URI, sound escapes, and any embedded Replaces readable;
 *  - NOTIFY: an Event, and a subscription we hold (RFC 6665 §4.1.3);
 *  - CANCEL: an INVITE still being answered (SIP.js 0.21.2 throws otherwise).
 * Legitimate transfers pass: `;xfer=TOKEN` URI parameters, URI headers, the transfer-context MESSAGE.
 */
export function checkTransferRules(message: ScannedMessage, watch: SignallingWatch, dialogs: DialogIndex | undefined): Refusal | undefined {
  const start = message.startLine;
  if (start.kind !== 'request') return undefined;
  const toTag = tagOf(singleHeader(message, 'to'));
  switch (start.method) {
    case 'INVITE': {
      const replaces = headerValues(message, 'replaces').flatMap(splitList);
      if (!replaces.length) return undefined;
      if (replaces.length > 1 || toTag) return refuse('bad-replaces', 400, 'Bad Replaces');
      const target = readReplaces(replaces[0] ?? '', message);
      if (!target) return refuse('bad-replaces', 400, 'Bad Replaces');
      if (dialogs && !dialogs.hasDialog(target.callId, target.toTag, target.fromTag)) return refuse('replaces-no-dialog', 481);
      return undefined;
    }
    case 'REFER':
      return checkReferTo(message);
    case 'NOTIFY': {
      if (!eventPackage(singleHeader(message, 'event'))) return refuse('notify-no-event', 489);
      if (!toTag || !watch.servesSubscription(message)) return refuse('notify-no-subscription', 481, 'Subscription does not exist');
      return undefined;
    }
    case 'CANCEL':
      return watch.cancelsPendingInvite(message) ? undefined : refuse('cancel-unmatched', 481);
    default:
      return undefined;
  }
}

function checkReferTo(message: ScannedMessage): Refusal | undefined {
  // RFC 3515 §2.1: exactly one Refer-To value (two headers, or two values in one, are both wrong).
  const values = headerValues(message, 'refer-to').flatMap(splitList);
  if (values.length !== 1) return refuse('refer-to-count', 400, 'Exactly one Refer-To');
  const value = values[0] ?? '';
  const address = readAddress(value);
  if (!address) return refuse('bad-refer-to', 400, 'Bad Refer-To');
  if (address.scheme !== 'sip' && address.scheme !== 'sips') return refuse('refer-to-scheme', 416);
  if (!hasValidEscapes(address.uri)) return refuse('refer-to-escape', 400, 'Bad escape in Refer-To');
  // Parsed once: SIP.js takes this result for its own Refer-To when the REFER is delivered.
  if (grammarParse(value, 'Refer_To', message) === -1) return refuse('bad-refer-to', 400, 'Bad Refer-To');
  // An embedded Replaces (attended transfer) must be one we could put in the INVITE we send.
  const query = address.uri.indexOf('?');
  if (query >= 0) {
    for (const pair of address.uri.slice(query + 1).split('&')) {
      const eq = pair.indexOf('=');
      const name = (eq < 0 ? pair : pair.slice(0, eq)).toLowerCase();
      if (name !== 'replaces') continue;
      if (!readReplaces(decodeURIComponent(pair.slice(eq + 1)))) return refuse('bad-replaces', 400, 'Bad Replaces in Refer-To');
    }
  }
  return undefined;
}
