/**
 * A plain-RTP contact phone for the lab: Debian's `linphonec` (linphone-cli), headless, registered
 * over UDP to the lab's Kamailio (started with `mediaRelay: true`), so its media goes through rtpengine.
 *
 * Its microphone is a WAV tone (sox) and it records what it hears, one WAV per call, so a test can
 * say who the phone hears by tone. Driven through linphonec's command line on stdin; its stdout
 * (line-buffered through `stdbuf -oL`: on a pipe it is block-buffered) reports what happens.
 *
 * How linphonec behaves as a transferee (verified, see LAB.md): it follows a REFER at once, holds the
 * transferor, honours Replaces, never BYEs the transferor, and NOTIFYs the final result after its new
 * call's ACK.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { waitFor } from '../support/waitFor.js';
import type { Lab } from './lab.js';
import { describeHeard, heardInRecording, steadyIn, writeToneWav, type Heard } from './recording.js';
import { signalGroup } from './signalGroup.js';
import { bestEffort } from './bestEffort.js';

export interface LinphoneOptions {
  /** User part of the phone's AOR (sip:<user>@127.0.0.1). */
  readonly user: string;
  /** Hz of the tone it sends as its microphone. */
  readonly toneHz: number;
  /** Mime types of the only codecs it offers and accepts, e.g. ['PCMU', 'PCMA']; default: linphone's own set. */
  readonly codecs?: readonly string[];
}

export type LinphoneCallState = 'incoming' | 'outgoing' | 'connected' | 'ended';

export interface LinphoneCall {
  /** linphonec's call id (1, 2, …). */
  readonly id: number;
  /** The far end as linphonec names it, e.g. sip:alice@127.0.0.1. */
  readonly remote: string;
  readonly direction: 'incoming' | 'outgoing';
  state: LinphoneCallState;
  /** How many times its media streams came up: once, then again after every re-INVITE. */
  mediaStarts: number;
  /**
   * What the phone hears on this call now. linphonec rebuilds its audio stream on every re-INVITE
   * (hold, resume), which ends the recording; each rebuild starts a new file, and this is the latest.
   */
  recording: string;
  /** Why it ended, as linphonec says. */
  endReason: string | undefined;
}

export interface LinphonePhone {
  readonly user: string;
  readonly aor: string;
  readonly toneHz: number;
  /** Every call, by linphonec's id. */
  readonly calls: ReadonlyMap<number, LinphoneCall>;
  start(): Promise<void>;
  /** Dials `target` (a user of the lab or a SIP URI); resolves once linphonec has given the call an id. */
  call(target: string): Promise<LinphoneCall>;
  /** Waits for an incoming call (the next one not yet returned). */
  nextIncoming(timeoutMs?: number): Promise<LinphoneCall>;
  answer(call: LinphoneCall): Promise<void>;
  /** Ends every call. */
  hangUpAll(): Promise<void>;
  /** The newest call with `remote` in its far end's URI (e.g. 'bob'). */
  callWith(user: string): LinphoneCall | undefined;
  /** What `call`'s current recording holds at each of `tones` over the last `seconds` (nothing, if it is not being written). */
  heard(call: LinphoneCall, tones: readonly number[], seconds?: number): Heard;
  /** Waits until the last second of `call`'s recording holds `hz` at ≥ `heardAt`, and every one of `absent` under `absentBelow`. */
  untilHears(call: LinphoneCall, hz: number, options?: HearsOptions): Promise<Heard>;
  /** Waits until the last second of `call`'s recording holds none of `tones` (each under 0.02): silence, or someone else. */
  untilHearsNone(call: LinphoneCall, tones: readonly number[], timeoutMs?: number): Promise<Heard>;
  /** Everything linphonec printed, for failure messages. */
  output(): string;
  stop(): Promise<void>;
}

export interface HearsOptions {
  readonly absent?: readonly number[];
  readonly timeoutMs?: number;
  readonly heardAt?: number;
  readonly absentBelow?: number;
}

/** The same thresholds as the audio oracle for the Node engine (test/support/audioOracle.ts). */
const HEARD_AT = 0.05;
const ABSENT_BELOW = 0.02;
const TONE_SECONDS = 600;
/** linphone's file player reads the WAV as is; 8 kHz suits every codec it has. */
const TONE_RATE = 8000;
const REGISTER_TIMEOUT_MS = 8_000;
const STOP_GRACE_MS = 2_000;
const OUTPUT_TAIL_CHARS = 6_000;
const STALE_AFTER_MS = 500;

