/** How a refused command reaches the renderer: a stable code and a sentence it shows as is. */
import type { CommandError } from '../../../shared/ipc.js';
import { TransferContextError } from '../../../shared/transfer/context.js';
import { SettingFixedByPolicy } from '../agentSettings.js';
import { LiveCallRefusal } from '../oneLiveCall.js';
import { PhoneError } from '../sip/phoneError.js';
import { TransferNotFound, TransferRuleViolation } from '../transfer/transfers.js';

/** A refusal of the desk's own (policy, unknown ids, state). */
export class DeskError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export function toCommandError(error: unknown): CommandError {
  if (
    error instanceof DeskError ||
    error instanceof SettingFixedByPolicy ||
    error instanceof PhoneError ||
    error instanceof TransferRuleViolation ||
    error instanceof TransferContextError ||
    error instanceof LiveCallRefusal
  ) {
    return { code: error.code, message: error.message };
  }
  if (error instanceof TransferNotFound) return { code: 'no-such-transfer', message: 'That transfer is over.' };
  return { code: 'internal', message: error instanceof Error ? error.message : 'Something went wrong.' };
}
