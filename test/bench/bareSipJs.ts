/**
 * Stock SIP.js, configured as its own docs show (Web transport, Web SessionDescriptionHandler), on
 * the same wrtc and synthetic microphone as our Node engine — the baseline our phone is compared to.
 */
import wrtc from '@roamhq/wrtc';
import WebSocket from 'ws';
import { Registerer, UserAgent, Web, type UserAgentOptions } from 'sip.js';
import { keepCandidates, loopbackOnly } from '../../shared/sdp.js';
import { userAgentSessionCount } from '../../electron/core/sip/libraryInternals.js';

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
export function syntheticMicrophone(toneHz: number): {
  stream: () => MediaStream;
  stop: () => void;
  pause: () => void;
  resume: () => void;
} {
  const Source = (wrtc.nonstandard as unknown as { RTCAudioSource: new () => AudioSource }).RTCAudioSource;
  const source = new Source();
  let phase = 0;
  const feed = (): void => {
    const samples = new Int16Array(480);
    for (let i = 0; i < samples.length; i += 1) {
      samples[i] = Math.round(8000 * Math.sin(phase));
      phase += (2 * Math.PI * toneHz) / 48_000;
    }
    source.onData({ samples, sampleRate: 48_000, bitsPerSample: 16, channelCount: 1, numberOfFrames: 480 });
  };
  let timer: ReturnType<typeof setInterval> | undefined = setInterval(feed, 10);
  const tracks: MediaStreamTrack[] = [];
  const pause = (): void => {
    clearInterval(timer);
    timer = undefined;
  };
  return {
    stream: () => {
      const track = source.createTrack();
      tracks.push(track);
      return new wrtc.MediaStream([track]);
    },
    /** Stops feeding frames while no stock call is up (so it loads no one else's measurements). */
    pause,
    resume: () => {
      timer ??= setInterval(feed, 10);
    },
    stop: () => {
      pause();
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

/**
 * A stock SIP.js user agent on the lab, registered, as its docs show. `options` adds to (or
 * overrides) the defaults, e.g. `sipExtensionReplaces` for an attended-transfer recipient.
 */
export async function bareUserAgent(
  lab: { readonly domain: string; readonly wsUrl: string },
  user: string,
  factory: ReturnType<typeof Web.defaultSessionDescriptionHandlerFactory>,
  options: Partial<UserAgentOptions> = {},
): Promise<UserAgent> {
  const ua = new UserAgent({
    uri: UserAgent.makeURI(`sip:${user}@${lab.domain}`),
    transportOptions: { server: lab.wsUrl },
    sessionDescriptionHandlerFactory: factory,
    // Same gathering bound as our Node engine, so a comparison is of the stacks, not of a timeout.
    sessionDescriptionHandlerFactoryOptions: { iceGatheringTimeout: 300, peerConnectionConfiguration: { iceServers: [] } },
    logLevel: 'error',
    ...options,
  });
  await ua.start();
  await new Promise<void>((resolve, reject) => {
    new Registerer(ua)
      .register({
        requestDelegate: {
          onAccept: () => resolve(),
          onReject: (response) => reject(new Error(`REGISTER ${user}: ${response.message.statusCode ?? 0}`)),
        },
      })
      .catch(reject);
  });
  return ua;
}

/** Sessions a stock user agent still holds (a terminated session removes itself). */
export function bareSessionCount(ua: UserAgent): number {
  const count = userAgentSessionCount(ua);
  if (count === undefined) throw new Error('SIP.js no longer keeps UserAgent._sessions (see test/unit/libraryInternals.test.ts)');
  return count;
}
