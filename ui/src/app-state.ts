// App-wide state: language, session, toasts, backend health, cart, the order awaiting payment.

import { backend, CommandError, invokeCommand, NETWORK_ERROR, type RequestArg, type ResponseOf } from './backend';
import type { CommandName, Order, PrinterView, Role, SyncStatus, User } from './backend/contract.gen';
import type { BackendEvent } from './backend/types';
import { emptyCart, setCartLimits, type Cart } from './cart';
import { translate, type Lang, type MessageKey } from './i18n';
import { createStore } from './store';

export type View = 'cashier' | 'orders' | 'clerk' | 'aftersales' | 'manager';

export const VIEWS_BY_ROLE: Record<Role, View[]> = {
  cashier: ['cashier', 'orders'],
  clerk: ['clerk', 'aftersales', 'cashier', 'orders'],
  manager: ['manager', 'cashier', 'orders', 'clerk', 'aftersales'],
};

export interface Session {
  token: string;
  user: User;
  till_code: string;
}

const LANG_KEY = 'storepos.lang';
const SESSION_INFO_KEY = 'storepos.session_info';

function initialLang(): Lang {
  try {
    return localStorage.getItem(LANG_KEY) === 'en' ? 'en' : 'zh';
  } catch {
    return 'zh';
  }
}

export const langStore = createStore<Lang>(initialLang());
export const sessionStore = createStore<Session | null>(null);
export const viewStore = createStore<View>('cashier');
export const cartStore = createStore<Cart>(emptyCart());
/** A counter order created from the cart and not paid yet (the cart is locked meanwhile). */
export const pendingSaleStore = createStore<Order | null>(null);

export interface HealthState {
  backendUp: boolean;
  sync: SyncStatus | null;
  printers: PrinterView[] | null;
}
export const healthStore = createStore<HealthState>({ backendUp: true, sync: null, printers: null });

/** True while this device must pair with the till first: it answered `device_unpaired`
 *  (never paired, or revoked), or the page was opened from a pairing QR. */
export const unpairedStore = createStore<boolean>(false);

export type ToastKind = 'info' | 'success' | 'error';
export interface Toast {
  id: number;
  kind: ToastKind;
  text: string;
}
export const toastStore = createStore<Toast[]>([]);

export function setLang(lang: Lang): void {
  langStore.set(lang);
  try {
    localStorage.setItem(LANG_KEY, lang);
  } catch {
    /* private mode */
  }
  document.documentElement.lang = lang === 'zh' ? 'zh-CN' : 'en';
}

/** Translate in the current language. */
export function t(key: MessageKey, params?: Record<string, string | number>): string {
  return translate(langStore.get(), key, params);
}

let toastSeq = 1;
export function toast(text: string, kind: ToastKind = 'info', ms = kind === 'error' ? 8000 : 3500): void {
  const id = toastSeq++;
  toastStore.set((ts) => [...ts.slice(-3), { id, kind, text }]);
  setTimeout(() => dismissToast(id), ms);
}
export function dismissToast(id: number): void {
  toastStore.set((ts) => ts.filter((x) => x.id !== id));
}

export function errorText(e: unknown): string {
  if (e instanceof CommandError) return e.message_for(langStore.get());
  if (e instanceof Error) return `${t('common.error')}: ${e.message}`;
  return t('common.error');
}

/** Show an error in the current language. The cart is never touched here. */
export function reportError(e: unknown): void {
  // Session expiry and a revoked device were already handled by `call`; nothing more to show.
  if (isSessionEnded(e) || isUnpaired(e)) return;
  toast(errorText(e), 'error');
}

/** The backend no longer knows our session. Decided by the error code, which every
 *  transport carries: the desktop window's IPC has no HTTP status to look at. */
function isSessionEnded(e: unknown): boolean {
  return e instanceof CommandError && e.code === 'unauthenticated';
}

function isUnpaired(e: unknown): boolean {
  return e instanceof CommandError && e.code === 'device_unpaired';
}

/** The till does not know this device (never paired, or a manager revoked it): forget its
 *  credential and the session, and show the pairing screen. */
function onDeviceUnpaired(): void {
  backend().tokens.setDevice(null);
  if (sessionStore.get()) endSession();
  unpairedStore.set(true);
}

/** Trade the one-time code the till shows for this device's own credential. */
export async function pairDevice(code: string, name: string): Promise<void> {
  const r = await call('device_pair', { code, name });
  backend().tokens.setDevice(r.credential);
  unpairedStore.set(false);
}

/** Back to the login screen when a session ends under us (expired, PIN changed, logged out
 *  elsewhere). The cart stays, so a re-login continues the sale. */
function onSessionEnded(): void {
  if (!sessionStore.get()) return;
  endSession();
  toast(t('err.sessionExpired'), 'error');
}

let inFlight = 0;

/** Invoke a backend command, tracking whether the backend is reachable. The name, the
 *  request and the answer are the generated contract's (`Commands`). */
