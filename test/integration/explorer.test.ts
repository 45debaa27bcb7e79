/**
 * The explorer: random sequences of what agents and customers do — calls in and out, answer,
 * decline, hold, resume, mute, hang-ups by either side, cold and warm transfers with accept,
 * decline, cancel and complete, sign-out and quit attempts, wrap-ups — played against three whole
 * desks and two customer bots through the real Kamailio, and after every step compared with a pure model
 * (test/support/explorer/model.ts, built on the shared transfer rules).
 *
 * After every step:
 * - main's answer (done, or refused with a code) is the one the model predicts from the rules;
 * - every call, seen from both ends, is in the state the model predicts (ringing or up, who holds
 *   it), so no call ends that nobody ended and none survives that should have ended;
 * - each desk's transfers (role, method, phase) and owed wrap-ups (blank or prefilled) are the
 *   model's; no call is ever owed two wrap-ups; at most one call per desk is live;
 * - who hears whom, by tone: on every call that is up, each end hears exactly the other party, or
 *   silence when the other holds or is muted (test/support/audioOracle.ts).
 * At the end of a sequence everything is hung up and no SIP session, no call and no media session
 * may be left at any desk or bot.
 *
 * Seeded and shrinking: a failure prints the seed, and the shrunk sequence as a `replay([...])`
 * call to paste into a regression test below. `npm test` runs a few sequences with a fixed seed
 * (EXPLORE_RUNS, default 8); `npm run explore -- --runs 50` runs more with a new seed each time.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { startLab, type Lab } from '../lab/lab.js';
import { labDocument } from '../support/deskFixture.js';
import { waitFor } from '../support/waitFor.js';
import { AGENTS, CUSTOMERS, apply, deskLegs, initialModel, isAgent, legsOf, offerAt, otherEnd, ringingAt, type Action, type Agent, type Model } from '../support/explorer/model.js';
import { World, type Observation } from '../support/explorer/world.js';
import type { ProvisioningDocument } from '../../shared/provisioning/index.js';
import { isSettled, type TransferState } from '../../shared/transfer/index.js';

const RUNS = Number(process.env.EXPLORE_RUNS ?? 8);
/** Fixed for `npm test`, so CI replays the same sequences; `npm run explore` draws a new one each time. */
const SEED = Number(process.env.EXPLORE_SEED ?? 20261207);
const MAX_ACTIONS = Number(process.env.EXPLORE_ACTIONS ?? 14);
/** The whole property, shrinking included, stops after this long (fast-check keeps what it found). */
const TIME_LIMIT_MS = Number(process.env.EXPLORE_TIME_LIMIT_MS ?? 240_000);

let lab: Lab;
let doc: ProvisioningDocument;

beforeAll(async () => {
  lab = await startLab();
  doc = labDocument(lab, { nonRecommendedTransfer: 'allow' });
});
afterAll(async () => lab?.stop());

// ── the real side of one sequence ──────────────────────────────────────────────────────────────

interface Box {
  m: Model;
}

/** What the model says the desks and bots must show, in the observation's own terms. */
function predicted(m: Model) {
  const legs = m.legs.map((l) => `${[l.from, l.to].sort().join('–')} ${l.up ? 'up' : 'ringing'} held:${l.heldBy.join('+') || '-'}`).sort();
  const transfers = Object.fromEntries(
    AGENTS.map((a) => [
      a,
      [
        ...m.transfers.filter((t) => t.initiator === a && t.shownAtInitiator && listed(m, a, t.init, [t.contactLeg, t.consultLeg])).map((t) => `initiator:${t.method}:${t.init.phase}`),
        ...m.transfers.filter((t) => t.recipient === a && t.rec && t.shownAtRecipient && listed(m, a, t.rec, [t.consultLeg, t.recipientLeg])).map((t) => `recipient:${t.method}:${t.rec?.phase ?? ''}`),
      ].sort(),
    ]),
  );
  const dues = Object.fromEntries(AGENTS.map((a) => [a, m.dues.filter((d) => d.agent === a).map((d) => (d.prefilled ? 'prefilled' : 'blank')).sort()]));
  return { legs, transfers, dues };
}

/**
 * A desk lists a transfer until its last duty is done: while it is under way, one of its calls at
 * that desk lasts, or a wrap-up for one of them is owed there.
 */
function listed(m: Model, a: Agent, state: TransferState, legs: readonly (number | null)[]): boolean {
  if (!isSettled(state.phase)) return true;
  const mine = legs.filter((k): k is number => k !== null);
  return m.legs.some((l) => mine.includes(l.key)) || m.dues.some((d) => d.agent === a && mine.includes(d.leg));
}

