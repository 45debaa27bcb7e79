/**
 * What the explorer reached: how often each action ran (done or refused, and with which code) and
 * how often each transfer ending came about, read from the model before and after each step. The
 * table is printed at the end of a run, and the CI run asserts the endings that prove the
 * generation still walks the transfer space.
 */
import { BUTTON, type Action, type Model, type ModelTransfer, type Verdict } from './model.js';

export class Coverage {
  private readonly actions = new Map<string, number>();
  private readonly outcomes = new Map<string, number>();
  runs = 0;
  steps = 0;

  /** Counts one step: the action, main's answer, and the transfer endings it brought about. */
  record(before: Model, action: Action, verdict: Verdict, after: Model): void {
    this.steps += 1;
    // A transfer button the rules take as a repeat changes nothing: counted apart from one that acted.
    const repeat = verdict.ok && action.type in BUTTON && JSON.stringify(before) === JSON.stringify(after);
    const answer = verdict.ok ? (repeat ? 'done, a no-op' : 'done') : `refused ${verdict.code}`;
    bump(this.actions, `${action.type} ${answer}`);
    for (const t of after.transfers) {
      const was = before.transfers.find((x) => x.key === t.key);
      const ending = endingOf(was, t);
      if (ending) bump(this.outcomes, ending);
    }
  }

  /** How often `type` ran and main carried it out. */
  done(type: Action['type']): number {
    return this.actions.get(`${type} done`) ?? 0;
  }

  reached(outcome: string): number {
    return this.outcomes.get(outcome) ?? 0;
  }

  table(): string {
    const rows = (map: Map<string, number>): string[] =>
      [...map].sort((a, b) => a[0].localeCompare(b[0])).map(([k, v]) => `  ${String(v).padStart(4)}  ${k}`);
    return [
      `[explorer] coverage over ${this.runs} sequences, ${this.steps} steps`,
      ' actions:',
      ...rows(this.actions),
      ' transfer endings:',
      ...(this.outcomes.size > 0 ? rows(this.outcomes) : ['     0  (none)']),
    ].join('\n');
  }
}

function bump(map: Map<string, number>, key: string): void {
  map.set(key, (map.get(key) ?? 0) + 1);
}

/** The ending a step gave a transfer, from the initiator's copy (the recipient's for a cancel). */
function endingOf(was: ModelTransfer | undefined, t: ModelTransfer): string | undefined {
  const kind = t.recipient === null ? `${t.method} to the outside number` : t.method;
  if (!was) {
    if (t.init.phase === 'failed') return `${kind} failed at once (${t.init.failure?.reason ?? '?'})`;
    if (t.init.phase === 'completed') return `${kind} completed`;
    return `${kind} started`;
  }
  if (t.recipient !== null && was.rec?.phase !== 'consulting' && t.rec?.phase === 'consulting') return 'warm consult answered';
  if (was.init.phase === t.init.phase) return undefined;
  // eslint-disable-next-line @typescript-eslint/switch-exhaustiveness-check -- the other phases are steps on the way, not outcomes this coverage counts
  switch (t.init.phase) {
    case 'completed':
      return `${kind} completed`;
    case 'cancelled':
      return t.recipient === null ? `${kind}: cancelled (by the initiator or the outside party)` : 'warm cancelled by the recipient';
    case 'failed': {
      const reason = t.init.failure?.reason ?? '?';
      if (reason === 'contact-hung-up')
        return `${kind}: customer hung up ${was.init.phase === 'consulting' ? 'mid-consult' : `while ${was.init.phase}`}`;
      return `${kind} failed (${reason})`;
    }
    default:
      return undefined;
  }
}
