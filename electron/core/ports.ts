/**
 * What the core needs from the operating system, as small typed ports. main.ts passes Electron's
 * implementations; tests and the E2E harness pass their own. Nothing here imports Electron.
 */

/** OS-level notifications (the warm-transfer toast reaches a recipient even in another app). */
export interface Notifier {
  /** Shows a notification; `onClick` brings the call forward. Returns a handle to close it. */
  show(
    notification: { readonly id: string; readonly title: string; readonly body: string; readonly urgent: boolean },
    onClick: () => void,
  ): {
    close(): void;
  };
}

/** Where the SIP password lives: OS secure storage (Electron safeStorage), never plaintext. */
export interface CredentialStore {
  save(userId: string, secret: string): void;
  load(userId: string): string | null;
  clear(userId: string): void;
  /** False where the OS offers no encryption: then nothing is saved and the agent types it each time. */
  readonly available: boolean;
}

/** The tray icon's text: the agent state stays visible with no window open. */
export interface StatusIndicator {
  setStatus(text: string): void;
}
