import { isUtf8 } from 'node:buffer';
import type { DialogIndex } from './dialogIndex.js';
import { refuse, type IngressReason, type Refusal } from './ingressReason.js';
import { IngressStats, type IngressLog } from './ingressStats.js';
import { checkCommon, checkRequest, checkResponse } from './messageRules.js';
import { SignallingWatch, tagOf } from './signallingWatch.js';
import { scanMessage, singleHeader, type ScannedMessage } from './sipScanner.js';
import { statelessReply } from './statelessReply.js';
import { handOver } from './sipSyntax.js';
import { checkTransferRules } from './transferGuards.js';

export interface IngressOptions {
  /** Largest message accepted, in bytes (413/513 above it). Kamailio's own default limit is 16 kB. */
  readonly maxMessageBytes?: number;
  readonly maxBodyBytes?: number;
  readonly maxHeaders?: number;
  /** Option-tags accepted in Require; anything else gets 420. */
  readonly supportedOptionTags?: readonly string[];
  /** The phone's live dialogs, for Replaces → 481. Without it SIP.js does that check itself. */
  readonly dialogs?: DialogIndex;
  /** Told the first time each reason occurs. */
  readonly log?: IngressLog;
  readonly now?: () => number;
}

export type IngressVerdict =
  | {
      readonly action: 'deliver';
      readonly text: string;
      readonly message: ScannedMessage;
      /** A request outside any dialog: the kind flow control may shed. */
      readonly newRequest: boolean;
    }
  | { readonly action: 'reply'; readonly reply: string; readonly status: number; readonly reason: IngressReason }
  | { readonly action: 'drop'; readonly reason: IngressReason | 'keepalive' };

export const INGRESS_DEFAULTS = {
  maxMessageBytes: 64 * 1024,
  maxBodyBytes: 48 * 1024,
  maxHeaders: 120,
  // "outbound": SIP.js adds it to Supported itself; "replaces": transfers complete with it.
  supportedOptionTags: ['outbound', 'replaces'],
} as const;

/**
 * The gate between the WebSocket and SIP.js: every incoming frame is read and checked here first,
 * and either handed on, answered (4xx/5xx, built from the request's own headers), or dropped and
 * counted. It holds no socket; the transport acts on its verdicts.
 */
export class SipIngress {
  readonly stats: IngressStats;
  readonly watch: SignallingWatch;
  private readonly maxMessageBytes: number;
  private readonly maxBodyBytes: number;
  private readonly maxHeaders: number;
  private readonly supported: ReadonlySet<string>;

  constructor(private readonly options: IngressOptions = {}) {
    this.stats = new IngressStats(options.log);
    this.watch = new SignallingWatch(options.now);
    this.maxMessageBytes = options.maxMessageBytes ?? INGRESS_DEFAULTS.maxMessageBytes;
    this.maxBodyBytes = options.maxBodyBytes ?? INGRESS_DEFAULTS.maxBodyBytes;
    this.maxHeaders = options.maxHeaders ?? INGRESS_DEFAULTS.maxHeaders;
    this.supported = new Set((options.supportedOptionTags ?? INGRESS_DEFAULTS.supportedOptionTags).map((t) => t.toLowerCase()));
  }

  /**
   * Decides about one WebSocket frame. Never throws. With `overload`, a request outside any dialog
   * that passed the common checks is shed at once when `overload.overloaded()` says so (503 with
   * Retry-After, as `shed` answers), before the checks only a delivered request needs.
   */
  inspect(
    frame: Buffer | string,
    isBinary: boolean,
    overload?: { readonly overloaded: () => boolean; readonly retryAfterSec: number },
  ): IngressVerdict {
    this.stats.counts.received += 1;
    try {
      return this.decide(frame, isBinary, overload);
    } catch (error) {
      // A bug of ours must not become the crash this layer exists to prevent.
      return this.drop('bad-start-line', `ingress check threw: ${String(error)}`);
    }
  }

  /** Tells the ingress that SIP.js was handed this message (it tracks INVITEs that CANCEL may name). */
  delivered(message: ScannedMessage): void {
    this.stats.counts.delivered += 1;
    this.watch.inboundDelivered(message);
  }

  /**
   * Runs `deliver` — SIP.js handling this delivered message, synchronously — with the grammar
   * results the checks produced on offer to SIP.js, so the values both parse (Via, From, To,
   * Contact, Content-Type, Refer-To, Replaces) are parsed once. Returns what `deliver` returns; throws what
   * it throws.
   */
  handOver<T>(message: ScannedMessage, deliver: () => T): T {
    return handOver(message, deliver);
  }

  /** Tells the ingress about a message we send (SUBSCRIBE/REFER create subscriptions NOTIFY may serve). */
  outbound(text: string): void {
    const scanned = scanMessage(text, this.maxHeaders);
    if (scanned.ok) this.watch.outbound(scanned.message);
  }

  /** The 503 that sheds a request under load; undefined when it cannot be answered. */
  shed(message: ScannedMessage, retryAfterSec: number): string | undefined {
    const reply = statelessReply(message, 503, undefined, [`Retry-After: ${retryAfterSec}`]);
    this.stats.refused('shed', 'incoming requests shed under load (503)', reply ? 503 : undefined);
    return reply;
  }

