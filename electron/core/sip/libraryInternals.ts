/**
 * Every read of a library's internals, in one place, each checked at run time: a field that moved
 * in an upgrade gives `undefined` (or false) here, and the product degrades as described at each
 * accessor, instead of a TypeError somewhere in a call. The first time an accessor finds a field
 * missing it says so, once per field, as a process warning of code LIBRARY_MOVED (main.ts copies
 * process warnings into baton.log): a degraded feature is never silent.
 * test/unit/libraryInternals.test.ts builds the real SIP.js and ws objects each accessor reads and
 * fails, naming the library version and the field, when the installed version no longer has it.
 */
import { createRequire } from 'node:module';
import { Core, Inviter, SessionState, type Session, type UserAgent } from 'sip.js';
import WebSocket from 'ws';

/** The code of the process warning an accessor raises when what it reads is not there. */
export const LIBRARY_MOVED = 'BATON_LIBRARY_MOVED';

const reported = new Set<string>();

/** The installed version of `library` (its package.json: SIP.js's exported `version` lags behind). */
function versionOf(library: 'sip.js' | 'ws'): string {
  try {
    const manifest: unknown = createRequire(import.meta.url)(`${library}/package.json`);
    const version = manifest !== null && typeof manifest === 'object' ? (manifest as { version?: unknown }).version : undefined;
    return typeof version === 'string' ? version : 'of unknown version';
  } catch {
    return 'of unknown version'; // only names the version in a warning: the warning still goes out
  }
}

/**
 * Says, once per field for the life of the process, that `field` of `library` is not where Baton
 * reads it and what the product does without it. A warning rather than a throw: each caller has a
 * degraded path that keeps the call up.
 */
function moved(library: 'sip.js' | 'ws', field: string, consequence: string): void {
  if (reported.has(field)) return;
  reported.add(field);
  process.emitWarning(`${library} ${versionOf(library)}: ${field} is not where Baton reads it; ${consequence}`, { code: LIBRARY_MOVED });
}

/**
 * The sessions SIP.js's user agent still holds. `_sessions` is SIP.js's own registry of live
 * sessions (@internal, no public accessor): tests and benches assert through it that no session is
 * orphaned, and end what is left. Undefined when the field is not there.
 */
export function userAgentSessions(ua: UserAgent): readonly Session[] | undefined {
  const sessions: unknown = (ua as unknown as { _sessions?: unknown })._sessions;
  if (sessions !== null && typeof sessions === 'object') return Object.values(sessions as Record<string, Session>);
  moved('sip.js', 'UserAgent._sessions', 'no count of live sessions (orphan checks cannot run)');
  return undefined;
}

/** How many sessions SIP.js's user agent still holds (see userAgentSessions). */
export function userAgentSessionCount(ua: UserAgent): number | undefined {
  return userAgentSessions(ua)?.length;
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
  const { dialogs, subscribers } = (core !== null && typeof core === 'object' ? core : {}) as { dialogs?: unknown; subscribers?: unknown };
  if (!(dialogs instanceof Map) || !(subscribers instanceof Map)) {
    moved('sip.js', 'UserAgentCore.dialogs/.subscribers', 'no count of live dialogs (orphan checks cannot run)');
    return undefined;
  }
  let sessions = 0;
  const subscriptions: string[] = [];
  for (const dialog of dialogs.values()) {
    if (dialog instanceof Core.SessionDialog) sessions += 1;
    else if (dialog instanceof Core.SubscriptionDialog) subscriptions.push(dialog.subscriptionEvent);
    else {
      moved('sip.js', 'UserAgentCore.dialogs (a dialog of an unknown kind)', 'no count of live dialogs (orphan checks cannot run)');
      return undefined;
    }
  }
  return { sessions, subscriptions: subscriptions.sort(), subscribing: subscribers.size };
}

/** The part of a TCP socket the WebSocket transport uses to batch its writes. */
export interface CorkableSocket {
  cork(): void;
  uncork(): void;
  readonly destroyed: boolean;
}

/** `ws`'s `_socket` of an open WebSocket (not in its types); undefined, and said once, when it is not there. */
function tcpSocketOf(
  socket: WebSocket,
  consequence: string,
): Partial<Record<'cork' | 'uncork' | 'destroyed' | 'localPort', unknown>> | undefined {
  const raw: unknown = (socket as unknown as { _socket?: unknown })._socket;
  if (raw !== null && typeof raw === 'object') return raw;
  // Before 'open' and after 'close' there is no TCP socket to find: only an open one tells.
  if (socket.readyState === WebSocket.OPEN) moved('ws', 'WebSocket._socket', consequence);
  return undefined;
}

