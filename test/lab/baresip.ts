/**
 * A second plain-RTP phone for the lab: Debian's baresip (baresip-core), headless, registered over
 * UDP to the lab's Kamailio (started with `mediaRelay: true`), so its media goes through rtpengine.
 * It matters as a customer phone that does NOT support Replaces (see LAB.md: it folds `?Replaces=`
 * into the R-URI), neither holds nor BYEs a transferor, and ACKs late.
 *
 * Headless setup (verified, LAB.md): its own config folder (`-f`), no console UI module; ctrl_tcp
 * (JSON in netstrings: commands in, events out) drives it; aufile makes a WAV tone its microphone
 * (the WAV's rate and channels must match ausrc_srate/ausrc_channels); sndfile dumps what it decodes,
 * one WAV per call (a dump stops growing while baresip does not decode); vumeter reports the levels
 * it encodes and decodes as events; ALSA's `null` device is its speaker.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { connect, createServer, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { waitFor } from '../support/waitFor.js';
import type { Lab } from './lab.js';
import { describeHeard, heardInRecording, steadyIn, writeToneWav, type Heard } from './recording.js';
import { signalGroup } from './signalGroup.js';
import { bestEffort } from './bestEffort.js';

export interface BaresipOptions {
  /** User part of the phone's AOR (sip:<user>@127.0.0.1). */
  readonly user: string;
  /** Hz of the tone it sends as its microphone. */
  readonly toneHz: number;
  /** 'auto' answers every call at once (then no CALL_INCOMING event comes); default 'manual'. */
  readonly answerMode?: 'auto' | 'manual';
  /** Codec names in baresip's spelling (e.g. ['PCMU', 'PCMA']); default: every codec module loaded. */
  readonly codecs?: readonly string[];
}

export interface HearsOptions {
  readonly absent?: readonly number[];
  readonly timeoutMs?: number;
  readonly since?: DumpMark;
}

export interface DumpMark {
  readonly path: string | undefined;
  readonly bytes: number;
  /** VU_RX_REPORT events so far (the vumeter module reports the decoded level while it decodes). */
  readonly rxReports: number;
}

/** One event from ctrl_tcp, e.g. { type: 'CALL_ESTABLISHED', peeruri: 'sip:alice@127.0.0.1', … }. */
export interface BaresipEvent {
  readonly type: string;
  readonly [key: string]: unknown;
}

export interface BaresipPhone {
  readonly user: string;
  readonly aor: string;
  readonly toneHz: number;
  /** Every event so far, in order. */
  readonly events: readonly BaresipEvent[];
  start(): Promise<void>;
  /** Dials `target` (a lab user or a SIP URI). */
  dial(target: string): Promise<void>;
  /** Answers the ringing call (answer mode 'manual'). */
  accept(): Promise<void>;
  /** Ends the current call. */
  hangUp(): Promise<void>;
  /** Waits for the next CALL_ESTABLISHED after the events seen so far (or the first, if none yet). */
  untilEstablished(timeoutMs?: number): Promise<BaresipEvent>;
  /** What the newest decoded dump holds at each of `tones` over its last `seconds`. */
  heard(tones: readonly number[], seconds?: number): Heard;
  /**
   * Waits until the newest dump's last second holds `hz` (≥ 0.05) and none of `absent` (< 0.02) —
   * with `since`, in audio decoded after that mark (a dump stops growing when baresip stops
   * decoding, and its last second would still hold what came before).
   */
  untilHears(hz: number, options?: HearsOptions): Promise<Heard>;
  /** Waits until baresip decoded another second (after `since`) holding none of `absent`. */
  untilDecodes(options: HearsOptions & { readonly since: DumpMark }): Promise<Heard>;
  /** Where decoding stands now: the newest dump, its size, and how many VU_RX_REPORT events came. */
  mark(): DumpMark;
  output(): string;
  stop(): Promise<void>;
}

const HEARD_AT = 0.05;
/** One second of the decoded dump: 16-bit mono at SAMPLE_RATE, after a 44-byte header. */
const SECOND_BYTES = 2 * 8000;
const WAV_HEADER_BYTES = 44;
const ABSENT_BELOW = 0.02;
const TONE_SECONDS = 600;
const SAMPLE_RATE = 8000;
const READY_TIMEOUT_MS = 8_000;
const STOP_GRACE_MS = 2_000;
const OUTPUT_TAIL_CHARS = 6_000;
const MODULE_DIRS = ['/usr/lib/baresip/modules', '/usr/lib/x86_64-linux-gnu/baresip/modules', '/usr/local/lib/baresip/modules'];

