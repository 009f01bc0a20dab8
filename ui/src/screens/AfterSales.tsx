import { useEffect, useRef, useState } from 'preact/hooks';
import { call, dateTimeOf, errorText, reportError, t, timeOf, todayLocal } from '../app-state';
import type {
  AfterSalesCreated,
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
import { formatMoney } from '../money';

interface ExchangeLine {
  product: Product;
  spec: Specification | null;
  quantity: number;
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
                      <div class="strong">{s.service_type ? t(`as.type.${s.service_type}`) : '—'}</div>
                      <div class="muted small mono">{s.service_number ?? t('as.pending')}</div>
                    </td>
                    <td class="small mono">{s.order_number ?? s.order_local_number ?? ''}</td>
                    <td class="num">{s.refund_fee ? `−${formatMoney(s.refund_fee)}` : s.supplementary_fee ? `+${formatMoney(s.supplementary_fee)}` : ''}</td>
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
      call<OrdersListResponse>('orders_list', req)
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
  useEffect(() => setQuote(null), [type, reason, qty, exchanges, order]);
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
    if (!order || !type) return null;
    if (!reason.trim()) {
      setError(t('as.needReason'));
      return null;
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
        <h2>✓ {t('as.created')}</h2>
        <QuoteView quote={created} />
        <dl class="kv">
          <dt>{t('as.serviceNumber')}</dt>
          <dd class="mono">{created.service.service_number ?? t('as.pending')}</dd>
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

      {order && type && (
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

      {order && type && (
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

function QuoteView({ quote }: { quote: AfterSalesQuote }) {
  return (
    <div class="quote" data-testid="as-quote-view">
      <table class="table">
        <tbody>
          {quote.returns.map((r) => (
            <tr key={`r${r.line_no}`}>
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
        {quote.refund_fee != null && (
          <div class="quote-fig">
            <span class="label">{t('as.refundFee')}</span>
            <span class="big-money money-refund">{formatMoney(quote.refund_fee)}</span>
          </div>
        )}
        {quote.supplementary_fee != null && (
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
