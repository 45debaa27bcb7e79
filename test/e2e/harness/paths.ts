/** Where the E2E suite finds the bundle and keeps its generated files (all under the repo). */
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));
/** The production renderer bundle (`npx vite build`). */
export const BUNDLE_DIR = fileURLToPath(new URL('../../../dist/renderer/', import.meta.url));
/**
 * Generated once per machine: the fake device's recording (speech-like, see fakeMicrophone.ts), for
 * pages without an injected microphone (the benches); E2E agent pages send their party tone instead.
 */
export const FAKE_MIC_WAV = fileURLToPath(new URL('../../../dist/e2e/fake-mic-speech-550hz.wav', import.meta.url));
/** Base pitch of the recording's voice. */
export const FAKE_MIC_HZ = 550;

/** Debian Chromium's flags for the suite and the reload bench: fake microphone, loopback ICE, no background traffic. */
export const CHROMIUM_ARGS: readonly string[] = [
  '--use-fake-device-for-media-stream',
  '--use-fake-ui-for-media-stream',
  // A speech-like signal instead of the default once-a-second beep, where no party tone is injected (see fakeMicrophone.ts).
  `--use-file-for-fake-audio-capture=${FAKE_MIC_WAV}`,
  '--allow-loopback-in-peer-connection',
  '--autoplay-policy=no-user-gesture-required',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];
