// The cashier's cart: a pure reducer. Amounts are decimal strings from the catalog;
// totals are integer fen. The backend recomputes everything on sale_create.

import type { LineRequest, Limits, Product, Specification } from './backend/contract.gen';
import { lineFen } from './money';

export interface CartLine {
  /** Local id, stable while the line lives. */
  id: number;
  product_id: number;
  specification_id: number | null;
  name: string;
  spec_name: string | null;
  unit_price: string;
  quantity: number;
  memo: string;
}

export interface Cart {
  lines: CartLine[];
  remark: string;
  nextId: number;
}

/** The backend's limits (`session_login` / `session_get`); until it has answered, the
 *  cart clamps nothing and `sale_create` is the judge. */
let limits: Limits | null = null;

export function setCartLimits(l: Limits | null): void {
  limits = l;
}

/** The backend's limits, once it has sent them (other screens' quantity steppers use them too). */
export function currentLimits(): Limits | null {
  return limits;
}

export type CartAction =
  | { type: 'add'; product: Product; spec?: Specification | null; quantity?: number }
  | { type: 'set_qty'; id: number; quantity: number }
  | { type: 'inc'; id: number }
  | { type: 'dec'; id: number }
  | { type: 'set_memo'; id: number; memo: string }
  | { type: 'remove'; id: number }
  | { type: 'set_remark'; remark: string }
  | { type: 'clear' }
  | { type: 'restore'; cart: Cart };

export const emptyCart = (): Cart => ({ lines: [], remark: '', nextId: 1 });

function clampQty(q: number): number {
  if (!Number.isFinite(q)) return 1;
  return Math.min(limits?.max_quantity ?? Number.MAX_SAFE_INTEGER, Math.max(1, Math.trunc(q)));
}

/** Cut to the backend's longest text (characters, as it counts them). */
function textCap(s: string): string {
  return limits ? [...s].slice(0, limits.max_text).join('') : s;
}

function mapLine(cart: Cart, id: number, f: (l: CartLine) => CartLine): Cart {
  return { ...cart, lines: cart.lines.map((l) => (l.id === id ? f(l) : l)) };
}

export function cartReducer(cart: Cart, action: CartAction): Cart {
  switch (action.type) {
    case 'add': {
      const { product, spec } = action;
      const qty = clampQty(action.quantity ?? 1);
      const specId = spec ? spec.id : null;
      // Same product + specification with no memo: merge into that line.
      const same = cart.lines.find((l) => l.product_id === product.id && l.specification_id === specId && l.memo === '');
      if (same) return mapLine(cart, same.id, (l) => ({ ...l, quantity: clampQty(l.quantity + qty) }));
      if (limits && cart.lines.length >= limits.max_lines) return cart;
      const line: CartLine = {
        id: cart.nextId,
        product_id: product.id,
        specification_id: specId,
        name: product.name,
        spec_name: spec ? spec.name : null,
        unit_price: spec ? spec.price : product.price,
        quantity: qty,
        memo: '',
      };
      return { ...cart, lines: [...cart.lines, line], nextId: cart.nextId + 1 };
    }
    case 'set_qty':
      if (action.quantity <= 0) return cartReducer(cart, { type: 'remove', id: action.id });
      return mapLine(cart, action.id, (l) => ({ ...l, quantity: clampQty(action.quantity) }));
    case 'inc':
      return mapLine(cart, action.id, (l) => ({ ...l, quantity: clampQty(l.quantity + 1) }));
    case 'dec':
      // Never drops below 1: removing a line is an explicit action.
      return mapLine(cart, action.id, (l) => ({ ...l, quantity: clampQty(l.quantity - 1) }));
    case 'set_memo':
      return mapLine(cart, action.id, (l) => ({ ...l, memo: textCap(action.memo.trim()) }));
    case 'remove':
      return { ...cart, lines: cart.lines.filter((l) => l.id !== action.id) };
    case 'set_remark':
      return { ...cart, remark: textCap(action.remark) };
    case 'clear':
      return { ...emptyCart(), nextId: cart.nextId };
    case 'restore':
      return action.cart;
  }
}

export function cartTotalFen(cart: Cart): number {
  return cart.lines.reduce((acc, l) => acc + lineFen(l.unit_price, l.quantity), 0);
}

export function cartItemCount(cart: Cart): number {
  return cart.lines.reduce((acc, l) => acc + l.quantity, 0);
}

/** The `sale_create` request for this cart. */
export function cartToSaleRequest(cart: Cart): { lines: LineRequest[]; remark?: string } {
  return {
    lines: cart.lines.map((l) => {
      const r: LineRequest = { product_id: l.product_id, quantity: l.quantity };
      if (l.specification_id != null) r.specification_id = l.specification_id;
      if (l.memo) r.memo = l.memo;
      return r;
    }),
    ...(cart.remark.trim() ? { remark: cart.remark.trim() } : {}),
  };
}
