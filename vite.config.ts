/**
 * The renderer bundle: renderer/ → dist/renderer, relative URLs (base './') because the same files
 * are served by Electron's app:// protocol and by the E2E harness over http://127.0.0.1.
 * TSX is transformed by Vite's built-in oxc (no plugin); nothing here needs the network.
 */
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const here = (path: string): string => fileURLToPath(new URL(path, import.meta.url));

export default defineConfig({
  root: here('./renderer'),
  base: './',
  // favicon.ico only: a browser asks every page of the browser fallback for /favicon.ico.
  publicDir: here('./renderer/public'),
  oxc: { jsx: { runtime: 'automatic', importSource: 'react' } },
  build: {
    outDir: here('./dist/renderer'),
    emptyOutDir: true,
    target: 'chrome130',
    sourcemap: true,
    // Two pages: the UI (index.html, React) and the media host (mediaHost/index.html, no React),
    // which owns the calls' media and outlives every UI reload.
    rollupOptions: {
      input: { main: here('./renderer/index.html'), mediaHost: here('./renderer/mediaHost/index.html') },
    },
    // Under a strict CSP (no inline script) the preload polyfill is not wanted; Chromium has modulepreload.
    modulePreload: { polyfill: false },
    chunkSizeWarningLimit: 1024,
  },
  server: { host: '127.0.0.1', strictPort: false },
});
