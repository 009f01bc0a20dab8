// The virtualised product grid's arithmetic and page cache (pure: no DOM, no backend).
//
// The grid never holds the catalog: it asks the backend (`catalog_page_get`) for the pages that
// cover what is on screen and keeps a handful of them (least recently used first out).

import type { Product } from './backend/contract.gen';

export const TILE_MIN_W = 150;
export const GAP = 10;
export const TILE_H = 96;
export const ROW_H = TILE_H + GAP;
export const PAGE_SIZE = 60;

/** `catalog_page_get` answer (generated). */
export type { ProductPage } from './backend/contract.gen';

export function columnsFor(width: number): number {
  return Math.max(1, Math.floor((Math.max(0, width) + GAP) / (TILE_MIN_W + GAP)));
}

export interface Window {
  /** first item index shown (inclusive) */
  first: number;
  /** last item index shown (exclusive) */
  end: number;
  firstRow: number;
  rows: number;
}

/** Which items a viewport of `height` px scrolled to `scrollTop` shows, plus `overscan` rows each side. */
export function visibleWindow(scrollTop: number, height: number, cols: number, total: number, overscan = 2): Window {
  const rows = Math.ceil(total / cols);
  const firstRow = Math.max(0, Math.floor(scrollTop / ROW_H) - overscan);
  const lastRow = Math.min(rows, Math.ceil((scrollTop + Math.max(height, ROW_H)) / ROW_H) + overscan);
  return { first: Math.min(total, firstRow * cols), end: Math.min(total, lastRow * cols), firstRow, rows };
}

/** Page numbers covering items [first, end). */
export function pagesFor(first: number, end: number, pageSize = PAGE_SIZE): number[] {
  if (end <= first) return [];
  const out: number[] = [];
  for (let p = Math.floor(first / pageSize); p <= Math.floor((end - 1) / pageSize); p++) out.push(p);
  return out;
}

/** A bounded cache of pages of one query (a new query starts a new cache). */
export class PageCache {
  private pages = new Map<number, Product[]>();
  constructor(
    readonly pageSize = PAGE_SIZE,
    readonly maxPages = 12,
  ) {}

  has(page: number): boolean {
    return this.pages.has(page);
  }

  put(page: number, items: Product[]): void {
    this.pages.delete(page);
    this.pages.set(page, items);
    while (this.pages.size > this.maxPages) {
      const oldest = this.pages.keys().next().value as number;
      this.pages.delete(oldest);
    }
  }

  /** The item at `index`, if its page is here (marks the page recently used). */
  item(index: number): Product | undefined {
    const p = Math.floor(index / this.pageSize);
    const items = this.pages.get(p);
    return items?.[index - p * this.pageSize];
  }

  touch(page: number): void {
    const items = this.pages.get(page);
    if (items) {
      this.pages.delete(page);
      this.pages.set(page, items);
    }
  }

  get size(): number {
    return this.pages.size;
  }
}
