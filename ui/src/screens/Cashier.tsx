import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { call, cartStore, errorText, pendingSaleStore, reportError, t, toast } from '../app-state';
import { CommandError } from '../backend';
import type { Category, CodeView, Order, PairResponse, Product, Specification } from '../backend/contract.gen';
import type { ProductPage } from '../catalog-view';
import { cartItemCount, cartReducer, cartToSaleRequest, cartTotalFen, type CartAction, type CartLine } from '../cart';
import { confirmDialog, Modal } from '../components/common';
import { ProductGrid } from '../components/ProductGrid';
import { displayLines, publishDisplay } from '../display/publish';
import { fenToString, formatFen, formatMoney, lineFen } from '../money';
import { installScanner } from '../scanner-dom';
import { useStore } from '../store';
import { CashModal, PaidModal, WechatModal, type PaidResult } from './Payment';
import { DiscountModal } from '../components/Discount';
import { CounterExtras, lastReceiptStore, ShortcutHints, UndoBar, type Removed } from '../components/CounterExtras';
import { CustomerFields } from '../components/CustomerFields';
import { HoldDialog, RecallDialog, useHeld } from '../components/HeldCarts';
import { MemberPanel } from '../components/MemberPanel';
import { installCashierKeys } from '../cashier-keys';
import { currentLimits } from '../cart';
import { PRODUCT_FORMATS } from '../camera-scan';
import { CameraButton, CameraScanner, useCameraOffered } from '../components/CameraScanner';

const dispatch = (a: CartAction) => cartStore.set((c) => cartReducer(c, a));

type PayMode = null | 'cash' | 'wechat';

