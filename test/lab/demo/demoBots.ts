/**
 * The people around the demo desk, each a real SIP peer on the lab Kamailio:
 * - a customer who calls the demo agent, and again a few seconds after each call ends; once handed
 *   to a colleague it talks for a while and hangs up;
 * - six colleagues, whole desks in Node (the product's own Desk, presence included), each playing
 *   the part named in demoDocument.ts: accepting cold transfers and warm consults, declining,
 *   cancelling a consult now and then, on a call, dispositioning, not ready;
 * - two lines that keep Ben and Dev busy.
 * Everyone "talks" with a tone of their own (colleagues 440–698 Hz, the customer 330 Hz).
 *
 * Bots act on what their desk shows (its state after each patch), as an agent would on the screen.
 * Their stores live in one folder (`DemoBots.dir`), removed by dispose().
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ProvisioningDocument } from '../../../shared/provisioning/index.js';
import type { DeskState } from '../../../shared/desk.js';
import type { Call } from '../../../electron/core/sip/call.js';
import { createTestDesk, type TestDesk } from '../../support/deskFixture.js';
import { createAgent, type TestAgent } from '../../support/agents.js';
import { createCustomer, type CustomerBot } from '../bots.js';
import type { Lab } from '../lab.js';
import { DEMO_AGENT, type ColleagueId } from './demoDocument.js';
import { bestEffort } from '../bestEffort.js';

export interface DemoBotsOptions {
  /** Pause before the customer calls again (default 4 s). */
  readonly redialPauseMs?: number;
  /** How long the customer talks with a colleague before hanging up (default 20 s). */
  readonly talkWithColleagueMs?: number;
  /** How long a colleague's wrap-up lasts (default 10 s). */
  readonly wrapUpMs?: number;
  /** Fay cancels one warm consult in this many (default 2). */
  readonly fayCancelsOneIn?: number;
  readonly log?: (message: string) => void;
  /**
   * An empty folder for the colleagues' stores, made (and cleaned up) by the caller so that it goes
   * even when start-up is cut short; default a new temporary folder. Removed by dispose() either way.
   */
  readonly dir?: string;
}

export interface DemoBots {
  readonly customer: CustomerBot;
  readonly colleagues: ReadonlyMap<ColleagueId, TestDesk>;
  /** Where the colleagues' stores are; gone after dispose(). */
  readonly dir: string;
  /** Stops the customer's redialling (tests drive it by hand then). */
  pauseCustomer(paused: boolean): void;
  dispose(): Promise<void>;
}

type Part = 'accept' | 'decline' | 'accept-sometimes-cancel';

const PARTS: Record<
  ColleagueId,
  { readonly part: Part; readonly toneHz: number; readonly status: 'Ready' | { readonly notReady: string } }
> = {
  ana: { part: 'accept', toneHz: 440, status: 'Ready' },
  ben: { part: 'accept', toneHz: 494, status: 'Ready' },
  cleo: { part: 'accept', toneHz: 523, status: { notReady: 'Lunch' } },
  dev: { part: 'accept', toneHz: 587, status: 'Ready' },
  eli: { part: 'decline', toneHz: 659, status: 'Ready' },
  fay: { part: 'accept-sometimes-cancel', toneHz: 698, status: 'Ready' },
};

