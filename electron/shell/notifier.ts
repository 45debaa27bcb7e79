/**
 * The core's Notifier over Electron's Notification. A click focuses the window and then runs the
 * core's onClick (which brings the call forward). Notifications are kept referenced until closed:
 * Electron drops the click handler of one that was garbage-collected while still on screen.
 * On Windows, toasts only show and route clicks when app.setAppUserModelId(APP_ID) matches the
 * Start-menu shortcut that the installer created with the same appId.
 */
import type { NotificationConstructorOptions } from 'electron';
import type { Notifier } from '../core/ports.js';

/** The parts of an Electron Notification used here. */
export interface NotificationHandle {
  on(event: 'click', listener: () => void): unknown;
  on(event: 'close', listener: () => void): unknown;
  show(): void;
  close(): void;
}

export interface ElectronNotifierOptions {
  /** `(options) => new Notification(options)` in main.ts. */
  readonly create: (options: NotificationConstructorOptions) => NotificationHandle;
  /** Shows, restores and focuses the main window. */
  readonly focusWindow: () => void;
  readonly isSupported?: () => boolean;
}

export class ElectronNotifier implements Notifier {
  private readonly live = new Map<string, NotificationHandle>();

  constructor(private readonly options: ElectronNotifierOptions) {}

  show(
    notification: { readonly id: string; readonly title: string; readonly body: string; readonly urgent: boolean },
    onClick: () => void,
  ): { close(): void } {
    if (this.options.isSupported && !this.options.isSupported()) return { close: () => {} };
    this.live.get(notification.id)?.close(); // one toast per id: a newer one replaces it
    const toast = this.options.create({
      title: notification.title,
      body: notification.body,
      // An incoming transfer must not time out silently while the agent is in another app.
      urgency: notification.urgent ? 'critical' : 'normal',
      timeoutType: notification.urgent ? 'never' : 'default',
      silent: false,
    });
    const forget = (): void => {
      if (this.live.get(notification.id) === toast) this.live.delete(notification.id);
    };
    toast.on('click', () => {
      forget();
      this.options.focusWindow();
      onClick();
    });
    toast.on('close', forget);
    this.live.set(notification.id, toast);
    toast.show();
    return {
      close: () => {
        forget();
        toast.close();
      },
    };
  }

  /** How many notifications are on screen (tests; leaks). */
  get open(): number {
    return this.live.size;
  }
}
