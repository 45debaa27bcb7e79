/**
 * The media host's entry: a hidden page with no UI that owns every call's media — the WebRTC
 * engine (renderer/media), the microphone, speaker, ringer and DTMF. It talks to main only through
 * its own `window.baton` (shared/ipc.ts MediaHostApi: media requests, media.state, media.replaced).
 * The UI page can reload, crash or close; this page, and the calls' audio, go on.
 */
import type { MediaHostApi, MediaHostState } from '../../shared/ipc.js';
import { attachMediaEngine, choiceFromSettings, MEDIA_OPTIONS_GLOBAL } from '../media/index.js';
import { showReplaced } from './replacedNotice.js';
import { showDeskGone, whenDeskGone } from './deskGoneNotice.js';

/** Where the harness finds the engine (see below). */
const MEDIA_ENGINE_GLOBAL = '__BATON_MEDIA_ENGINE__';

function findMediaHostApi(): MediaHostApi | null {
  const api = (window as unknown as { baton?: MediaHostApi }).baton;
  return api && typeof api.invoke === 'function' && typeof api.attach === 'function' ? api : null;
}

const baton = findMediaHostApi();
if (!baton) {
  console.error('[baton] the media host cannot reach main (window.baton is missing)');
} else {
  let devices: MediaHostState['devices'] = null;
  // Main's devices (the agent's choice or IT's policy), found by id, else by label, else the default —
  // again whenever devices come and go, so a headset plugged in later is picked up. Main checked a
  // choice with this engine before saving it (checkDevices), so a failure here is a device that went
  // away since: the calls keep the devices they have.
  const applyDevices = async (): Promise<void> => {
    if (devices === null || media.replaced) return;
    const available = navigator.mediaDevices ? await navigator.mediaDevices.enumerateDevices() : [];
    const choice = choiceFromSettings(devices, available);
    await media.engine.setDevices({
      microphoneId: choice.microphoneId ?? '',
      speakerId: choice.speakerId ?? '',
      ringerId: choice.ringerId ?? '',
    });
  };
  const media = attachMediaEngine(baton, {
    onState: (state) => {
      if (JSON.stringify(state.devices) === JSON.stringify(devices)) return;
      devices = state.devices;
      void applyDevices().catch((error: unknown) => console.warn('[baton] an audio device could not be used', error));
    },
    // The browser fallback: the agent opened another audio tab, which has the calls now.
    onReplaced: () => showReplaced(document),
  });
  // Safe: the calls keep the devices they have.
  navigator.mediaDevices?.addEventListener(
    'devicechange',
    () => void applyDevices().catch((error: unknown) => console.warn('[baton] an audio device could not be used', error)),
  );
  // Where the E2E harness set its options (never in the product), its tests and benches may read the
  // engine's own counters (spare made and used, offers gathered, connections open).
  if (MEDIA_OPTIONS_GLOBAL in globalThis) (globalThis as Record<string, unknown>)[MEDIA_ENGINE_GLOBAL] = media.engine;
  // The spare's host candidates describe the network as it was: a change makes new ones.
  window.addEventListener('online', () => media.engine.invalidateSpare());
  (navigator as Navigator & { connection?: EventTarget }).connection?.addEventListener('change', () => media.engine.invalidateSpare());
  window.addEventListener('pagehide', () => void media.dispose());
  // The browser fallback's desk stopped: this tab plays nothing any more and says so (the app's IPC never closes).
  whenDeskGone(window, () => {
    showDeskGone(document);
    void media.dispose();
  });
}
