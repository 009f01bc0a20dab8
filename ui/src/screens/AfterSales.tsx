import { useEffect, useRef, useState } from 'preact/hooks';
import { call, dateTimeOf, errorText, langStore, reportError, t, timeOf, todayLocal } from '../app-state';
import type {
  AfterSalesCreated,
  AfterSalesOutlook,
  AfterSalesQuote,
  AfterSalesRequest,
  AfterSalesRow,
  Order,
  OrdersListResponse,
  Product,
  ServiceType,
  Specification,
} from '../backend/types';
import { channelName, Empty, StatusPill } from '../components/common';
import { usePoll } from '../hooks';
import { fenToString, formatMoney, parseFen, tryParseFen } from '../money';

interface ExchangeLine {
  product: Product;
  spec: Specification | null;
  quantity: number;
}

/** A walk-in return line (no order): the item, how many, and the amount given back. */
interface WalkLine {
  product: Product;
  quantity: number;
  amount: string;
}

/** Where the service starts from: a sale (any type) or a walk-in return without one. */
type Source = 'order' | 'walkin';

function isZero(m: string | null | undefined): boolean {
  if (m == null) return true;
  try {
    return parseFen(m) === 0;
  } catch {
    return false;
  }
}

/** The list's money cell: refunds as −, supplements as +, never a sign on zero. */
export function serviceAmount(s: { refund_fee?: string | null; supplementary_fee?: string | null; platform_refund_fee?: string | null; platform_supplementary_fee?: string | null }): string {
  const refund = s.platform_refund_fee ?? s.refund_fee;
  const supplement = s.platform_supplementary_fee ?? s.supplementary_fee;
  const parts: string[] = [];
  if (!isZero(refund)) parts.push(`−${formatMoney(refund)}`);
  if (!isZero(supplement)) parts.push(`+${formatMoney(supplement)}`);
  if (parts.length === 0) return refund != null || supplement != null ? formatMoney('0') : '';
  return parts.join(' ');
}

const TYPES: ServiceType[] = ['REFUND', 'RETURN', 'EXCHANGE'];

const KNOWN_SERVICE_STATUSES = ['CREATED', 'REFUNDED', 'EXCHANGED'] as const;

/** The platform's service status in words; an unknown one is shown as it came. */
function serviceStatus(status: string | undefined): string {
  if (!status) return '';
  return (KNOWN_SERVICE_STATUSES as readonly string[]).includes(status) ? t(`as.status.${status as 'CREATED'}`) : status;
}

