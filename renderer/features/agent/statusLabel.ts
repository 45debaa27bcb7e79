/** Words and badge styles for agent states (presentation only; the states come from main). */
import type { AgentStatus } from '../../../shared/agentState.js';

export function statusLabel(status: AgentStatus): string {
  switch (status.kind) {
    case 'Ready':
      return 'Ready';
    case 'NotReady':
      return `Not ready (${status.reason})`;
    case 'OnCall':
      return 'On call';
    case 'Dispositioning':
      return 'Dispositioning';
    case 'Offline':
      return 'Offline';
  }
}

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