/**
 * The TCP socket under a `ws` WebSocket (`_socket`, not in `ws`'s types), to cork several frames into
 * one write. Undefined when it is not there (not connected yet, or `ws` changed): then nothing is
 * corked, which costs system calls, not correctness.
 */
export function webSocketTcpSocket(socket: WebSocket): CorkableSocket | undefined {
  const consequence = 'frames are written one by one, not corked together';
  const candidate = tcpSocketOf(socket, consequence);
  if (!candidate) return undefined;
  if (typeof candidate.cork === 'function' && typeof candidate.uncork === 'function' && typeof candidate.destroyed === 'boolean')
    return candidate as CorkableSocket;
  moved('ws', 'WebSocket._socket.cork/uncork/destroyed', consequence);
  return undefined;
}

/**
 * The local TCP port of a `ws` WebSocket (its `_socket`'s): the port a registrar's `;alias=` names for
 * this connection. Undefined when not connected, or when `ws` moved the socket.
 */
export function webSocketLocalPort(socket: WebSocket): number | undefined {
  const port = tcpSocketOf(socket, 'the local port of the connection is unknown')?.localPort;
  return typeof port === 'number' ? port : undefined;
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
  const consequence = "an INVITE whose connection is lost waits for SIP.js's own timers (32 s, or for good after a provisional)";
  const dialog: unknown = session.dialog;
  const reinvite =
    dialog !== null && typeof dialog === 'object' ? (dialog as { reinviteUserAgentClient?: unknown }).reinviteUserAgentClient : undefined;
  // An Inviter has it from sending its INVITE on, so an established one without it means SIP.js moved it.
  if (session instanceof Inviter && session.state === SessionState.Established && !('outgoingInviteRequest' in session))
    moved('sip.js', 'Inviter.outgoingInviteRequest', consequence);
  const initial: unknown = (session as unknown as { outgoingInviteRequest?: unknown }).outgoingInviteRequest;
  for (const [kind, holder, field] of [
    ['re-INVITE', reinvite, 'SessionDialog.reinviteUserAgentClient.transaction'],
    ['initial INVITE', initial, 'Inviter.outgoingInviteRequest.transaction'],
  ] as const) {
    const transaction = transactionOf(holder);
    if (holder !== undefined && !transaction) moved('sip.js', field, consequence);
    if (!transaction || (transaction.state !== 'Calling' && transaction.state !== 'Proceeding')) continue;
    const onTransportError: unknown = (transaction as unknown as { onTransportError?: unknown }).onTransportError;
    const receiveResponse: unknown = (holder as { receiveResponse?: unknown }).receiveResponse;
    if (typeof onTransportError !== 'function' || typeof receiveResponse !== 'function') {
      moved('sip.js', 'InviteClientTransaction.onTransportError / InviteUserAgentClient.receiveResponse', consequence);
      return undefined;
    }
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
  const consequence = 'a re-INVITE answered 2xx whose ACK is lost blocks every later re-INVITE of its call';
  const dialog: unknown = session.dialog;
  if (!(dialog instanceof Core.SessionDialog)) return false; // no dialog (the call ended meanwhile)
  if (!('reinviteUserAgentServer' in dialog)) {
    moved('sip.js', 'SessionDialog.reinviteUserAgentServer', consequence);
    return false;
  }
  const holder: { reinviteUserAgentServer: unknown } = dialog;
  const server = holder.reinviteUserAgentServer;
  const transaction = transactionOf(server);
  if (!transaction) {
    // Cleared already: its ACK came before this ran. Anything else there is not what SIP.js keeps.
    if (server !== undefined) moved('sip.js', 'SessionDialog.reinviteUserAgentServer.transaction', consequence);
    return false;
  }
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
  if (!(dialog instanceof Core.SessionDialog)) return false;
  const fields = dialog as unknown as { ackWait?: unknown };
  if (typeof fields.ackWait !== 'boolean') {
    moved('sip.js', 'SessionDialog.ackWait', 'a call whose ACK was lost is ended by SIP.js 32 s after it was answered');
    return false;
  }
  if (!fields.ackWait || dialog.signalingState !== Core.SignalingState.Stable) return false;
  fields.ackWait = false;
  return true;
}

/**
 * The Contact SIP.js puts in the requests it sends in `session` (`_contact`, @internal: in its types
 * but not its documentation). A request we build ourselves in the dialog (an UPDATE without a body)
 * carries the same one, so that it refreshes the far end's target for us to our current connection.
 * Undefined when SIP.js moved it: the UPDATE then goes without a Contact and refreshes nothing.
 */
export function sessionContact(session: Session): string | undefined {
  const contact: unknown = (session as unknown as { _contact?: unknown })._contact;
  if (typeof contact === 'string') return contact;
  moved('sip.js', 'Session._contact', 'an UPDATE we send carries no Contact, so it does not refresh the target');
  return undefined;
}
