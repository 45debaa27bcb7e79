/**
 * The agent's state: what colleagues see now (read-only when a call, a wrap-up or the connection
 * decides it) and what the agent chooses (Ready, or Not ready with a reason). A choice made during
 * a call takes effect after it — main's agent-state machine decides; this only sends the choice.
 */
import type { ChangeEvent } from 'react';
import type { AgentStatus } from '../../../shared/agentState.js';
import { useSend } from '../../app/commands.js';
import { useAppSelector } from '../../app/store.js';
import { StatusBadge } from './StatusBadge.js';

function choiceValue(status: AgentStatus): string {
  return status.kind === 'NotReady' ? `NotReady:${status.reason}` : status.kind;
}

export function AgentStatePicker() {
  const agent = useAppSelector((s) => s.desk.desk?.agent);
  const reasons = useAppSelector((s) => s.desk.desk?.notReadyReasons ?? []);
  const send = useSend();
  if (!agent) return null;
  const chosen = agent.chosen;
  const derived = agent.status.kind !== 'Ready' && agent.status.kind !== 'NotReady';
  const chosenReason = chosen.kind === 'NotReady' ? chosen.reason : null;
  const reasonOptions = chosenReason && !reasons.includes(chosenReason) ? [chosenReason, ...reasons] : reasons;

  const onChange = (event: ChangeEvent<HTMLSelectElement>): void => {
    const value = event.target.value;
    if (value === 'Ready') void send('agent.setStatus', { kind: 'Ready' });
    else if (value.startsWith('NotReady:')) void send('agent.setStatus', { kind: 'NotReady', reason: value.slice('NotReady:'.length) });
  };

  return (
    <div className="agent-state">
      <span className="agent-state__now" role="status" aria-label="Your state">
        <StatusBadge status={agent.status} />
      </span>
      <label className="agent-state__choose">
        <span className="agent-state__label">{derived ? 'Next' : 'State'}</span>
        <select aria-label={derived ? 'Next state, after this call' : 'Agent state'} value={choiceValue(chosen)} onChange={onChange}>
          <option value="Ready">Ready</option>
          {reasonOptions.map((reason) => (
            <option key={reason} value={`NotReady:${reason}`}>
              Not ready — {reason}
            </option>
          ))}
        </select>
      </label>
    </div>
  );
}
