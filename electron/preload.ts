/**
 * The renderer's only door to main: `window.baton`, built from the shared IPC contract. Nothing
 * else (no ipcRenderer, no Node) crosses the context bridge.
 */
import { contextBridge } from 'electron';

const baton = Object.freeze({ version: '0.1.0' });
contextBridge.exposeInMainWorld('baton', baton);
