/**
 * Every read of a library's internals, in one place, each checked at run time: a field that moved
 * in an upgrade gives `undefined` here (and the product degrades as described at each accessor)
 * instead of a TypeError somewhere in a call. test/unit/libraryInternals.test.ts fails loudly when
 * any of them stops finding what it reads in the installed SIP.js and ws.
 */
import { Core, type Session, type UserAgent } from 'sip.js';
import type WebSocket from 'ws';

/**
 * How many sessions SIP.js's user agent still holds. `_sessions` is SIP.js's own registry of live
 * sessions (@internal, no public accessor): tests assert through it that no session is orphaned.
 * Undefined when the field is not there.
 */
export function userAgentSessionCount(ua: UserAgent): number | undefined {
  const sessions: unknown = (ua as unknown as { _sessions?: unknown })._sessions;
  return sessions !== null && typeof sessions === 'object' ? Object.keys(sessions).length : undefined;
}

/** The dialogs SIP.js's user agent core still holds, by kind. */
export interface UserAgentDialogs {
  /** INVITE dialogs, early ones included: calls. */
  readonly sessions: number;
  /** The event package of each subscription dialog (SUBSCRIBE or REFER): 'presence', 'refer', … */
  readonly subscriptions: readonly string[];
  /** SUBSCRIBE requests still waiting for the NOTIFY that makes their dialog. */
  readonly subscribing: number;
}

/**
 * The user agent core's dialog and pending-subscriber registries (`userAgentCore.dialogs` and
 * `.subscribers`: public in SIP.js's types but undocumented): tests assert through them that no
 * dialog or subscription outlives its call. Undefined when either is not a Map any more.
 */
export function userAgentDialogs(ua: UserAgent): UserAgentDialogs | undefined {
  const core: unknown = ua.userAgentCore;
  if (core === null || typeof core !== 'object') return undefined;
  const { dialogs, subscribers } = core as { dialogs?: unknown; subscribers?: unknown };
  if (!(dialogs instanceof Map) || !(subscribers instanceof Map)) return undefined;
  let sessions = 0;
  const subscriptions: string[] = [];
  for (const dialog of dialogs.values()) {
    if (dialog instanceof Core.SessionDialog) sessions += 1;
    else if (dialog instanceof Core.SubscriptionDialog) subscriptions.push(dialog.subscriptionEvent);
    else return undefined;
  }
  return { sessions, subscriptions: subscriptions.sort(), subscribing: subscribers.size };
}

/** The part of a TCP socket the WebSocket transport uses to batch its writes. */
export interface CorkableSocket {
  cork(): void;
  uncork(): void;
  readonly destroyed: boolean;
}

/**
 * The TCP socket under a `ws` WebSocket (`_socket`, not in `ws`'s types), to cork several frames into
 * one write. Undefined when it is not there (not connected yet, or `ws` changed): then nothing is
 * corked, which costs system calls, not correctness.
 */
export function webSocketTcpSocket(socket: WebSocket): CorkableSocket | undefined {
  const raw: unknown = (socket as unknown as { _socket?: unknown })._socket;
  if (raw === null || typeof raw !== 'object') return undefined;
  const candidate = raw as Partial<Record<keyof CorkableSocket, unknown>>;
  return typeof candidate.cork === 'function' && typeof candidate.uncork === 'function' && typeof candidate.destroyed === 'boolean'
    ? (raw as CorkableSocket)
    : undefined;
}

/** The parts of a SIP.js transaction the accessors below use (its state names are SIP.js's TransactionState). */
interface TransactionLike {
  readonly state: string;
  addStateChangeListener(listener: () => void): void;
  removeStateChangeListener(listener: () => void): void;
}

function transactionOf(holder: unknown): TransactionLike | undefined {
  if (holder === null || typeof holder !== 'object') return undefined;
  const transaction: unknown = (holder as { transaction?: unknown }).transaction;
  if (transaction === null || typeof transaction !== 'object') return undefined;
  const candidate = transaction as Partial<Record<keyof TransactionLike, unknown>>;
  return typeof candidate.state === 'string' &&
    typeof candidate.addStateChangeListener === 'function' &&
    typeof candidate.removeStateChangeListener === 'function'
    ? (transaction as TransactionLike)
    : undefined;
}

/** An INVITE we sent that has no final response yet (see unansweredInvite). */
export interface UnansweredInvite {
  readonly kind: 're-INVITE' | 'initial INVITE';
  /**
   * Ends the transaction as RFC 3261 §8.1.3.1 has a TCP connection failure end it: SIP.js hands its
   * user a 503 (the re-INVITE's or the Inviter's onReject) and terminates the transaction.
   */
  failWithTransportError(cause: Error): void;
}

