/** Drives burstPeer.worker.mjs: a SIP server in its own thread that bursts INVITEs at the phone. */
import { Worker } from 'node:worker_threads';

export interface BurstResult {
  readonly statuses: Record<string, number>;
  readonly unanswered: number;
}

export interface BurstPeer {
  readonly url: string;
  /** Sends `count` new INVITEs carrying `sdp` at once; resolves when each was answered (or after 20 s). */
  burst(count: number, sdp: string): Promise<BurstResult>;
  close(): Promise<void>;
}

export async function startBurstPeer(): Promise<BurstPeer> {
  const worker = new Worker(new URL('./burstPeer.worker.mjs', import.meta.url));
  const next = (): Promise<Record<string, unknown>> =>
    new Promise((resolve, reject) => {
      worker.once('message', (m: Record<string, unknown>) => resolve(m));
      worker.once('error', reject);
    });
  const { port } = (await next()) as { port: number };
  return {
    url: `ws://127.0.0.1:${port}`,
    async burst(count, sdp) {
      const result = next();
      worker.postMessage({ burst: count, body: sdp });
      return (await result) as unknown as BurstResult;
    },
    async close() {
      const closed = next();
      worker.postMessage({ close: true });
      await closed;
      await worker.terminate();
    },
  };
}