export function Cashier() {
  const cart = useStore(cartStore);
  const pending = useStore(pendingSaleStore);
  const [categories, setCategories] = useState<Category[]>([]);
  const [category, setCategory] = useState<number | null>(null);
  const [query, setQuery] = useState('');
  // the first page of the current search (Enter adds a single hit)
  const firstPage = useRef<ProductPage | null>(null);
  const [specFor, setSpecFor] = useState<Product | null>(null);
  const [pay, setPay] = useState<PayMode>(null);
  const [paid, setPaid] = useState<PaidResult | null>(null);
  const [creating, setCreating] = useState(false);
  const [memoOpen, setMemoOpen] = useState<number | null>(null);
  const [wechatQr, setWechatQr] = useState<CodeView | null>(null);
  const [pairing, setPairing] = useState<PairResponse | null>(null);
  const searchRef = useRef<HTMLInputElement>(null);
  const [holdOpen, setHoldOpen] = useState(false);
  const [cameraOpen, setCameraOpen] = useState(false);
  const cameraOffered = useCameraOffered();
  const [recallOpen, setRecallOpen] = useState(false);
  const [removed, setRemoved] = useState<Removed | null>(null);
  const held = useHeld();
  const busyRef = useRef(false);
  busyRef.current = pay !== null || paid !== null || pending !== null || specFor !== null;

  useEffect(() => {
    call('catalog_category_list', {}).then(setCategories).catch(reportError);
  }, []);

  const addProduct = (p: Product, spec?: Specification) => {
    if (pendingSaleStore.get()) {
      toast(t('cashier.locked'), 'error');
      return;
    }
    if (!spec && p.specifications.length > 0) {
      setSpecFor(p);
      return;
    }
    dispatch({ type: 'add', product: p, spec: spec ?? null });
  };

  // One path for every scanned code: the keyboard-wedge scanner and the camera alike.
  const scanCode = async (code: string) => {
    if (busyRef.current) {
      toast(t('cashier.scanBusy'), 'error');
      return;
    }
    try {
      // A barcode names a product, or one specification of it.
      const found = await call('catalog_barcode_get', { barcode: code });
      const hit = found.product;
      const spec = found.specification_id == null ? undefined : hit.specifications.find((s) => s.id === found.specification_id);
      addProduct(hit, spec);
      if (spec || hit.specifications.length === 0) toast(t('cashier.scanAdded', { name: hit.name }), 'success', 1500);
    } catch (e) {
      if (e instanceof CommandError && (e.code === 'not_found' || e.code === 'validation')) toast(t('cashier.scanNotFound', { code }), 'error');
      else reportError(e);
    }
  };
  const scanRef = useRef(scanCode);
  scanRef.current = scanCode;

  // barcode wedge scanner, whatever has focus
  useEffect(() => installScanner((code) => void scanRef.current(code)), []);

  const totalFen = cartTotalFen(cart);
  const locked = pending !== null;

  // The customer display follows this screen: cart → WeChat QR → paid (谢谢惠顾) → idle.
  useEffect(() => {
    if (paid) {
      const o = paid.order;
      publishDisplay({ phase: 'paid', total: o.due, paid: o.paid ?? o.due, change: paid.change ?? o.change ?? null, method: o.payment_method === 'WECHAT' ? 'WECHAT' : 'CASH' });
    } else if (pay === 'wechat' && pending && wechatQr) {
      publishDisplay({ phase: 'wechat', lines: displayLines(cart), total: pending.due, code_url: wechatQr.code_url, expires_at: wechatQr.expires_at });
    } else if (cart.lines.length > 0) {
      publishDisplay({ phase: 'cart', lines: displayLines(cart), total: pending ? pending.due : fenToString(totalFen) });
    } else {
      publishDisplay({ phase: 'idle' });
    }
  }, [cart, pay, pending, paid, wechatQr, totalFen]);

  const pairDisplay = async () => {
    try {
      setPairing(await call('display_pair', {}));
    } catch (e) {
      reportError(e);
    }
  };

  /** The unpaid sale for the cart: the pending one, or a new one rung up now. */
  const ensureSale = async (): Promise<Order | null> => {
    if (creating) return null;
    let order = pendingSaleStore.get();
    if (!order) {
      if (cart.lines.length === 0) return null;
      setCreating(true);
      try {
        order = await call('sale_create', cartToSaleRequest(cart));
        pendingSaleStore.set(order);
      } catch (e) {
        reportError(e); // the cart stays as it is
        return null;
      } finally {
        setCreating(false);
      }
    }
    return order;
  };

  const startPay = async (mode: 'cash' | 'wechat') => {
    if (await ensureSale()) setPay(mode);
  };

  // 优惠 / 抹零 applies to the rung-up (unpaid) sale: the cart locks like at payment.
  const [discountOpen, setDiscountOpen] = useState(false);
  const startDiscount = async () => {
    if (await ensureSale()) setDiscountOpen(true);
  };
  const discounted = pending != null && pending.discount_kind != null;

  const onPaid = (r: PaidResult) => {
    lastReceiptStore.set(r.order);
    setPay(null);
    setWechatQr(null);
    setPaid(r);
    pendingSaleStore.set(null);
    dispatch({ type: 'clear' });
  };

  const cancelPending = async () => {
    const order = pendingSaleStore.get();
    if (!order) return;
    if (!(await confirmDialog(t('orders.cancelConfirm', { no: order.local_number }), true, { ok: t('cashier.cancelOrder'), back: t('common.back') }))) return;
    try {
      await call('order_cancel', { client_ref: order.client_ref });
      pendingSaleStore.set(null); // the cart is kept: edit it or take a new payment
    } catch (e) {
      reportError(e);
    }
  };

  // Function keys of a keyboard till (shown under the pay buttons).
  const keysRef = useRef<(a: string) => void>(() => undefined);
  keysRef.current = (a) => {
    if (a === 'search') searchRef.current?.focus();
    else if (a === 'quantity') document.querySelector<HTMLInputElement>('.cart-line.touched .qty-input, .cart-line:last-child .qty-input')?.focus();
    else if (a === 'hold' && cart.lines.length > 0 && !locked) setHoldOpen(true);
    else if (a === 'recall') setRecallOpen(true);
    else if (a === 'cash' && (cart.lines.length > 0 || locked)) void startPay('cash');
    else if (a === 'wechat' && (cart.lines.length > 0 || locked)) void startPay('wechat');
    else if (a === 'reprint') document.querySelector<HTMLButtonElement>('[data-testid="reprint-last"]')?.click();
  };
  useEffect(() => installCashierKeys((a) => keysRef.current(a)), []);

  const searching = query.trim() !== '';
  const searchEnter = () => {
    const r = firstPage.current;
    if (searching && r && r.total === 1 && r.items.length === 1) {
      addProduct(r.items[0]);
      setQuery('');
    }
  };

  return (
    <div class="cashier" data-testid="cashier">
      <section class="catalog">
        <div class="catalog-top">
          <input
            ref={searchRef}
            class="input search"
            type="search"
            placeholder={t('cashier.search')}
            value={query}
            data-testid="search"
            onInput={(e) => {
              firstPage.current = null;
              setQuery(e.currentTarget.value);
            }}
            onKeyDown={(e) => {
              if (e.key === 'Enter') searchEnter();
              if (e.key === 'Escape') setQuery('');
            }}
          />
          {query && (
            <button type="button" class="btn" onClick={() => setQuery('')}>
              {t('common.clear')}
            </button>
          )}
          {cameraOffered && <CameraButton onClick={() => setCameraOpen(true)} label={t('camera.scan')} testId="camera-open" />}
        </div>
        {!searching && (
          <div class="tabs" role="tablist">
            <button type="button" role="tab" aria-selected={category === null} class={`tab ${category === null ? 'active' : ''}`} onClick={() => setCategory(null)}>
              {t('cashier.allCategories')}
            </button>
            {categories.map((c) => (
              <button key={c.id} type="button" role="tab" aria-selected={category === c.id} class={`tab ${category === c.id ? 'active' : ''}`} onClick={() => setCategory(c.id)}>
                {c.name}
              </button>
            ))}
          </div>
        )}
        <ProductGrid
          query={query}
          category={searching ? null : category}
          locked={locked}
          onPick={(p) => addProduct(p)}
          onFirstPage={(r) => (firstPage.current = r)}
        />
      </section>

      <aside class="cart" data-testid="cart">
        <header class="cart-head">
          <h2>{t('cashier.cart')}</h2>
          <span class="muted">{t('cashier.items', { n: cartItemCount(cart) })}</span>
          <span class="grow" />
          <button type="button" class="btn btn-ghost" onClick={() => void pairDisplay()} data-testid="display-pair" title={t('display.pairTitle')}>
            {t('display.pair')}
          </button>
          {cart.lines.length > 0 && !locked && (
            <button type="button" class="btn btn-ghost" onClick={async () => (await confirmDialog(`${t('cashier.clearCart')}?`, true, { ok: t('cashier.clearCart'), back: t('common.back') })) && dispatch({ type: 'clear' })}>
              {t('cashier.clearCart')}
            </button>
          )}
        </header>
        {locked && pending && (
          <div class="banner banner-warn" data-testid="pending-banner">
            <div>{t('cashier.pendingOrder', { no: pending.local_number, total: formatMoney(pending.due) })}</div>
            <div class="action-row">
              <span class="small">{t('cashier.locked')}</span>
              <span class="grow" />
              <button type="button" class="btn btn-danger" onClick={cancelPending}>
                {t('cashier.cancelOrder')}
              </button>
            </div>
            <MemberPanel clientRef={pending.client_ref} />
          </div>
        )}
        <ul class="cart-lines">
          {cart.lines.length === 0 && <li class="empty">{t('cashier.cartEmpty')}</li>}
          {cart.lines.map((l) => (
            <CartRow
              key={l.id}
              line={l}
              locked={locked}
              touched={cart.touched === l.id}
              memoOpen={memoOpen === l.id}
              toggleMemo={() => setMemoOpen(memoOpen === l.id ? null : l.id)}
              onRemove={() => {
                setRemoved({ line: l, index: cart.lines.findIndex((x) => x.id === l.id) });
                dispatch({ type: 'remove', id: l.id });
              }}
            />
          ))}
        </ul>
        {removed && <UndoBar removed={removed} onUndo={() => dispatch({ type: 'reinsert', line: removed.line, index: removed.index })} onGone={() => setRemoved(null)} />}
        {!locked && cart.lines.length > 0 && (
          <CustomerFields cart={cart} dispatch={dispatch}>
            <input
              class="input remark"
              type="text"
              placeholder={t('cashier.remark')}
              value={cart.remark}
              onInput={(e) => dispatch({ type: 'set_remark', remark: e.currentTarget.value })}
            />
          </CustomerFields>
        )}
        {discounted && pending ? (
          <div class="cart-total cart-total-discounted" data-testid="cart-discounted">
            <span class="muted">{t('cashier.total')}</span>
            <span class="muted" data-testid="cart-total">{formatMoney(pending.total)}</span>
            <span>{t(pending.discount_kind === 'moling' ? 'discount.moling' : 'discount.amount')}</span>
            <span data-testid="cart-discount">-{formatMoney(pending.discount)}</span>
            <span>{t('cash.due')}</span>
            <span class="big-money" data-testid="cart-due">{formatMoney(pending.due)}</span>
          </div>
        ) : (
          <div class="cart-total">
            <span>{t('cashier.total')}</span>
            <span class="big-money" data-testid="cart-total">{formatFen(totalFen)}</span>
          </div>
        )}
        <div class="pay-buttons">
          <button type="button" class="btn btn-primary btn-huge" disabled={cart.lines.length === 0 || creating} onClick={() => void startPay('cash')} data-testid="pay-cash">
            {t('cashier.payCash')}
            <kbd class="kbd">F8</kbd>
          </button>
          <button
            type="button"
            class="btn btn-wechat btn-huge"
            disabled={cart.lines.length === 0 || creating || discounted}
            title={discounted ? t('discount.cashOnly') : undefined}
            onClick={() => void startPay('wechat')}
            data-testid="pay-wechat"
          >
            {t('cashier.payWechat')}
            <kbd class="kbd">F9</kbd>
          </button>
        </div>
        {discounted && <div class="small muted discount-note" data-testid="discount-cash-only">{t('discount.cashOnly')}</div>}
        <div class="cart-tools">
          <button type="button" class="btn btn-small" disabled={(cart.lines.length === 0 && !pending) || creating} onClick={() => void startDiscount()} data-testid="discount">
            {t('discount.button')}
          </button>
          <button type="button" class="btn btn-small" disabled={cart.lines.length === 0 || locked} onClick={() => setHoldOpen(true)} data-testid="hold">
            {t('held.hold')} <kbd class="kbd">F4</kbd>
          </button>
          <button type="button" class="btn btn-small" onClick={() => setRecallOpen(true)} data-testid="recall">
            {t('held.recall')} <kbd class="kbd">F7</kbd>
            {held.length > 0 && <span class="count-badge" data-testid="held-count">{held.length}</span>}
          </button>
          <CounterExtras />
        </div>
        <ShortcutHints />
      </aside>

      {cameraOpen && (
        <CameraScanner
          title={t('camera.titleProduct')}
          formats={PRODUCT_FORMATS}
          typeLabel={t('camera.typeProduct')}
          onCode={(code) => scanRef.current(code)}
          onClose={() => setCameraOpen(false)}
        />
      )}
      {specFor && (
        <Modal title={t('cashier.chooseSpec', { name: specFor.name })} onClose={() => setSpecFor(null)}>
          <div class="spec-grid">
            {specFor.specifications.map((s) => (
              <button
                key={s.id}
                type="button"
                class="btn btn-big spec"
                onClick={() => {
                  dispatch({ type: 'add', product: specFor, spec: s });
                  setSpecFor(null);
                }}
              >
                <span>{s.name}</span>
                <span class="product-price">{formatMoney(s.price)}</span>
              </button>
            ))}
          </div>
        </Modal>
      )}
      {discountOpen && pending && (
        <DiscountModal
          order={pending}
          onDone={(o) => {
            pendingSaleStore.set(o);
            setDiscountOpen(false);
          }}
          onClose={() => setDiscountOpen(false)}
        />
      )}
      {pay === 'cash' && pending && <CashModal order={pending} onPaid={onPaid} onClose={() => setPay(null)} />}
      {pay === 'wechat' && pending && (
        <WechatModal
          order={pending}
          onPaid={onPaid}
          onClose={() => {
            setWechatQr(null);
            setPay(null);
          }}
          onUseCash={() => {
            setWechatQr(null);
            setPay('cash');
          }}
          onQr={setWechatQr}
        />
      )}
      {pairing && (
        <Modal title={t('display.pairTitle')} onClose={() => setPairing(null)} testId="display-pair-modal">
          <p>{t('display.pairHelp')}</p>
          <p class="mono selectable" data-testid="display-link">
            {`${location.origin}${pairing.path}`}
          </p>
          <div class="action-row">
            <button type="button" class="btn btn-primary" onClick={() => window.open(pairing.path, 'storepos-display', 'popup')}>
              {t('display.open')}
            </button>
          </div>
        </Modal>
      )}
      {holdOpen && <HoldDialog onDone={() => setHoldOpen(false)} />}
      {recallOpen && <RecallDialog held={held} onDone={() => setRecallOpen(false)} />}
      {paid && (
        <PaidModal
          result={paid}
          onNext={() => {
            setPaid(null);
            searchRef.current?.focus();
          }}
        />
      )}
    </div>
  );
}