export function AfterSales() {
  const [wizard, setWizard] = useState(0);
  const [list, setList] = useState<AfterSalesRow[] | null>(null);
  const loadList = () =>
    call<AfterSalesRow[] | { services?: AfterSalesRow[] }>('after_sales_list', { day: todayLocal() })
      .then((r) => setList(Array.isArray(r) ? r : (r.services ?? [])))
      .catch(reportError);
  // the platform's service number arrives with sync: keep the list fresh
  usePoll(loadList, 10000);
  return (
    <div class="page aftersales" data-testid="aftersales">
      <div class="page-head">
        <h1>{t('as.title')}</h1>
        <span class="grow" />
        <button type="button" class="btn" onClick={() => setWizard((w) => w + 1)}>
          {t('as.new')}
        </button>
      </div>
      <div class="as-layout">
        <Wizard key={wizard} onCreated={loadList} onRestart={() => setWizard((w) => w + 1)} />
        <section class="panel as-list">
          <h2>{t('as.list')}</h2>
          {list === null && <p class="muted">{t('common.loading')}</p>}
          {list && list.length === 0 && <Empty />}
          {list && list.length > 0 && (
            <table class="table">
              <tbody>
                {list.map((s) => (
                  <tr key={s.client_ref}>
                    <td>
                      <div class="strong">
                        {s.service_type ? t(`as.type.${s.service_type}`) : '—'}
                        {s.local_only && (
                          <span class="pill pill-warn as-local-pill" data-testid="as-local-pill">
                            {t('as.storeOnlyShort')}
                          </span>
                        )}
                      </div>
                      <div class="muted small mono">{s.local_only ? t('as.notSent') : (s.service_number ?? t('as.pending'))}</div>
                    </td>
                    <td class="small mono">{s.order_number ?? s.order_local_number ?? (s.order_client_ref ? '' : t('as.walkinShort'))}</td>
                    <td class="num" data-testid="as-list-amount">{serviceAmount(s)}</td>
                    <td>
                      <span class="pill pill-muted">{serviceStatus(s.status)}</span>
                    </td>
                    <td class="muted small">{timeOf(s.created_at)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </section>
      </div>
    </div>
  );
}

function Wizard(props: { onCreated: () => void; onRestart: () => void }) {
  const [source, setSource] = useState<Source>('order');
  const [walk, setWalk] = useState<WalkLine[]>([]);
  const [refundAmount, setRefundAmount] = useState('');
  const [search, setSearch] = useState('');
  const [found, setFound] = useState<Order[] | null>(null);
  const [order, setOrder] = useState<Order | null>(null);
  const [type, setType] = useState<ServiceType | null>(null);
  const [reason, setReason] = useState('');
  const [qty, setQty] = useState<Record<number, number>>({});
  const [exchanges, setExchanges] = useState<ExchangeLine[]>([]);
  const [pSearch, setPSearch] = useState('');
  const [pFound, setPFound] = useState<Product[]>([]);
  const [quote, setQuote] = useState<AfterSalesQuote | null>(null);
  const [created, setCreated] = useState<AfterSalesCreated | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  // order search (debounced)
  useEffect(() => {
    const q = search.trim();
    const id = setTimeout(() => {
      const req: Record<string, unknown> = { limit: 20 };
      if (q) req.text = q;
      else req.day = todayLocal();
      call<OrdersListResponse>('order_list', req)
        .then((r) => setFound(r.orders))
        .catch(reportError);
    }, 250);
    return () => clearTimeout(id);
  }, [search]);

  useEffect(() => {
    const q = pSearch.trim();
    if (!q) return setPFound([]);
    const id = setTimeout(() => {
      call<Product[]>('catalog_search', { query: q, limit: 12 }).then(setPFound).catch(reportError);
    }, 200);
    return () => clearTimeout(id);
  }, [pSearch]);

  // any change invalidates a quote
  useEffect(() => setQuote(null), [type, reason, qty, exchanges, order, source, walk, refundAmount]);
  // the quote is what the clerk reads before confirming: bring it (and the button) into view
  const actionsRef = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (quote) actionsRef.current?.scrollIntoView({ block: 'end' });
  }, [quote]);

  const pick = async (o: Order) => {
    try {
      const full = await call<Order>('order_get', { client_ref: o.client_ref });
      setOrder(full);
      setQty({});
      setExchanges([]);
      setError(null);
    } catch (e) {
      reportError(e);
    }
  };

  const request = (): AfterSalesRequest | null => {
    if (source === 'walkin') {
      if (!reason.trim()) {
        setError(t('as.needReason'));
        return null;
      }
      if (walk.length === 0) {
        setError(t('as.needWalkLines'));
        return null;
      }
      const returns = [];
      for (const w of walk) {
        const fen = tryParseFen(w.amount);
        if (fen == null || fen < 0) {
          setError(t('as.badAmount', { name: w.product.name }));
          return null;
        }
        returns.push({ product_id: w.product.id, name: w.product.name, quantity: w.quantity, refund_fee: fenToString(fen) });
      }
      return { service_type: 'RETURN', reason: reason.trim(), returns, exchanges: [] };
    }
    if (!order || !type) return null;
    if (!reason.trim()) {
      setError(t('as.needReason'));
      return null;
    }
    if (type === 'REFUND') {
      const fen = tryParseFen(refundAmount);
      if (fen == null || fen <= 0) {
        setError(t('as.needRefundAmount'));
        return null;
      }
      return { client_ref: order.client_ref, service_type: 'REFUND', reason: reason.trim(), returns: [], exchanges: [], refund_fee: fenToString(fen) };
    }
    const returns = Object.entries(qty)
      .filter(([, n]) => n > 0)
      .map(([line_no, quantity]) => ({ line_no: Number(line_no), quantity }));
    if (returns.length === 0) {
      setError(t('as.needLines'));
      return null;
    }
    if (type === 'EXCHANGE' && exchanges.length === 0) {
      setError(t('as.needExchange'));
      return null;
    }
    return {
      client_ref: order.client_ref,
      service_type: type,
      reason: reason.trim(),
      returns,
      exchanges:
        type === 'EXCHANGE'
          ? exchanges.map((x) => ({ product_id: x.product.id, ...(x.spec ? { specification_id: x.spec.id } : {}), quantity: x.quantity }))
          : [],
    };
  };

  const doQuote = async () => {
    const req = request();
    if (!req) return;
    setBusy(true);
    setError(null);
    try {
      setQuote(await call<AfterSalesQuote>('after_sales_quote', req));
    } catch (e) {
      setError(errorText(e));
    } finally {
      setBusy(false);
    }
  };

  const doCreate = async () => {
    const req = request();
    if (!req) return;
    setBusy(true);
    setError(null);
    try {
      setCreated(await call<AfterSalesCreated>('after_sales_create', req));
      props.onCreated();
    } catch (e) {
      setError(errorText(e));
    } finally {
      setBusy(false);
    }
  };

  if (created) {
    return (
      <section class="panel as-wizard" data-testid="as-created">
        <h2>✓ {created.service.local_only ? t('as.createdLocal') : t('as.created')}</h2>
        <QuoteView quote={created} />
        <dl class="kv">
          <dt>{t('as.serviceNumber')}</dt>
          <dd class="mono">{created.service.local_only ? t('as.notSent') : (created.service.service_number ?? t('as.pending'))}</dd>
          <dt>{t('as.serviceStatus')}</dt>
          <dd>{serviceStatus(created.service.status)}</dd>
        </dl>
        <button type="button" class="btn btn-primary btn-big" onClick={props.onRestart}>
          {t('as.new')}
        </button>
      </section>
    );
  }

  return (
    <section class="panel as-wizard" data-testid="as-wizard">
      <div class="seg as-source">
        <button type="button" class={`btn ${source === 'order' ? 'btn-primary' : ''}`} aria-pressed={source === 'order'} data-testid="as-source-order" onClick={() => setSource('order')}>
          {t('as.source.order')}
        </button>
        <button
          type="button"
          class={`btn ${source === 'walkin' ? 'btn-primary' : ''}`}
          aria-pressed={source === 'walkin'}
          data-testid="as-source-walkin"
          onClick={() => {
            setSource('walkin');
            setOrder(null);
            setType('RETURN');
          }}
        >
          {t('as.source.walkin')}
        </button>
      </div>
      {source === 'walkin' ? (
        <WalkIn lines={walk} setLines={setWalk} reason={reason} setReason={setReason} />
      ) : (
      <>
      <h3>{t('as.step.order')}</h3>
      {order ? (
        <div class="as-picked">
          <span class="mono strong">{order.local_number}</span>
          {order.order_number && <span class="mono muted">{order.order_number}</span>}
          <span>{channelName(order.channel)}</span>
          <StatusPill status={order.status} />
          <span class="strong">{formatMoney(order.total)}</span>
          <span class="grow" />
          <button type="button" class="btn" onClick={() => setOrder(null)}>
            {t('common.edit')}
          </button>
        </div>
      ) : (
        <>
          <input class="input" type="search" placeholder={t('as.searchOrder')} value={search} onInput={(e) => setSearch(e.currentTarget.value)} />
          <div class="as-orders">
            {found?.length === 0 && <Empty text={t('orders.none')} />}
            {found?.map((o) => (
              <button key={o.client_ref} type="button" class="as-order" onClick={() => void pick(o)}>
                <span class="mono strong">{o.local_number}</span>
                <span class="mono small muted">{o.order_number ?? ''}</span>
                <span>{dateTimeOf(o.created_at)}</span>
                <StatusPill status={o.status} />
                <span class="strong">{formatMoney(o.total)}</span>
              </button>
            ))}
          </div>
        </>
      )}

      {order && (
        <>
          <h3>{t('as.step.type')}</h3>
          <div class="seg">
            {TYPES.map((ty) => (
              <button key={ty} type="button" class={`btn btn-big ${type === ty ? 'btn-primary' : ''}`} aria-pressed={type === ty} onClick={() => setType(ty)}>
                {t(`as.type.${ty}`)}
              </button>
            ))}
          </div>
          <label class="field">
            <span class="label">{t('as.reason')}</span>
            <input class="input" type="text" placeholder={t('as.reasonPlaceholder')} value={reason} onInput={(e) => setReason(e.currentTarget.value)} />
          </label>
        </>
      )}

      {order && type === 'REFUND' && (
        <>
          <h3>{t('as.step.refundAmount')}</h3>
          <label class="field">
            <span class="label">{t('as.refundAmount', { paid: formatMoney(order.total) })}</span>
            <input
              class="input big-input"
              type="text"
              inputMode="decimal"
              data-testid="as-refund-amount"
              placeholder="0.00"
              value={refundAmount}
              onInput={(e) => setRefundAmount(e.currentTarget.value)}
            />
          </label>
          <p class="muted small">{t('as.refundCapHint')}</p>
        </>
      )}

      {order && type && type !== 'REFUND' && (
        <>
          <h3>{t('as.step.lines')}</h3>
          <table class="table">
            <tbody>
              {(order.lines ?? []).map((l) => {
                const n = qty[l.line_no] ?? 0;
                const set = (v: number) => setQty((q) => ({ ...q, [l.line_no]: Math.max(0, Math.min(l.quantity, v)) }));
                return (
                  <tr key={l.line_no}>
                    <td>
                      {l.name}
                      <div class="muted small">
                        {formatMoney(l.unit_price)} · {t('as.ordered', { n: l.quantity })}
                      </div>
                    </td>
                    <td class="num">
                      <div class="cl-qty">
                        <button type="button" class="btn qty-btn" disabled={n <= 0} onClick={() => set(n - 1)} aria-label={t('cashier.decrease')}>
                          −
                        </button>
                        <span class="qty-value">{n}</span>
                        <button type="button" class="btn qty-btn" disabled={n >= l.quantity} onClick={() => set(n + 1)} aria-label={t('cashier.increase')}>
                          +
                        </button>
                        <button type="button" class="btn btn-small" disabled={n === l.quantity} onClick={() => set(l.quantity)}>
                          {t('as.all')}
                        </button>
                      </div>
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </>
      )}

      {order && type === 'EXCHANGE' && (
        <>
          <h3>{t('as.step.exchange')}</h3>
          <input class="input" type="search" placeholder={t('as.addExchange')} value={pSearch} onInput={(e) => setPSearch(e.currentTarget.value)} />
          <div class="as-products">
            {pFound.map((p) =>
              (p.specifications.length ? p.specifications : [null]).map((s) => (
                <button
                  key={`${p.id}-${s?.id ?? 0}`}
                  type="button"
                  class="btn"
                  onClick={() => {
                    setExchanges((xs) => {
                      const i = xs.findIndex((x) => x.product.id === p.id && (x.spec?.id ?? null) === (s?.id ?? null));
                      if (i >= 0) return xs.map((x, j) => (j === i ? { ...x, quantity: x.quantity + 1 } : x));
                      return [...xs, { product: p, spec: s, quantity: 1 }];
                    });
                    setPSearch('');
                  }}
                >
                  {p.name}
                  {s ? ` · ${s.name}` : ''} {formatMoney(s?.price ?? p.price)}
                </button>
              )),
            )}
          </div>
          <table class="table">
            <tbody>
              {exchanges.map((x, i) => (
                <tr key={i}>
                  <td>
                    {x.product.name}
                    {x.spec ? ` · ${x.spec.name}` : ''}
                  </td>
                  <td class="num">
                    <div class="cl-qty">
                      <button
                        type="button"
                        class="btn qty-btn"
                        onClick={() => setExchanges((xs) => xs.map((y, j) => (j === i ? { ...y, quantity: y.quantity - 1 } : y)).filter((y) => y.quantity > 0))}
                        aria-label={t('cashier.decrease')}
                      >
                        −
                      </button>
                      <span class="qty-value">{x.quantity}</span>
                      <button type="button" class="btn qty-btn" onClick={() => setExchanges((xs) => xs.map((y, j) => (j === i ? { ...y, quantity: Math.min(999, y.quantity + 1) } : y)))} aria-label={t('cashier.increase')}>
                        +
                      </button>
                    </div>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      )}

      </>
      )}

      {((order && type) || source === 'walkin') && (
        <>
          <div class="form-error" role="alert">{error ?? ''}</div>
          {quote && (
            <>
              <h3>{t('as.step.quote')}</h3>
              <QuoteView quote={quote} />
            </>
          )}
          <div class="action-row" ref={actionsRef}>
            <button type="button" class="btn btn-big" disabled={busy} onClick={() => void doQuote()} data-testid="as-quote">
              {t('as.quote')}
            </button>
            <button type="button" class="btn btn-primary btn-big" disabled={busy || !quote} onClick={() => void doCreate()} data-testid="as-submit">
              {t('as.submit')}
            </button>
          </div>
        </>
      )}
    </section>
  );
}

/** What will happen, in words, before the clerk confirms: platform or store only, how the
 * money goes back, what the customer gets. */
function OutlookView({ outlook }: { outlook: AfterSalesOutlook }) {
  const says = langStore.get() === 'en' ? outlook.says_en : outlook.says_zh;
  return (
    <div class={`as-outlook ${outlook.local_only ? 'as-outlook-local' : 'as-outlook-platform'}`} data-testid="as-outlook" role="status">
      <div class="as-outlook-head">
        <span class={`pill ${outlook.local_only ? 'pill-warn' : 'pill-ok'}`}>{outlook.local_only ? t('as.storeOnly') : t('as.toPlatform')}</span>
        {outlook.refund_way && <span class="pill pill-muted">{t(`as.way.${outlook.refund_way}`)}</span>}
      </div>
      <p class="as-outlook-says">{says}</p>
      {!isZero(outlook.cash_out) && <p class="strong">{t('as.cashOut', { amount: formatMoney(outlook.cash_out) })}</p>}
      {!isZero(outlook.cash_in) && <p class="strong">{t('as.cashIn', { amount: formatMoney(outlook.cash_in) })}</p>}
    </div>
  );
}

function WalkIn(props: { lines: WalkLine[]; setLines: (f: (w: WalkLine[]) => WalkLine[]) => void; reason: string; setReason: (s: string) => void }) {
  const [q, setQ] = useState('');
  const [found, setFound] = useState<Product[]>([]);
  useEffect(() => {
    const s = q.trim();
    if (!s) return setFound([]);
    const id = setTimeout(() => {
      call<Product[]>('catalog_search', { query: s, limit: 12 }).then(setFound).catch(reportError);
    }, 200);
    return () => clearTimeout(id);
  }, [q]);
  return (
    <div class="as-walkin" data-testid="as-walkin">
      <p class="muted">{t('as.walkinHint')}</p>
      <label class="field">
        <span class="label">{t('as.reason')}</span>
        <input class="input" type="text" placeholder={t('as.reasonPlaceholder')} value={props.reason} onInput={(e) => props.setReason(e.currentTarget.value)} />
      </label>
      <h3>{t('as.step.walkLines')}</h3>
      <input class="input" type="search" placeholder={t('as.walkinSearch')} value={q} onInput={(e) => setQ(e.currentTarget.value)} />
      <div class="as-products">
        {found.map((p) => (
          <button
            key={p.id}
            type="button"
            class="btn"
            onClick={() => {
              props.setLines((ls) => (ls.some((l) => l.product.id === p.id) ? ls : [...ls, { product: p, quantity: 1, amount: p.price }]));
              setQ('');
            }}
          >
            {p.name} {formatMoney(p.price)}
          </button>
        ))}
      </div>
      <table class="table">
        <tbody>
          {props.lines.map((l, i) => {
            const setQty = (n: number) =>
              props.setLines((ls) =>
                ls
                  .map((x, j) => {
                    if (j !== i) return x;
                    const quantity = Math.max(0, Math.min(999, n));
                    // the amount follows the shelf price until the clerk types another
                    const auto = tryParseFen(x.amount) === parseFen(x.product.price) * x.quantity;
                    return { ...x, quantity, amount: auto ? fenToString(parseFen(x.product.price) * quantity) : x.amount };
                  })
                  .filter((x) => x.quantity > 0),
              );
            return (
              <tr key={l.product.id} data-testid="as-walk-line">
                <td>
                  {l.product.name}
                  <div class="muted small">{formatMoney(l.product.price)}</div>
                </td>
                <td class="num">
                  <div class="cl-qty">
                    <button type="button" class="btn qty-btn" onClick={() => setQty(l.quantity - 1)} aria-label={t('cashier.decrease')}>
                      −
                    </button>
                    <span class="qty-value">{l.quantity}</span>
                    <button type="button" class="btn qty-btn" onClick={() => setQty(l.quantity + 1)} aria-label={t('cashier.increase')}>
                      +
                    </button>
                  </div>
                </td>
                <td class="num">
                  <label class="field-inline">
                    <span class="label small">{t('as.amount')}</span>
                    <input
                      class="input as-walk-amount"
                      type="text"
                      inputMode="decimal"
                      data-testid="as-walk-amount"
                      value={l.amount}
                      onInput={(e) => {
                        const v = e.currentTarget.value;
                        props.setLines((ls) => ls.map((x, j) => (j === i ? { ...x, amount: v } : x)));
                      }}
                    />
                  </label>
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}

function QuoteView({ quote }: { quote: AfterSalesQuote }) {
  return (
    <div class="quote" data-testid="as-quote-view">
      {quote.outlook && <OutlookView outlook={quote.outlook} />}
      <table class="table">
        <tbody>
          {quote.returns.map((r) => (
            <tr key={`r${r.line_no ?? r.name}`}>
              <td>{t('as.returns')}</td>
              <td>{r.name}</td>
              <td class="num">× {r.quantity}</td>
              <td class="num">{formatMoney(r.amount)}</td>
            </tr>
          ))}
          {quote.exchanges.map((x, i) => (
            <tr key={`x${i}`}>
              <td>{t('as.exchanges')}</td>
              <td>{x.name}</td>
              <td class="num">× {x.quantity}</td>
              <td class="num">{formatMoney(x.amount)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <div class="quote-result">
        {quote.refund_fee != null && !(isZero(quote.refund_fee) && quote.supplementary_fee != null) && (
          <div class="quote-fig">
            <span class="label">{t('as.refundFee')}</span>
            <span class="big-money money-refund">{formatMoney(quote.refund_fee)}</span>
          </div>
        )}
        {quote.supplementary_fee != null && !(isZero(quote.supplementary_fee) && quote.refund_fee != null) && (
          <div class="quote-fig">
            <span class="label">{t('as.supplementaryFee')}</span>
            <span class="big-money money-change">{formatMoney(quote.supplementary_fee)}</span>
          </div>
        )}
        {quote.refund_fee == null && quote.supplementary_fee == null && <span class="muted">{t('as.noFee')}</span>}
      </div>
    </div>
  );
}
