/**
 * Focus follows the work: after an action the button pressed is usually gone (Answer, Confirm,
 * Accept, File), and focus would fall to <body>. An action records where the next step is
 * (`focusRequested`); this hook moves focus there once the screen shows it.
 *
 * A target may appear in steps — Accept shows the transfer card first, its Complete or Cancel a
 * moment later — so focus rests on the card meanwhile and moves on when the button arrives. The
 * intent is dropped when the agent moves focus elsewhere themselves, or after a while.
 */
import { useEffect } from 'react';
import { isSettled } from '../../../shared/transfer/transferModel.js';
import { useStore, type RootState } from '../../app/store.js';
import { focusIntentDone, type FocusIntent } from '../desk/workspaceSlice.js';

const GIVE_UP_MS = 20_000;

interface Found {
  readonly element: HTMLElement;
  /** false: a stop on the way (the card), keep waiting for the real target. */
  readonly final: boolean;
}

function find(selector: string): HTMLElement | null {
  return document.querySelector<HTMLElement>(selector);
}

function firstEnabled(selector: string): HTMLElement | null {
  return [...document.querySelectorAll<HTMLElement>(selector)].find((e) => !(e instanceof HTMLButtonElement && e.disabled)) ?? null;
}

/** What the workspace asks for next: a wrap-up's first field, or its heading (idle, call in front). */
function nextInWorkspace(): HTMLElement | null {
  return find('[data-wrapup] [data-autofocus]') ?? find('[data-workspace-heading]');
}

/** Where focus goes when the control that had it vanished by itself (a Cancel gone once the transfer completed). */
function nextAction(): HTMLElement | null {
  return find('.workspace [data-action="resume"]') ?? firstEnabled('.workspace [data-transfer-action]') ?? nextInWorkspace();
}

function resolve(intent: FocusIntent, state: RootState): Found | null {
  const at = (element: HTMLElement | null, final = true): Found | null => (element ? { element, final } : null);
  switch (intent.kind) {
    case 'callCard':
      return at(find(`[data-call-card="${CSS.escape(intent.callId)}"]`));
    case 'callAction': {
      const card = `[data-call-card="${CSS.escape(intent.callId)}"]`;
      return at(find(`${card} [data-action="${intent.action}"]`)) ?? at(find(card), false);
    }
    case 'transferActions': {
      const card = `[data-transfer-card="${CSS.escape(intent.transferId)}"]`;
      const action = firstEnabled(`${card} [data-transfer-action]`);
      if (action) return at(action);
      const transfer = state.desk.desk?.transfers.find((t) => t.id === intent.transferId);
      if (!transfer || isSettled(transfer.state.phase)) {
        // Over (a cold transfer handed over, or it failed): the call that stayed, else the wrap-up.
        const contact = transfer ? `[data-call-card="${CSS.escape(transfer.contactCallId ?? '')}"]` : null;
        const mine = contact ? (find(`${contact} [data-action="resume"]`) ?? find(contact)) : null;
        return at(mine ?? nextInWorkspace());
      }
      return at(find(card), false);
    }
    case 'afterWrapUp':
      if (find(`[data-wrapup="${CSS.escape(intent.callId)}"]`)) return null;
      return at(nextInWorkspace());
    case 'workspace':
      return at(nextInWorkspace());
    case 'toast':
      return at(firstEnabled('[data-toast-action]'));
    case 'ringing':
      return at(firstEnabled('[data-ring-action]'));
  }
}

export function useFocusIntent(): void {
  const store = useStore();
  useEffect(() => {
    let current = 0;
    let origin: Element | null = null;
    let interim: HTMLElement | null = null;
    let since = 0;
    let timer: number | null = null;

    // The workspace control that had focus last: once it is removed with focus on <body>, focus fell.
    // (A click on the page's background leaves it connected, and is left alone.)
    let lost: Element | null = null;
    const onFocusIn = (e: FocusEvent): void => {
      lost = e.target instanceof Element && e.target.closest('.workspace') !== null ? e.target : null;
    };
    document.addEventListener('focusin', onFocusIn);

    const attempt = (): void => {
      timer = null;
      const pending = store.getState().workspace.focusIntent;
      if (!pending) {
        const dropped = lost !== null && !lost.isConnected && (document.activeElement === null || document.activeElement === document.body);
        if (dropped) {
          lost = null;
          nextAction()?.focus();
        }
        return;
      }
      if (pending.id !== current) {
        current = pending.id;
        origin = document.activeElement;
        interim = null;
        since = Date.now();
      }
      const active = document.activeElement;
      const movedByAgent = active !== null && active !== document.body && active !== origin && active !== interim;
      if (movedByAgent || Date.now() - since > GIVE_UP_MS) {
        store.dispatch(focusIntentDone(pending.id));
        return;
      }
      // "What next" targets wait until the pressed control is gone (the call ended, the wrap-up filed).
      const waitsForOrigin = pending.intent.kind === 'workspace' || pending.intent.kind === 'afterWrapUp';
      if (waitsForOrigin && active !== null && active !== document.body && active === origin && origin.isConnected) return;
      const found = resolve(pending.intent, store.getState());
      if (!found) return;
      found.element.focus();
      if (found.final) store.dispatch(focusIntentDone(pending.id));
      else interim = found.element;
    };
    // After React has rendered what the store change brought.
    const schedule = (): void => {
      if (timer === null) timer = window.setTimeout(attempt, 0);
    };
    const unsubscribe = store.subscribe(schedule);
    return () => {
      document.removeEventListener('focusin', onFocusIn);
      unsubscribe();
      if (timer !== null) window.clearTimeout(timer);
    };
  }, [store]);
}