function CartRow(props: { line: CartLine; locked: boolean; touched: boolean; memoOpen: boolean; toggleMemo: () => void; onRemove: () => void }) {
  const l = props.line;
  const [qtyText, setQtyText] = useState<string | null>(null);
  const rowRef = useRef<HTMLLIElement>(null);
  // The line just scanned or changed is always in view, wherever it is in a long cart.
  useEffect(() => {
    if (props.touched) rowRef.current?.scrollIntoView?.({ block: 'nearest' });
  }, [props.touched, l.quantity]);
  const commitQty = (text: string) => {
    const q = Number(text);
    const max = currentLimits()?.max_quantity;
    if (!(q >= 1)) toast(t('cashier.qtyTooFew'), 'error');
    else if (max != null && q > max) toast(t('cashier.qtyTooMany', { max }), 'error');
    dispatch({ type: 'set_qty', id: l.id, quantity: q });
  };
  const total = useMemo(() => {
    try {
      return formatFen(lineFen(l.unit_price, l.quantity));
    } catch (e) {
      return errorText(e);
    }
  }, [l.unit_price, l.quantity]);
  return (
    <li class={`cart-line ${props.touched ? 'touched' : ''}`} data-line-id={l.id} ref={rowRef}>
      <div class="cl-main">
        <span class="cl-name">{l.name}</span>
        {l.spec_name && <span class="cl-spec"> · {l.spec_name}</span>}
      </div>
      <div class="cl-sub">
        <span>{formatMoney(l.unit_price)}</span>
        {l.memo && <span class="cl-memo">「{l.memo}」</span>}
      </div>
      <div class="cl-qty">
        <button type="button" class="btn qty-btn" disabled={props.locked || l.quantity <= 1} onClick={() => dispatch({ type: 'dec', id: l.id })} aria-label={t('cashier.decrease')}>
          −
        </button>
        <input
          class="input qty-input"
          type="text"
          inputMode="numeric"
          aria-label={t('cashier.quantity')}
          disabled={props.locked}
          value={qtyText ?? String(l.quantity)}
          onFocus={(e) => e.currentTarget.select()}
          onInput={(e) => setQtyText(e.currentTarget.value.replace(/\D/g, ''))}
          onBlur={() => {
            if (qtyText != null && qtyText !== '') commitQty(qtyText);
            setQtyText(null);
          }}
          onKeyDown={(e) => e.key === 'Enter' && e.currentTarget.blur()}
        />
        <button type="button" class="btn qty-btn" disabled={props.locked} onClick={() => dispatch({ type: 'inc', id: l.id })} aria-label={t('cashier.increase')}>
          +
        </button>
      </div>
      <div class="cl-total">{total}</div>
      <div class="cl-tools">
        <button type="button" class={`btn btn-small ${l.memo ? 'btn-accent' : ''}`} disabled={props.locked} onClick={props.toggleMemo}>
          {t('cashier.memo')}
        </button>
        <button type="button" class="btn btn-small btn-ghost-danger" disabled={props.locked} onClick={props.onRemove} aria-label={t('cashier.remove')} data-testid="line-remove">
          ✕
        </button>
      </div>
      {props.memoOpen && !props.locked && (
        <div class="cl-memo-edit">
          <MemoInput line={l} onDone={props.toggleMemo} />
          {['不要辣', '少冰', '打包'].map((m) => (
            <button key={m} type="button" class="btn btn-small" onClick={() => dispatch({ type: 'set_memo', id: l.id, memo: l.memo ? `${l.memo} ${m}` : m })}>
              {m}
            </button>
          ))}
        </div>
      )}
    </li>
  );
}

function MemoInput(props: { line: CartLine; onDone: () => void }) {
  const ref = useRef<HTMLInputElement>(null);
  useEffect(() => ref.current?.focus(), []);
  const l = props.line;
  return (
    <input
      ref={ref}
      class="input"
      type="text"
      placeholder={t('cashier.memoPlaceholder')}
      value={l.memo}
      data-testid="memo-input"
      onChange={(e) => dispatch({ type: 'set_memo', id: l.id, memo: e.currentTarget.value })}
      onKeyDown={(e) => {
        if (e.key === 'Enter') {
          dispatch({ type: 'set_memo', id: l.id, memo: e.currentTarget.value });
          props.onDone();
        }
      }}
    />
  );
}
