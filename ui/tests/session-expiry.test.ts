import { describe, expect, it, vi } from 'vitest';
import { call, sessionStore, startSession, tryCall } from '../src/app-state';
import { setBackend } from '../src/backend';
import { createHttpBackend } from '../src/backend/http';
import { createTokenStore } from '../src/backend/session';
import { createTauriBackend } from '../src/backend/tauri';

const cashier = { id: 1, username: 'cashier', display_name: '小王', role: 'cashier', active: true } as const;
const expired = { code: 'unauthenticated', message_zh: '登录已失效，请重新登录', message_en: 'session expired; log in again' };

function loggedIn(): void {
  startSession({ token: 'tok-1', user: cashier, till_code: 'T1' } as Parameters<typeof startSession>[0]);
  expect(sessionStore.get()?.user.username).toBe('cashier');
}

describe('a session that ends under the window returns it to login, on every transport', () => {
  it('desktop (Tauri IPC: no HTTP status, only the error code)', async () => {
    // What src-tauri's `call` rejects with: the CommandError body.
    const invoke = vi.fn().mockRejectedValue(expired);
    setBackend(createTauriBackend({ tokens: createTokenStore(''), internals: { invoke } }));
    loggedIn();
    await expect(call('order_list', {})).rejects.toMatchObject({ code: 'unauthenticated' });
    expect(sessionStore.get()).toBeNull();
    setBackend(null);
  });

  it('browser (HTTP), through tryCall as the screens use it', async () => {
    const fetchImpl = vi.fn().mockResolvedValue(
      new Response(JSON.stringify({ ok: false, error: expired }), { status: 401, headers: { 'Content-Type': 'application/json' } }),
    );
    setBackend(createHttpBackend({ tokens: createTokenStore(""), fetch: fetchImpl }));
    loggedIn();
    expect(await tryCall('order_list', {})).toBeUndefined();
    expect(sessionStore.get()).toBeNull();
    setBackend(null);
  });

  it('a wrong PIN at the login screen is not a session ending', async () => {
    const invoke = vi.fn().mockRejectedValue({ code: 'wrong_pin', message_zh: 'PIN 错误', message_en: 'Wrong PIN' });
    setBackend(createTauriBackend({ tokens: createTokenStore(''), internals: { invoke } }));
    loggedIn();
    await expect(call('session_login', { username: 'cashier', pin: '0000' })).rejects.toMatchObject({ code: 'wrong_pin' });
    expect(sessionStore.get()).not.toBeNull();
    setBackend(null);
  });
});
