/**
 * The core's StatusIndicator as a tray icon: the agent state stays visible (tooltip everywhere,
 * title text beside the icon in the macOS menu bar) with the window hidden.
 */
import type { MenuItemConstructorOptions } from 'electron';
import type { StatusIndicator } from '../core/ports.js';
import { PRODUCT_NAME } from './appIdentity.js';

/** The parts of Electron's Tray used here. */
export interface TrayPort {
  setToolTip(text: string): void;
  setTitle(text: string): void;
  on(event: 'click', listener: () => void): unknown;
}

export class TrayStatusIndicator implements StatusIndicator {
  constructor(
    private readonly tray: TrayPort,
    private readonly platform: NodeJS.Platform,
    onClick: () => void,
  ) {
    tray.setToolTip(PRODUCT_NAME);
    tray.on('click', onClick);
  }

  setStatus(text: string): void {
    const clean = text.replace(/[\r\n]+/g, ' ').slice(0, 60);
    this.tray.setToolTip(`${PRODUCT_NAME} — ${clean}`);
    // Only macOS shows tray titles; elsewhere setTitle is a no-op or unsupported.
    if (this.platform === 'darwin') this.tray.setTitle(clean);
  }
}

/** The tray's menu: the only way to quit while the window is hidden to the tray. */
export function trayMenuTemplate(actions: {
  readonly show: () => void;
  readonly quit: () => void;
  readonly exportDiagnostics?: () => void;
}): MenuItemConstructorOptions[] {
  const exportItem = actions.exportDiagnostics;
  return [
    { label: `Show ${PRODUCT_NAME}`, click: () => actions.show() },
    ...(exportItem ? [{ label: 'Export diagnostics…', click: () => exportItem() }] : []),
    { type: 'separator' },
    { label: `Quit ${PRODUCT_NAME}`, click: () => actions.quit() },
  ];
}
