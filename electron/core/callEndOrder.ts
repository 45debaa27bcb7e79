/**
 * The one place where the order of reactions to a call's end is arranged, and why.
 *
 * A call's 'ended' listeners run in the order they were added. The desk adds its own when the call
 * appears; a transfer adopts the call later (Confirm makes it the contact's leg, a consult is placed
 * after the phone announced it), so the transfer's listener runs after the desk's. Yet the desk must
 * see what the transfer concluded — the wrap-up it owes, its new phase — and the transfer must still
 * be there when the desk asks which transfer the call belonged to. Hence two steps:
 * 1. the desk handles a call's end a microtask later, after every listener of the event has run;
 * 2. the transfers forget a finished transfer a macrotask later still (setImmediate), after that.
 */

/** Step 1: runs `handle` once every listener of the current event has run. */
export function afterEndListeners(handle: () => void): void {
  queueMicrotask(handle);
}

/** Step 2: runs `sweep` once the desk's own handling (step 1) is done. */
export function afterDeskHandledEnd(sweep: () => void): NodeJS.Immediate {
  return setImmediate(sweep);
}