export async function startDemoBots(lab: Lab, doc: ProvisioningDocument, options: DemoBotsOptions = {}): Promise<DemoBots> {
  const log = options.log ?? (() => {});
  const timers = new Set<NodeJS.Timeout>();
  let stopped = false;
  const later = (ms: number, work: () => Promise<unknown> | void): void => {
    const timer = setTimeout(() => {
      timers.delete(timer);
      if (stopped) return;
      void Promise.resolve()
        .then(work)
        .catch((error: unknown) => log(`bot: ${String(error)}`));
    }, ms);
    timers.add(timer);
  };

  const colleagues = new Map<ColleagueId, TestDesk>();
  const lines: TestAgent[] = [];
  const dir = options.dir ?? mkdtempSync(join(tmpdir(), 'baton-demo-bots-'));
  const removeDir = (): void => rmSync(dir, { recursive: true, force: true });
  const customer = createCustomer(lab, 'customer', { phone: { displayName: 'Jordan Blake' } });
  try {
    for (const [id, role] of Object.entries(PARTS) as Array<[ColleagueId, (typeof PARTS)[ColleagueId]]>) {
      const deskDir = join(dir, id);
      mkdirSync(deskDir);
      const desk = createTestDesk(doc, { toneHz: role.toneHz, dir: deskDir });
      colleagues.set(id, desk);
      const signedIn = await desk.desk.handle('session.signIn', { userId: id, password: '' });
      if (!signedIn.ok) throw new Error(`${id} could not sign in: ${signedIn.error.message}`);
      await desk.until(`${id} registered`, (s) => s.session.registration === 'registered', 10_000);
      const status = role.status === 'Ready' ? { kind: 'Ready' as const } : { kind: 'NotReady' as const, reason: role.status.notReady };
      await desk.desk.handle('agent.setStatus', status);
      playPart(id, desk, role.part, { later, log, wrapUpMs: options.wrapUpMs ?? 10_000, fayCancelsOneIn: options.fayCancelsOneIn ?? 2 });
    }
    await customer.phone.start();
    // Ben: short calls, each followed by a long wrap-up (Dispositioning). Dev: one long call.
    lines.push(await keepCalling(lab, 'line-ben', 'ben', { talkMs: 4000, pauseMs: 30_000, later, isStopped: () => stopped }));
    lines.push(await keepCalling(lab, 'line-dev', 'dev', { talkMs: 10 * 60_000, pauseMs: 2000, later, isStopped: () => stopped }));
  } catch (error) {
    stopped = true;
    await Promise.allSettled([customer.dispose(), ...[...colleagues.values()].map((d) => d.dispose()), ...lines.map((l) => l.dispose())]);
    removeDir();
    throw error;
  }

  let paused = false;
  const customerLoop = customerBehaviour(customer, {
    redialPauseMs: options.redialPauseMs ?? 4000,
    talkWithColleagueMs: options.talkWithColleagueMs ?? 20_000,
    isPaused: () => paused || stopped,
    log,
  });

  return {
    customer,
    colleagues,
    dir,
    pauseCustomer: (value) => void (paused = value),
    async dispose() {
      stopped = true;
      clearInterval(customerLoop);
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
      await Promise.allSettled([customer.dispose(), ...lines.map((l) => l.dispose()), ...[...colleagues.values()].map((d) => d.dispose())]);
      removeDir();
    },
  };
}

interface PartContext {
  readonly later: (ms: number, work: () => Promise<unknown> | void) => void;
  readonly log: (message: string) => void;
  readonly wrapUpMs: number;
  readonly fayCancelsOneIn: number;
}

/** What a colleague does with what shows on their desk. Each transfer and wrap-up is handled once. */
function playPart(id: ColleagueId, desk: TestDesk, part: Part, context: PartContext): void {
  const handled = new Set<string>();
  let consults = 0;
  const act = (state: DeskState): void => {
    for (const t of state.transfers) {
      if (t.role !== 'recipient') continue;
      if (t.allowed.includes('accept') && !handled.has(`offer:${t.id}`)) {
        handled.add(`offer:${t.id}`);
        // A moment for the toast to be seen ringing.
        context.later(1500 + Math.random() * 1000, async () => {
          const outcome = await desk.desk.handle(part === 'decline' ? 'transfer.decline' : 'transfer.accept', { transferId: t.id });
          if (!outcome.ok) context.log(`${id}: ${outcome.error.message}`);
        });
      }
      // A completed warm transfer hands over the contact on hold: take it off hold and talk.
      if (t.allowed.includes('unholdContact') && !handled.has(`unhold:${t.id}`)) {
        handled.add(`unhold:${t.id}`);
        context.later(1000, () => desk.desk.handle('transfer.unholdContact', { transferId: t.id }));
      }
      if (
        part === 'accept-sometimes-cancel' &&
        t.state.phase === 'consulting' &&
        t.allowed.includes('cancel') &&
        !handled.has(`consult:${t.id}`)
      ) {
        handled.add(`consult:${t.id}`);
        consults++;
        if (consults % context.fayCancelsOneIn === 0) {
          context.later(5000, async () => {
            const now = desk.state().transfers.find((x) => x.id === t.id);
            if (now?.allowed.includes('cancel')) await desk.desk.handle('transfer.cancel', { transferId: t.id });
          });
        }
      }
    }
    // Plain calls (the lines that keep Ben and Dev busy) are answered.
    for (const call of state.calls) {
      if (call.direction === 'inbound' && call.state === 'ringing' && call.transferId === null && !handled.has(`call:${call.id}`)) {
        handled.add(`call:${call.id}`);
        context.later(800, () => desk.desk.handle('call.answer', { callId: call.id }));
      }
    }
    for (const due of state.dispositionsDue) {
      if (handled.has(`wrap:${due.callId}`)) continue;
      handled.add(`wrap:${due.callId}`);
      const code = due.callKind === 'consult' ? 'consult-only' : 'resolved';
      context.later(context.wrapUpMs, () => desk.desk.handle('disposition.file', { callId: due.callId, codeId: code, note: '' }));
    }
  };
  desk.desk.events.on('patch', () => act(desk.state()));
  act(desk.state());
}

