/** Where the E2E suite finds the bundle and keeps its generated files (all under the repo). */
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));
/** The production renderer bundle (`npx vite build`). */
export const BUNDLE_DIR = fileURLToPath(new URL('../../../dist/renderer/', import.meta.url));
/** Generated once per machine: the fake microphone's recording (speech-like, see fakeMicrophone.ts). */
export const FAKE_MIC_WAV = fileURLToPath(new URL('../../../dist/e2e/fake-mic-speech-550hz.wav', import.meta.url));
/** Base pitch of the page microphone's voice; the lab bots use 330 Hz (customer) and 440 Hz. */
export const FAKE_MIC_HZ = 550;