/**
 * The INVITE client transaction of `session` still waiting for its final response, if any: the
 * SessionDialog's `reinviteUserAgentClient` (a re-INVITE; typed public, undocumented), else the
 * Inviter's private `outgoingInviteRequest` (the initial INVITE). Its answer travels back by the
 * Via of the connection it left on; once that connection is gone it can never arrive, and SIP.js
 * would wait for Timer B (32 s) — or, once a provisional came, forever (it has no Timer C). Failing it
 * calls the transaction's protected onTransportError. Undefined when nothing waits, or when SIP.js
 * moved these fields: then the INVITE ends only when SIP.js's own timers say so.
 */
export function unansweredInvite(session: Session): UnansweredInvite | undefined {
  const dialog: unknown = session.dialog;
  const reinvite =
    dialog !== null && typeof dialog === 'object' ? (dialog as { reinviteUserAgentClient?: unknown }).reinviteUserAgentClient : undefined;
  const initial: unknown = (session as unknown as { outgoingInviteRequest?: unknown }).outgoingInviteRequest;
  for (const [kind, holder] of [
    ['re-INVITE', reinvite],
    ['initial INVITE', initial],
  ] as const) {
    const transaction = transactionOf(holder);
    if (!transaction || (transaction.state !== 'Calling' && transaction.state !== 'Proceeding')) continue;
    const onTransportError: unknown = (transaction as unknown as { onTransportError?: unknown }).onTransportError;
    const receiveResponse: unknown = (holder as { receiveResponse?: unknown }).receiveResponse;
    if (typeof onTransportError !== 'function' || typeof receiveResponse !== 'function') return undefined;
    return {
      kind,
      failWithTransportError: (cause) => {
        // SIP.js's initial-INVITE client passes a transport error on as a 503 only before any
        // provisional (after one it takes it for a failed ACK): then it is handed the 503 first.
        if (kind === 'initial INVITE' && transaction.state === 'Proceeding') {
          const response = new Core.IncomingResponseMessage();
          response.statusCode = 503;
          response.reasonPhrase = 'Service Unavailable';
          (receiveResponse as (message: Core.IncomingResponseMessage) => void).call(holder, response);
        }
        (onTransportError as (error: Error) => void).call(transaction, cause);
      },
    };
  }
  return undefined;
}

/**
 * Frees the dialog of `session` from the re-INVITE the far end sent us and we answered 2xx, if its
 * ACK never comes. SIP.js keeps that one in the SessionDialog's `reinviteUserAgentServer` until the
 * ACK arrives and never clears it when the transaction ends without one (a FIXME in its
 * session-dialog.js): every later re-INVITE either way is then refused (500 to the far end's, an
 * "ongoing re-INVITE server transaction" throw to ours) for as long as the call lasts. Call this
 * just after answering the re-INVITE; when its transaction terminates (Timer L, 64×T1 = 32 s after
 * the 2xx) still unacknowledged, the field is cleared and `onReleased` runs. False when SIP.js moved
 * the field (then such a dialog stays wedged, as in stock SIP.js).
 */
export function releaseReinviteWithoutAck(session: Session, onReleased: () => void): boolean {
  const dialog: unknown = session.dialog;
  if (dialog === null || typeof dialog !== 'object' || !('reinviteUserAgentServer' in dialog)) return false;
  const holder: { reinviteUserAgentServer: unknown } = dialog;
  const server = holder.reinviteUserAgentServer;
  const transaction = transactionOf(server);
  if (!transaction) return false;
  const onState = (): void => {
    if (transaction.state !== 'Terminated') return;
    transaction.removeStateChangeListener(onState);
    if (holder.reinviteUserAgentServer !== server) return; // its ACK came, or it was refused
    holder.reinviteUserAgentServer = undefined;
    onReleased();
  };
  transaction.addStateChangeListener(onState);
  return true;
}

/**
 * Marks the ACK of our 2xx to the initial INVITE as received (the SessionDialog's private
 * `ackWait`), for a call whose ACK was lost but whose far end has since answered a request in the
 * dialog 2xx, which proves it took our answer. Without it SIP.js ends such a call with a BYE
 * when the INVITE server transaction times out (32 s) and refuses our BYE until then. Only when the
 * offer/answer exchange is complete ('Stable'): an ACK that would have carried an answer is not
 * replaceable. False when nothing was changed (no such wait, or SIP.js moved the fields).
 */
export function confirmDialogWithoutAck(session: Session): boolean {
  const dialog: unknown = session.dialog;
  if (dialog === null || typeof dialog !== 'object') return false;
  const fields = dialog as { ackWait?: unknown; signalingState?: unknown };
  if (fields.ackWait !== true || fields.signalingState !== 'Stable') return false;
  fields.ackWait = false;
  return true;
}
