// The till's side of the customer display: what the customer should see, sent to the
// backend (`display_update`), which fans it out to the paired display. Best effort: the
// display must never get in the cashier's way, so failures are ignored and only the
// newest state is sent (coalesced within a few milliseconds, duplicates skipped).

import { call, sessionStore } from '../app-state';
import type { DisplayLine, DisplayState } from '../backend/contract.gen';
import type { Cart } from '../cart';
import { fenToString, lineFen } from '../money';

export function displayLines(cart: Cart): DisplayLine[] {
  return cart.lines.map((l) => ({
    name: l.name.slice(0, 64),
    spec: l.spec_name ? l.spec_name.slice(0, 64) : null,
    quantity: l.quantity,
    unit_price: l.unit_price,
    line_total: fenToString(lineFen(l.unit_price, l.quantity)),
  }));
}

let last = '';
let queued: DisplayState | null = null;
let timer: ReturnType<typeof setTimeout> | null = null;

export function publishDisplay(state: DisplayState): void {
  queued = state;
  if (timer) return;
  timer = setTimeout(() => {
    timer = null;
    const s = queued;
    queued = null;
    // Logged out meanwhile: the token is on its way out (a late update met a 401).
    if (!s || !sessionStore.get()) return;
    const text = JSON.stringify(s);
    if (text === last) return;
    last = text;
    // Through `call`, so a logout waits for an update already on its way.
    call('display_update', s).catch(() => {
      last = ''; // send again next time
    });
  }, 30);
}
