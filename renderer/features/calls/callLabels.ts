/** Words for call states (presentation only). */
import type { CallView } from '../../../shared/desk.js';

export function callStateLabel(call: CallView): string {
  if (call.state === 'established') {
    if (call.held) return 'On hold';
    if (call.remoteHeld) return 'Holding you';
    return call.live ? 'Live' : 'Connected';
  }
  if (call.state === 'ringing') return call.direction === 'inbound' ? 'Ringing' : 'Ringing out';
  if (call.state === 'calling') return 'Calling…';
  return 'Ended';
}
