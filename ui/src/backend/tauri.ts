import { decodeEnvelope, decodeTauriRejection, networkError } from './errors';
import type { Backend, EventHandler } from './index';
import type { TokenStore } from './session';
import type { SyncStatus } from './contract.gen';
import type { BackendEvent } from './types';

/** The part of Tauri 2's `window.__TAURI_INTERNALS__` this UI uses. */
export interface TauriInternals {
  invoke(cmd: string, args?: Record<string, unknown>, options?: unknown): Promise<unknown>;
  transformCallback?(callback: (payload: unknown) => void, once?: boolean): number;
  unregisterCallback?(id: number): void;
}

export const TAURI_EVENT = 'storepos://event';
const POLL_MS = 2000;

export interface TauriOptions {
  tokens: TokenStore;
  internals: TauriInternals;
  setInterval?: typeof setInterval;
  clearInterval?: typeof clearInterval;
}

/**
 * Desktop shell: one generic Rust command `call` taking {command, session, request}.
 * It may resolve with the `{ok,…}` envelope (decoded here) or with the bare data, and
 * may reject with an envelope, an error body or a string.
 */
export function createTauriBackend(opts: TauriOptions): Backend {
  const { tokens, internals } = opts;
  const setI = opts.setInterval ?? setInterval;
  const clearI = opts.clearInterval ?? clearInterval;

  const backend: Backend = {
    kind: 'tauri',
    tokens,
    async invoke<T>(command: string, request: object = {}): Promise<T> {
      let result: unknown;
      try {
        result = await internals.invoke('call', { command, session: tokens.session(), request: request ?? {} });
      } catch (e) {
        throw decodeTauriRejection(e);
      }
      if (result && typeof result === 'object' && 'ok' in result && typeof (result as { ok: unknown }).ok === 'boolean') {
        return decodeEnvelope<T>(result);
      }
      return result as T;
    },
    events(onEvent: EventHandler): () => void {
      let stopped = false;
      let unlisten: (() => void) | null = null;
      let timer: ReturnType<typeof setInterval> | null = null;

      const startPolling = () => {
        if (stopped || timer) return;
        timer = setI(() => {
          backend
            .invoke('sync_status_get', {})
            .then((status) => onEvent({ type: 'sync', status: status as SyncStatus }))
            .catch(() => onEvent({ type: 'sync', status: null, error: networkError().code }));
        }, POLL_MS);
      };

      if (internals.transformCallback) {
        const cbId = internals.transformCallback((raw: unknown) => {
          const payload = (raw && typeof raw === 'object' && 'payload' in raw ? (raw as { payload: unknown }).payload : raw) as BackendEvent;
          if (payload && typeof payload === 'object') onEvent(payload);
        });
        internals
          .invoke('plugin:event|listen', { event: TAURI_EVENT, target: { kind: 'Any' }, handler: cbId })
          .then((eventId) => {
            unlisten = () => {
              internals.invoke('plugin:event|unlisten', { event: TAURI_EVENT, eventId }).catch(() => {});
              internals.unregisterCallback?.(cbId);
            };
            if (stopped) unlisten();
          })
          .catch(() => startPolling());
      } else {
        startPolling();
      }

      return () => {
        stopped = true;
        unlisten?.();
        if (timer) clearI(timer);
      };
    },
  };
  return backend;
}
