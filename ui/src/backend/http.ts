import { badResponse, decodeEnvelope, networkError } from './errors';
import type { Backend, EventHandler } from './index';
import type { TokenStore } from './session';
import type { EventType } from './contract.gen';
import type { BackendEvent } from './types';

// Keyed by the generated union: an event the backend gains fails the type check until it is listened to.
const EVENT_TYPES = Object.keys({ online_order: 1, sync: 1, print_job: 1, conflict: 1, order_changed: 1, device_revoked: 1 } satisfies Record<EventType, 1>);

export interface HttpOptions {
  tokens: TokenStore;
  /** Defaults to '' (same origin as the page). */
  baseUrl?: string;
  fetch?: typeof fetch;
  EventSource?: typeof EventSource;
}

/** `storepos serve`: POST /api/<command>, events over SSE at GET /api/events. */
export function createHttpBackend(opts: HttpOptions): Backend {
  const base = opts.baseUrl ?? '';
  const doFetch = opts.fetch ?? ((...a: Parameters<typeof fetch>) => fetch(...a));
  const ES = opts.EventSource ?? (typeof EventSource === 'undefined' ? undefined : EventSource);
  const { tokens } = opts;

  return {
    kind: 'http',
    tokens,
    async invoke<T>(command: string, request: object = {}): Promise<T> {
      const headers: Record<string, string> = { 'Content-Type': 'application/json' };
      const session = tokens.session();
      if (session) headers['X-Storepos-Session'] = session;
      const device = tokens.device();
      if (device) headers['X-Storepos-Device'] = device;
      let res: Response;
      try {
        res = await doFetch(`${base}/api/${encodeURIComponent(command)}`, {
          method: 'POST',
          headers,
          body: JSON.stringify(request ?? {}),
        });
      } catch (e) {
        throw networkError(e);
      }
      let body: unknown;
      const text = await res.text().catch(() => '');
      try {
        body = text ? JSON.parse(text) : undefined;
      } catch {
        // A proxy's HTML error page, a half-started server, …
        if (res.status === 502 || res.status === 503 || res.status === 504) throw networkError(`HTTP ${res.status}`);
        throw badResponse(res.status, text.slice(0, 200));
      }
      return decodeEnvelope<T>(body, res.status);
    },
    events(onEvent: EventHandler, onTrouble?: () => void): () => void {
      if (!ES) return () => {};
      const params = new URLSearchParams();
      const session = tokens.session();
      if (session) params.set('session', session);
      const device = tokens.device();
      if (device) params.set('device', device);
      const q = params.toString();
      const es = new ES(`${base}/api/events${q ? `?${q}` : ''}`);
      const handle = (fallbackType: string) => (msg: MessageEvent) => {
        let ev: BackendEvent;
        try {
          const parsed = JSON.parse(String(msg.data));
          ev = parsed && typeof parsed === 'object' ? parsed : { type: fallbackType, value: parsed };
        } catch {
          return; // keep-alive comments, garbage
        }
        if (!ev.type) (ev as { type: string }).type = fallbackType;
        onEvent(ev);
      };
      es.onmessage = handle('message');
      for (const t of EVENT_TYPES) es.addEventListener(t, handle(t) as EventListener);
      // EventSource reconnects by itself; the app is told, so it can find out why (the
      // till unreachable, the session ended, this device revoked) with one command.
      es.onerror = () => onTrouble?.();
      return () => es.close();
    },
  };
}
