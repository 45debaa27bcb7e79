import type { AgentStatus } from '../../../shared/agentState.js';
import { statusLabel, statusTone } from './statusLabel.js';

export function StatusBadge({ status }: { readonly status: AgentStatus }) {
  return <span className={`badge badge--${statusTone(status)}`}>{statusLabel(status)}</span>;
}
