/**
 * Sending commands to main. Components call `useSend()`; a refusal is shown to the agent in main's
 * own words unless the caller handles that code itself (e.g. the non-recommended warning).
 */
import { createContext, useCallback, useContext, type ReactNode } from 'react';
import type { BatonApi, CommandName, CommandOutcome, CommandPayload } from '../../shared/ipc.js';
import { errorShown } from '../features/desk/workspaceSlice.js';
import { useAppDispatch } from './store.js';

const BatonContext = createContext<BatonApi | null>(null);

export function BatonProvider({ baton, children }: { readonly baton: BatonApi; readonly children: ReactNode }) {
  return <BatonContext.Provider value={baton}>{children}</BatonContext.Provider>;
}

export interface SendOptions {
  /** Error codes the caller shows itself; others appear in the error banner. */
  readonly handles?: readonly string[];
  /** Show no error at all (background commands such as draft.save). */
  readonly quiet?: boolean;
}

export type Send = <C extends CommandName>(command: C, payload: CommandPayload<C>, options?: SendOptions) => Promise<CommandOutcome<C>>;

export function useSend(): Send {
  const baton = useContext(BatonContext);
  const dispatch = useAppDispatch();
  return useCallback(
    async (command, payload, options) => {
      if (!baton) return { ok: false, error: { code: 'no-bridge', message: 'Baton is not connected to its main process.' } };
      let outcome: Awaited<ReturnType<Send>>;
      try {
        outcome = await baton.invoke(command, payload);
      } catch (error) {
        outcome = {
          ok: false,
          error: { code: 'ipc-failed', message: error instanceof Error ? error.message : 'The command could not be sent.' },
        };
      }
      if (!outcome.ok && !options?.quiet && !options?.handles?.includes(outcome.error.code)) {
        dispatch(errorShown(outcome.error.message));
      }
      return outcome as never;
    },
    [baton, dispatch],
  );
}
