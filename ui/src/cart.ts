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
  /** The customer's phone (会员) and name, as the cashier typed them. */
  member_phone?: string;
  member_name?: string;
  /** 发票抬头: non-empty means the customer asked for an invoice. */
  invoice_title?: string;
  /** The line last added or changed: the screen keeps it in view. */
  touched?: number | null;
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
  | { type: 'set_customer'; member_phone?: string; member_name?: string; invoice_title?: string }
  | { type: 'reinsert'; line: CartLine; index: number }
  | { type: 'clear' }
  | { type: 'restore'; cart: Cart };

export const emptyCart = (): Cart => ({ lines: [], remark: '', nextId: 1, member_phone: '', member_name: '', invoice_title: '', touched: null });

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
      if (same) return { ...mapLine(cart, same.id, (l) => ({ ...l, quantity: clampQty(l.quantity + qty) })), touched: same.id };
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
      return { ...cart, lines: [...cart.lines, line], nextId: cart.nextId + 1, touched: line.id };
    }
    case 'set_qty':
      // 0 is not "remove" (a slip of the finger must not lose a line): removing is the ✕,
      // and it can be undone.
      if (!Number.isFinite(action.quantity) || action.quantity <= 0) return cart;
      return { ...mapLine(cart, action.id, (l) => ({ ...l, quantity: clampQty(action.quantity) })), touched: action.id };
    case 'inc':
      return { ...mapLine(cart, action.id, (l) => ({ ...l, quantity: clampQty(l.quantity + 1) })), touched: action.id };
    case 'dec':
      // Never drops below 1: removing a line is an explicit action.
      return mapLine(cart, action.id, (l) => ({ ...l, quantity: clampQty(l.quantity - 1) }));
    case 'set_memo':
      return mapLine(cart, action.id, (l) => ({ ...l, memo: textCap(action.memo.trim()) }));
    case 'remove':
      return { ...cart, lines: cart.lines.filter((l) => l.id !== action.id) };
    case 'set_remark':
      return { ...cart, remark: textCap(action.remark) };
    case 'set_customer':
      return {
        ...cart,
        ...(action.member_phone !== undefined ? { member_phone: action.member_phone.replace(/\D/g, '').slice(0, 11) } : {}),
        ...(action.member_name !== undefined ? { member_name: textCap(action.member_name) } : {}),
        ...(action.invoice_title !== undefined ? { invoice_title: textCap(action.invoice_title) } : {}),
      };
    case 'reinsert': {
      // Undo of a removal: the line comes back where it was (merged if scanned again meanwhile).
      if (cart.lines.some((l) => l.id === action.line.id)) return cart;
      const lines = [...cart.lines];
      lines.splice(Math.min(action.index, lines.length), 0, action.line);
      return { ...cart, lines, nextId: Math.max(cart.nextId, action.line.id + 1), touched: action.line.id };
    }
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
export function cartToSaleRequest(cart: Cart): { lines: LineRequest[]; remark?: string; member_phone?: string; member_name?: string; invoice_title?: string } {
  const opt = (k: 'member_phone' | 'member_name' | 'invoice_title') => {
    const v = (cart[k] ?? '').trim();
    return v ? { [k]: v } : {};
  };
  return {
    lines: cart.lines.map((l) => {
      const r: LineRequest = { product_id: l.product_id, quantity: l.quantity };
      if (l.specification_id != null) r.specification_id = l.specification_id;
      if (l.memo) r.memo = l.memo;
      return r;
    }),
    ...(cart.remark.trim() ? { remark: cart.remark.trim() } : {}),
    ...opt('member_phone'),
    ...opt('member_name'),
    ...opt('invoice_title'),
  };
}