export function createLinphone(lab: Lab, options: LinphoneOptions): LinphonePhone {
  const relay = lab.mediaRelay;
  if (relay === undefined) throw new Error('a linphone phone needs a lab started with mediaRelay: true');
  if (!/^[A-Za-z0-9._-]+$/.test(options.user)) throw new Error(`user ${JSON.stringify(options.user)} must match [A-Za-z0-9._-]+`);
  const dir = mkdtempSync(join(tmpdir(), `baton-linphone-${options.user}-`));
  const home = join(dir, 'home');
  // Without a writable data folder linphonec never opens its SIP port and every call gets 503.
  mkdirSync(join(home, '.local', 'share', 'linphone'), { recursive: true });
  const tone = join(dir, 'tone.wav');
  writeToneWav(tone, options.toneHz, TONE_SECONDS, TONE_RATE);
  const rcPath = join(dir, 'linphonerc');
  writeFileSync(rcPath, linphonerc(relay.sipUdpUri, `sip:${options.user}@${lab.domain}`));

  const calls = new Map<number, LinphoneCall>();
  const handedOut = new Set<number>();
  let out = '';
  let pending = '';
  let child: ChildProcess | undefined;
  let exited: Promise<void> = Promise.resolve();
  let listeners: Array<(line: string) => void> = [];

  const send = (command: string): void => {
    if (child?.stdin?.writable !== true) throw new Error(`linphonec (${options.user}) is not running`);
    child.stdin.write(`${command}\n`);
  };

  const onLine = (line: string): void => {
    let match: RegExpExecArray | null;
    // The caller may carry a display name with spaces: `"Alice (lab)" <sip:alice@…>, assigned id 1`.
    if ((match = /Receiving new incoming call from (.+?),? assigned id (\d+)/.exec(line))) {
      addCall(Number(match[2]), match[1] ?? '', 'incoming');
    } else if ((match = /Establishing call id to (\S+?),? assigned id (\d+)/.exec(line))) {
      addCall(Number(match[2]), match[1] ?? '', 'outgoing');
    } else if ((match = /Call (\d+) with (.+?) connected/.exec(line))) {
      const call = ensureCall(Number(match[1]), match[2] ?? '');
      call.state = 'connected';
    } else if ((match = /Media streams established with (.+?) for call (\d+)/.exec(line))) {
      const call = ensureCall(Number(match[2]), match[1] ?? '');
      call.mediaStarts += 1;
      call.recording = join(dir, `call-${call.id}-${call.mediaStarts}.wav`);
      // Both act on the current call, which is the one whose media just came up; a rebuilt stream
      // has neither the tone nor the recording any more.
      send(`play ${tone}`);
      send(`record ${call.recording}`);
    } else if ((match = /Call (\d+) with (.+?) (ended|error)(?: \((.*)\))?/.exec(line))) {
      const call = ensureCall(Number(match[1]), match[2] ?? '');
      call.state = 'ended';
      call.endReason = match[4] ?? match[3];
    }
    for (const listener of listeners) listener(line);
  };

  // A call linphonec starts by itself (following a REFER) is first seen in a later state line.
  const ensureCall = (id: number, remote: string): LinphoneCall => calls.get(id) ?? addCall(id, remote, 'outgoing');
  const addCall = (id: number, remote: string, direction: 'incoming' | 'outgoing'): LinphoneCall => {
    const existing = calls.get(id);
    if (existing) return existing;
    const call: LinphoneCall = {
      id,
      remote,
      direction,
      state: direction,
      mediaStarts: 0,
      recording: join(dir, `call-${id}-0.wav`),
      endReason: undefined,
    };
    calls.set(id, call);
    return call;
  };

  const nextLine = (pattern: RegExp, timeoutMs: number, what: string): Promise<RegExpExecArray> =>
    new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        listeners = listeners.filter((l) => l !== listener);
        reject(new Error(`linphonec (${options.user}): timed out after ${timeoutMs} ms waiting for ${what}. Output:\n${tail(out)}`));
      }, timeoutMs);
      const listener = (line: string): void => {
        const match = pattern.exec(line);
        if (!match) return;
        clearTimeout(timer);
        listeners = listeners.filter((l) => l !== listener);
        resolve(match);
      };
      listeners.push(listener);
    });

  const phone: LinphonePhone = {
    user: options.user,
    aor: `sip:${options.user}@${lab.domain}`,
    toneHz: options.toneHz,
    calls,

    async start() {
      if (child !== undefined) throw new Error('already started');
      child = spawn('stdbuf', ['-oL', 'linphonec', '-c', rcPath, '-d', '0'], {
        detached: true,
        stdio: ['pipe', 'pipe', 'pipe'],
        env: { ...process.env, HOME: home, XDG_DATA_HOME: join(home, '.local', 'share'), XDG_CONFIG_HOME: join(home, '.config') },
      });
      const running = child;
      exited = new Promise<void>((resolve) => {
        running.once('exit', () => resolve());
        running.once('error', () => resolve());
      });
      const collect = (chunk: Buffer): void => {
        const text = chunk.toString('utf8');
        out += text;
        pending += text;
        // linphonec prints its prompt without a newline; a message may follow it on the same line.
        const parts = pending.split('\n');
        pending = parts.pop() ?? '';
        for (const part of parts) onLine(part.replace(/^(linphonec> )+/, ''));
      };
      running.stdout?.on('data', collect);
      running.stderr?.on('data', (chunk: Buffer) => (out += chunk.toString('utf8')));
      running.once('error', (error) => (out += `\nspawn error: ${error.message}\n`));
      if (options.codecs !== undefined) await configureCodecs(options.codecs);
      send('soundcard use files');
      await waitFor(
        `${options.user} registered`,
        async () => {
          const answered = nextLine(
            /^registered, identity=|^unregistered|^registration in progress|^disabled|^no default proxy/,
            1_000,
            'status register',
          );
          send('status register');
          const line = await answered;
          return line[0] === 'registered, identity=';
        },
        REGISTER_TIMEOUT_MS,
        100,
      ).catch((error: unknown) => {
        throw new Error(`${String(error)}\nOutput:\n${tail(out)}`);
      });
    },

    async call(target) {
      const uri = target.startsWith('sip:') ? target : `sip:${target}@${lab.domain}`;
      const assigned = nextLine(/Establishing call id to (\S+?),? assigned id (\d+)/, 5_000, `a call id for ${uri}`);
      send(`call ${uri}`);
      const match = await assigned;
      const id = Number(match[2]);
      handedOut.add(id);
      return calls.get(id) ?? addCall(id, uri, 'outgoing');
    },

    nextIncoming(timeoutMs = 5_000) {
      return waitFor(
        `an incoming call at ${options.user}`,
        () => {
          const call = [...calls.values()].find((c) => c.direction === 'incoming' && !handedOut.has(c.id));
          if (call) handedOut.add(call.id);
          return call;
        },
        timeoutMs,
      ).catch((error: unknown) => {
        throw new Error(`${String(error)}\nOutput:\n${tail(out)}`);
      });
    },

    async answer(call) {
      send(`answer ${call.id}`);
      await waitFor(`${options.user}'s call ${call.id} connected`, () => call.state === 'connected' || call.state === 'ended', 5_000);
      if (call.state === 'ended')
        throw new Error(`${options.user}'s call ${call.id} ended instead (${call.endReason ?? '?'}). Output:\n${tail(out)}`);
    },

    async hangUpAll() {
      if (child?.stdin?.writable !== true) return;
      send('terminate all');
      await waitFor(`${options.user}'s calls ended`, () => [...calls.values()].every((c) => c.state === 'ended'), 5_000).catch(
        bestEffort(`waiting for ${options.user}'s calls to end`),
      ); // the stop that follows ends them regardless
    },

    callWith(user) {
      return [...calls.values()].reverse().find((c) => c.remote.includes(`sip:${user}@`));
    },

    heard(call, tones, seconds = 1) {
      // A recording not written to for a while is a stream that stopped: it says nothing about now.
      if (!existsSync(call.recording) || statSync(call.recording).mtimeMs < Date.now() - STALE_AFTER_MS) {
        return { tones: new Map(tones.map((hz) => [hz, 0])), seconds: 0, sampleRate: 0, rateInferred: false };
      }
      return heardInRecording(call.recording, tones, seconds);
    },

    async untilHears(call, hz, hearsOptions = {}) {
      const absent = hearsOptions.absent ?? [];
      const heardAt = hearsOptions.heardAt ?? HEARD_AT;
      const absentBelow = hearsOptions.absentBelow ?? ABSENT_BELOW;
      let last: Heard | undefined;
      try {
        return await waitFor(
          `${options.user}'s call ${call.id} with ${call.remote} to hear ${hz} Hz`,
          () => {
            const heard = phone.heard(call, [hz, ...absent], 1);
            last = heard;
            const ok =
              heard.seconds >= 0.9 &&
              (heard.tones.get(hz) ?? 0) >= heardAt &&
              steadyIn(heard, hz, heardAt) &&
              absent.every((other) => (heard.tones.get(other) ?? 0) < absentBelow);
            return ok ? heard : undefined;
          },
          hearsOptions.timeoutMs ?? 8_000,
          200,
        );
      } catch (error) {
        throw new Error(`${String(error)}; it heard ${last ? describeHeard(last) : 'nothing (no recording)'}`, { cause: error });
      }
    },

    async untilHearsNone(call, tones, timeoutMs = 8_000) {
      let last: Heard | undefined;
      try {
        return await waitFor(
          `${options.user}'s call ${call.id} with ${call.remote} to hear none of ${tones.join(', ')} Hz`,
          () => {
            const heard = phone.heard(call, tones, 1);
            last = heard;
            return heard.seconds >= 0.9 && tones.every((hz) => (heard.tones.get(hz) ?? 0) < ABSENT_BELOW) ? heard : undefined;
          },
          timeoutMs,
          200,
        );
      } catch (error) {
        throw new Error(`${String(error)}; it heard ${last ? describeHeard(last) : 'nothing (no recording)'}`, { cause: error });
      }
    },

    output: () => out,

    async stop() {
      const running = child;
      if (running === undefined || running.pid === undefined) return;
      try {
        send('quit');
      } catch (error) {
        // Its stdin is already closed: it is exiting, and is killed below if it does not.
        bestEffort('asking linphonec to quit')(error);
      }
      const inTime = await Promise.race([exited.then(() => true), sleep(STOP_GRACE_MS).then(() => false)]);
      if (!inTime) signalGroup(running.pid, 'SIGKILL');
      await exited;
      signalGroup(running.pid, 'SIGKILL');
      if (process.env.KEEP_LAB !== '1') rmSync(dir, { recursive: true, force: true });
    },
  };

  /** Enables exactly the codecs named (by mime type), disables every other one. */
  async function configureCodecs(wanted: readonly string[]): Promise<void> {
    const listed: Array<{ index: number; mime: string }> = [];
    const collector = (line: string): void => {
      const match = /^\s*(\d+): (\S+) \(\d+\) (enabled|disabled)/.exec(line);
      if (match) listed.push({ index: Number(match[1]), mime: match[2] ?? '' });
    };
    listeners.push(collector);
    send('codec list');
    await waitFor('linphonec codec list', () => listed.length > 0 && listed.length === new Set(listed.map((c) => c.index)).size, 3_000);
    await sleep(200);
    listeners = listeners.filter((l) => l !== collector);
    const keep = new Set(wanted.map((mime) => mime.toUpperCase()));
    for (const codec of listed) send(`codec ${keep.has(codec.mime.toUpperCase()) ? 'enable' : 'disable'} ${codec.index}`);
    const missing = [...keep].filter((mime) => !listed.some((c) => c.mime.toUpperCase() === mime));
    if (missing.length > 0) throw new Error(`linphonec has no codec ${missing.join(', ')}`);
  }

  return phone;
}

function linphonerc(proxy: string, identity: string): string {
  return `[sip]
sip_port=-1
sip_tcp_port=0
sip_tls_port=0
bind_address=127.0.0.1
default_proxy=0
# No ringback or hold music files are installed; nothing to play them to anyway.
ping_with_options=0

[rtp]
audio_rtp_port=-1
bind_address=127.0.0.1

[video]
enabled=0
capture=0
display=0

[proxy_0]
reg_proxy=<${proxy}>
reg_route=<${proxy};lr>
reg_identity=${identity}
reg_expires=600
reg_sendregister=1
publish=0
`;
}

function tail(text: string): string {
  return text.length <= OUTPUT_TAIL_CHARS ? text : `…${text.slice(-OUTPUT_TAIL_CHARS)}`;
}
