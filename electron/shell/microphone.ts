/**
 * The OS microphone permission. On macOS the app must ask (TCC) before Chromium's getUserMedia can
 * get audio, and the prompt shows the Info.plist NSMicrophoneUsageDescription; Windows has a
 * privacy switch we can only read. A denied microphone is said plainly: calls would connect silent.
 */

/** The parts of Electron's systemPreferences used here. */
export interface MediaAccessPort {
  getMediaAccessStatus(mediaType: 'microphone' | 'camera' | 'screen'): 'not-determined' | 'granted' | 'denied' | 'restricted' | 'unknown';
  askForMediaAccess?(mediaType: 'microphone' | 'camera'): Promise<boolean>;
}

export type MicrophoneAccess = { readonly granted: true } | { readonly granted: false; readonly advice: string };

export async function ensureMicrophoneAccess(system: MediaAccessPort, platform: NodeJS.Platform): Promise<MicrophoneAccess> {
  if (platform !== 'darwin' && platform !== 'win32') return { granted: true }; // Linux has no OS-level switch
  const status = system.getMediaAccessStatus('microphone');
  if (status === 'granted' || status === 'unknown') return { granted: true };
  if (platform === 'darwin' && status === 'not-determined' && system.askForMediaAccess) {
    if (await system.askForMediaAccess('microphone')) return { granted: true };
  }
  return {
    granted: false,
    advice:
      platform === 'darwin'
        ? 'Baton may not use the microphone: callers will not hear you. Allow it in System Settings → Privacy & Security → Microphone, then restart Baton.'
        : 'Windows blocks the microphone for apps: callers will not hear you. Turn on Settings → Privacy & security → Microphone → "Let desktop apps access your microphone".',
  };
}
