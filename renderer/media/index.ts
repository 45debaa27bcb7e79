/** The renderer's media engine: WebRTC for main's calls (see README.md). */
export { attachMediaEngine, type AttachOptions, type AttachedMediaEngine } from './attachMediaEngine.js';
export {
  createMediaEngine,
  harnessMediaOptions,
  MEDIA_OPTIONS_GLOBAL,
  type AudioDevices,
  type EngineCounters,
  type DeviceChoice,
  type DeviceRequest,
  type MediaEngine,
  type MediaEngineOptions,
} from './mediaEngine.js';
export { BrowserMediaSession } from './browserSession.js';
export { choiceFromSettings, resolveDevice, type DeviceInfo, type ResolvedDevices } from './deviceChoice.js';
export { checkDevices, pageDeviceProbe, type DeviceProbe } from './deviceCheck.js';
export { runMediaRequest } from './mediaRequests.js';
export { SpareOffer, type SpareCounts, type SpareOfferOptions, type TakenSpare } from './spareOffer.js';
