import { useEffect, useState } from 'preact/hooks';
import { call, dateTimeOf, onBackendEvent, reportError, storeToday, t, timeOf } from '../app-state';
import type { Order, OrderListResponse } from '../backend/contract.gen';
import { channelName, Empty, Modal, OrderActionButtons, StatusPill, SyncBadge } from '../components/common';
import { usePoll } from '../hooks';
import { formatMoney } from '../money';
import { MemberPanel } from '../components/MemberPanel';
import { PayLaterButtons, canPayLater } from '../components/PayLater';
import { PrintStateBadge, reprint, usePrintState } from './Payment';

export function Orders() {
  const [text, setText] = useState('');
  const [data, setData] = useState<OrderListResponse | null>(null);
  const [open, setOpen] = useState<string | null>(null);

  const load = async () => {
    try {
      const req: Record<string, unknown> = { day: await storeToday(), limit: 200 };
      if (text.trim()) req.text = text.trim();
      setData(await call('order_list', req));
    } catch (e) {
      reportError(e);
    }
  };
  usePoll(load, 10000, [text]);
  useEffect(() => onBackendEvent((e) => (e.type === 'order_changed' || e.type === 'online_order' || e.type === 'sync') && void load()));

  return (
    <div class="page" data-testid="orders">
      <div class="page-head">
        <h1>{t('orders.title')}</h1>
        <input class="input" type="search" placeholder={t('orders.filter')} value={text} onInput={(e) => setText(e.currentTarget.value)} />
        <button type="button" class="btn" onClick={() => void load()}>
          {t('common.refresh')}
        </button>
        {data && <span class="muted">{t('orders.totalCount', { n: data.total })}</span>}
      </div>
      {data && data.orders.length === 0 && <Empty text={t('orders.none')} />}
      {data && data.orders.length > 0 && (
        <div class="table-wrap">
          <table class="table orders-table">
            <thead>
              <tr>
                <th>{t('orders.localNo')}</th>
                <th>{t('orders.time')}</th>
                <th>{t('orders.channel')}</th>
                <th class="num">{t('orders.total')}</th>
                <th>{t('orders.payment')}</th>
                <th>{t('orders.status')}</th>
                <th>{t('orders.sync')}</th>
              </tr>
            </thead>
            <tbody>
              {data.orders.map((o) => (
                <tr key={o.client_ref} class="clickable" onClick={() => setOpen(o.client_ref)} tabIndex={0} onKeyDown={(e) => e.key === 'Enter' && setOpen(o.client_ref)}>
                  <td class="mono strong">{o.local_number}</td>
                  <td>{timeOf(o.created_at)}</td>
                  <td>{channelName(o.channel)}</td>
                  <td class="num strong">{formatMoney(o.total)}</td>
                  <td>
                    {o.payment_method ? (
                      t(`payment.${o.payment_method}`)
                    ) : canPayLater(o) ? (
                      <button type="button" class="btn btn-small btn-primary" data-testid="row-pay" onClick={(e) => (e.stopPropagation(), setOpen(o.client_ref))}>
                        {t('orders.payNow')}
                      </button>
                    ) : (
                      '—'
                    )}
                  </td>
                  <td>
                    <StatusPill status={o.status} />
                  </td>
                  <td>
                    <SyncBadge state={o.sync_state} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {open && <OrderDetail clientRef={open} onClose={() => setOpen(null)} onChanged={load} />}
    </div>
  );
}

export function OrderDetail(props: { clientRef: string; onClose: () => void; onChanged?: () => void }) {
  const [order, setOrder] = useState<Order | null>(null);
  const job = usePrintState(props.clientRef);
  const load = () =>
    call('order_get', { client_ref: props.clientRef })
      .then(setOrder)
      .catch((e) => {
        reportError(e);
        props.onClose();
      });
  useEffect(() => {
    void load();
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [props.clientRef]);

  return (
    <Modal title={order ? order.local_number : t('common.loading')} onClose={props.onClose} wide testId="order-detail">
      {order && (
        <div class="order-detail">
          <div class="od-badges">
            <StatusPill status={order.status} />
            <SyncBadge state={order.sync_state} />
            <span class="pill pill-muted">{channelName(order.channel)}</span>
            <PrintStateBadge job={job} />
          </div>
          {order.conflict && <div class="banner banner-error">{t('orders.conflict', { message: order.conflict.message })}</div>}
          <dl class="kv">
            <dt>{t('orders.platformNo')}</dt>
            <dd class="mono selectable" data-testid="od-platform-no">
              {order.order_number ?? <span class="muted">{t('orders.notSynced')}</span>}
            </dd>
            <dt>{t('orders.time')}</dt>
            <dd>{dateTimeOf(order.created_at)}</dd>
            <dt>{t('orders.total')}</dt>
            <dd class="strong">{formatMoney(order.total)}</dd>
            {order.discount_kind && (
              <>
                <dt>{t(order.discount_kind === 'moling' ? 'discount.moling' : 'discount.amount')}</dt>
                <dd data-testid="od-discount">-{formatMoney(order.discount)}</dd>
                <dt>{t('cash.due')}</dt>
                <dd class="strong">{formatMoney(order.due)}</dd>
              </>
            )}
            {order.paid && (
              <>
                <dt>{t('orders.paid')}</dt>
                <dd>{formatMoney(order.paid)}</dd>
              </>
            )}
            {order.change && (
              <>
                <dt>{t('orders.change')}</dt>
                <dd>{formatMoney(order.change)}</dd>
              </>
            )}
            {order.payment_method && (
              <>
                <dt>{t('orders.payment')}</dt>
                <dd>{t(`payment.${order.payment_method}`)}</dd>
              </>
            )}
            {order.cashier && (
              <>
                <dt>{t('orders.cashier')}</dt>
                <dd>{order.cashier}</dd>
              </>
            )}
            {order.contact_user && (
              <>
                <dt>{t('orders.contact')}</dt>
                <dd>
                  {order.contact_user} {order.phone}
                </dd>
              </>
            )}
            {order.remark && (
              <>
                <dt>{t('orders.remark')}</dt>
                <dd>{order.remark}</dd>
              </>
            )}
          </dl>
          {order.channel === 'COUNTER' && <MemberPanel clientRef={order.client_ref} />}
          <h3>{t('orders.lines')}</h3>
          <table class="table">
            <tbody>
              {(order.lines ?? []).map((l) => (
                <tr key={l.line_no}>
                  <td>
                    {l.name}
                    {l.memo && <div class="cl-memo">「{l.memo}」</div>}
                  </td>
                  <td class="num">{formatMoney(l.unit_price)}</td>
                  <td class="num">× {l.quantity}</td>
                  <td class="num strong">{formatMoney(l.line_total)}</td>
                </tr>
              ))}
            </tbody>
          </table>
          <div class="action-row">
            <PayLaterButtons
              order={order}
              onPaid={(u) => {
                setOrder(u);
                props.onChanged?.();
              }}
            />
            <OrderActionButtons
              order={order}
              onDone={(u) => {
                if (u) setOrder(u);
                else void load();
                props.onChanged?.();
              }}
            />
            <span class="grow" />
            <button type="button" class="btn" onClick={() => void reprint(order.client_ref, 'receipt')}>
              {t('print.reprint')}
            </button>
            <button type="button" class="btn" onClick={() => void reprint(order.client_ref, 'kitchen')}>
              {t('print.reprintKitchen')}
            </button>
          </div>
        </div>
      )}
    </Modal>
  );
}