function seen(o: Observation) {
  return {
    legs: o.legs.map((l) => `${l.parties.join('–')} ${l.up ? 'up' : 'ringing'} held:${l.heldBy.join('+') || '-'}`).sort(),
    transfers: o.transfers,
    dues: o.dues,
  };
}

/** Waits until the desks and bots show what the model predicts; fails with the difference. */
async function settle(world: World, m: Model, after: string): Promise<Observation> {
  const want = predicted(m);
  let last: Observation | undefined;
  try {
    return await waitFor(
      `the desks to show what the model predicts after ${after}`,
      () => {
        last = world.observe();
        return last.halfLegs === 0 && JSON.stringify(seen(last)) === JSON.stringify(want) ? last : undefined;
      },
      8000,
      50,
    );
  } catch {
    throw new Error(`After ${after}, the desks differ from the model.\nmodel: ${JSON.stringify(want, null, 1)}\nreal:  ${JSON.stringify(last ? seen(last) : null, null, 1)}`);
  }
}

let stepsRun = 0;

async function step(world: World, box: Box, action: Action): Promise<void> {
  const what = label(action);
  stepsRun += 1;
  if (process.env.EXPLORE_VERBOSE) console.log(`[explorer] ${what}`);
  const { model, verdict: predictedVerdict } = apply(box.m, action);
  const verdict = await world.perform(box.m, action);
  expect(verdict, `main's answer to ${what}`).toEqual(predictedVerdict);
  box.m = model;
  const observed = await settle(world, box.m, what);
  expect(observed.duplicateDues, 'a call owed two wrap-ups').toEqual([]);
  for (const a of AGENTS) expect(observed.live[a], `${a}'s live calls after ${what}`).toBeLessThanOrEqual(1);
  const unheard = await world.checkHearing(box.m, observed);
  expect(unheard, `who hears whom after ${what}`).toEqual([]);
}

/** Everything hung up: no call, SIP session or media session may be left anywhere. */
async function finalCheck(world: World): Promise<void> {
  await world.windDown();
  await waitFor('every call over and every media session closed', () =>
    [...Object.values(world.desks), ...Object.values(world.bots)].every((x) =>
      'desk' in x ? x.state().calls.length === 0 && x.desk.sipSessionCount() === 0 && x.media.openSessions().length === 0 : x.phone.sessionCount() === 0 && x.media.openSessions().length === 0,
    ),
  8000);
}

async function replay(actions: readonly Action[]): Promise<void> {
  const world = await World.start(lab, doc);
  try {
    const box: Box = { m: initialModel() };
    for (const action of actions) {
      if (applicable(box.m, action)) await step(world, box, action);
    }
    await finalCheck(world);
  } finally {
    await world.dispose();
  }
}

// ── the actions ────────────────────────────────────────────────────────────────────────────────

function label(action: Action): string {
  return JSON.stringify(action);
}

/** Worth trying now: the parties exist in the needed state (refusals are still tried and checked). */
function applicable(m: Model, action: Action): boolean {
  const agentIn = (a: Agent): boolean => m.signedIn[a];
  switch (action.type) {
    case 'dial':
      return legsOf(m, action.from).length === 0;
    case 'agentDials':
      return agentIn(action.agent) && legsOf(m, action.to).length === 0;
    case 'answer':
    case 'decline':
      return agentIn(action.agent) && ringingAt(m, action.agent) !== undefined;
    case 'hold':
    case 'unhold':
    case 'mute':
    case 'hangUp':
      return agentIn(action.agent) && deskLegs(m, action.agent)[action.nth] !== undefined;
    case 'customerHangsUp':
      return legsOf(m, action.customer).length > 0;
    case 'transfer': {
      const leg = deskLegs(m, action.agent)[action.nth];
      return agentIn(action.agent) && action.to !== action.agent && leg !== undefined && leg.up && !isAgent(otherEnd(leg, action.agent));
    }
    case 'acceptOffer':
    case 'declineOffer':
      return agentIn(action.agent) && offerAt(m, action.agent) !== undefined;
    case 'complete':
    case 'cancel':
      return agentIn(action.agent) && m.transfers.some((t) => (t.initiator === action.agent && t.init.phase === 'consulting') || (t.recipient === action.agent && t.rec?.phase === 'consulting'));
    case 'signOut':
    case 'quitAttempt':
      return agentIn(action.agent);
    case 'signIn':
      return !agentIn(action.agent);
    case 'fileDispositions':
      return agentIn(action.agent) && m.dues.some((d) => d.agent === action.agent);
  }
}

