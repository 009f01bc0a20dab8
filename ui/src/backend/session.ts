// Session and LAN tokens, shared by both transports.

const SESSION_KEY = 'storepos.session';
const LAN_KEY = 'storepos.lan_token';

export interface TokenStore {
  session(): string | null;
  setSession(token: string | null): void;
  /** Drop the stored copy but keep the token in memory (logging out: a reload during
   *  the logout must not bring the session back). */
  forgetStored?(): void;
  lanToken(): string | null;
}

function safeStorage(): Storage | null {
  try {
    return typeof sessionStorage === 'undefined' ? null : sessionStorage;
  } catch {
    return null;
  }
}

/**
 * Tokens live in sessionStorage (per tab, survives a reload, gone when the window closes).
 * A `?lan_token=…` in the page URL is remembered the first time it is seen.
 */
export function createTokenStore(search: string = typeof location === 'undefined' ? '' : location.search): TokenStore {
  const storage = safeStorage();
  let session: string | null = storage?.getItem(SESSION_KEY) ?? null;
  const fromUrl = new URLSearchParams(search).get('lan_token');
  if (fromUrl) storage?.setItem(LAN_KEY, fromUrl);
  const lan: string | null = fromUrl || storage?.getItem(LAN_KEY) || null;
  return {
    session: () => session,
    setSession(token) {
      session = token;
      if (token) storage?.setItem(SESSION_KEY, token);
      else storage?.removeItem(SESSION_KEY);
    },
    forgetStored() {
      storage?.removeItem(SESSION_KEY);
    },
    lanToken: () => lan,
  };
}
