/**
 * Confirm transfer, as the panel and the repeat shortcut send it. Main checks the target against
 * policy: `target-not-recommended-unconfirmed` becomes a warning the agent confirms (then the same
 * request goes again with `acknowledgedWarning`); `target-not-recommended` (policy: block) and any
 * other refusal are shown as they are.
 */
import { useCallback } from 'react';
import type { TransferMethod } from '../../../shared/transfer/transferModel.js';
import { useSend } from '../../app/commands.js';
import { useAppDispatch } from '../../app/store.js';
import { focusCall, transferPanelClosed, transferPanelOpened, transferWarningRaised } from '../desk/workspaceSlice.js';

export interface TransferRequest {
  readonly callId: string;
  /** A colleague, or (below) an external number as typed; exactly one. */
  readonly userId?: string;
  readonly number?: string;
  readonly outcomeId: string;
  readonly method: TransferMethod;
  readonly note: string;
}

export type StartResult =
  | { readonly kind: 'started'; readonly transferId: string }
  | { readonly kind: 'warning' }
  | { readonly kind: 'refused'; readonly message: string };

export const UNCONFIRMED = 'target-not-recommended-unconfirmed';

export function useStartTransfer(): (request: TransferRequest, acknowledgedWarning: boolean) => Promise<StartResult> {
  const send = useSend();
  const dispatch = useAppDispatch();
  return useCallback(
    async (request, acknowledgedWarning) => {
      const outcome = await send('transfer.start', { ...request, acknowledgedWarning }, { quiet: true });
      if (outcome.ok) {
        dispatch(transferPanelClosed());
        dispatch(focusCall(request.callId));
        return { kind: 'started', transferId: outcome.value.transferId };
      }
      if (outcome.error.code === UNCONFIRMED) {
        dispatch(transferPanelOpened(request.callId));
        dispatch(transferWarningRaised({ callId: request.callId, message: outcome.error.message }));
        return { kind: 'warning' };
      }
      return { kind: 'refused', message: outcome.error.message };
    },
    [dispatch, send],
  );
}