export function createBaresip(lab: Lab, options: BaresipOptions): BaresipPhone {
  const relay = lab.mediaRelay;
  if (relay === undefined) throw new Error('a baresip phone needs a lab started with mediaRelay: true');
  if (!/^[A-Za-z0-9._-]+$/.test(options.user)) throw new Error(`user ${JSON.stringify(options.user)} must match [A-Za-z0-9._-]+`);
  const dir = mkdtempSync(join(tmpdir(), `baton-baresip-${options.user}-`));
  const configDir = join(dir, 'config');
  const dumpDir = join(dir, 'dumps');
  mkdirSync(configDir);
  mkdirSync(dumpDir);
  const tone = join(dir, 'tone.wav');
  writeToneWav(tone, options.toneHz, TONE_SECONDS, SAMPLE_RATE);
  const aor = `sip:${options.user}@${lab.domain}`;

  const events: BaresipEvent[] = [];
  const responses = new Map<string, (response: Record<string, unknown>) => void>();
  let out = '';
  let child: ChildProcess | undefined;
  let exited: Promise<void> = Promise.resolve();
  let control: Socket | undefined;
  let tokens = 0;

  const command = async (name: string, params = ''): Promise<Record<string, unknown>> => {
    if (control === undefined) throw new Error(`baresip (${options.user}) is not running`);
    const token = String(++tokens);
    const json = JSON.stringify({ command: name, params, token });
    const answered = new Promise<Record<string, unknown>>((resolve, reject) => {
      const timer = setTimeout(() => {
        responses.delete(token);
        reject(new Error(`baresip (${options.user}): no answer to ${name} ${params}. Output:\n${tail(out)}`));
      }, 3_000);
      responses.set(token, (response) => {
        clearTimeout(timer);
        resolve(response);
      });
    });
    control.write(`${Buffer.byteLength(json)}:${json},`);
    const response = await answered;
    if (response['ok'] === false)
      throw new Error(`baresip (${options.user}) refused ${name} ${params}: ${JSON.stringify(response['data'] ?? '')}`);
    return response;
  };

  const newestDump = (): string | undefined => {
    const dumps = readdirSync(dumpDir)
      .filter((name) => name.endsWith('-dec.wav'))
      .map((name) => ({ path: join(dumpDir, name), at: statSync(join(dumpDir, name)).mtimeMs, name }))
      .sort((a, b) => a.at - b.at || a.name.localeCompare(b.name));
    return dumps.at(-1)?.path;
  };

  let establishedSeen = 0;

  const sizeOf = (path: string): number => {
    try {
      return statSync(path).size;
    } catch {
      // No recording yet is zero bytes recorded.
      return 0;
    }
  };

  /** True once a further second was decoded after `since` (in the same dump or a newer one). */
  const decodedSince = (since: DumpMark | undefined): boolean => {
    if (since === undefined) return true;
    const dump = newestDump();
    if (dump === undefined) return false;
    const from = dump === since.path ? since.bytes : WAV_HEADER_BYTES;
    return sizeOf(dump) >= from + SECOND_BYTES;
  };

  const untilDecoded = async (hz: number | undefined, hearsOptions: HearsOptions): Promise<Heard> => {
    const absent = hearsOptions.absent ?? [];
    const tones = hz === undefined ? absent : [hz, ...absent];
    let last: Heard | undefined;
    try {
      return await waitFor(
        hz === undefined ? `${options.user} to decode a further second` : `${options.user} to hear ${hz} Hz`,
        () => {
          if (!decodedSince(hearsOptions.since)) return undefined;
          const heard = phone.heard(tones, 1);
          last = heard;
          const present = hz === undefined || ((heard.tones.get(hz) ?? 0) >= HEARD_AT && steadyIn(heard, hz, HEARD_AT));
          const ok = heard.seconds >= 0.9 && present && absent.every((other) => (heard.tones.get(other) ?? 0) < ABSENT_BELOW);
          return ok ? heard : undefined;
        },
        hearsOptions.timeoutMs ?? 8_000,
        200,
      );
    } catch (error) {
      throw new Error(`${String(error)}; it heard ${last ? describeHeard(last) : 'nothing new (no dump, or the dump stopped growing)'}`, {
        cause: error,
      });
    }
  };

  const phone: BaresipPhone = {
    user: options.user,
    aor,
    toneHz: options.toneHz,
    events,

    async start() {
      if (child !== undefined) throw new Error('already started');
      const moduleDir = MODULE_DIRS.find((d) => {
        try {
          return statSync(join(d, 'ctrl_tcp.so')).isFile();
        } catch {
          // Not in this folder: the next candidate is tried, and none found is reported below.
          return false;
        }
      });
      if (moduleDir === undefined)
        throw new Error(`baresip modules not found in ${MODULE_DIRS.join(', ')}. Install them: apt-get install baresip-core`);
      const sipPort = await freeUdpPairBase();
      const ctrlPort = await freeTcpPort();
      writeFileSync(join(configDir, 'config'), config(moduleDir, sipPort, ctrlPort, tone, dumpDir));
      const codecs = options.codecs === undefined ? '' : `;audio_codecs=${options.codecs.join(',')}`;
      writeFileSync(
        join(configDir, 'accounts'),
        `<${aor}>;outbound="${relay.sipUdpUri}";answermode=${options.answerMode ?? 'manual'};regint=600${codecs}\n`,
      );
      writeFileSync(join(configDir, 'contacts'), '');
      child = spawn('baresip', ['-f', configDir], {
        detached: true,
        stdio: ['ignore', 'pipe', 'pipe'],
        env: { ...process.env, HOME: dir },
      });
      const running = child;
      exited = new Promise<void>((resolve) => {
        running.once('exit', () => resolve());
        running.once('error', () => resolve());
      });
      running.stdout?.on('data', (chunk: Buffer) => (out += chunk.toString('utf8')));
      running.stderr?.on('data', (chunk: Buffer) => (out += chunk.toString('utf8')));
      running.once('error', (error) => (out += `\nspawn error: ${error.message}\n`));
      control = await waitFor(`baresip (${options.user}) control port`, () => openControl(ctrlPort), READY_TIMEOUT_MS, 100).catch(
        (error: unknown) => {
          throw new Error(`${String(error)}. Output:\n${tail(out)}`);
        },
      );
      readNetstrings(control, (message) => {
        let parsed: unknown;
        try {
          parsed = JSON.parse(message);
        } catch {
          // Kept in the output the test prints on failure, as the raw message.
          out += `\nunparsable ctrl_tcp message: ${message}\n`;
          return;
        }
        if (!isRecord(parsed)) return;
        if (parsed['event'] === true && typeof parsed['type'] === 'string') events.push({ ...parsed, type: parsed['type'] });
        else if (parsed['response'] === true && typeof parsed['token'] === 'string') responses.get(parsed['token'])?.(parsed);
      });
      // Its REGISTER may be answered before the control connection is up, and events go only to
      // connected clients: its own log line says so too.
      const registeredLine = new RegExp(`^${options.user.replace(/\./g, '\\.')}@\\S+: \\{[^}]*\\} 200 OK`, 'm');
      await waitFor(
        `${options.user} registered`,
        () => events.some((e) => e.type === 'REGISTER_OK') || registeredLine.test(out),
        READY_TIMEOUT_MS,
      ).catch((error: unknown) => {
        throw new Error(`${String(error)}. Events: ${JSON.stringify(events)}. Output:\n${tail(out)}`);
      });
    },

    async dial(target) {
      await command('dial', target.startsWith('sip:') ? target : `sip:${target}@${lab.domain}`);
    },

    async accept() {
      await command('accept');
    },

    async hangUp() {
      await command('hangup');
    },

    async untilEstablished(timeoutMs = 8_000) {
      const event = await waitFor(
        `${options.user}'s call established`,
        () => events.filter((e) => e.type === 'CALL_ESTABLISHED')[establishedSeen],
        timeoutMs,
      ).catch((error: unknown) => {
        throw new Error(`${String(error)}. Events: ${JSON.stringify(events)}`);
      });
      establishedSeen += 1;
      return event;
    },

    heard(tones, seconds = 1) {
      const dump = newestDump();
      if (dump === undefined) return { tones: new Map(tones.map((hz) => [hz, 0])), seconds: 0, sampleRate: 0, rateInferred: false };
      return heardInRecording(dump, tones, seconds);
    },

    untilHears: (hz, hearsOptions = {}) => untilDecoded(hz, hearsOptions),

    untilDecodes: (hearsOptions) => untilDecoded(undefined, hearsOptions),

    mark() {
      const path = newestDump();
      return { path, bytes: path === undefined ? 0 : sizeOf(path), rxReports: events.filter((e) => e.type === 'VU_RX_REPORT').length };
    },

    output: () => out,

    async stop() {
      const running = child;
      if (running === undefined || running.pid === undefined) return;
      if (control !== undefined) {
        // A baresip that no longer answers its control socket is killed below all the same.
        await command('quit').catch(bestEffort('asking baresip to quit'));
        control.destroy();
      }
      const inTime = await Promise.race([exited.then(() => true), sleep(STOP_GRACE_MS).then(() => false)]);
      if (!inTime) signalGroup(running.pid, 'SIGKILL');
      await exited;
      signalGroup(running.pid, 'SIGKILL');
      if (process.env.KEEP_LAB !== '1') rmSync(dir, { recursive: true, force: true });
    },
  };
  return phone;
}

