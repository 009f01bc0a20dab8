// Paid online orders waiting to be accepted, watched on every screen of every device:
// a count in the top bar, a sound when one arrives and again every REMIND_MS while any
// wait, a toast naming the local number. (Issue 24: twenty orders piled up in 新订单
// while the cashier's screen showed nothing.)

import { call, onBackendEvent, sessionStore, t, toast } from './app-state';
import type { Order } from './backend/contract.gen';
import { newArrivals, waitingOnline } from './board';
import { beep } from './sound';
import { createStore } from './store';

export const POLL_MS = 5000;
export const REMIND_MS = 30000;
const SOUND_KEY = 'storepos.clerk_sound';

/** The waiting orders (oldest first); null before the first answer. */
export const waitingStore = createStore<Order[] | null>(null);

export function soundOn(): boolean {
  try {
    return localStorage.getItem(SOUND_KEY) !== 'off';
  } catch {
    return true;
  }
}

export function setSoundOn(on: boolean): void {
  try {
    localStorage.setItem(SOUND_KEY, on ? 'on' : 'off');
  } catch {
    /* private mode */
  }
}

/** The toast for newly arrived orders: local numbers only (the platform's is in the details). */
export function arrivalText(arrived: Order[]): string {
  const first = arrived[0];
  if (!first) return '';
  return arrived.length === 1
    ? t('clerk.newOrder', { no: first.local_number })
    : t('clerk.newOrders', { no: first.local_number, n: arrived.length });
}

let known: Set<string> | null = null;
let lastSound = 0;
let busy = false;
let again = false;

async function refresh(): Promise<void> {
  if (!sessionStore.get()) return;
  if (busy) {
    again = true; // an event while a look is on its way: look once more after it
    return;
  }
  busy = true;
  again = false;
  try {
    const { orders } = await call('order_list', { statuses: ['PAID_CONFIRM_PENDING'], limit: 200 });
    if (!sessionStore.get()) return;
    const waiting = waitingOnline(orders);
    const arrivedRefs = new Set(newArrivals(known, waiting));
    known = new Set(waiting.map((o) => o.client_ref));
    waitingStore.set(waiting);
    const arrived = waiting.filter((o) => arrivedRefs.has(o.client_ref));
    const now = Date.now();
    if (arrived.length) toast(arrivalText(arrived), 'info', 6000);
    // a sound on arrival, and a reminder while any wait (the first look after login too)
    if (waiting.length && (arrived.length || now - lastSound >= REMIND_MS)) {
      lastSound = now;
      if (soundOn()) beep();
    }
  } catch {
    /* the status bar shows an unreachable backend; the next tick tries again */
  } finally {
    busy = false;
    if (again) void refresh();
  }
}

/** Start watching for this session; returns the stop function. */
export function watchOnlineOrders(): () => void {
  known = null;
  lastSound = 0;
  waitingStore.set(null);
  void refresh();
  const id = setInterval(() => void refresh(), POLL_MS);
  const off = onBackendEvent((e) => {
    if (e.type === 'online_order' || e.type === 'order_changed') void refresh();
  });
  return () => {
    clearInterval(id);
    off();
    known = null;
    waitingStore.set(null);
  };
}

/** Ask again now (after an accept / reject on this device). */
export function refreshWaiting(): void {
  void refresh();
}
