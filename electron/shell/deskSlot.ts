/**
 * The one desk the IPC bridge talks to, which main may replace once: the Connect screen's desk
 * (core/provisioning/connectDesk.ts) until the agent connected, then the real Desk. The bridge and
 * its sender checks stay the same object throughout, and the window keeps its media engine.
 */
import type { CommandName, CommandOutcome } from '../../shared/ipc.js';
import type { DeskState } from '../../shared/desk.js';
import type { IpcDesk } from './ipcBridge.js';

export class DeskSlot implements IpcDesk {
  constructor(private current: IpcDesk) {}

  /** From now on commands go to `desk`; the caller publishes its snapshot to the window. */
  use(desk: IpcDesk): void {
    this.current = desk;
  }

  handle(command: CommandName, payload: unknown): Promise<CommandOutcome<CommandName>> {
    return this.current.handle(command, payload);
  }

  snapshot(): DeskState {
    return this.current.snapshot();
  }

  mediaEngineAttached(): void {
    this.current.mediaEngineAttached();
  }
}