  private decide(
    frame: Buffer | string,
    isBinary: boolean,
    overload: { readonly overloaded: () => boolean; readonly retryAfterSec: number } | undefined,
  ): IngressVerdict {
    const bytes = typeof frame === 'string' ? Buffer.byteLength(frame, 'utf8') : frame.length;
    if (bytes > this.maxMessageBytes) return this.oversized(typeof frame === 'string' ? Buffer.from(frame, 'utf8') : frame);
    // RFC 7118 §5.1: a text frame holds UTF-8; a binary frame may hold any SIP message, so its body
    // may be bytes that are no text at all (S/MIME, RFC 3261 §23). Its start line and headers are
    // still UTF-8; its body is read one character per byte, so Content-Length still counts it.
    let text: string;
    let bodyEncoding: 'utf8' | 'latin1' = 'utf8';
    if (typeof frame === 'string') {
      text = frame;
    } else if (isUtf8(frame)) {
      text = frame.toString('utf8');
    } else {
      const headEnd = isBinary ? frame.indexOf('\r\n\r\n') : -1;
      if (headEnd < 0 || !isUtf8(frame.subarray(0, headEnd))) {
        return this.drop(
          'invalid-utf8',
          isBinary ? 'a binary frame whose start line or headers are not UTF-8' : 'a text frame that is not valid UTF-8',
        );
      }
      text = frame.toString('utf8', 0, headEnd + 4) + frame.toString('latin1', headEnd + 4);
      bodyEncoding = 'latin1';
    }

    const scanned = scanMessage(text, this.maxHeaders, bodyEncoding);
    if (!scanned.ok) {
      if (scanned.reason === 'empty') return { action: 'drop', reason: 'keepalive' };
      return this.drop('bad-start-line', `unreadable start line: ${JSON.stringify(text.slice(0, 80))}`);
    }
    const message = scanned.message;
    const start = message.startLine;

    if (start.kind === 'response') {
      if (checkCommon(message) || !checkResponse(message)) {
        return this.drop('bad-response', `a malformed response: ${JSON.stringify(text.slice(0, 80))}`);
      }
      return { action: 'deliver', text: message.text, message, newRequest: false };
    }

    const common = (message.bodyBytes > this.maxBodyBytes ? refuse('body-too-large', 413) : undefined) ?? checkCommon(message);
    if (common) return this.answer(message, common);

    const toTag = tagOf(singleHeader(message, 'to'));
    const newRequest = !toTag && start.method !== 'ACK' && start.method !== 'CANCEL';
    // Under load a new request is shed here: its Via/From/To/Call-ID/CSeq, which the 503 echoes,
    // are checked; the rest (Request-URI, Contact, Require, transfer rules) would be spent in vain.
    if (newRequest && overload?.overloaded()) {
      const reply = this.shed(message, overload.retryAfterSec);
      return reply ? { action: 'reply', reply, status: 503, reason: 'shed' } : { action: 'drop', reason: 'shed' };
    }
    const refusal =
      checkRequest(message, { supportedOptionTags: this.supported }) ?? checkTransferRules(message, this.watch, this.options.dialogs);
    if (refusal) return this.answer(message, refusal);
    return { action: 'deliver', text: message.text, message, newRequest };
  }

  /**
   * A frame above the size cap: refused (513, RFC 3261 §18.1.1 and §21.5.11) from its start line and
   * headers alone — the body is neither decoded nor scanned — and the connection, with every other
   * call's signalling on it, kept. A response that large is dropped; so is a frame whose headers
   * do not end within the cap, as nothing can be answered from it.
   */
  private oversized(frame: Buffer): IngressVerdict {
    let start = 0;
    while (frame[start] === 0x0d && frame[start + 1] === 0x0a) start += 2; // RFC 3261 §7.5
    const headEnd = frame.subarray(0, this.maxMessageBytes).indexOf('\r\n\r\n', start);
    if (headEnd < 0)
      return this.drop('message-too-large', `a ${frame.length}-byte frame whose headers do not end within ${this.maxMessageBytes} bytes`);
    const head = frame.subarray(start, headEnd + 4);
    if (!isUtf8(head)) return this.drop('invalid-utf8', 'an oversized frame whose headers are not UTF-8');
    const scanned = scanMessage(head.toString('utf8'), this.maxHeaders);
    if (!scanned.ok) return this.drop('message-too-large', `a ${frame.length}-byte frame without a start line`);
    const message = scanned.message;
    if (message.startLine.kind === 'response') return this.drop('message-too-large', `a ${frame.length}-byte response`);
    return this.answer(message, refuse('message-too-large', 513), `${frame.length} bytes`);
  }

  private answer(message: ScannedMessage, refusal: Refusal, detail?: string): IngressVerdict {
    const method = message.startLine.kind === 'request' ? message.startLine.method : 'response';
    const reply = statelessReply(message, refusal.status, refusal.phrase, refusal.headers);
    if (!reply) return this.drop(refusal.reason, `${method} refused (${refusal.reason}) and unanswerable`);
    this.stats.refused(
      refusal.reason,
      `${method} refused with ${refusal.status} (${refusal.reason}${detail ? `, ${detail}` : ''})`,
      refusal.status,
    );
    return { action: 'reply', reply, status: refusal.status, reason: refusal.reason };
  }

  private drop(reason: IngressReason, detail: string): IngressVerdict {
    this.stats.refused(reason, detail);
    return { action: 'drop', reason };
  }
}
