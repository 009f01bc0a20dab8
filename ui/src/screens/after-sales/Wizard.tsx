import { useEffect, useRef, useState } from 'preact/hooks';
import { call, dateTimeOf, errorText, reportError, storeToday, t } from '../../app-state';
import type { Caps, CreateResponse, Order, Product, QuoteResponse, ServiceRequest, ServiceType } from '../../backend/contract.gen';
import { currentLimits } from '../../cart';
import { channelName, Empty, StatusPill } from '../../components/common';
import { fenToString, formatMoney, tryParseFen } from '../../money';
import { ExchangeLine, WalkLine, Source, TYPES, serviceStatus } from './service';
import { WalkIn } from './WalkIn';
import { QuoteView } from './QuoteView';
import { callApproved } from '../../components/Approval';

export function Wizard(props: { onCreated: () => void; onRestart: () => void }) {
  const [source, setSource] = useState<Source>('order');
  const [walk, setWalk] = useState<WalkLine[]>([]);
  const [refundAmount, setRefundAmount] = useState('');
  const [search, setSearch] = useState('');
  const [found, setFound] = useState<Order[] | null>(null);
  const [order, setOrder] = useState<Order | null>(null);
  // What may still be returned / refunded: the backend's caps (the rules its quote enforces).
  const [caps, setCaps] = useState<Caps | null>(null);
  const [type, setType] = useState<ServiceType | null>(null);
  const [reason, setReason] = useState('');
  const [qty, setQty] = useState<Record<number, number>>({});
  const [exchanges, setExchanges] = useState<ExchangeLine[]>([]);
  const [pSearch, setPSearch] = useState('');
  const [pFound, setPFound] = useState<Product[]>([]);
  const [quote, setQuote] = useState<QuoteResponse | null>(null);
  const [created, setCreated] = useState<CreateResponse | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  // order search (debounced)
  useEffect(() => {
    const q = search.trim();
    const id = setTimeout(() => {
      const find = async () => {
        const req: Record<string, unknown> = { limit: 20 };
        if (q) req.text = q;
        else req.day = await storeToday();
        setFound((await call('order_list', req)).orders);
      };
      find().catch(reportError);
    }, 250);
    return () => clearTimeout(id);
  }, [search]);

  useEffect(() => {
    const q = pSearch.trim();
    if (!q) return setPFound([]);
    const id = setTimeout(() => {
      call('catalog_search', { query: q, limit: 12 }).then(setPFound).catch(reportError);
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
      const [full, c] = await Promise.all([
        call('order_get', { client_ref: o.client_ref }),
        call('after_sales_caps_get', { client_ref: o.client_ref }),
      ]);
      setCaps(c);
      setOrder(full);
      setQty({});
      setExchanges([]);
      setError(null);
    } catch (e) {
      reportError(e);
    }
  };

  const request = (): ServiceRequest | null => {
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
      setQuote(await call('after_sales_quote', req));
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
      setCreated(await callApproved('after_sales_create', req));
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
            <span class="label">{t('as.refundAmount', { paid: formatMoney(caps?.paid ?? order.total), left: formatMoney(caps?.refundable ?? order.total) })}</span>
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
                const max = caps?.lines.find((c) => c.line_no === l.line_no)?.returnable ?? 0;
                const set = (v: number) => setQty((q) => ({ ...q, [l.line_no]: Math.max(0, Math.min(max, v)) }));
                return (
                  <tr key={l.line_no}>
                    <td>
                      {l.name}
                      <div class="muted small">
                        {formatMoney(l.unit_price)} · {t('as.ordered', { n: l.quantity })} · {t('as.returnable', { n: max })}
                      </div>
                    </td>
                    <td class="num">
                      <div class="cl-qty">
                        <button type="button" class="btn qty-btn" disabled={n <= 0} onClick={() => set(n - 1)} aria-label={t('cashier.decrease')}>
                          −
                        </button>
                        <span class="qty-value">{n}</span>
                        <button type="button" class="btn qty-btn" disabled={n >= max} onClick={() => set(n + 1)} aria-label={t('cashier.increase')}>
                          +
                        </button>
                        <button type="button" class="btn btn-small" disabled={n === max} onClick={() => set(max)}>
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
                      <button type="button" class="btn qty-btn" onClick={() => setExchanges((xs) => xs.map((y, j) => (j === i ? { ...y, quantity: Math.min(currentLimits()?.max_quantity ?? Number.MAX_SAFE_INTEGER, y.quantity + 1) } : y)))} aria-label={t('cashier.increase')}>
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
