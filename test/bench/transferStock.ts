/**
 * The transfer bench's baseline: the same cold and warm flows with three bare stock SIP.js user
 * agents (Web SDH on wrtc, see bareSipJs.ts), through the same lab Kamailio.
 *
 *  - contact: calls the initiator; has no onRefer delegate, so SIP.js accepts every REFER and follows
 *    it by itself (with Replaces for an attended transfer).
 *  - initiator: answers; cold = `session.refer(uri)`; warm = hold (Web.holdModifier) and a consult
 *    Inviter sent together (as our core does), then `session.refer(consultSession)`. It ends its leg
 *    with the contact on the NOTIFY that reports 2xx, as a stock application has to.
 *  - recipient: `sipExtensionReplaces: Supported`, answers everything; SIP.js BYEs the consult it
 *    replaces. "Notified" = its `onInvite`.
 */
import { Invitation, Inviter, SessionState, SIPExtension, UserAgent, Web, type Notification, type Session, type URI } from 'sip.js';
import type { Lab } from '../lab/lab.js';
import { bestEffort } from '../lab/bestEffort.js';
import { waitFor, within } from '../support/waitFor.js';
import { userAgentSessions } from '../../electron/core/sip/libraryInternals.js';
import { bareSdhFactory, bareSessionCount, bareUserAgent, installWebGlobals, loopbackModifier, syntheticMicrophone } from './bareSipJs.js';

/** One transfer's figures, in ms: Confirm → recipient notified, and Confirm/Complete → contact with recipient. */
export interface TransferSample {
  readonly notified: number;
  readonly handover: number;
}

export interface TransferTimings {
  /** Pause between the customer's call being up and Confirm, as if the agent were choosing. */
  readonly coldChoosingMs: number;
  readonly warmChoosingMs: number;
  /** How long the agents talk on the consult before Complete. */
  readonly consultTalkMs: number;
  /** Bound on every wait of one iteration. */
  readonly stepTimeoutMs: number;
}

