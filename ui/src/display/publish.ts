// The till's side of the customer display: what the customer should see, sent to the
// backend (`display_update`), which fans it out to the paired display. Best effort: the
// display must never get in the cashier's way, so failures are ignored and only the
// newest state is sent (coalesced within a few milliseconds, duplicates skipped).

import { backend } from '../backend';
import type { Cart } from '../cart';
import { fenToString, lineFen } from '../money';

export interface DisplayLine {
  name: string;
  spec: string | null;
  quantity: number;
  unit_price: string;
  line_total: string;
}

export interface DisplayState {
  phase: 'idle' | 'cart' | 'wechat' | 'paid';
  lines?: DisplayLine[];
  total?: string | null;
  paid?: string | null;
  change?: string | null;
  method?: 'CASH' | 'WECHAT' | null;
  code_url?: string | null;
  expires_at?: string | null;
}

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
    if (!s) return;
    const text = JSON.stringify(s);
    if (text === last) return;
    last = text;
    backend()
      .invoke('display_update', s)
      .catch(() => {
        last = ''; // send again next time
      });
  }, 30);
}