/** Every action worth trying in this state, in a fixed order; the likelier ones listed more than once. */
function candidates(m: Model): Action[] {
  const all: Action[] = [];
  const twice = (a: Action): void => void all.push(a, a);
  for (const c of CUSTOMERS) {
    for (const a of AGENTS) {
      twice({ type: 'dial', from: c, to: a });
      all.push({ type: 'agentDials', agent: a, to: c });
    }
    all.push({ type: 'customerHangsUp', customer: c });
  }
  for (const a of AGENTS) {
    twice({ type: 'answer', agent: a });
    all.push({ type: 'decline', agent: a });
    for (let n = 0; n < 3; n += 1) {
      all.push({ type: 'hold', agent: a, nth: n }, { type: 'unhold', agent: a, nth: n }, { type: 'hangUp', agent: a, nth: n });
      all.push({ type: 'mute', agent: a, nth: n, muted: true }, { type: 'mute', agent: a, nth: n, muted: false });
      for (const to of AGENTS) {
        twice({ type: 'transfer', agent: a, nth: n, method: 'warm', to });
        twice({ type: 'transfer', agent: a, nth: n, method: 'cold', to });
      }
    }
    twice({ type: 'acceptOffer', agent: a });
    all.push({ type: 'declineOffer', agent: a });
    twice({ type: 'complete', agent: a });
    all.push({ type: 'cancel', agent: a }, { type: 'signOut', agent: a }, { type: 'quitAttempt', agent: a }, { type: 'signIn', agent: a }, { type: 'fileDispositions', agent: a });
  }
  return all.filter((action) => applicable(m, action));
}

/**
 * Plays one sequence: each choice picks among the actions worth trying at that point, so every
 * generated sequence is a real one and shrinking (towards fewer, smaller choices) stays meaningful.
 */
async function play(choices: readonly number[]): Promise<void> {
  const world = await World.start(lab, doc);
  const done: Action[] = [];
  try {
    const box: Box = { m: initialModel() };
    for (const choice of choices) {
      const options = candidates(box.m);
      const action = options[choice % Math.max(options.length, 1)];
      if (!action) break;
      done.push(action);
      await step(world, box, action);
    }
    await finalCheck(world);
  } catch (error) {
    const lines = done.map((a) => `      ${label(a)},`).join('\n');
    throw new Error(`${error instanceof Error ? error.message : String(error)}\n\nReplay as a regression test:\n  it('…', () =>\n    replay([\n${lines}\n    ]));`);
  } finally {
    await world.dispose();
  }
}

describe('the explorer', () => {
  it(`walks ${RUNS} random sequences of up to ${MAX_ACTIONS} actions (seed ${SEED}) and the desks always agree with the model`, async () => {
    console.log(`[explorer] seed ${SEED}, ${RUNS} runs of up to ${MAX_ACTIONS} actions (replay: EXPLORE_SEED=${SEED})`);
    stepsRun = 0;
    await fc.assert(fc.asyncProperty(fc.array(fc.nat({ max: 1000 }), { minLength: 1, maxLength: MAX_ACTIONS }), play), {
      numRuns: RUNS,
      seed: SEED,
      plugins: [fc.interruptAfterTimeLimit(TIME_LIMIT_MS)],
    });
    console.log(`[explorer] ${stepsRun} steps compared with the model`);
  }, TIME_LIMIT_MS + 120_000);
});

describe('defects the explorer found, kept as regression tests', () => {
  it('resuming a call that is still ringing is refused and holds nothing (the live call stayed held)', () =>
    replay([
      { type: 'dial', from: 'customer', to: 'alice' },
      { type: 'dial', from: 'customer2', to: 'alice' },
      { type: 'answer', agent: 'alice' },
      { type: 'unhold', agent: 'alice', nth: 1 },
    ]));

  it('the customer hanging up while the consult rings calls the consult off at both desks', () =>
    replay([
      { type: 'agentDials', agent: 'alice', to: 'customer' },
      { type: 'agentDials', agent: 'alice', to: 'customer2' },
      { type: 'transfer', agent: 'alice', nth: 0, method: 'warm', to: 'bob' },
      { type: 'customerHangsUp', customer: 'customer' },
    ]));

  it('Confirm pressed again while the consult still rings is the no-op the rules say, not "still calling"', () =>
    replay([
      { type: 'agentDials', agent: 'bob', to: 'customer' },
      { type: 'dial', from: 'customer2', to: 'bob' },
      { type: 'transfer', agent: 'bob', nth: 0, method: 'warm', to: 'carol' },
      { type: 'transfer', agent: 'bob', nth: 0, method: 'warm', to: 'alice' },
    ]));
});
