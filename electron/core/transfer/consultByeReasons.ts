/**
 * The Reason header texts one agent's desk puts on the BYE of a consult so that the other agent's
 * desk knows why it ended — each end would otherwise look like the other side's connection lost.
 * Matched by text (`includes`), as a desk phone may rewrite the cause.
 */

/** The recipient's Cancel. */
export const CANCEL_TEXT = 'transfer cancelled by recipient';
export const CANCEL_REASON = `SIP;cause=487;text="${CANCEL_TEXT}"`;
/**
 * On the initiator's BYE of a consult whose contact hung up: the recipient learns it from the status
 * MESSAGE already, and from this if that MESSAGE was lost, instead of concluding a lost connection.
 */
export const CONTACT_GONE_TEXT = 'contact hung up';
export const CONTACT_GONE_REASON = `SIP;cause=200;text="${CONTACT_GONE_TEXT}"`;
/** On the initiator's BYE of the consult when the contact's phone takes no REFER: the recipient says why. */
export const NO_REFER_TEXT = 'contact phone takes no transfer';
export const NO_REFER_REASON = `SIP;cause=200;text="${NO_REFER_TEXT}"`;
/**
 * On the recipient's BYE of a consult whose contact arrived without Replaces: the initiator must not
 * take it for a cancel, even if it has just given up waiting for its REFER's outcome.
 */
export const CONTACT_ARRIVED_TEXT = 'contact arrived';
export const CONTACT_ARRIVED_REASON = `SIP;cause=200;text="${CONTACT_ARRIVED_TEXT}"`;
