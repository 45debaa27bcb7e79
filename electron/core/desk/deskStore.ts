/**
 * The desk's one DeskState and the patches the renderer mirrors it by: every change goes through
 * update(), which sends only what changed (never a whole list for one item), or nothing.
 */
import type { DeskState } from '../../../shared/desk.js';
import { diffDesk, type DeskPatch } from '../../../shared/deskPatch.js';
import { TypedEmitter } from '../typedEmitter.js';

export interface DeskEvents {
  snapshot: DeskState;
  /** What changed: top-level keys, and list items one by one (shared/deskPatch.ts). */
  patch: DeskPatch;
  /** A tel:/sip: link asked for the dialer (the renderer prefills it). */
  dialRequest: { readonly target: string };
}

/** The newest few notices: a shift's worth must not grow the desk for ever. */
const MAX_NOTICES = 20;

export class DeskStore {
  readonly events = new TypedEmitter<DeskEvents>();

  constructor(private current: DeskState) {}

  get state(): DeskState {
    return this.current;
  }

  update(changes: Partial<DeskState>): void {
    const patch = diffDesk(this.current, changes);
    if (!patch) return;
    const version = this.current.version + 1;
    this.current = { ...this.current, ...changes, version };
    this.events.emit('patch', { version, ...patch });
  }

  notice(text: string): void {
    this.update({ notices: [...this.current.notices, { id: `n${this.current.version}`, text }].slice(-MAX_NOTICES) });
  }

  /** The drafts but those of a call that is over and owes nothing (its transfer panel, its wrap-up). */
  draftsWithout(callId: string): DeskState['drafts'] {
    const suffix = `:${callId}`;
    return Object.fromEntries(Object.entries(this.current.drafts).filter(([key]) => !key.endsWith(suffix)));
  }
}
