/**
 * The rejection handler for a best-effort media step whose failure changes nothing for the call
 * (playing on a speaker that went away, resuming an AudioContext, answering a main that is gone):
 * the error is written to the console, where the diagnostics export finds it, and the call goes on.
 * Each caller says why going on is safe.
 */
export function loggedAndDropped(what: string): (error: unknown) => void {
  return (error: unknown) => console.debug(`[baton] ${what} failed; going on`, error);
}
