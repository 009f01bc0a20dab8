import { describe, expect, it } from 'vitest';
import { columnsFor, PageCache, pagesFor, ROW_H, visibleWindow } from '../src/catalog-view';
import type { Product } from '../src/backend/contract.gen';

const prod = (id: number): Product => ({ id, name: `p${id}`, category_id: 1, category_name: 'c', price: '1.00', barcode: null, pinyin_initials: '', specifications: [], station: null });

describe('virtualised grid arithmetic', () => {
  it('fits columns of at least 150 px', () => {
    expect(columnsFor(0)).toBe(1);
    expect(columnsFor(150)).toBe(1);
    expect(columnsFor(310)).toBe(2);
    expect(columnsFor(800)).toBe(5);
  });

  it('shows only the rows on screen plus overscan, whatever the catalog size', () => {
    const w = visibleWindow(0, 600, 5, 100_000);
    expect(w.first).toBe(0);
    expect(w.end - w.first).toBeLessThanOrEqual(5 * (Math.ceil(600 / ROW_H) + 2));
    expect(w.rows).toBe(20_000);
    const far = visibleWindow(ROW_H * 10_000, 600, 5, 100_000);
    expect(far.first).toBe((10_000 - 2) * 5);
    expect(far.end - far.first).toBeLessThanOrEqual(5 * (Math.ceil(600 / ROW_H) + 4));
    const end = visibleWindow(ROW_H * 30_000, 600, 5, 100_000);
    expect(end.end).toBe(100_000);
    expect(visibleWindow(0, 600, 5, 0)).toMatchObject({ first: 0, end: 0 });
  });

  it('maps an item range to pages', () => {
    expect(pagesFor(0, 0)).toEqual([]);
    expect(pagesFor(0, 35, 60)).toEqual([0]);
    expect(pagesFor(50, 130, 60)).toEqual([0, 1, 2]);
  });

  it('keeps a bounded number of pages, least recently used out first', () => {
    const c = new PageCache(10, 2);
    c.put(0, Array.from({ length: 10 }, (_, i) => prod(i)));
    c.put(1, Array.from({ length: 10 }, (_, i) => prod(10 + i)));
    expect(c.item(13)?.id).toBe(13);
    c.touch(0);
    c.put(2, [prod(20)]);
    expect(c.size).toBe(2);
    expect(c.has(1)).toBe(false);
    expect(c.item(5)?.id).toBe(5);
    expect(c.item(20)?.id).toBe(20);
    expect(c.item(21)).toBeUndefined();
  });
});
