import type { UserAgent } from 'sip.js';

/**
 * What the ingress asks the phone about its live dialogs. The phone feeds it (usually by reading
 * SIP.js's own dialog table through `userAgentDialogIndex`); without one, checks that need it
 * (Replaces naming no dialog → 481) are left to SIP.js.
 */
export interface DialogIndex {
  /** True for a confirmed or early dialog of ours: its Call-ID, our tag, the peer's tag. */
  hasDialog(callId: string, localTag: string, remoteTag: string): boolean;
}

/**
 * A DialogIndex over the SIP.js user agent's dialog table — the same table SIP.js consults for
 * in-dialog requests and Replaces (key: Call-ID + local tag + remote tag). `current` is read on
 * every question because the phone replaces its user agent on each start.
 */
export function userAgentDialogIndex(current: () => UserAgent | undefined): DialogIndex {
  return {
    hasDialog(callId, localTag, remoteTag) {
      const ua = current();
      if (!ua) return false;
      return ua.userAgentCore.dialogs.has(callId + localTag + remoteTag);
    },
  };
}