function config(moduleDir: string, sipPort: number, ctrlPort: number, tone: string, dumpDir: string): string {
  return `# Generated by test/lab/baresip.ts
poll_method epoll
sip_listen 127.0.0.1:${sipPort}
net_interface 127.0.0.1
net_af ipv4
audio_player alsa,null
audio_alert alsa,null
audio_source aufile,${tone}
ausrc_srate ${SAMPLE_RATE}
ausrc_channels 1
rtp_tos 0
jitter_buffer_delay 2-10
module_path ${moduleDir}
module g711.so
module opus.so
module aufile.so
module alsa.so
module sndfile.so
module ctrl_tcp.so
module vumeter.so
module_app account.so
module_app contact.so
module_app menu.so
ctrl_tcp_listen 127.0.0.1:${ctrlPort}
snd_path ${dumpDir}
`;
}

function openControl(port: number): Promise<Socket | undefined> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => resolve(socket));
    socket.once('error', () => {
      socket.destroy();
      resolve(undefined);
    });
  });
}

/** ctrl_tcp frames each JSON message as a netstring: `<length>:<bytes>,`. */
function readNetstrings(socket: Socket, onMessage: (message: string) => void): void {
  let buffer = Buffer.alloc(0);
  socket.on('data', (chunk: Buffer) => {
    buffer = Buffer.concat([buffer, chunk]);
    for (;;) {
      const colon = buffer.indexOf(0x3a);
      if (colon < 0) return;
      const length = Number(buffer.toString('latin1', 0, colon));
      if (!Number.isInteger(length) || length < 0) {
        buffer = Buffer.alloc(0);
        return;
      }
      if (buffer.length < colon + 1 + length + 1) return;
      onMessage(buffer.toString('utf8', colon + 1, colon + 1 + length));
      buffer = buffer.subarray(colon + 1 + length + 1);
    }
  });
}

/** baresip binds its SIP port and the one above it. */
async function freeUdpPairBase(): Promise<number> {
  for (let attempt = 0; attempt < 20; attempt += 1) {
    const port = await bindUdp(0);
    if (port !== undefined && port < 65_535 && (await bindUdp(port + 1)) !== undefined) return port;
  }
  throw new Error('no free pair of UDP ports on 127.0.0.1');
}

function bindUdp(port: number): Promise<number | undefined> {
  return new Promise((resolve) => {
    const socket = createSocket('udp4');
    socket.once('error', () => resolve(undefined));
    socket.bind(port, '127.0.0.1', () => {
      const bound = socket.address().port;
      socket.close(() => resolve(bound));
    });
  });
}

function freeTcpPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => (port > 0 ? resolve(port) : reject(new Error('no port from 127.0.0.1:0'))));
    });
  });
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}

function tail(text: string): string {
  return text.length <= OUTPUT_TAIL_CHARS ? text : `…${text.slice(-OUTPUT_TAIL_CHARS)}`;
}