export interface TransferScene {
  cold(): Promise<TransferSample>;
  warm(): Promise<TransferSample>;
  dispose(): Promise<void>;
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Resolves with performance.now() when `session` reaches `state`. */
function reached(session: Session, state: SessionState): Promise<number> {
  return new Promise((resolve) => {
    if (session.state === state) return resolve(performance.now());
    session.stateChange.addListener((s) => s === state && resolve(performance.now()));
  });
}

/** A slot for "the next X": armed before the action, filled by a listener or delegate. */
export class Next<T> {
  private resolve: ((value: T) => void) | undefined;
  arm(): Promise<T> {
    return new Promise<T>((resolve) => (this.resolve = resolve));
  }
  fill(value: T): void {
    const resolve = this.resolve;
    this.resolve = undefined;
    resolve?.(value);
  }
}

export async function stockScene(lab: Lab, timings: TransferTimings): Promise<TransferScene> {
  installWebGlobals();
  // Fed only while a stock iteration runs; our Node engine's microphone likewise runs only while
  // one of our sessions is open. Neither loads the other stack's measurements.
  const mic = syntheticMicrophone(330);
  mic.pause();
  const factory = bareSdhFactory(mic);
  const uri = (user: string): URI => {
    const made = UserAgent.makeURI(`sip:${user}@${lab.domain}`);
    if (!made) throw new Error(`bad URI for ${user}`);
    return made;
  };
  const agents: UserAgent[] = [];
  const contact = await bareUserAgent(lab, 'bare-contact', factory);
  agents.push(contact);
  const initiator = await bareUserAgent(lab, 'bare-initiator', factory);
  agents.push(initiator);
  const recipient = await bareUserAgent(lab, 'bare-recipient', factory, { sipExtensionReplaces: SIPExtension.Supported });
  agents.push(recipient);

  // The initiator answers the customer; the leg is usable (re-INVITE, REFER) once the ACK is in.
  const arrivedAtInitiator = new Next<{ leg: Invitation; acked: Promise<void> }>();
  initiator.delegate = {
    onInvite: (invitation: Invitation) => {
      const acked = new Promise<void>((resolve) => (invitation.delegate = { onAck: () => resolve() }));
      arrivedAtInitiator.fill({ leg: invitation, acked });
      // A failed answer leaves the step waiting for the ACK, which times out and is reported.
      void invitation.accept({ sessionDescriptionHandlerModifiers: [loopbackModifier] }).catch(bestEffort('answering at the initiator'));
    },
  };
  // The recipient: notified = onInvite (the first INVITE of a transfer, not the one with Replaces).
  const notified = new Next<number>();
  recipient.delegate = {
    onInvite: (invitation: Invitation) => {
      const at = performance.now();
      if (!invitation.request.hasHeader('Replaces')) notified.fill(at);
      // A failed answer times the transfer's step out, which is reported.
      void invitation.accept({ sessionDescriptionHandlerModifiers: [loopbackModifier] }).catch(bestEffort('answering at the recipient'));
    },
  };
  // The contact follows REFERs by itself; catch the Inviter it makes to time its establishment.
  const followed = new Next<Inviter>();
  const makeInviter = contact._makeInviter.bind(contact);
  contact._makeInviter = (target, options) => {
    const inviter = makeInviter(target, options);
    followed.fill(inviter);
    return inviter;
  };
  const handover = (): Promise<number> => followed.arm().then((inviter) => reached(inviter, SessionState.Established));

  const step = <T>(what: string, promise: Promise<T>): Promise<T> => within(`stock: ${what}`, promise, timings.stepTimeoutMs);

  async function customerCall(): Promise<Invitation> {
    mic.resume();
    const arrived = arrivedAtInitiator.arm();
    const leg = new Inviter(contact, uri('bare-initiator'), { sessionDescriptionHandlerModifiers: [loopbackModifier] });
    const up = reached(leg, SessionState.Established);
    await leg.invite();
    const atInitiator = await step('the customer call at the initiator', arrived);
    await step('the customer call established', up);
    await step('the customer call ACKed', atInitiator.acked);
    return atInitiator.leg;
  }

  /** The initiator's REFER, ending its own leg once the NOTIFY reports the contact connected. */
  function refer(leg: Invitation, target: URI | Session): Promise<unknown> {
    return leg.refer(target, {
      onNotify: (notification: Notification) => {
        // The transfer is timed by the recipient's answer; these only tidy the initiator's side.
        void notification.accept().catch(bestEffort('accepting a NOTIFY'));
        if (/^SIP\/2\.0\s+2\d\d/.test(notification.request.body.trimStart()))
          void leg.bye().catch(bestEffort('ending the transferred leg'));
      },
    });
  }

  async function hangUpAll(): Promise<void> {
    for (const ua of agents) {
      for (const session of userAgentSessions(ua) ?? []) {
        // The wait below fails the run if any session outlives this.
        if (session.state === SessionState.Established) void session.bye().catch(bestEffort('ending a session'));
        else if (session.state === SessionState.Initial || session.state === SessionState.Establishing) {
          if (session instanceof Inviter) void session.cancel().catch(bestEffort('cancelling a session'));
          else if (session instanceof Invitation) void session.reject().catch(bestEffort('refusing a session'));
        }
      }
    }
    await waitFor('stock: every session gone', () => agents.every((ua) => bareSessionCount(ua) === 0), timings.stepTimeoutMs, 2);
    mic.pause();
  }

  return {
    async cold() {
      const leg = await customerCall();
      await sleep(timings.coldChoosingMs);
      const toast = notified.arm();
      const connected = handover();
      const t0 = performance.now();
      await refer(leg, uri('bare-recipient'));
      const [tNotified, tConnected] = await step('the cold transfer', Promise.all([toast, connected]));
      await step('the initiator leaving', reached(leg, SessionState.Terminated));
      await hangUpAll();
      return { notified: tNotified - t0, handover: tConnected - t0 };
    },

    async warm() {
      const leg = await customerCall();
      await sleep(timings.warmChoosingMs);
      const toast = notified.arm();
      const consult = new Inviter(initiator, uri('bare-recipient'), { sessionDescriptionHandlerModifiers: [loopbackModifier] });
      const consultUp = reached(consult, SessionState.Established);
      const t0 = performance.now();
      const held = new Promise<void>((resolve, reject) => {
        leg
          .invite({
            sessionDescriptionHandlerModifiers: [Web.holdModifier, loopbackModifier],
            requestDelegate: { onAccept: () => resolve(), onReject: (r) => reject(new Error(`hold refused ${r.message.statusCode ?? 0}`)) },
          })
          .catch(reject);
      });
      await consult.invite();
      const tNotified = await step('the consult at the recipient', toast);
      await step('the consult answered', consultUp);
      await step('the contact held', held);
      await sleep(timings.consultTalkMs);
      const connected = handover();
      const t1 = performance.now();
      await refer(leg, consult);
      const tConnected = await step('the warm completion', connected);
      await step('the initiator leaving', reached(leg, SessionState.Terminated));
      await hangUpAll();
      return { notified: tNotified - t0, handover: tConnected - t1 };
    },

    async dispose() {
      await Promise.allSettled(agents.map((ua) => within('stock: stop', ua.stop(), 3000)));
      mic.stop();
    },
  };
}
