/** The renderer's media engine: WebRTC for main's calls (see README.md). */
export { attachMediaEngine, type AttachOptions, type AttachedMediaEngine } from './attachMediaEngine.js';
export {
  createMediaEngine,
  harnessMediaOptions,
  MEDIA_OPTIONS_GLOBAL,
  type AudioDevices,
  type DeviceChoice,
  type DeviceRequest,
  type MediaEngine,
  type MediaEngineOptions,
} from './mediaEngine.js';
export { BrowserMediaSession } from './browserSession.js';
export { runMediaRequest } from './mediaRequests.js';
