/**
 * The demo binds 127.0.0.1 only, also outside the tests' loopback-only namespace: with the preload
 * npm start gives its processes (scripts/loopback-preload.sh), a WebRTC peer (the bots' wrtc)
 * gathering in a namespace that also has a routable-looking address (192.0.2.77 on a veth, and
 * another on `lo`) opens sockets on 127.0.0.1 only. The same probe without the preload opens them
 * on 192.0.2.77 too — the fault the preload removes, seen by the same check.
 *
 * Each probe runs in a network namespace of its own (`unshare -n`, root only), so the addresses
 * added never reach the namespace the other tests run in.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const canUnshare = process.getuid?.() === 0 && spawnSync('unshare', ['-n', 'true']).status === 0;

/** In the probe's namespace: lo up with a second address, and a veth pair with 192.0.2.77. */
const NAMESPACE_SETUP = [
  'ip link set lo up',
  'ip addr add 192.0.2.78/32 dev lo',
  'ip link add baton-probe0 type veth peer name baton-probe1',
  'ip addr add 192.0.2.77/24 dev baton-probe0',
  'ip link set baton-probe0 up',
  'ip link set baton-probe1 up',
].join(' && ');

/** A wrtc peer gathers; then its own sockets' local addresses (ss) and its SDP's candidates. */
const PROBE = `
import wrtc from '@roamhq/wrtc';
import { execFileSync } from 'node:child_process';
const pc = new wrtc.RTCPeerConnection({ iceServers: [] });
pc.addTransceiver('audio', { direction: 'sendrecv' });
await pc.setLocalDescription(await pc.createOffer());
await new Promise((resolve) => {
  if (pc.iceGatheringState === 'complete') return resolve();
  pc.onicegatheringstatechange = () => pc.iceGatheringState === 'complete' && resolve();
  setTimeout(resolve, 3000);
});
const own = execFileSync('ss', ['-H', '-tuanp'], { encoding: 'utf8' }).split('\\n').filter((l) => l.includes('pid=' + process.pid + ','));
const bound = own.map((l) => l.trim().split(/\\s+/)[4]).map((a) => a.slice(0, a.lastIndexOf(':')));
const candidates = [...pc.localDescription.sdp.matchAll(/^a=candidate:\\S+ \\d+ \\S+ \\d+ (\\S+) /gm)].map((m) => m[1]);
pc.close();
console.log(JSON.stringify({ bound: [...new Set(bound)].sort(), candidates: [...new Set(candidates)].sort() }));
process.exit(0);
`;

function probe(preload: boolean): { bound: string[]; candidates: string[] } {
  const env: NodeJS.ProcessEnv = { ...process.env };
  delete env.LD_PRELOAD;
  if (preload) env.LD_PRELOAD = execFileSync('bash', ['scripts/loopback-preload.sh'], { cwd: ROOT, encoding: 'utf8' }).trim();
  const out = execFileSync('unshare', ['-n', 'bash', '-c', `${NAMESPACE_SETUP} && exec node --input-type=module -e "$PROBE"`], {
    cwd: ROOT,
    env: { ...env, PROBE },
    encoding: 'utf8',
    timeout: 30_000,
  });
  return JSON.parse(out.trim().split('\n').at(-1) ?? '{}') as { bound: string[]; candidates: string[] };
}

describe.skipIf(!canUnshare)('the demo binds 127.0.0.1 only', () => {
  it('with the preload, a WebRTC peer opens sockets on 127.0.0.1 only; without it, on the other addresses too', () => {
    const without = probe(false);
    expect(without.bound).toContain('192.0.2.77');
    const withPreload = probe(true);
    expect(withPreload.bound.length).toBeGreaterThan(0);
    expect(withPreload.bound).toEqual(['127.0.0.1']);
    expect(withPreload.candidates).toEqual(['127.0.0.1']);
  }, 60_000);
});
