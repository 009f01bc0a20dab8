import { useEffect, useReducer } from 'preact/hooks';

export interface Store<T> {
  get(): T;
  set(next: T | ((prev: T) => T)): void;
  subscribe(fn: () => void): () => void;
}

/** Subscriptions alive across all stores (a leak check: scripts/desktop-mem.sh reads it). */
let liveSubscriptions = 0;
export function storeSubscriptions(): number {
  return liveSubscriptions;
}

export function createStore<T>(initial: T): Store<T> {
  let value = initial;
  const subs = new Set<() => void>();
  return {
    get: () => value,
    set(next) {
      const v = typeof next === 'function' ? (next as (p: T) => T)(value) : next;
      if (Object.is(v, value)) return;
      value = v;
      for (const fn of [...subs]) fn();
    },
    subscribe(fn) {
      if (!subs.has(fn)) liveSubscriptions++;
      subs.add(fn);
      return () => {
        if (subs.delete(fn)) liveSubscriptions--;
      };
    },
  };
}

/** Re-render the calling component whenever the store changes. */
export function useStore<T>(store: Store<T>): T {
  const [, force] = useReducer((x: number, _: void) => x + 1, 0);
  useEffect(() => store.subscribe(() => force(undefined)), [store]);
  return store.get();
}
