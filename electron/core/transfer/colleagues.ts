/**
 * Who a desk trusts to hand it a contact: the colleagues of the provisioning roster, by SIP address
 * of record. A transfer context names its initiator; the desk believes only the roster about who
 * that is (its id and name), and only when the message came From that very colleague (docs/TRUST.md).
 */
import { addressOfRecord } from './transferStatus.js';

export interface Colleague {
  readonly id: string;
  readonly name: string;
  /** The colleague's address of record, as the roster has it. */
  readonly uri: string;
}

/** Looks a sender's SIP URI up in the roster; undefined for anyone else (and for ourselves). */
export type ColleagueLookup = (uri: string) => Colleague | undefined;

export interface RosterEntry {
  readonly id: string;
  readonly displayName: string;
  readonly sipUri: string;
}

export function colleagueLookup(roster: readonly RosterEntry[], selfId: string): ColleagueLookup {
  const byAor = new Map<string, Colleague>();
  for (const user of roster) {
    const aor = addressOfRecord(user.sipUri);
    // Our own address is nobody to receive a transfer from: a message claiming it is forged.
    if (aor && user.id !== selfId) byAor.set(aor, { id: user.id, name: user.displayName, uri: user.sipUri });
  }
  return (uri) => {
    const aor = addressOfRecord(uri);
    return aor ? byAor.get(aor) : undefined;
  };
}
