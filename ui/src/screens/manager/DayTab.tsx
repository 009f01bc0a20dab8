import { useEffect, useState } from 'preact/hooks';
import { reportError, storeToday, t, timeOf, toast, tryCall } from '../../app-state';
import type { CountsResponse, DayStats, OrderCount, ZReportRow } from '../../backend/contract.gen';
import { HourlyBars, MixDonut } from '../../charts/Charts';
import { channelName, confirmDialog, Empty, statusName } from '../../components/common';
import { ZPaper } from './ShiftTab';
import { usePoll } from '../../hooks';
import { formatMoney, parseFen } from '../../money';

const fen = (s: string | null | undefined): number => {
  try {
    return s == null ? 0 : parseFen(s);
  } catch {
    return 0;
  }
};

export function DayStats() {
  // Empty until the backend says which business day it is.
  const [day, setDay] = useState('');
  useEffect(() => {
    storeToday().then(setDay, reportError);
  }, []);
  const [stats, setStats] = useState<DayStats | null>(null);
  const [counts, setCounts] = useState<CountsResponse | null>(null);
  const load = async () => {
    if (!day) return;
    const [s, c] = await Promise.all([tryCall('stats_day_get', { day }), tryCall('order_count_get', { day })]);
    if (s) setStats(s);
    if (c) setCounts(c);
  };
  usePoll(load, 30000, [day]);

  const hours = Array.from({ length: 24 }, (_, h) => stats?.by_hour.find((x) => x.hour === h));
  return (
    <div class="day" data-testid="manager-day">
      <div class="page-head">
        <label class="field-inline">
          {t('common.day')}
          <input class="input" type="date" value={day} onChange={(e) => setDay(e.currentTarget.value || day)} />
        </label>
        <button type="button" class="btn" onClick={() => void load()}>
          {t('common.refresh')}
        </button>
      </div>
      {!stats && <p class="muted">{t('common.loading')}</p>}
      {stats && (
        <>
          <div class="kpis">
            <Kpi label={t('stats.gross')} value={formatMoney(stats.gross)} testId="kpi-gross" />
            <Kpi label={t('z.discounts')} value={formatMoney(stats.discounts.amount)} sub={t('stats.discountedSales', { n: stats.discounts.count })} testId="kpi-discounts" />
            <Kpi label={t('stats.refunds')} value={formatMoney(stats.refunds)} tone="bad" />
            <Kpi label={t('stats.supplements')} value={formatMoney(stats.supplements)} />
            <Kpi label={t('stats.net')} value={formatMoney(stats.net)} tone="strong" />
            <Kpi label={t('stats.orders')} value={String(stats.order_count)} sub={`${t('stats.cancelled', { n: stats.cancelled.count })} · ${t('stats.rejected', { n: stats.rejected.count })}`} />
            <Kpi label={t('stats.avg')} value={formatMoney(stats.average_ticket)} />
          </div>
          <div class="charts">
            <section class="panel chart-panel" data-testid="chart-hourly">
              <h2>{t('stats.byHour')}</h2>
              <HourlyBars title={t('stats.byHour')} values={hours.map((h) => fen(h?.amount))} labels={hours.map((_, h) => String(h))} />
            </section>
            <section class="panel chart-panel" data-testid="chart-mix">
              <h2>{t('stats.paymentMix')}</h2>
              <MixDonut
                title={t('stats.paymentMix')}
                items={stats.payment_mix.map((p) => ({
                  label: ['CASH', 'WECHAT', 'ONLINE'].includes(p.method) ? t(`payment.${p.method as 'CASH'}`) : p.method,
                  value: fen(p.amount),
                  count: p.count,
                }))}
              />
            </section>
          </div>
          <div class="grid3">
            <RankTable title={t('stats.topQty')} rows={stats.top_products_qty.map((r) => [r.name, String(r.quantity), formatMoney(r.amount)])} />
            <RankTable title={t('stats.topAmount')} rows={stats.top_products_amount.map((r) => [r.name, String(r.quantity), formatMoney(r.amount)])} />
            <RankTable title={t('stats.byCategory')} rows={stats.by_category.map((r) => [r.name, String(r.quantity), formatMoney(r.amount)])} />
            <RankTable title={t('stats.byCashier')} rows={stats.by_cashier.map((r) => [r.name, String(r.count), formatMoney(r.amount)])} />
            <RankTable title={t('stats.byChannel')} rows={Object.entries(stats.by_channel).filter(([, v]) => v.count > 0).map(([k, v]) => [channelName(k), String(v.count), formatMoney(v.amount)])} />
            <RankTable title={t('stats.byStatus')} rows={Object.entries(stats.by_status).filter(([, v]) => v > 0).map(([k, v]) => [statusName(k), String(v), ''])} />
          </div>
        </>
      )}
      {day && <ZReports day={day} />}
      {counts && <CountsTable counts={counts} />}
    </div>
  );
}

