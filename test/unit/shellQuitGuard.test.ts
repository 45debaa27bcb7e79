import { describe, expect, it } from 'vitest';
import { QuitGuard } from '../../electron/shell/quitGuard.js';

function harness(live: string | null, answer: Promise<boolean> | (() => Promise<boolean>)) {
  const asked: string[] = [];
  let quits = 0;
  let liveNow = live;
  const guard = new QuitGuard({
    liveWork: () => liveNow,
    confirm: (sentence) => {
      asked.push(sentence);
      return typeof answer === 'function' ? answer() : answer;
    },
    quit: () => void (quits += 1),
    log: () => {},
  });
  const event = () => {
    let prevented = false;
    return {
      preventDefault: () => void (prevented = true),
      get prevented() {
        return prevented;
      },
    };
  };
  return { guard, asked, quits: () => quits, event, setLive: (l: string | null) => (liveNow = l) };
}

const settle = () => new Promise((resolve) => setTimeout(resolve, 0));

describe('QuitGuard: quitting never hangs up a customer silently', () => {
  it('lets the quit go on when nothing is live, without asking', () => {
    const h = harness(null, Promise.resolve(true));
    const e = h.event();
    expect(h.guard.onBeforeQuit(e)).toBe(true);
    expect(e.prevented).toBe(false);
    expect(h.asked).toEqual([]);
  });

  it('holds the quit and asks with the sentence naming what is live; "Keep Baton open" keeps everything', async () => {
    const h = harness('You are on a call with Dana.', Promise.resolve(false));
    const e = h.event();
    expect(h.guard.onBeforeQuit(e)).toBe(false);
    expect(e.prevented).toBe(true);
    await settle();
    expect(h.asked).toEqual(['You are on a call with Dana.']);
    expect(h.quits()).toBe(0);
    // Asked again on the next quit: a refusal is not remembered as consent.
    expect(h.guard.onBeforeQuit(h.event())).toBe(false);
    await settle();
    expect(h.asked).toHaveLength(2);
  });

  it('"End calls and quit" quits again, and that second before-quit goes through', async () => {
    const h = harness('You are on a call with Dana.', Promise.resolve(true));
    expect(h.guard.onBeforeQuit(h.event())).toBe(false);
    await settle();
    expect(h.quits()).toBe(1);
    const second = h.event();
    expect(h.guard.onBeforeQuit(second)).toBe(true);
    expect(second.prevented).toBe(false);
  });

  it('a second Quit while the question is open shows no second dialog', async () => {
    let answer: (value: boolean) => void = () => {};
    const pending = new Promise<boolean>((resolve) => (answer = resolve));
    const h = harness('You are on a call with Dana.', () => pending);
    expect(h.guard.onBeforeQuit(h.event())).toBe(false);
    const again = h.event();
    expect(h.guard.onBeforeQuit(again)).toBe(false);
    expect(again.prevented).toBe(true);
    expect(h.asked).toHaveLength(1);
    answer(false);
    await settle();
    expect(h.quits()).toBe(0);
  });

  it('a dialog that fails is no consent: the calls stay up', async () => {
    const h = harness('You are on a call with Dana.', () => Promise.reject(new Error('no display')));
    expect(h.guard.onBeforeQuit(h.event())).toBe(false);
    await settle();
    expect(h.quits()).toBe(0);
  });

  it('OS log-off or shutdown: nobody can answer, the quit goes on (the desk ends the calls cleanly)', () => {
    const h = harness('You are on a call with Dana.', Promise.resolve(false));
    h.guard.sessionEnding();
    const e = h.event();
    expect(h.guard.onBeforeQuit(e)).toBe(true);
    expect(e.prevented).toBe(false);
    expect(h.asked).toEqual([]);
  });
});