export async function call<K extends CommandName>(command: K, ...request: RequestArg<K>): Promise<ResponseOf<K>> {
  inFlight++;
  try {
    const out = await invokeCommand(backend(), command, ...request);
    if (!healthStore.get().backendUp) healthStore.set((h) => ({ ...h, backendUp: true }));
    return out;
  } catch (e) {
    if (e instanceof CommandError && e.code === NETWORK_ERROR) {
      if (healthStore.get().backendUp) healthStore.set((h) => ({ ...h, backendUp: false }));
    } else if (!healthStore.get().backendUp) {
      healthStore.set((h) => ({ ...h, backendUp: true }));
    }
    if (isSessionEnded(e) && command !== 'session_login') onSessionEnded();
    if (isUnpaired(e)) onDeviceUnpaired();
    throw e;
  } finally {
    inFlight--;
  }
}

/** Resolves when no command is in flight (or after `maxMs`). */
async function settled(maxMs: number): Promise<void> {
  const until = Date.now() + maxMs;
  while (inFlight > 0 && Date.now() < until) await new Promise((r) => setTimeout(r, 20));
}

/** Like `call`, but reports errors itself and resolves to undefined on failure. */
export async function tryCall<K extends CommandName>(command: K, ...request: RequestArg<K>): Promise<ResponseOf<K> | undefined> {
  try {
    return await call(command, ...request);
  } catch (e) {
    reportError(e);
    return undefined;
  }
}

export function startSession(s: Session): void {
  backend().tokens.setSession(s.token);
  try {
    sessionStorage.setItem(SESSION_INFO_KEY, JSON.stringify({ user: s.user, till_code: s.till_code }));
  } catch {
    /* ignore */
  }
  sessionStore.set(s);
  viewStore.set(VIEWS_BY_ROLE[s.user.role][0]);
}

/** Forget the session (the cart stays: a re-login continues the sale). */
export function endSession(): void {
  backend().tokens.setSession(null);
  try {
    sessionStorage.removeItem(SESSION_INFO_KEY);
  } catch {
    /* ignore */
  }
  sessionStore.set(null);
}

/** After a page reload: reuse the stored token if `session_get` still accepts it. */
export async function restoreSession(): Promise<void> {
  const token = backend().tokens.session();
  if (!token) return;
  try {
    const who = await call('session_get', {});
    setStoreClock(who.timezone);
    setCartLimits(who.limits);
    startSession({ token, user: who.user, till_code: who.till_code });
  } catch (e) {
    if (e instanceof CommandError && e.code !== NETWORK_ERROR) backend().tokens.setSession(null);
  }
}

export async function logout(): Promise<void> {
  // Leave the screens first (polls and the event stream stop with the session), then
  // drop the token server-side: nothing may call with a token the backend just deleted.
  // The stored copy goes at once, so a reload meanwhile shows the login screen.
  backend().tokens.forgetStored?.();
  try {
    sessionStorage.removeItem(SESSION_INFO_KEY);
  } catch {
    /* ignore */
  }
  sessionStore.set(null);
  await settled(3000); // a status poll already on its way must not meet a deleted token
  try {
    await call('session_logout', {});
  } catch {
    /* logging out locally is what matters */
  }
  endSession();
}

// ---- event bus -------------------------------------------------------------------------

type Listener = (e: BackendEvent) => void;
const listeners = new Set<Listener>();

export function onBackendEvent(fn: Listener): () => void {
  listeners.add(fn);
  return () => {
    listeners.delete(fn);
  };
}

/** Listeners on the event bus now (a leak check for scripts/desktop-mem.sh). */
export function backendListenerCount(): number {
  return listeners.size;
}

export function emitBackendEvent(e: BackendEvent): void {
  for (const fn of [...listeners]) {
    try {
      fn(e);
    } catch (err) {
      console.error(err);
    }
  }
}

/** The store's time zone (from login / whoami), for showing times: a till in Shanghai
 *  shows Shanghai time even on a device set to UTC. Which business day it is, the
 *  backend answers (`storeToday`). */
export const storeClock = { timeZone: undefined as string | undefined };

export function setStoreClock(timeZone: string | undefined): void {
  storeClock.timeZone = timeZone;
}

/** Today's business day as the backend books it (time zone and cut-off hour applied there). */
export async function storeToday(): Promise<string> {
  return (await call('store_day_get', {})).business_day;
}

function parts(d: Date): Record<string, string> {
  const opts: Intl.DateTimeFormatOptions = {
    year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hourCycle: 'h23',
  };
  let fmt: Intl.DateTimeFormat;
  try {
    fmt = new Intl.DateTimeFormat('en-CA', { ...opts, timeZone: storeClock.timeZone });
  } catch {
    fmt = new Intl.DateTimeFormat('en-CA', opts);
  }
  const out: Record<string, string> = {};
  for (const p of fmt.formatToParts(d)) out[p.type] = p.value;
  return out;
}

/** A calendar date (YYYY-MM-DD) in the store's time zone. */
export function dateOf(d: Date): string {
  const p = parts(d);
  return `${p.year}-${p.month}-${p.day}`;
}

export function timeOf(rfc3339: string | null | undefined): string {
  if (!rfc3339) return '—';
  const d = new Date(rfc3339);
  if (Number.isNaN(d.getTime())) return rfc3339;
  const p = parts(d);
  return `${p.hour}:${p.minute}`;
}

export function dateTimeOf(rfc3339: string | null | undefined): string {
  if (!rfc3339) return '—';
  const d = new Date(rfc3339);
  if (Number.isNaN(d.getTime())) return rfc3339;
  return `${dateOf(d)} ${timeOf(rfc3339)}`;
}