function Kpi(props: { label: string; value: string; sub?: string; tone?: string; testId?: string }) {
  return (
    <div class={`kpi ${props.tone ? `kpi-${props.tone}` : ''}`} data-testid={props.testId}>
      <span class="label">{props.label}</span>
      <span class="kpi-value">{props.value}</span>
      {props.sub && <span class="muted small">{props.sub}</span>}
    </div>
  );
}

function RankTable(props: { title: string; rows: string[][] }) {
  return (
    <section class="panel">
      <h2>{props.title}</h2>
      {props.rows.length === 0 ? (
        <Empty />
      ) : (
        <table class="table compact">
          <tbody>
            {props.rows.slice(0, 10).map((r, i) => (
              <tr key={i}>
                <td>{r[0]}</td>
                <td class="num">{r[1]}</td>
                <td class="num">{r[2]}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

const COUNT_KEYS: (keyof OrderCount)[] = ['totalPrice', 'total', 'handlePending', 'pickPending', 'deliverPending', 'delivering', 'closed', 'cancled'];

function CountsTable({ counts }: { counts: CountsResponse }) {
  const cell = (b: OrderCount, k: keyof OrderCount) => (k === 'totalPrice' ? formatMoney(String(b[k])) : String(b[k]));
  return (
    <section class="panel">
      <h2>{t('stats.counts')}</h2>
      <table class="table compact">
        <thead>
          <tr>
            <th />
            <th class="num">{t('stats.documented')}</th>
            <th class="num">{t('stats.field')}</th>
          </tr>
        </thead>
        <tbody>
          {COUNT_KEYS.map((k) => {
            const a = cell(counts.documented, k);
            const b = cell(counts.field, k);
            return (
              <tr key={k} class={a !== b ? 'diff' : ''}>
                <td>{t(`counts.${k}`)}</td>
                <td class="num">{a}</td>
                <td class="num">{b}</td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </section>
  );
}

/** The day's Z reports (each shift close, the day close), each drawn like its paper. */
function ZReports({ day }: { day: string }) {
  const [list, setList] = useState<ZReportRow[] | null>(null);
  const [shown, setShown] = useState<number | null>(null);
  const load = async () => {
    const l = await tryCall('z_report_list', { day });
    if (l) {
      setList(l);
      setShown((s) => (s != null && l.some((z) => z.id === s) ? s : (l[0]?.id ?? null)));
    }
  };
  useEffect(() => {
    void load();
  }, [day]);
  const closeDay = async () => {
    const ok = await confirmDialog(t('z.dayCloseConfirm', { day }), false, { ok: t('z.dayCloseOk'), back: t('common.back') });
    if (!ok) return;
    const r = await tryCall('z_report_get', { day });
    if (r) {
      toast(t('common.done'), 'success');
      await load();
      setShown(r.id);
    }
  };
  const reprint = async (id: number) => {
    if ((await tryCall('z_report_reprint', { id })) !== undefined) toast(t('z.reprinted'), 'success');
  };
  const z = list?.find((x) => x.id === shown);
  const hasDay = list?.some((x) => x.kind === 'day');
  return (
    <section class="panel" data-testid="z-reports">
      <div class="panel-head">
        <h2>{t('z.list')}</h2>
        {!hasDay && (
          <button type="button" class="btn" data-testid="z-day-close" onClick={() => void closeDay()}>
            {t('z.dayClose')}
          </button>
        )}
      </div>
      {list && list.length === 0 && <Empty text={t('z.none')} />}
      {list && list.length > 0 && (
        <div class="seg z-tabs">
          {list.map((x) => (
            <button key={x.id} type="button" class={`btn ${x.id === shown ? 'btn-primary' : ''}`} aria-pressed={x.id === shown} data-testid="z-pick" onClick={() => setShown(x.id)}>
              {t(x.kind === 'day' ? 'z.kind.day' : 'z.kind.shift')} Z{x.id} · {x.till_code} · {timeOf(x.created_at)}
            </button>
          ))}
        </div>
      )}
      {z && (
        <>
          <ZPaper report={z.report} />
          <div class="action-row">
            <button type="button" class="btn" onClick={() => void reprint(z.id)}>
              {t('z.reprint')}
            </button>
          </div>
        </>
      )}
    </section>
  );
}
