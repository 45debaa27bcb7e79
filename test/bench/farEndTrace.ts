/**
 * What a wrtc far end's own peer connection does through a take-over: its stats sampled every 50 ms
 * from the media-host crash until audio is back. Which path it sends on (its selected candidate pair:
 * the crashed engine's port or the new one's), when its DTLS comes up again (a new remote certificate:
 * the new engine's), what it sends down the old path after taking our offer (the ClientHello and its
 * retransmissions, as the old pair's bytesSent growing), and when RTP reaches it again.
 */
import type { WrtcTrace } from '../lab/wrtcEngine.js';

const SAMPLE_MS = 50;

/** Times in ms after the crash; null when it did not happen before the trace stopped. */
export interface FarEndTrace {
  /** The take-over offer applied by the far end (its setRemoteDescription done). */
  readonly offerAt: number | null;
  /** The old path last brought it anything (its old pair's bytesReceived last grew; the sample's time). */
  readonly oldLastReceivedAt: number | null;
  /** A pair to the new engine first succeeded (ICE checks answered both ways). */
  readonly newPathUpAt: number | null;
  /** Its selected pair's remote candidate became another port than before the crash (the new engine's). */
  readonly switchedAt: number | null;
  /** Its transport's DTLS connected with a new remote certificate. */
  readonly dtlsAt: number | null;
  /** Its inbound RTP packet count grew after that. */
  readonly audioAt: number | null;
  /** The take-over gave it a new transport (another stats id), or kept the one it had. */
  readonly newTransport: boolean | null;
  /** Sends down the old path after the offer: when (ms after the crash) and how many bytes, per sample. */
  readonly oldPathSends: ReadonlyArray<{ readonly at: number; readonly bytes: number }>;
  /** Every change seen, in order: "+2610 selected pair → :40123 (new engine) succeeded". */
  readonly events: readonly string[];
  /** Its DTLS and ICE roles at the last sample (libwebrtc's transport stats), and before the crash. */
  readonly dtlsRole: string | null;
  readonly dtlsRoleBefore: string | null;
  readonly iceRole: string | null;
  readonly iceRoleBefore: string | null;
  /** Samples taken (a slow getStats shows as fewer). */
  readonly samples: number;
}

interface Pair {
  readonly state: string;
  readonly nominated: boolean;
  readonly packetsSent: number;
  readonly bytesSent: number;
  readonly bytesReceived: number;
  readonly remotePort: number | null;
  readonly localPort: number | null;
}

interface Snapshot {
  readonly transportId: string | null;
  readonly dtlsState: string | null;
  /** ICE role, ICE state and local ufrag: an ICE restart on its side shows as a new ufrag. */
  readonly ice: string | null;
  readonly dtlsRole: string | null;
  readonly iceRole: string | null;
  readonly selectedPairId: string | null;
  readonly remoteCertificateId: string | null;
  readonly pairs: ReadonlyMap<string, Pair>;
  readonly inboundPackets: number;
}

export interface FarEndTracer {
  /** Sets the crash's time (performance.now()); samples from the baseline on are timed from it. */
  crashed(at: number): void;
  stop(): Promise<FarEndTrace>;
}

