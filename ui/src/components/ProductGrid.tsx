// The cashier's product grid, virtualised: only the rows on screen (plus a little) are in
// the DOM, and only the pages covering them are fetched (`catalog_page_get`, ranked search and
// categories served by the backend). A new query drops the old pages; answers to an old
// query are ignored; at most two page requests are in flight, so a scan's look-up never
// queues behind the grid.

import { useEffect, useLayoutEffect, useReducer, useRef, useState } from 'preact/hooks';
import { call, reportError, t } from '../app-state';
import type { Product } from '../backend/contract.gen';
import { columnsFor, PAGE_SIZE, PageCache, pagesFor, ROW_H, visibleWindow, type ProductPage } from '../catalog-view';
import { formatMoney } from '../money';
import { Empty } from './common';

const MAX_IN_FLIGHT = 2;

export interface ProductGridProps {
  query: string;
  category: number | null;
  locked: boolean;
  onPick: (p: Product) => void;
  /** The first page of each new query (the search box's Enter adds a single hit). */
  onFirstPage?: (page: ProductPage) => void;
}

interface Loader {
  key: string;
  cache: PageCache;
  total: number | null;
  loading: Set<number>;
  inFlight: number;
}

export function ProductGrid(props: ProductGridProps) {
  const scrollRef = useRef<HTMLDivElement>(null);
  const [, rerender] = useReducer((x: number, _: void) => x + 1, 0);
  const [viewport, setViewport] = useState({ width: 800, height: 600, top: 0 });
  const key = `${props.query.trim()}\u0000${props.category ?? ''}`;
  const loader = useRef<Loader>({ key: '', cache: new PageCache(), total: null, loading: new Set(), inFlight: 0 });
  const propsRef = useRef(props);
  propsRef.current = props;

  // the viewport: size (ResizeObserver) and scroll position (one update per frame)
  useLayoutEffect(() => {
    const el = scrollRef.current;
    if (!el) return;
    const measure = () => setViewport((v) => (v.width === el.clientWidth && v.height === el.clientHeight && v.top === el.scrollTop ? v : { width: el.clientWidth, height: el.clientHeight, top: el.scrollTop }));
    measure();
    let frame = 0;
    const onScroll = () => {
      if (frame) return;
      frame = requestAnimationFrame(() => {
        frame = 0;
        measure();
      });
    };
    el.addEventListener('scroll', onScroll, { passive: true });
    const ro = typeof ResizeObserver === 'undefined' ? null : new ResizeObserver(measure);
    ro?.observe(el);
    return () => {
      el.removeEventListener('scroll', onScroll);
      ro?.disconnect();
      if (frame) cancelAnimationFrame(frame);
    };
  }, []);

  const L = loader.current;
  if (L.key !== key) {
    // a new query or category: start over at the top
    loader.current = { key, cache: new PageCache(), total: null, loading: new Set(), inFlight: 0 };
    if (scrollRef.current) scrollRef.current.scrollTop = 0;
  }
  const cur = loader.current;
  const cols = columnsFor(viewport.width);
  const top = L.key !== key ? 0 : viewport.top;
  const win = visibleWindow(top, viewport.height, cols, cur.total ?? PAGE_SIZE);
  const wanted = cur.total === null ? [0] : pagesFor(win.first, win.end);

  useEffect(() => {
    const me = loader.current;
    const pump = () => {
      for (const page of wanted) {
        if (me !== loader.current || me.inFlight >= MAX_IN_FLIGHT) return;
        if (me.cache.has(page) || me.loading.has(page)) {
          me.cache.touch(page);
          continue;
        }
        if (me.total !== null && page * PAGE_SIZE >= me.total) continue;
        me.loading.add(page);
        me.inFlight++;
        const [q, cat] = me.key.split('\u0000');
        call('catalog_page_get', { q, category_id: cat ? Number(cat) : null, offset: page * PAGE_SIZE, limit: PAGE_SIZE })
          .then((r) => {
            if (me !== loader.current) return; // an old query
            me.cache.put(page, r.items);
            me.total = r.total;
            if (page === 0) propsRef.current.onFirstPage?.(r);
            rerender(undefined);
          })
          .catch((e) => {
            if (me === loader.current) {
              if (me.total === null) me.total = 0;
              reportError(e);
              rerender(undefined);
            }
          })
          .finally(() => {
            me.loading.delete(page);
            me.inFlight--;
            if (me === loader.current) pump();
          });
      }
    };
    pump();
  });

  const tiles = [];
  if (cur.total !== null) {
    for (let i = win.first; i < win.end; i++) {
      const p = cur.cache.item(i);
      tiles.push(
        p ? (
          <button key={p.id} type="button" class="product" onClick={() => props.onPick(p)} disabled={props.locked} data-product-id={p.id}>
            <span class="product-name">{p.name}</span>
            <span class="product-meta">
              <span class="product-price">{formatMoney(p.price)}</span>
              {p.specifications.length > 0 && <span class="product-specs">{t('cashier.specCount', { n: p.specifications.length })}</span>}
            </span>
          </button>
        ) : (
          <div key={`slot-${i}`} class="product product-slot" aria-hidden="true" />
        ),
      );
    }
  }

  return (
    <div class="product-grid" data-testid="product-grid" data-total={cur.total ?? ''} ref={scrollRef}>
      {cur.total === null && <p class="muted">{t('common.loading')}</p>}
      {cur.total === 0 && <Empty text={t('cashier.noProducts')} />}
      {cur.total !== null && cur.total > 0 && (
        <div class="grid-spacer" style={{ height: `${win.rows * ROW_H}px` }}>
          <div class="grid-window" style={{ transform: `translateY(${win.firstRow * ROW_H}px)`, gridTemplateColumns: `repeat(${cols}, minmax(0, 1fr))` }}>
            {tiles}
          </div>
        </div>
      )}
    </div>
  );
}
