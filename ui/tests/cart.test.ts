import { describe, expect, it } from 'vitest';
import type { Product } from '../src/backend/contract.gen';
import { cartItemCount, cartReducer, cartToSaleRequest, cartTotalFen, emptyCart, setCartLimits, type Cart } from '../src/cart';

const water: Product = {
  id: 1, name: '农夫山泉 550ml', category_id: 1, category_name: '饮料', price: '2.00', barcode: '6921168509256',
  pinyin_initials: 'nfsq', specifications: [], station: null,
};
const tea: Product = {
  id: 2, name: '奶茶', category_id: 2, category_name: '茶饮', price: '12.00', barcode: null, pinyin_initials: 'nc',
  specifications: [{ id: 21, name: '中杯', price: '12.00' }, { id: 22, name: '大杯', price: '15.50' }], station: 'bar',
};

const run = (...actions: Parameters<typeof cartReducer>[1][]): Cart => actions.reduce(cartReducer, emptyCart());

describe('cart reducer', () => {
  it('adding the same product twice merges the lines', () => {
    const c = run({ type: 'add', product: water }, { type: 'add', product: water });
    expect(c.lines).toHaveLength(1);
    expect(c.lines[0].quantity).toBe(2);
    expect(cartTotalFen(c)).toBe(400);
  });

  it('different specifications are different lines with their own price', () => {
    const c = run(
      { type: 'add', product: tea, spec: tea.specifications[0] },
      { type: 'add', product: tea, spec: tea.specifications[1] },
      { type: 'add', product: tea, spec: tea.specifications[1] },
    );
    expect(c.lines.map((l) => [l.spec_name, l.quantity, l.unit_price])).toEqual([
      ['中杯', 1, '12.00'],
      ['大杯', 2, '15.50'],
    ]);
    expect(cartTotalFen(c)).toBe(1200 + 3100);
    expect(cartItemCount(c)).toBe(3);
  });

  it('edits quantities (clamped, integer) and removes at zero', () => {
    let c = run({ type: 'add', product: water });
    const id = c.lines[0].id;
    c = cartReducer(c, { type: 'inc', id });
    c = cartReducer(c, { type: 'inc', id });
    expect(c.lines[0].quantity).toBe(3);
    c = cartReducer(c, { type: 'dec', id });
    expect(c.lines[0].quantity).toBe(2);
    c = cartReducer(c, { type: 'dec', id });
    c = cartReducer(c, { type: 'dec', id });
    expect(c.lines[0].quantity).toBe(1); // − never removes
    c = cartReducer(c, { type: 'set_qty', id, quantity: 7.8 });
    expect(c.lines[0].quantity).toBe(7);
    // The cap is the backend's published limit, whatever it is.
    setCartLimits({ max_quantity: 99999, max_lines: 2, max_text: 3 });
    c = cartReducer(c, { type: 'set_qty', id, quantity: 100000 });
    expect(c.lines[0].quantity).toBe(99999);
    c = cartReducer(c, { type: 'set_memo', id, memo: '不要加辣椒' });
    expect(c.lines[0].memo).toBe('不要加');
    setCartLimits(null);
    // Typing 0 is a slip, not a removal: the line stays as it was.
    c = cartReducer(c, { type: 'set_qty', id, quantity: 0 });
    expect(c.lines).toHaveLength(1);
    expect(c.lines[0].quantity).toBe(99999);
  });

  it('a removed line comes back where it was on undo, and the touched line is tracked', () => {
    let c = run({ type: 'add', product: water }, { type: 'add', product: tea, spec: tea.specifications[0] });
    expect(c.touched).toBe(c.lines[1].id);
    const gone = c.lines[0];
    c = cartReducer(c, { type: 'remove', id: gone.id });
    expect(c.lines.map((l) => l.name)).toEqual(['奶茶']);
    c = cartReducer(c, { type: 'reinsert', line: gone, index: 0 });
    expect(c.lines.map((l) => l.name)).toEqual(['农夫山泉 550ml', '奶茶']);
    expect(c.touched).toBe(gone.id);
    // Undo twice does not double the line.
    c = cartReducer(c, { type: 'reinsert', line: gone, index: 0 });
    expect(c.lines).toHaveLength(2);
    c = cartReducer(c, { type: 'inc', id: gone.id });
    expect(c.touched).toBe(gone.id);
  });

  it('keeps the customer: phone digits only (11 at most), name and invoice title', () => {
    const c = run({ type: 'set_customer', member_phone: '138-0013 80001234', member_name: '王先生', invoice_title: '龙门客栈有限公司' });
    expect(c.member_phone).toBe('13800138000');
    expect(c.member_name).toBe('王先生');
    expect(c.invoice_title).toBe('龙门客栈有限公司');
    const withLine = cartReducer(c, { type: 'add', product: water });
    expect(cartToSaleRequest(withLine)).toEqual({
      lines: [{ product_id: 1, quantity: 1 }],
      member_phone: '13800138000',
      member_name: '王先生',
      invoice_title: '龙门客栈有限公司',
    });
    expect(cartToSaleRequest(cartReducer(emptyCart(), { type: 'add', product: water }))).toEqual({ lines: [{ product_id: 1, quantity: 1 }] });
  });

  it('a memo makes a line distinct; a new add does not merge into it', () => {
    let c = run({ type: 'add', product: tea, spec: tea.specifications[0] });
    c = cartReducer(c, { type: 'set_memo', id: c.lines[0].id, memo: '  不要加辣椒 ' });
    expect(c.lines[0].memo).toBe('不要加辣椒');
    c = cartReducer(c, { type: 'add', product: tea, spec: tea.specifications[0] });
    expect(c.lines).toHaveLength(2);
    c = cartReducer(c, { type: 'add', product: tea, spec: tea.specifications[0] });
    expect(c.lines.map((l) => l.quantity)).toEqual([1, 2]);
  });

  it('removes lines, clears, and builds the sale_create request', () => {
    let c = run(
      { type: 'add', product: water, quantity: 3 },
      { type: 'add', product: tea, spec: tea.specifications[1] },
      { type: 'set_remark', remark: ' 打包 ' },
    );
    c = cartReducer(c, { type: 'set_memo', id: c.lines[1].id, memo: '少冰' });
    expect(cartToSaleRequest(c)).toEqual({
      lines: [
        { product_id: 1, quantity: 3 },
        { product_id: 2, specification_id: 22, quantity: 1, memo: '少冰' },
      ],
      remark: '打包',
    });
    c = cartReducer(c, { type: 'remove', id: c.lines[0].id });
    expect(c.lines.map((l) => l.product_id)).toEqual([2]);
    const cleared = cartReducer(c, { type: 'clear' });
    expect(cleared.lines).toEqual([]);
    expect(cleared.nextId).toBe(c.nextId); // ids are never reused
  });

  it('totals are exact in fen', () => {
    const cheap: Product = { ...water, id: 9, price: '0.10' };
    const c = run({ type: 'add', product: cheap, quantity: 3 });
    expect(cartTotalFen(c)).toBe(30);
  });
});

describe('limits from the backend', () => {
  it('never adds more lines than sale_create takes', () => {
    setCartLimits({ max_quantity: 5, max_lines: 1, max_text: 200 });
    let c = run({ type: 'add', product: tea, spec: tea.specifications[0] });
    c = cartReducer(c, { type: 'add', product: tea, spec: tea.specifications[1] });
    expect(c.lines).toHaveLength(1);
    c = cartReducer(c, { type: 'add', product: tea, spec: tea.specifications[0], quantity: 9 });
    expect(c.lines[0].quantity).toBe(5);
    setCartLimits(null);
  });
});
