/**
 * Stock SIP.js, configured as its own docs show (Web transport, Web SessionDescriptionHandler), on
 * the same wrtc and synthetic microphone as our Node engine — the baseline our phone is compared to.
 */
import wrtc from '@roamhq/wrtc';
import WebSocket from 'ws';
import { Web } from 'sip.js';
import { keepCandidates, loopbackOnly } from '../../shared/sdp.js';

/** Installs the browser globals SIP.js's web platform expects (LAB.md lists the two wrtc lacks). */
export function installWebGlobals(): void {
  const g = globalThis as Record<string, unknown>;
  g.WebSocket ??= WebSocket;
  g.RTCPeerConnection ??= wrtc.RTCPeerConnection;
  g.RTCSessionDescription ??= wrtc.RTCSessionDescription;
  g.RTCIceCandidate ??= wrtc.RTCIceCandidate;
  g.MediaStream ??= wrtc.MediaStream;
  g.MediaStreamTrack ??= wrtc.MediaStreamTrack;
  g.MediaStreamTrackEvent ??= class MediaStreamTrackEvent extends Event {
    readonly track: MediaStreamTrack;
    constructor(type: string, init: { track: MediaStreamTrack }) {
      super(type);
      this.track = init.track;
    }
  };
  const proto = wrtc.MediaStream.prototype as unknown as { dispatchEvent?: (event: Event) => boolean };
  proto.dispatchEvent ??= () => true;
}

interface AudioSource {
  createTrack(): MediaStreamTrack;
  onData(frame: { samples: Int16Array; sampleRate: number; bitsPerSample: number; channelCount: number; numberOfFrames: number }): void;
}

/** A synthetic microphone: a sine fed in 10 ms frames, as the Node engine does. */
export function syntheticMicrophone(toneHz: number): { stream: () => MediaStream; stop: () => void } {
  const Source = (wrtc.nonstandard as unknown as { RTCAudioSource: new () => AudioSource }).RTCAudioSource;
  const source = new Source();
  let phase = 0;
  const timer = setInterval(() => {
    const samples = new Int16Array(480);
    for (let i = 0; i < samples.length; i += 1) {
      samples[i] = Math.round(8000 * Math.sin(phase));
      phase += (2 * Math.PI * toneHz) / 48_000;
    }
    source.onData({ samples, sampleRate: 48_000, bitsPerSample: 16, channelCount: 1, numberOfFrames: 480 });
  }, 10);
  const tracks: MediaStreamTrack[] = [];
  return {
    stream: () => {
      const track = source.createTrack();
      tracks.push(track);
      return new wrtc.MediaStream([track]) as unknown as MediaStream;
    },
    stop: () => {
      clearInterval(timer);
      for (const t of tracks) t.stop();
    },
  };
}

/** The SDH factory of stock SIP.js, fed by the synthetic microphone. */
export function bareSdhFactory(microphone: { stream: () => MediaStream }): ReturnType<typeof Web.defaultSessionDescriptionHandlerFactory> {
  return Web.defaultSessionDescriptionHandlerFactory(() => Promise.resolve(microphone.stream()));
}

/** Keeps media on loopback, as the lab requires of every engine. */
export const loopbackModifier = (description: RTCSessionDescriptionInit): Promise<RTCSessionDescriptionInit> =>
  Promise.resolve({ ...description, sdp: keepCandidates(description.sdp ?? '', loopbackOnly) });

/** Bytes of audio received so far on a stock SIP.js session. */
export async function bareBytesReceived(sdh: unknown): Promise<number> {
  const pc = (sdh as Web.SessionDescriptionHandler | undefined)?.peerConnection;
  if (!pc) return 0;
  let bytes = 0;
  (await pc.getStats()).forEach((report: { type: string; kind?: string; bytesReceived?: number }) => {
    if (report.type === 'inbound-rtp') bytes += report.bytesReceived ?? 0;
  });
  return bytes;
}
