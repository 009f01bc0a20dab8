import { beforeEach, describe, expect, it, vi } from 'vitest';
import { CommandError, selectBackend } from '../src/backend';
import { BAD_RESPONSE, decodeEnvelope, decodeTauriRejection, NETWORK_ERROR } from '../src/backend/errors';
import { createHttpBackend } from '../src/backend/http';
import { createTokenStore } from '../src/backend/session';
import { createTauriBackend, TAURI_EVENT, type TauriInternals } from '../src/backend/tauri';

function jsonResponse(status: number, body: unknown): Response {
  return new Response(typeof body === 'string' ? body : JSON.stringify(body), {
    status,
    headers: { 'Content-Type': 'application/json' },
  });
}

beforeEach(() => sessionStorage.clear());

describe('transport selection', () => {
  it('uses Tauri when window.__TAURI_INTERNALS__ exists', () => {
    const internals: TauriInternals = { invoke: vi.fn() };
    expect(selectBackend({ __TAURI_INTERNALS__: internals, location: { search: '' } }).kind).toBe('tauri');
  });
  it('uses HTTP otherwise', () => {
    expect(selectBackend({ location: { search: '' } }).kind).toBe('http');
  });
});

describe('error decoding', () => {
  it('returns data on ok', () => {
    expect(decodeEnvelope({ ok: true, data: [1, 2] })).toEqual([1, 2]);
    expect(decodeEnvelope({ ok: true, data: null })).toBeNull();
  });
  it('throws a typed CommandError on ok:false', () => {
    try {
      decodeEnvelope({ ok: false, error: { code: 'wrong_pin', message_zh: 'PIN 错误', message_en: 'Wrong PIN', details: { left: 2 } } }, 401);
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(CommandError);
      const ce = e as CommandError;
      expect([ce.code, ce.message_zh, ce.message_en, ce.status]).toEqual(['wrong_pin', 'PIN 错误', 'Wrong PIN', 401]);
      expect(ce.details).toEqual({ left: 2 });
      expect(ce.message_for('zh')).toBe('PIN 错误');
      expect(ce.message_for('en')).toBe('Wrong PIN');
    }
  });
  it('falls back to the other language, then the code', () => {
    const e = new CommandError({ code: 'internal', message_zh: '', message_en: 'only en' });
    expect(e.message_for('zh')).toBe('only en');
    expect(new CommandError({ code: 'internal', message_zh: '', message_en: '' }).message_for('en')).toBe('internal');
  });
  it('anything else is a bad_response', () => {
    for (const body of [undefined, null, 'text', { data: 1 }, { ok: false }, { ok: false, error: 'boom' }]) {
      expect(() => decodeEnvelope(body, 500)).toThrowError(expect.objectContaining({ code: BAD_RESPONSE }));
    }
  });
  it('decodes Tauri rejections', () => {
    expect(decodeTauriRejection({ code: 'a', message_zh: '甲', message_en: 'A' }).code).toBe('a');
    expect(decodeTauriRejection({ ok: false, error: { code: 'b', message_zh: '乙', message_en: 'B' } }).code).toBe('b');
    expect(decodeTauriRejection(JSON.stringify({ code: 'c', message_zh: '', message_en: 'C' })).code).toBe('c');
    const s = decodeTauriRejection('command call not found');
    expect([s.code, s.message_en]).toEqual(['tauri_error', 'command call not found']);
  });
});

