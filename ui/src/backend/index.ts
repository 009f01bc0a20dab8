import { createHttpBackend } from './http';
import { createTokenStore, type TokenStore } from './session';
import { createTauriBackend, type TauriInternals } from './tauri';
import type { BackendEvent } from './types';

export { CommandError, NETWORK_ERROR } from './errors';
export type { TokenStore } from './session';
export { invokeCommand, type RequestArg, type RequestOf, type ResponseOf } from './client';

export type EventHandler = (event: BackendEvent) => void;

/** One interface, two transports (Tauri IPC or HTTP), chosen at run time. */
export interface Backend {
  readonly kind: 'tauri' | 'http';
  readonly tokens: TokenStore;
  /** The raw wire: screens go through the typed `call` (app-state) / `invokeCommand`. */
  invoke<T>(command: string, request?: object): Promise<T>;
  /** Subscribe to the backend's event stream; returns the unsubscribe function.
   *  `onTrouble` is called when the stream breaks (it reconnects by itself). */
  events(onEvent: EventHandler, onTrouble?: () => void): () => void;
}

interface WindowLike {
  __TAURI_INTERNALS__?: TauriInternals;
  location?: { search: string };
}

/** Tauri if `window.__TAURI_INTERNALS__` exists, HTTP otherwise. */
export function selectBackend(win: WindowLike = globalThis as unknown as WindowLike, tokens?: TokenStore): Backend {
  const store = tokens ?? createTokenStore(win.location?.search ?? '');
  const internals = win.__TAURI_INTERNALS__;
  if (internals && typeof internals.invoke === 'function') {
    return createTauriBackend({ tokens: store, internals });
  }
  return createHttpBackend({ tokens: store });
}

let current: Backend | null = null;

/** The app-wide backend (created lazily). */
export function backend(): Backend {
  if (!current) current = selectBackend();
  return current;
}

/** For tests. */
export function setBackend(b: Backend | null): void {
  current = b;
}
