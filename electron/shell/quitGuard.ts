/**
 * Quitting with calls up: Electron's `before-quit` is held while the agent is asked, in a sentence
 * naming what is live, whether to end those calls. "Keep Baton open" leaves everything as it was;
 * "End calls and quit" lets the quit go on, and the desk then ends each call cleanly (BYE, a
 * recipient's consult as a cancel). When the OS ends the session nobody can answer a dialog: the
 * quit goes on and the calls still end cleanly on the way out.
 */

export interface PreventableEvent {
  preventDefault(): void;
}

export interface QuitGuardOptions {
  /** What quitting would end, as the desk says it; null when nothing is live. */
  readonly liveWork: () => string | null;
  /** Shows the question; resolves true for "End calls and quit". */
  readonly confirm: (live: string) => Promise<boolean>;
  /** Asks Electron to quit again (app.quit). */
  readonly quit: () => void;
  readonly log: (message: string) => void;
}

export const QUIT_BUTTONS = ['Keep Baton open', 'End calls and quit'] as const;

export class QuitGuard {
  private confirmed = false;
  private asking = false;

  constructor(private readonly options: QuitGuardOptions) {}

  /** For `before-quit`: true when the quit may go on now; otherwise it is held while the agent decides. */
  onBeforeQuit(event: PreventableEvent): boolean {
    if (this.confirmed) return true;
    const live = this.options.liveWork();
    if (live === null) return true;
    event.preventDefault();
    if (this.asking) return false; // a second Quit while the question is open: one dialog is enough
    this.asking = true;
    this.options.confirm(live).then(
      (endCalls) => {
        this.asking = false;
        if (!endCalls) return;
        this.confirmed = true;
        this.options.quit();
      },
      (error: unknown) => {
        // No answer means no consent: the calls stay up and Baton stays open.
        this.asking = false;
        this.options.log(`quit confirmation failed: ${String(error)}`);
      },
    );
    return false;
  }

  /** The OS is logging off or shutting down: no one can answer, the desk ends the calls cleanly. */
  sessionEnding(): void {
    this.confirmed = true;
  }
}
