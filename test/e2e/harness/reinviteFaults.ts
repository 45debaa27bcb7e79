/**
 * Fault injection on the far end of a call (a bot's phone, never the desk under test): the next
 * re-INVITEs that reach this call are refused with the given statuses, as a busy or confused PBX
 * would — 491 (it was re-INVITEing too) or 500 (it had not yet seen the ACK of the previous one).
 * A refusal changes nothing in the dialog (RFC 6141 §3.1): SIP.js rolls its signalling state back.
 *
 * The hook is SIP.js's own per-session entry point for an in-dialog INVITE (`onInviteRequest`, which
 * the session dialog calls through the session object), replaced on this one session only.
 */
import type { Call } from '../../../electron/core/sip/call.js';

export interface ReinviteFaults {
  /** Re-INVITEs refused so far, with the status each got. */
  readonly refused: readonly number[];
  /** Re-INVITEs let through (answered normally) so far. */
  readonly accepted: number;
  /** Refuse every further re-INVITE with `status` (until restore()). */
  refuseAll(status: 491 | 500): void;
  /** Answer re-INVITEs normally again. */
  restore(): void;
}

/** The part of SIP.js's IncomingInviteRequest used here. */
interface IncomingInviteRequest {
  reject(options: { statusCode: number; extraHeaders?: string[] }): unknown;
}

interface SessionHook {
  onInviteRequest(request: IncomingInviteRequest): void;
}

/** Refuses the next re-INVITEs to `call` with `statuses`, in order; later ones are answered normally. */
export function refuseReinvites(call: Call, statuses: ReadonlyArray<491 | 500>): ReinviteFaults {
  const session = call.session as unknown as SessionHook;
  const original = session.onInviteRequest.bind(session);
  const queue: Array<491 | 500> = [...statuses];
  let always: 491 | 500 | undefined;
  const refused: number[] = [];
  let accepted = 0;
  session.onInviteRequest = (request) => {
    const status = queue.shift() ?? always;
    if (status === undefined) {
      accepted += 1;
      original(request);
      return;
    }
    refused.push(status);
    request.reject({ statusCode: status, ...(status === 500 ? { extraHeaders: ['Retry-After: 0'] } : {}) });
  };
  return {
    refused,
    get accepted() {
      return accepted;
    },
    refuseAll(status) {
      always = status;
    },
    restore() {
      queue.length = 0;
      always = undefined;
    },
  };
}
