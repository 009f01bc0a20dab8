// Session token and device credential, shared by both transports.

const SESSION_KEY = 'storepos.session';
const DEVICE_KEY = 'storepos.device';

export interface TokenStore {
  session(): string | null;
  setSession(token: string | null): void;
  /** Drop the stored copy but keep the token in memory (logging out: a reload during
   *  the logout must not bring the session back). */
  forgetStored?(): void;
  /** This device's credential from pairing with the till over the LAN (none on the till itself). */
  device(): string | null;
  setDevice(credential: string | null): void;
  /** The one-time pairing code the till's QR put in the URL (`?pair=…`), if any. */
  pairCode(): string | null;
}

function safeStorage(kind: 'sessionStorage' | 'localStorage'): Storage | null {
  try {
    return typeof globalThis[kind] === 'undefined' ? null : globalThis[kind];
  } catch {
    return null;
  }
}

/**
 * The session lives in sessionStorage (per tab, survives a reload, gone when the window
 * closes); the device credential in localStorage (the iPad stays paired across restarts).
 */
export function createTokenStore(search: string = typeof location === 'undefined' ? '' : location.search): TokenStore {
  const storage = safeStorage('sessionStorage');
  const local = safeStorage('localStorage');
  let session: string | null = storage?.getItem(SESSION_KEY) ?? null;
  let device: string | null = local?.getItem(DEVICE_KEY) ?? null;
  const pair = new URLSearchParams(search).get('pair');
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
    device: () => device,
    setDevice(credential) {
      device = credential;
      if (credential) local?.setItem(DEVICE_KEY, credential);
      else local?.removeItem(DEVICE_KEY);
    },
    pairCode: () => pair,
  };
}