describe('HTTP transport', () => {
  it('POSTs JSON to /api/<command> with the session and the device credential', async () => {
    const tokens = createTokenStore('');
    tokens.setDevice('DEV123');
    const fetch = vi.fn(async () => jsonResponse(200, { ok: true, data: { token: 'S1' } }));
    const b = createHttpBackend({ tokens, fetch: fetch as unknown as typeof globalThis.fetch });
    await b.invoke('session_login', { username: 'a', pin: '1234' });
    let [url, init] = fetch.mock.calls[0] as unknown as [string, RequestInit];
    expect(url).toBe('/api/session_login');
    expect(init.method).toBe('POST');
    expect(JSON.parse(init.body as string)).toEqual({ username: 'a', pin: '1234' });
    expect(init.headers).toEqual({ 'Content-Type': 'application/json', 'X-Storepos-Device': 'DEV123' });

    tokens.setSession('S1');
    await b.invoke('session_get');
    [url, init] = fetch.mock.calls[1] as unknown as [string, RequestInit];
    expect(init.headers).toMatchObject({ 'X-Storepos-Session': 'S1', 'X-Storepos-Device': 'DEV123' });
    expect(JSON.parse(init.body as string)).toEqual({});
  });

  it('keeps the device credential across tabs and reads the pairing code from the URL', () => {
    createTokenStore('').setDevice('KEEP');
    expect(createTokenStore('').device()).toBe('KEEP');
    expect(createTokenStore('?pair=AB12CD34').pairCode()).toBe('AB12CD34');
    createTokenStore('').setDevice(null);
    expect(createTokenStore('').device()).toBeNull();
    const t = createTokenStore('');
    t.setSession('abc');
    expect(createTokenStore('').session()).toBe('abc');
    t.setSession(null);
    expect(createTokenStore('').session()).toBeNull();
  });

  it('decodes 4xx error envelopes', async () => {
    const fetch = vi.fn(async () =>
      jsonResponse(409, { ok: false, error: { code: 'not_allowed', message_zh: '不允许', message_en: 'Not allowed' } }),
    );
    const b = createHttpBackend({ tokens: createTokenStore(''), fetch: fetch as unknown as typeof globalThis.fetch });
    await expect(b.invoke('order_action_apply', {})).rejects.toMatchObject({ code: 'not_allowed', status: 409, message_zh: '不允许' });
  });

  it('network failure → backend_unreachable', async () => {
    const fetch = vi.fn(async () => {
      throw new TypeError('Failed to fetch');
    });
    const b = createHttpBackend({ tokens: createTokenStore(''), fetch: fetch as unknown as typeof globalThis.fetch });
    const err = (await b.invoke('session_get').catch((e: unknown) => e)) as CommandError;
    expect(err).toBeInstanceOf(CommandError);
    expect(err.code).toBe(NETWORK_ERROR);
    expect(err.message_zh).toContain('后台未响应');
    expect(err.message_en).toContain('not reachable');
  });

  it('HTML error pages are bad responses; proxy 502 is unreachable', async () => {
    let status = 500;
    const fetch = vi.fn(async () => new Response('<html>oops</html>', { status }));
    const b = createHttpBackend({ tokens: createTokenStore(''), fetch: fetch as unknown as typeof globalThis.fetch });
    await expect(b.invoke('x')).rejects.toMatchObject({ code: BAD_RESPONSE, status: 500 });
    status = 502;
    await expect(b.invoke('x')).rejects.toMatchObject({ code: NETWORK_ERROR });
  });

  it('opens the SSE stream with the session in the URL and parses events', () => {
    const instances: FakeES[] = [];
    class FakeES {
      url: string;
      onmessage: ((m: MessageEvent) => void) | null = null;
      listeners: Record<string, (m: MessageEvent) => void> = {};
      closed = false;
      constructor(url: string) {
        this.url = url;
        instances.push(this);
      }
      addEventListener(type: string, fn: (m: MessageEvent) => void) {
        this.listeners[type] = fn;
      }
      close() {
        this.closed = true;
      }
    }
    const tokens = createTokenStore('');
    tokens.setDevice('L');
    tokens.setSession('S 1');
    const b = createHttpBackend({ tokens, EventSource: FakeES as unknown as typeof EventSource });
    const got: unknown[] = [];
    const stop = b.events((e) => got.push(e));
    const es = instances[0];
    expect(es.url).toBe('/api/events?session=S+1&device=L');
    es.onmessage!({ data: JSON.stringify({ type: 'online_order', client_ref: 'c1' }) } as MessageEvent);
    es.onmessage!({ data: 'not json' } as MessageEvent);
    es.listeners.sync({ data: JSON.stringify({ online: false }) } as MessageEvent);
    expect(got).toEqual([{ type: 'online_order', client_ref: 'c1' }, { type: 'sync', online: false }]);
    stop();
    expect(es.closed).toBe(true);
  });
});

