/**
 * Signals a lab process's whole group (it was spawned detached, so the group holds whatever it
 * started too). A group already gone (ESRCH) is what a stop wants; any other failure (EPERM) is a
 * real problem and is thrown.
 */
export function signalGroup(pid: number, signal: NodeJS.Signals): void {
  signalProcess(-pid, signal);
}

/** Signals one process; one already gone (ESRCH) is fine, any other failure is thrown. */
export function signalProcess(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(pid, signal);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ESRCH') throw error;
  }
}
