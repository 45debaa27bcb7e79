/**
 * A TCP relay on 127.0.0.1 between a desk and the lab's Kamailio, for network failures a test can
 * cause at will. `blackhole()` makes every connection open now go silent in both directions without
 * closing anything — what a NAT that forgot the flow, a Wi-Fi change or a half-open TCP connection
 * looks like to both ends: writes still succeed locally, nothing arrives, no FIN, no RST. New
 * connections are relayed as usual, so a desk that notices can reconnect through the same address.
 */
import { createConnection, createServer, type Server, type Socket } from 'node:net';

export interface TcpProxy {
  /** ws://127.0.0.1:PORT — the lab's WebSocket URL, through the relay. */
  readonly wsUrl: string;
  readonly port: number;
  /** Connections being relayed (black-holed ones included until close()). */
  readonly open: number;
  /** Silences every connection open now; later ones are relayed normally. */
  blackhole(): void;
  /**
   * On every connection open now, drops what the server sends while still relaying what the desk
   * sends: a flow that dies just after carrying a request, so the request arrives and its answer is lost.
   */
  dropReplies(): void;
  close(): Promise<void>;
}

interface Pair {
  readonly client: Socket;
  readonly upstream: Socket;
  silenced: boolean;
  repliesDropped: boolean;
}

export async function startTcpProxy(targetPort: number, targetHost = '127.0.0.1'): Promise<TcpProxy> {
  const pairs = new Set<Pair>();
  const server: Server = createServer((client) => {
    const upstream = createConnection({ host: targetHost, port: targetPort });
    const pair: Pair = { client, upstream, silenced: false, repliesDropped: false };
    pairs.add(pair);
    // Data that arrives after the black hole opened is read and dropped: the kernel buffers must not
    // fill (that would push back on the sender, which a real black hole never does).
    client.on('data', (chunk) => {
      if (!pair.silenced) upstream.write(chunk);
    });
    upstream.on('data', (chunk) => {
      if (!pair.silenced && !pair.repliesDropped) client.write(chunk);
    });
    const end = (): void => {
      pairs.delete(pair);
      client.destroy();
      upstream.destroy();
    };
    // A black-holed flow carries no FIN or RST either: the ends find out by themselves.
    client.on('close', () => (pair.silenced ? client.destroy() : end()));
    upstream.on('close', () => (pair.silenced ? upstream.destroy() : end()));
    client.on('error', () => {});
    upstream.on('error', () => {});
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  return {
    wsUrl: `ws://127.0.0.1:${port}`,
    port,
    get open() {
      return pairs.size;
    },
    blackhole() {
      for (const pair of pairs) pair.silenced = true;
    },
    dropReplies() {
      for (const pair of pairs) pair.repliesDropped = true;
    },
    async close() {
      for (const pair of pairs) {
        pair.client.destroy();
        pair.upstream.destroy();
      }
      pairs.clear();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
