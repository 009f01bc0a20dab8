// The cart being built, kept in the ledger (`cart_draft_put`) per screen: a reload, a crash
// of the till or another tab of the same browser gets it back, with the unpaid sale it was
// taking money for. A screen is this browser profile / desktop window (its id lives in
// localStorage). Nothing here goes to the platform.

import { call, cartStore, onBackendEvent, pendingSaleStore } from './app-state';
import type { CartDraft, Order } from './backend/contract.gen';
import { emptyCart, type Cart } from './cart';

const DEVICE_KEY = 'storepos.device';
let memoryDevice: string | null = null;

/** This screen's id (made once, kept in localStorage). */
export function deviceId(): string {
  try {
    let d = localStorage.getItem(DEVICE_KEY);
    if (!d) {
      d = `scr-${crypto.randomUUID?.() ?? Math.random().toString(36).slice(2)}`.slice(0, 64);
      localStorage.setItem(DEVICE_KEY, d);
    }
    return d;
  } catch {
    memoryDevice ??= `scr-${Math.random().toString(36).slice(2)}`;
    return memoryDevice;
  }
}

export function cartToDraft(c: Cart): CartDraft {
  const opt = (s: string | undefined) => (s && s.trim() ? s.trim() : null);
  return {
    lines: c.lines.map((l) => ({
      product_id: l.product_id,
      specification_id: l.specification_id,
      name: l.name,
      spec_name: l.spec_name,
      unit_price: l.unit_price,
      quantity: l.quantity,
      memo: l.memo,
    })),
    remark: c.remark,
    member_phone: opt(c.member_phone),
    member_name: opt(c.member_name),
    invoice_title: opt(c.invoice_title),
  };
}

export function draftToCart(d: CartDraft): Cart {
  const lines = d.lines.map((l, i) => ({
    id: i + 1,
    product_id: l.product_id,
    specification_id: l.specification_id ?? null,
    name: l.name,
    spec_name: l.spec_name ?? null,
    unit_price: l.unit_price,
    quantity: l.quantity,
    memo: l.memo,
  }));
  return {
    ...emptyCart(),
    lines,
    remark: d.remark,
    member_phone: d.member_phone ?? '',
    member_name: d.member_name ?? '',
    invoice_title: d.invoice_title ?? '',
    nextId: lines.length + 1,
  };
}

let lastSent = '';
let dirty = false;

function snapshot(): string {
  return JSON.stringify({ cart: cartToDraft(cartStore.get()), pending: pendingSaleStore.get()?.client_ref ?? null });
}

/** Reads this screen's draft into the cart (and reopens its unpaid sale). */
export async function loadDraft(): Promise<void> {
  const v = await call('cart_draft_get', { device: deviceId() });
  if (dirty) return; // typed meanwhile: what is on screen wins
  cartStore.set(v.cart ? draftToCart(v.cart) : { ...emptyCart(), nextId: cartStore.get().nextId });
  pendingSaleStore.set(v.pending);
  lastSent = snapshot();
}

async function save(): Promise<void> {
  const s = snapshot();
  if (s === lastSent) {
    dirty = false;
    return;
  }
  const pending = pendingSaleStore.get();
  await call('cart_draft_put', { device: deviceId(), cart: cartToDraft(cartStore.get()), pending_client_ref: pending?.client_ref ?? null });
  lastSent = s;
  if (snapshot() === s) dirty = false;
}

/** A sale this screen was waiting on was paid or cancelled elsewhere (今日订单, another
 *  screen, the platform): paid empties the cart, cancelled unlocks it. */
export function settlePending(o: Order): void {
  const p = pendingSaleStore.get();
  if (!p || p.client_ref !== o.client_ref || o.status === 'CREATED_PAY_PENDING') return;
  pendingSaleStore.set(null);
  if (o.status !== 'CLOSED_CANCELED') cartStore.set((c) => ({ ...emptyCart(), nextId: c.nextId }));
}

/** Loads the draft, then writes every change back at once (one write in flight; changes
 *  made meanwhile go in the next), so a reload or a crash loses at most the change of the
 *  last few milliseconds. Returns the stop function. */
export function startDraftSync(): () => void {
  let live = false;
  let inFlight = false;
  let again = false;
  const flush = async () => {
    if (inFlight) {
      again = true;
      return;
    }
    inFlight = true;
    try {
      do {
        again = false;
        await save().catch(() => undefined);
      } while (again && live);
    } finally {
      inFlight = false;
    }
  };
  const schedule = () => {
    if (!live) return;
    dirty = true;
    void flush();
  };
  const offCart = cartStore.subscribe(schedule);
  const offPending = pendingSaleStore.subscribe(schedule);
  // Another tab of this screen may have changed the draft: read it when we come back.
  const onFocus = () => {
    if (live && !dirty && document.visibilityState === 'visible') void loadDraft().catch(() => undefined);
  };
  document.addEventListener('visibilitychange', onFocus);
  window.addEventListener('focus', onFocus);
  const offEvents = onBackendEvent((e) => {
    const p = pendingSaleStore.get();
    if (e.type === 'order_changed' && p && e.client_ref === p.client_ref) {
      void call('order_get', { client_ref: p.client_ref }).then(settlePending, () => undefined);
    }
  });
  void loadDraft()
    .catch(() => undefined)
    .finally(() => {
      live = true;
    });
  return () => {
    live = false;
    offCart();
    offPending();
    offEvents();
    document.removeEventListener('visibilitychange', onFocus);
    window.removeEventListener('focus', onFocus);
  };
}
