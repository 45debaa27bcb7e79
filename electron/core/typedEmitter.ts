/**
 * A minimal typed event emitter. Listeners are isolated: one that throws is reported and does not
 * stop the others or unwind into whoever emitted (often SIP.js, which must never see our errors).
 */
export type Listener<T> = (value: T) => void;

export interface Disposable {
  dispose(): void;
}

export class TypedEmitter<Events extends { [K in keyof Events]: unknown }> {
  private readonly listeners = new Map<keyof Events, Set<Listener<never>>>();

  constructor(private readonly onListenerError: (error: unknown) => void = defaultListenerError) {}

  on<K extends keyof Events>(event: K, listener: Listener<Events[K]>): Disposable {
    let set = this.listeners.get(event);
    if (!set) {
      set = new Set();
      this.listeners.set(event, set);
    }
    set.add(listener);
    return { dispose: () => void set.delete(listener) };
  }

  /** Resolves with the next value of `event` that satisfies `predicate`. */
  next<K extends keyof Events>(event: K, predicate: (value: Events[K]) => boolean = () => true): Promise<Events[K]> {
    return new Promise((resolve) => {
      const sub = this.on(event, (value) => {
        if (!predicate(value)) return;
        sub.dispose();
        resolve(value);
      });
    });
  }

  /** Whether anyone listens: lets an owner choose a safe default when nobody handles an event. */
  has<K extends keyof Events>(event: K): boolean {
    return (this.listeners.get(event)?.size ?? 0) > 0;
  }

  emit<K extends keyof Events>(event: K, value: Events[K]): void {
    const set = this.listeners.get(event);
    if (!set) return;
    for (const listener of [...set]) {
      try {
        (listener as Listener<Events[K]>)(value);
      } catch (error) {
        this.onListenerError(error);
      }
    }
  }

  removeAll(): void {
    this.listeners.clear();
  }
}

function defaultListenerError(error: unknown): void {
  console.error('[baton] event listener failed', error);
}
