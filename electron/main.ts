/**
 * Electron glue only: windows and OS integration. Everything that can run without Electron lives
 * in electron/core and is composed here through small ports (see ../shared/design/ARCHITECTURE.md).
 * The shell's full hardening and ports arrive with the shell issue; what is here is already safe.
 */
import { app, BrowserWindow, session } from 'electron';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';

const here = dirname(fileURLToPath(import.meta.url));

function createWindow(): BrowserWindow {
  const window = new BrowserWindow({
    width: 1100,
    height: 760,
    title: 'Baton',
    webPreferences: {
      preload: join(here, 'preload.cjs'),
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      webSecurity: true,
    },
  });
  // No navigation away from our own page and no new windows: the renderer has no business there.
  window.webContents.on('will-navigate', (event) => event.preventDefault());
  window.webContents.setWindowOpenHandler(() => ({ action: 'deny' }));
  void window.loadFile(join(here, '..', 'renderer', 'index.html'));
  return window;
}

void app.whenReady().then(() => {
  // Only the microphone, and only for our own page.
  session.defaultSession.setPermissionRequestHandler((_contents, permission, callback) => {
    callback(permission === 'media');
  });
  createWindow();
});

app.on('window-all-closed', () => {
  if (process.platform !== 'darwin') app.quit();
});