/** Takes a baseline sample now, then samples every 50 ms until stopped. */
export async function traceFarEnd(trace: WrtcTrace): Promise<FarEndTracer> {
  const baseline = await snapshot(trace);
  if (!baseline) throw new Error('the far end has no peer connection to trace');
  // Every port the crashed engine had a pair on: a pair to any other remote port is the new engine's.
  const oldPorts = new Set([...baseline.pairs.values()].map((p) => p.remotePort));
  const offersBefore = trace.remoteOffersAt.length;
  let t0 = performance.now();
  const events: string[] = [];
  const sends: Array<{ at: number; bytes: number }> = [];
  let switchedAt: number | null = null;
  let oldLastReceivedAt: number | null = null;
  let newPathUpAt: number | null = null;
  let dtlsAt: number | null = null;
  let audioAt: number | null = null;
  let newTransport: boolean | null = null;
  let samples = 0;
  let previous = baseline;
  let stopped = false;
  const rel = (at: number): number => Math.round(at - t0);
  const log = (at: number, what: string): void => void events.push(`+${rel(at)} ${what}`);
  const describePair = (id: string | null, s: Snapshot): string => {
    const pair = id === null ? undefined : s.pairs.get(id);
    if (!pair) return 'none';
    const side = oldPorts.has(pair.remotePort) ? 'old engine' : 'new engine';
    return `:${pair.localPort ?? '?'} → :${pair.remotePort ?? '?'} (${side}) ${pair.state}${pair.nominated ? ' nominated' : ''}`;
  };
  const offerAt = (): number | null => trace.remoteOffersAt[offersBefore] ?? null;

  const observe = (at: number, s: Snapshot): void => {
    if (s.transportId !== previous.transportId) log(at, `transport ${previous.transportId ?? 'none'} → ${s.transportId ?? 'none'}`);
    if (s.dtlsState !== previous.dtlsState || s.dtlsRole !== previous.dtlsRole) {
      log(at, `DTLS ${previous.dtlsState ?? 'none'} → ${s.dtlsState ?? 'none'} (${s.dtlsRole ?? 'no role'})`);
    }
    if (s.ice !== previous.ice) log(at, `ICE ${previous.ice ?? 'none'} → ${s.ice ?? 'none'}`);
    if (s.remoteCertificateId !== previous.remoteCertificateId) log(at, 'remote certificate changed');
    if (s.selectedPairId !== previous.selectedPairId) log(at, `selected pair → ${describePair(s.selectedPairId, s)}`);
    for (const [id, pair] of s.pairs) {
      const before = previous.pairs.get(id);
      if (!before) log(at, `new pair ${describePair(id, s)}`);
      else if (before.state !== pair.state || before.nominated !== pair.nominated) log(at, `pair ${describePair(id, s)}`);
    }
    const offer = offerAt();
    const old = baseline.selectedPairId === null ? undefined : s.pairs.get(baseline.selectedPairId);
    const oldBefore = baseline.selectedPairId === null ? undefined : previous.pairs.get(baseline.selectedPairId);
    if (offer !== null && old && oldBefore && old.bytesSent > oldBefore.bytesSent && at >= offer) {
      sends.push({ at: rel(at), bytes: old.bytesSent - oldBefore.bytesSent });
      log(at, `${old.packetsSent - oldBefore.packetsSent} packets, ${old.bytesSent - oldBefore.bytesSent} B sent down the old path`);
    }
    if (old && oldBefore && old.bytesReceived > oldBefore.bytesReceived) oldLastReceivedAt = at;
    if (newPathUpAt === null && [...s.pairs.values()].some((p) => p.state === 'succeeded' && !oldPorts.has(p.remotePort))) newPathUpAt = at;
    const selected = s.selectedPairId === null ? undefined : s.pairs.get(s.selectedPairId);
    if (switchedAt === null && selected && !oldPorts.has(selected.remotePort)) switchedAt = at;
    if (offer !== null && newTransport === null && s.transportId !== null) newTransport = s.transportId !== baseline.transportId;
    if (
      dtlsAt === null &&
      offer !== null &&
      s.dtlsState === 'connected' &&
      s.remoteCertificateId !== null &&
      s.remoteCertificateId !== baseline.remoteCertificateId
    ) {
      dtlsAt = at;
    }
    if (dtlsAt !== null && audioAt === null && at > dtlsAt && s.inboundPackets > previous.inboundPackets) audioAt = at;
    previous = s;
  };

  const loop = (async () => {
    while (!stopped) {
      await new Promise((resolve) => setTimeout(resolve, SAMPLE_MS));
      const s = await snapshot(trace);
      if (!s) break;
      samples += 1;
      observe(performance.now(), s);
    }
  })();

  return {
    crashed: (at) => {
      t0 = at;
    },
    stop: async () => {
      stopped = true;
      await loop;
      const offer = offerAt();
      const since = (at: number | null): number | null => (at === null ? null : rel(at));
      return {
        offerAt: since(offer),
        switchedAt: since(switchedAt),
        dtlsAt: since(dtlsAt),
        audioAt: since(audioAt),
        newTransport,
        oldPathSends: sends,
        events,
        dtlsRole: previous.dtlsRole,
        dtlsRoleBefore: baseline.dtlsRole,
        iceRole: previous.iceRole,
        iceRoleBefore: baseline.iceRole,
        oldLastReceivedAt: since(oldLastReceivedAt),
        newPathUpAt: since(newPathUpAt),
        samples,
      };
    },
  };
}

async function snapshot(trace: WrtcTrace): Promise<Snapshot | undefined> {
  const report = await trace.report();
  if (!report) return undefined;
  const byId = new Map<string, Record<string, unknown>>();
  report.forEach((stat: unknown) => {
    if (isRecord(stat) && typeof stat['id'] === 'string') byId.set(stat['id'], stat);
  });
  const stats = [...byId.values()];
  // One audio m-line, rtcp-mux: one transport (the bench's far end negotiates nothing else).
  const transport = stats.find((s) => s['type'] === 'transport');
  const port = (candidateId: unknown): number | null => {
    const candidate = typeof candidateId === 'string' ? byId.get(candidateId) : undefined;
    const value = candidate?.['port'];
    return typeof value === 'number' ? value : null;
  };
  const pairs = new Map<string, Pair>();
  for (const s of stats) {
    if (s['type'] !== 'candidate-pair') continue;
    pairs.set(String(s['id']), {
      state: text(s, 'state') ?? '?',
      nominated: s['nominated'] === true,
      packetsSent: num(s, 'packetsSent'),
      bytesSent: num(s, 'bytesSent'),
      bytesReceived: num(s, 'bytesReceived'),
      remotePort: port(s['remoteCandidateId']),
      localPort: port(s['localCandidateId']),
    });
  }
  let inboundPackets = 0;
  for (const s of stats) if (s['type'] === 'inbound-rtp' && s['kind'] === 'audio') inboundPackets += num(s, 'packetsReceived');
  return {
    transportId: transport ? String(transport['id']) : null,
    dtlsState: transport ? (text(transport, 'dtlsState') ?? null) : null,
    ice: transport
      ? `${text(transport, 'iceRole') ?? '?'} ${text(transport, 'iceState') ?? '?'} ufrag ${text(transport, 'iceLocalUsernameFragment') ?? '?'}`
      : null,
    dtlsRole: transport ? (text(transport, 'dtlsRole') ?? null) : null,
    iceRole: transport ? (text(transport, 'iceRole') ?? null) : null,
    selectedPairId: transport ? (text(transport, 'selectedCandidatePairId') ?? null) : null,
    remoteCertificateId: transport ? (text(transport, 'remoteCertificateId') ?? null) : null,
    pairs,
    inboundPackets,
  };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}

function num(record: Record<string, unknown>, key: string): number {
  const value = record[key];
  return typeof value === 'number' && Number.isFinite(value) ? value : 0;
}

function text(record: Record<string, unknown>, key: string): string | undefined {
  const value = record[key];
  return typeof value === 'string' ? value : undefined;
}