describe('Tauri transport', () => {
  it("invokes the generic 'call' command with command, session and request", async () => {
    const invoke = vi.fn(async () => ({ ok: true, data: [{ id: 1 }] }));
    const tokens = createTokenStore('');
    tokens.setSession('TOK');
    const b = createTauriBackend({ tokens, internals: { invoke } });
    expect(await b.invoke('user_list', {})).toEqual([{ id: 1 }]);
    expect(invoke).toHaveBeenCalledWith('call', { command: 'user_list', session: 'TOK', request: {} });
  });

  it('accepts bare data and decodes error envelopes and rejections', async () => {
    let mode = 0;
    const invoke = vi.fn(async () => {
      if (mode === 0) return { token: 'x' };
      if (mode === 1) return { ok: false, error: { code: 'e1', message_zh: '错', message_en: 'bad' } };
      throw { code: 'e2', message_zh: '错2', message_en: 'bad2' };
    });
    const b = createTauriBackend({ tokens: createTokenStore(''), internals: { invoke } });
    expect(await b.invoke('session_login', {})).toEqual({ token: 'x' });
    mode = 1;
    await expect(b.invoke('session_login', {})).rejects.toMatchObject({ code: 'e1' });
    mode = 2;
    await expect(b.invoke('session_login', {})).rejects.toBeInstanceOf(CommandError);
  });

  it('listens to the storepos://event Tauri event', async () => {
    let cb: ((p: unknown) => void) | null = null;
    const invoke = vi.fn(async (cmd: string) => (cmd === 'plugin:event|listen' ? 7 : undefined));
    const internals: TauriInternals = {
      invoke,
      transformCallback: (fn) => {
        cb = fn;
        return 42;
      },
      unregisterCallback: vi.fn(),
    };
    const b = createTauriBackend({ tokens: createTokenStore(''), internals });
    const got: unknown[] = [];
    const stop = b.events((e) => got.push(e));
    expect(invoke).toHaveBeenCalledWith('plugin:event|listen', { event: TAURI_EVENT, target: { kind: 'Any' }, handler: 42 });
    cb!({ event: TAURI_EVENT, id: 7, payload: { type: 'print_job', id: 3 } });
    expect(got).toEqual([{ type: 'print_job', id: 3 }]);
    await Promise.resolve();
    await Promise.resolve();
    stop();
    expect(invoke).toHaveBeenCalledWith('plugin:event|unlisten', { event: TAURI_EVENT, eventId: 7 });
  });

  it('falls back to polling sync_status every 2 s when events are unavailable', async () => {
    vi.useFakeTimers();
    try {
      const invoke = vi.fn(async () => ({ ok: true, data: { online: true } }));
      const b = createTauriBackend({ tokens: createTokenStore(''), internals: { invoke } });
      const got: unknown[] = [];
      const stop = b.events((e) => got.push(e));
      await vi.advanceTimersByTimeAsync(4100);
      expect(invoke).toHaveBeenCalledTimes(2);
      expect(invoke).toHaveBeenCalledWith('call', { command: 'sync_status_get', session: null, request: {} });
      expect(got).toEqual([
        { type: 'sync', status: { online: true } },
        { type: 'sync', status: { online: true } },
      ]);
      stop();
      await vi.advanceTimersByTimeAsync(4000);
      expect(invoke).toHaveBeenCalledTimes(2);
    } finally {
      vi.useRealTimers();
    }
  });
});
