/** Words and badge styles for agent states (presentation only; the states come from main). */
import type { AgentStatus } from '../../../shared/agentState.js';

export { statusLabel } from '../../../shared/agentState.js';

/** CSS modifier for the badge: one colour per state. */
export function statusTone(status: AgentStatus): string {
  switch (status.kind) {
    case 'Ready':
      return 'ready';
    case 'NotReady':
      return 'not-ready';
    case 'OnCall':
      return 'on-call';
    case 'Dispositioning':
      return 'dispositioning';
    case 'Offline':
      return 'offline';
  }
}