/** A bot that keeps calling one colleague: talks for `talkMs`, hangs up, calls again after `pauseMs`. */
async function keepCalling(
  lab: Lab,
  name: string,
  target: string,
  o: { talkMs: number; pauseMs: number; later: PartContext['later']; isStopped: () => boolean },
): Promise<TestAgent> {
  const line = createAgent(lab, name, { toneHz: 392 });
  await line.phone.start();
  const round = async (): Promise<void> => {
    if (o.isStopped()) return;
    const call = await line.phone.call(target);
    const ended = new Promise<void>((resolve) => {
      const check = setInterval(() => {
        if (call.state === 'ended' || o.isStopped()) {
          clearInterval(check);
          resolve();
        }
      }, 500);
    });
    o.later(o.talkMs, () => (call.state === 'ended' ? undefined : call.hangUp()));
    await ended;
    o.later(o.pauseMs, round);
  };
  o.later(1000, round);
  return line;
}

/**
 * The customer: calls the demo agent whenever it has no call (after a pause), gives up ringing after
 * a minute, and hangs up on a colleague it was handed to after a while. Checked twice a second.
 */
function customerBehaviour(
  customer: CustomerBot,
  o: { redialPauseMs: number; talkWithColleagueMs: number; isPaused: () => boolean; log: (message: string) => void },
): NodeJS.Timeout {
  let idleSince = Date.now() - o.redialPauseMs + 1500;
  let dialling = false;
  const connectedAt = new WeakMap<Call, number>();
  const seenAt = new WeakMap<Call, number>();
  return setInterval(() => {
    const live = customer.phone.calls().filter((c) => c.state !== 'ended');
    const now = Date.now();
    for (const call of live) {
      const withColleague = !call.remoteUri.includes(`sip:${DEMO_AGENT}@`);
      if (!seenAt.has(call)) seenAt.set(call, now);
      if (call.state === 'established' && !connectedAt.has(call)) connectedAt.set(call, now);
      const since = connectedAt.get(call);
      // A hang-up that fails finds the call already ending; the next sweep tries again if not.
      if (withColleague && since !== undefined && now - since > o.talkWithColleagueMs)
        void call.hangUp().catch(bestEffort('hanging up a finished call'));
      if (call.state !== 'established' && now - (seenAt.get(call) ?? now) > 60_000)
        void call.hangUp().catch(bestEffort('hanging up a stuck call'));
    }
    if (live.length > 0 || dialling) {
      idleSince = now;
      return;
    }
    if (o.isPaused() || now - idleSince < o.redialPauseMs) return;
    dialling = true;
    customer.phone
      .call(DEMO_AGENT)
      .catch((error: unknown) => o.log(`customer: ${String(error)}`))
      .finally(() => {
        dialling = false;
        idleSince = Date.now();
      });
  }, 500);
}
