/**
 * What tells the media host to keep a spare connection for the next outgoing call: main's
 * media.state says someone is signed in (electron/core/media/mediaHostState.ts), and the media host
 * turns that into keepSpare (renderer/media/attachMediaEngine.ts); a change of it alone is news.
 */
import { describe, expect, it } from 'vitest';
import { mediaHostState, sameMediaHostState } from '../../electron/core/media/mediaHostState.js';
import type { DeskState } from '../../shared/desk.js';
import type { MediaHostApi, MediaHostState, MediaRequest } from '../../shared/ipc.js';
import { attachMediaEngine, type MediaEngine } from '../../renderer/media/index.js';

const desk = (user: DeskState['session']['user']): DeskState =>
  ({ calls: [], session: { registration: 'registered', error: null, user, signInUsers: [] } }) as unknown as DeskState;

describe('media.state and the spare', () => {
  it('says signedIn only while someone is signed in, and a change of it is a change of state', () => {
    const out = mediaHostState(desk(null));
    const signedIn = mediaHostState(desk({ id: 'alice', name: 'Alice', aor: 'sip:alice@example.test' }));
    expect(out).toEqual({ ringing: false, devices: null });
    expect(signedIn).toEqual({ ringing: false, devices: null, signedIn: true });
    expect(sameMediaHostState(out, signedIn)).toBe(false);
    expect(sameMediaHostState(signedIn, mediaHostState(desk({ id: 'alice', name: 'Alice', aor: 'sip:alice@example.test' })))).toBe(true);
  });

  it('the media host keeps a spare while main says someone is signed in, and releases it on sign-out', () => {
    const listeners = new Map<string, (payload: unknown) => void>();
    const baton: MediaHostApi = {
      invoke: async () => ({ ok: true, value: undefined }),
      on: (event: string, listener: (payload: never) => void) => {
        listeners.set(event, listener as (payload: unknown) => void);
        return () => listeners.delete(event);
      },
      attach: () => {},
    } as unknown as MediaHostApi;
    const wanted: boolean[] = [];
    const engine = {
      keepSpare: (w: boolean) => void wanted.push(w),
      ringer: { start: () => {}, stop: () => {}, ringing: false },
      dispose: async () => {},
    } as unknown as MediaEngine;
    attachMediaEngine(baton, { engine, announce: false, onError: (_m: string, _r: MediaRequest) => {} });
    const state = (s: MediaHostState): void => listeners.get('media.state')?.(s);
    state({ ringing: false, devices: null, signedIn: true });
    state({ ringing: true, devices: null, signedIn: true });
    state({ ringing: false, devices: null });
    expect(wanted).toEqual([true, true, false]);
  });
});
