import { Fragment } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { call, dateTimeOf, langStore, errorText, healthStore, onBackendEvent, reportError, t, toast, todayLocal, tryCall } from '../app-state';
import {
  DENOMINATIONS,
  type Conflict,
  type CountsBlock,
  type CountsResponse,
  type LanStatus,
  type PlatformCounts,
  type Printer,
  type PrintJob,
  type Role,
  type Settings,
  type StatsDay,
  type Stray,
  type SyncStatus,
  type User,
  type ZReport,
} from '../backend/types';
import { HourlyBars, MixDonut } from '../charts/Charts';
import { channelName, confirmDialog, Empty, statusName } from '../components/common';
import { usePoll } from '../hooks';
import { fenToString, formatFen, formatMoney, parseFen, tryParseFen } from '../money';
import { countedTotalFen, emptyCounted, parseCount, type Counted } from '../shift';
import { useStore } from '../store';

type Tab = 'day' | 'shift' | 'printers' | 'sync' | 'channels' | 'users' | 'settings' | 'lan';
const TABS: Tab[] = ['day', 'shift', 'printers', 'sync', 'channels', 'users', 'settings', 'lan'];

export function Manager() {
  const [tab, setTab] = useState<Tab>(() => (sessionStorage.getItem('storepos.mgr_tab') as Tab) || 'day');
  useEffect(() => {
    const on = (e: Event) => setTab((e as CustomEvent<Tab>).detail);
    window.addEventListener('storepos:mgr-tab', on);
    return () => window.removeEventListener('storepos:mgr-tab', on);
  }, []);
  const choose = (x: Tab) => {
    sessionStorage.setItem('storepos.mgr_tab', x);
    setTab(x);
  };
  return (
    <div class="page manager" data-testid="manager">
      <div class="tabs" role="tablist">
        {TABS.map((x) => (
          <button key={x} type="button" role="tab" aria-selected={tab === x} class={`tab ${tab === x ? 'active' : ''}`} onClick={() => choose(x)}>
            {t(`mgr.tab.${x}`)}
          </button>
        ))}
      </div>
      {tab === 'day' && <DayStats />}
      {tab === 'shift' && <Shift />}
      {tab === 'printers' && <Printers />}
      {tab === 'sync' && <SyncPanel />}
      {tab === 'channels' && <Channels />}
      {tab === 'users' && <Users />}
      {tab === 'settings' && (
        <>
          <SettingsPanel />
          <BackupPanel />
        </>
      )}
      {tab === 'lan' && <Lan />}
    </div>
  );
}

const fen = (s: string | null | undefined): number => {
  try {
    return s == null ? 0 : parseFen(s);
  } catch {
    return 0;
  }
};

function DayStats() {
  const [day, setDay] = useState(todayLocal());
  const [stats, setStats] = useState<StatsDay | null>(null);
  const [counts, setCounts] = useState<CountsResponse | null>(null);
  const load = async () => {
    const [s, c] = await Promise.all([tryCall<StatsDay>('stats_day_get', { day }), tryCall<CountsResponse>('order_count_get', { day })]);
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
          <input class="input" type="date" value={day} onChange={(e) => setDay(e.currentTarget.value || todayLocal())} />
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

const COUNT_KEYS: (keyof CountsBlock)[] = ['totalPrice', 'total', 'handlePending', 'pickPending', 'deliverPending', 'delivering', 'closed', 'cancled'];

function CountsTable({ counts }: { counts: CountsResponse }) {
  const cell = (b: CountsBlock, k: keyof CountsBlock) => (k === 'totalPrice' ? formatMoney(String(b[k])) : String(b[k]));
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

// ---- shift -----------------------------------------------------------------------------

function Shift() {
  const [float, setFloat] = useState('');
  const [moveAmount, setMoveAmount] = useState('');
  const [moveDir, setMoveDir] = useState<'in' | 'out'>('in');
  const [moveReason, setMoveReason] = useState('');
  const [counted, setCounted] = useState<Counted>(emptyCounted());
  const [pin, setPin] = useState('');
  const [z, setZ] = useState<ZReport | null>(null);
  const [error, setError] = useState<string | null>(null);
  const total = countedTotalFen(counted);

  const open = async () => {
    const f = tryParseFen(float);
    if (f == null || f < 0) return toast(t('cash.invalid'), 'error');
    if (await tryCall('shift_open', { float: fenToString(f) })) toast(t('common.done'), 'success');
  };
  const move = async () => {
    const f = tryParseFen(moveAmount);
    if (f == null || f <= 0) return toast(t('cash.invalid'), 'error');
    const r = await tryCall('shift_cash_move', { amount: fenToString(moveDir === 'in' ? f : -f), reason: moveReason.trim() });
    if (r !== undefined) {
      toast(t('common.done'), 'success');
      setMoveAmount('');
      setMoveReason('');
    }
  };
  const close = async () => {
    if (!/^\d{4,6}$/.test(pin)) return setError(t('users.pinInvalid'));
    if (!(await confirmDialog(t('shift.closeConfirm')))) return;
    setError(null);
    try {
      setZ(await call<ZReport>('shift_close', { counted, manager_pin: pin }));
      setPin('');
    } catch (e) {
      setError(errorText(e));
    }
  };

  return (
    <div class="grid2" data-testid="manager-shift">
      <div class="stack">
        <section class="panel">
          <h2>{t('shift.open')}</h2>
          <div class="form-row">
            <input class="input" type="text" inputMode="decimal" placeholder={t('shift.float')} value={float} onInput={(e) => setFloat(e.currentTarget.value)} />
            <button type="button" class="btn btn-primary" onClick={() => void open()}>
              {t('shift.open')}
            </button>
          </div>
        </section>
        <section class="panel">
          <h2>{t('shift.cashMove')}</h2>
          <div class="seg">
            <button type="button" class={`btn ${moveDir === 'in' ? 'btn-primary' : ''}`} aria-pressed={moveDir === 'in'} onClick={() => setMoveDir('in')}>
              {t('shift.in')}
            </button>
            <button type="button" class={`btn ${moveDir === 'out' ? 'btn-primary' : ''}`} aria-pressed={moveDir === 'out'} onClick={() => setMoveDir('out')}>
              {t('shift.out')}
            </button>
          </div>
          <div class="form-row">
            <input class="input" type="text" inputMode="decimal" placeholder={t('shift.amount')} value={moveAmount} onInput={(e) => setMoveAmount(e.currentTarget.value)} />
            <input class="input grow" type="text" placeholder={t('shift.reason')} value={moveReason} onInput={(e) => setMoveReason(e.currentTarget.value)} />
            <button type="button" class="btn btn-primary" onClick={() => void move()}>
              {t('common.confirm')}
            </button>
          </div>
        </section>
        {z && (
          <section class="panel" data-testid="zreport">
            <h2>{t('shift.zreport')}</h2>
            <ZReportView z={z} />
          </section>
        )}
      </div>
      <section class="panel">
        <h2>{t('shift.close')}</h2>
        <table class="table denoms">
          <thead>
            <tr>
              <th>{t('shift.denomination')}</th>
              <th class="num">{t('shift.count')}</th>
              <th class="num">{t('shift.subtotal')}</th>
            </tr>
          </thead>
          <tbody>
            {DENOMINATIONS.map((d) => (
              <tr key={d}>
                <td class="strong">{denomLabel(d)}</td>
                <td class="num">
                  <input
                    class="input count-input"
                    type="text"
                    inputMode="numeric"
                    value={counted[d] ? String(counted[d]) : ''}
                    placeholder="0"
                    aria-label={`${d}`}
                    onInput={(e) => setCounted((c) => ({ ...c, [d]: parseCount(e.currentTarget.value) }))}
                  />
                </td>
                <td class="num">{formatFen(parseFen(d) * counted[d])}</td>
              </tr>
            ))}
          </tbody>
          <tfoot>
            <tr>
              <td colSpan={2} class="strong">
                {t('shift.countedTotal')}
              </td>
              <td class="num big-money" data-testid="counted-total">
                {formatFen(total)}
              </td>
            </tr>
          </tfoot>
        </table>
        <div class="form-row">
          <input class="input" type="password" inputMode="numeric" autoComplete="off" placeholder={t('shift.managerPin')} value={pin} onInput={(e) => setPin(e.currentTarget.value.replace(/\D/g, '').slice(0, 6))} />
          <button type="button" class="btn btn-danger btn-big" onClick={() => void close()}>
            {t('shift.close')}
          </button>
        </div>
        <div class="form-error" role="alert">{error ?? ''}</div>
      </section>
    </div>
  );
}

function denomLabel(d: string): string {
  if (Number(d) >= 1) return t('shift.yuan', { d });
  // 0.5 元 = 5 角, 0.1 元 = 1 角 (en: ¥0.5)
  return t('shift.jiao', { d: langStore.get() === 'zh' ? String(parseFen(d) / 10) : d });
}

const MONEY_KEY = /(float|cash|sales|refund|expected|counted|difference|total|amount|gross|net|in|out)/i;

function ZReportView({ z }: { z: ZReport }) {
  return (
    <dl class="kv">
      {Object.entries(z).map(([k, v]) => (
        <Fragment key={k}>
          <dt>{k}</dt>
          <dd>
            {v == null ? '—' : typeof v === 'object' ? <pre class="json">{JSON.stringify(v, null, 2)}</pre> : typeof v === 'string' && MONEY_KEY.test(k) && tryParseFen(v) != null ? formatMoney(v) : String(v)}
          </dd>
        </Fragment>
      ))}
    </dl>
  );
}

// ---- printers --------------------------------------------------------------------------

function Printers() {
  const [printers, setPrinters] = useState<Printer[] | null>(null);
  const [jobs, setJobs] = useState<PrintJob[] | null>(null);
  const [state, setState] = useState<string>('');
  const load = async () => {
    const [p, j] = await Promise.all([tryCall<Printer[]>('printer_list', {}), tryCall<PrintJob[]>('print_job_list', state ? { state } : {})]);
    if (p) setPrinters(p);
    if (j) setJobs(j);
  };
  usePoll(load, 4000, [state]);
  useEffect(() => onBackendEvent((e) => e.type === 'print_job' && void load()));
  const name = (id: string) => printers?.find((p) => p.id === id)?.name ?? id;

  return (
    <div class="stack" data-testid="manager-printers">
      <section class="panel">
        <h2>{t('printers.title')}</h2>
        <div class="printer-cards">
          {printers?.length === 0 && <Empty />}
          {printers?.map((p) => (
            <div key={p.id} class={`printer-card pstate-${p.state}`}>
              <div class="strong">{p.name}</div>
              <div class="muted small">
                {p.id} · {p.paper} mm
              </div>
              <div>
                <span class={`pill ${p.state === 'ok' ? 'pill-ok' : p.state === 'offline' ? 'pill-bad' : 'pill-muted'}`}>{t(`printers.state.${p.state}`)}</span>{' '}
                {p.queued > 0 && <span class="pill pill-warn">{t('printers.queued')} {p.queued}</span>}
              </div>
            </div>
          ))}
        </div>
      </section>
      <section class="panel">
        <div class="page-head">
          <h2>{t('printers.jobs')}</h2>
          <select class="input" value={state} onChange={(e) => setState(e.currentTarget.value)}>
            <option value="">{t('printers.allJobs')}</option>
            {(['queued', 'printing', 'printed', 'failed', 'uncertain'] as const).map((s) => (
              <option key={s} value={s}>
                {t(`print.${s}`)}
              </option>
            ))}
          </select>
        </div>
        {jobs?.length === 0 && <Empty />}
        {jobs && jobs.length > 0 && (
          <div class="table-wrap">
            <table class="table">
              <thead>
                <tr>
                  <th>#</th>
                  <th>{t('printers.kind')}</th>
                  <th>{t('printers.order')}</th>
                  <th>{t('printers.name')}</th>
                  <th>{t('printers.state')}</th>
                  <th class="num">{t('printers.attempts')}</th>
                  <th>{t('printers.lastError')}</th>
                  <th>{t('orders.actions')}</th>
                </tr>
              </thead>
              <tbody>
                {jobs.map((j) => (
                  <tr key={j.id}>
                    <td class="mono">{j.id}</td>
                    <td>{j.kind === 'receipt' ? t('print.receipt') : j.kind === 'kitchen' ? t('print.kitchen') : j.kind}</td>
                    <td class="mono small">{j.client_ref ?? '—'}</td>
                    <td>{name(j.printer_id)}</td>
                    <td>
                      <span class={`pill ${j.state === 'printed' ? 'pill-ok' : j.state === 'failed' || j.state === 'uncertain' ? 'pill-bad' : 'pill-info'}`}>{t(`print.${j.state}`)}</span>
                    </td>
                    <td class="num">{j.attempts}</td>
                    <td class="small">{j.last_error ?? ''}</td>
                    <td>
                      <div class="action-row nowrap">
                        {(j.state === 'failed' || j.state === 'uncertain') && (
                          <button type="button" class="btn btn-small" onClick={async () => (await tryCall('print_job_retry', { id: j.id })) !== undefined && load()}>
                            {t('printers.retry')}
                          </button>
                        )}
                        {j.state !== 'printed' && j.state !== 'printing' && printers && printers.length > 1 && (
                          <select
                            class="input input-small"
                            value=""
                            aria-label={t('printers.moveTo')}
                            onChange={async (e) => {
                              const to = e.currentTarget.value;
                              if (to && (await tryCall('print_job_move', { id: j.id, printer_id: to })) !== undefined) void load();
                            }}
                          >
                            <option value="">{t('printers.moveTo')}</option>
                            {printers
                              .filter((p) => p.id !== j.printer_id)
                              .map((p) => (
                                <option key={p.id} value={p.id}>
                                  {p.name}
                                </option>
                              ))}
                          </select>
                        )}
                      </div>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>
    </div>
  );
}

// ---- sync & conflicts ------------------------------------------------------------------

const COUNT_FIELDS = ['totalPrice', 'total', 'handlePending', 'pickPending', 'deliverPending', 'delivering', 'closed', 'cancled'];

/** The platform's order_count beside the ledger's, every difference with its reason. */
function CountsSection({ counts }: { counts: PlatformCounts | null | undefined }) {
  const zh = langStore.get() === 'zh';
  return (
    <section class="panel" data-testid="sync-counts">
      <h2>{t('syncp.counts')}</h2>
      <p class="help">{t('syncp.countsHelp')}</p>
      {counts === null && <Empty text={t('syncp.countsNone')} />}
      {counts && (
        <Fragment>
          <p class="muted small">
            {t('syncp.countsAt')} {dateTimeOf(counts.at)} · {t('syncp.countsMeaning')} {t(`syncp.meaning.${counts.report.meaning}`)}
          </p>
          <table class="table">
            <thead>
              <tr>
                <th>{t('syncp.countsField')}</th>
                <th class="num">{t('syncp.countsPlatform')}</th>
                <th class="num">{t('syncp.countsLocal')}</th>
                <th />
              </tr>
            </thead>
            <tbody>
              {COUNT_FIELDS.map((f) => {
                const diff = counts.report.differences.find((d) => d.field === f);
                return (
                  <tr key={f} data-field={f}>
                    <td class="mono">{f}</td>
                    <td class="num">{diff ? diff.platform : String(counts.report.platform[f] ?? '—')}</td>
                    <td class="num">{diff ? diff.local : String(counts.report.local[f] ?? '—')}</td>
                    <td class="small">{diff ? <span class="pill pill-bad">{zh ? diff.reason_zh : diff.reason}</span> : <span class="muted">{t('syncp.countsSame')}</span>}</td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </Fragment>
      )}
    </section>
  );
}

function SyncPanel() {
  const health = useStore(healthStore);
  const [conflicts, setConflicts] = useState<Conflict[] | null>(null);
  const [strays, setStrays] = useState<Stray[] | null>(null);
  const [counts, setCounts] = useState<PlatformCounts | null | undefined>(undefined);
  const load = async () => {
    const [s, c, st, pc] = await Promise.all([
      tryCall<SyncStatus>('sync_status_get', {}),
      tryCall<Conflict[]>('conflict_list', {}),
      tryCall<Stray[]>('stray_list', {}),
      tryCall<PlatformCounts | null>('stats_platform_counts_get', {}),
    ]);
    if (s) healthStore.set((h) => ({ ...h, sync: s }));
    if (c) setConflicts(c);
    if (st) setStrays(st);
    if (pc !== undefined) setCounts(pc);
  };
  usePoll(load, 5000);
  const voided = async (s: Stray) => {
    if ((await tryCall('stray_void', { id: s.id })) !== undefined) {
      toast(t('common.done'), 'success');
      void load();
    }
  };
  const resolve = async (c: Conflict, resolution: 'accept_platform' | 'retry' | 'keep_local') => {
    if ((await tryCall('conflict_resolve', { client_ref: c.client_ref, resolution })) !== undefined) {
      toast(t('common.done'), 'success');
      void load();
    }
  };
  const s = health.sync;
  return (
    <div class="grid2" data-testid="manager-sync">
      <section class="panel">
        <h2>{t('syncp.title')}</h2>
        {s && (
          <dl class="kv">
            <dt>{t('syncp.online')}</dt>
            <dd>
              <span class={`pill ${s.online ? 'pill-ok' : 'pill-bad'}`}>{s.online ? t('status.online') : t('status.offline')}</span>
            </dd>
            <dt>{t('syncp.lastSuccess')}</dt>
            <dd>{s.last_success_at ? dateTimeOf(s.last_success_at) : t('syncp.never')}</dd>
            <dt>{t('syncp.outbox')}</dt>
            <dd class="strong">{s.outbox_depth}</dd>
            <dt>{t('syncp.oldest')}</dt>
            <dd>{s.oldest_pending_age_s != null ? t('syncp.seconds', { n: Math.round(s.oldest_pending_age_s) }) : '—'}</dd>
            <dt>{t('syncp.lastError')}</dt>
            <dd class="small">{s.last_error ?? '—'}</dd>
          </dl>
        )}
        {s?.advice_zh && (
          <p class="help" data-testid="sync-advice">
            {langStore.get() === 'zh' ? s.advice_zh : s.advice_en}
          </p>
        )}
        {strays && strays.length > 0 && (
          <div data-testid="sync-strays">
            <h3>
              {t('syncp.strays')} <span class="pill pill-bad">{strays.length}</span>
            </h3>
            <p class="help">{t('syncp.straysHelp')}</p>
            {strays.map((st) => (
              <div key={st.id} class="conflict">
                <div class="conflict-head">
                  <span class="mono strong">{st.order_number}</span>
                  <span class="muted small">{dateTimeOf(st.found_at)}</span>
                </div>
                <div class="action-row">
                  <button type="button" class="btn" onClick={() => void voided(st)}>
                    {t('syncp.strayVoided')}
                  </button>
                </div>
              </div>
            ))}
          </div>
        )}
      </section>
      <CountsSection counts={counts} />
      <section class="panel">
        <h2>
          {t('syncp.conflicts')} {conflicts && conflicts.length > 0 && <span class="pill pill-bad">{conflicts.length}</span>}
        </h2>
        <p class="help">{t('syncp.help')}</p>
        {conflicts?.length === 0 && <Empty text={t('syncp.noConflicts')} />}
        {conflicts?.map((c) => (
          <div key={c.client_ref} class="conflict">
            <div class="conflict-head">
              <span class="mono strong">{c.local_number}</span>
              <span class="muted small">{dateTimeOf(c.created_at)}</span>
            </div>
            <div>{c.message}</div>
            <div class="muted">{t('syncp.platformSays', { message: c.platform_message })}</div>
            <div class="action-row">
              {c.can_keep_local ? (
                <button type="button" class="btn" onClick={() => void resolve(c, 'keep_local')}>
                  {t('syncp.keepLocal')}
                </button>
              ) : (
                <button type="button" class="btn" onClick={() => void resolve(c, 'accept_platform')}>
                  {t('syncp.acceptPlatform')}
                </button>
              )}
              <button type="button" class="btn btn-primary" onClick={() => void resolve(c, 'retry')}>
                {t('syncp.retry')}
              </button>
            </div>
          </div>
        ))}
      </section>
    </div>
  );
}

// ---- users -----------------------------------------------------------------------------

function Users() {
  const [users, setUsers] = useState<User[] | null>(null);
  const [form, setForm] = useState({ username: '', display_name: '', role: 'cashier' as Role, pin: '' });
  const [pinFor, setPinFor] = useState<number | null>(null);
  const [newPin, setNewPin] = useState('');
  const load = () => tryCall<User[]>('user_list', {}).then((u) => u && setUsers(u));
  useEffect(() => {
    void load();
  }, []);
  const create = async () => {
    if (!/^\d{4,6}$/.test(form.pin)) return toast(t('users.pinInvalid'), 'error');
    if (!form.username.trim() || !form.display_name.trim()) return;
    if ((await tryCall('user_create', { ...form, username: form.username.trim(), display_name: form.display_name.trim() })) !== undefined) {
      toast(t('common.saved'), 'success');
      setForm({ username: '', display_name: '', role: 'cashier', pin: '' });
      void load();
    }
  };
  const setPinNow = async (id: number) => {
    if (!/^\d{4,6}$/.test(newPin)) return toast(t('users.pinInvalid'), 'error');
    if ((await tryCall('user_pin_set', { user_id: id, pin: newPin })) !== undefined) {
      toast(t('common.saved'), 'success');
      setPinFor(null);
      setNewPin('');
    }
  };
  return (
    <div class="grid2" data-testid="manager-users">
      <section class="panel">
        <h2>{t('users.title')}</h2>
        <table class="table">
          <tbody>
            {users?.map((u) => (
              <tr key={u.id}>
                <td class="strong">{u.display_name}</td>
                <td class="mono small">{u.username}</td>
                <td>{t(`role.${u.role}`)}</td>
                <td>
                  {pinFor === u.id ? (
                    <div class="form-row nowrap">
                      <input class="input input-small" type="password" inputMode="numeric" placeholder={t('users.newPin')} value={newPin} onInput={(e) => setNewPin(e.currentTarget.value.replace(/\D/g, '').slice(0, 6))} />
                      <button type="button" class="btn btn-primary btn-small" onClick={() => void setPinNow(u.id)}>
                        {t('common.save')}
                      </button>
                    </div>
                  ) : (
                    <button type="button" class="btn btn-small" onClick={() => { setPinFor(u.id); setNewPin(''); }}>
                      {t('users.setPin')}
                    </button>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </section>
      <section class="panel">
        <h2>{t('users.create')}</h2>
        <label class="field">
          <span class="label">{t('users.username')}</span>
          <input class="input" type="text" autoComplete="off" value={form.username} onInput={(e) => setForm({ ...form, username: e.currentTarget.value })} />
        </label>
        <label class="field">
          <span class="label">{t('users.displayName')}</span>
          <input class="input" type="text" value={form.display_name} onInput={(e) => setForm({ ...form, display_name: e.currentTarget.value })} />
        </label>
        <div class="field">
          <span class="label">{t('users.role')}</span>
          <div class="seg">
            {(['cashier', 'clerk', 'manager'] as Role[]).map((r) => (
              <button key={r} type="button" class={`btn ${form.role === r ? 'btn-primary' : ''}`} aria-pressed={form.role === r} onClick={() => setForm({ ...form, role: r })}>
                {t(`role.${r}`)}
              </button>
            ))}
          </div>
        </div>
        <label class="field">
          <span class="label">{t('users.pin')}</span>
          <input class="input" type="password" inputMode="numeric" autoComplete="off" value={form.pin} onInput={(e) => setForm({ ...form, pin: e.currentTarget.value.replace(/\D/g, '').slice(0, 6) })} />
        </label>
        <button type="button" class="btn btn-primary btn-big" onClick={() => void create()}>
          {t('users.create')}
        </button>
      </section>
    </div>
  );
}

// ---- settings & LAN --------------------------------------------------------------------

function SettingsPanel() {
  const [settings, setSettings] = useState<Settings | null>(null);
  const [edits, setEdits] = useState<Record<string, string>>({});
  const load = () => tryCall<Settings>('settings_get', {}).then((s) => s && setSettings(s));
  useEffect(() => {
    void load();
  }, []);
  const save = async (key: string) => {
    const raw = edits[key];
    const old = settings?.[key];
    const value = typeof old === 'number' ? Number(raw) : typeof old === 'boolean' ? raw === 'true' : raw;
    if ((await tryCall('settings_set', { key, value })) !== undefined) {
      toast(t('common.saved'), 'success');
      setEdits((e) => {
        const { [key]: _, ...rest } = e;
        return rest;
      });
      void load();
    }
  };
  return (
    <section class="panel" data-testid="manager-settings">
      <h2>{t('settings.title')}</h2>
      {settings && Object.keys(settings).length === 0 && <Empty />}
      {settings && (
        <table class="table">
          <tbody>
            {Object.entries(settings).map(([k, v]) => (
              <tr key={k}>
                <td class="mono">{k}</td>
                <td class="grow-cell">
                  <input class="input" type="text" value={edits[k] ?? (v == null ? '' : String(v))} onInput={(e) => setEdits({ ...edits, [k]: e.currentTarget.value })} />
                </td>
                <td>
                  <button type="button" class="btn btn-small" disabled={edits[k] === undefined} onClick={() => void save(k)}>
                    {t('common.save')}
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

/** `backup_list`: the folder, schedule and the newest attempts. */
interface BackupRecord {
  file: string;
  reason: string;
  started_at: string;
  ok: boolean;
  integrity: string;
  bytes: number;
  millis: number;
  error: string | null;
  present: boolean;
}
interface BackupList {
  settings: { dir: string; interval_min: number; keep: number };
  backups: BackupRecord[];
  outbox_pending: number;
}

function BackupPanel() {
  const [list, setList] = useState<BackupList | null>(null);
  const [dir, setDir] = useState<string | null>(null);
  const [interval, setInterval_] = useState<string | null>(null);
  const [keep, setKeep] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const load = () => tryCall<BackupList>('backup_list', {}).then((l) => l && setList(l));
  useEffect(() => {
    void load();
  }, []);
  const dirty = dir !== null || interval !== null || keep !== null;
  const save = async () => {
    const req: Record<string, unknown> = {};
    if (dir !== null) req.dir = dir;
    if (interval !== null) req.interval_min = Number(interval);
    if (keep !== null) req.keep = Number(keep);
    if ((await tryCall('backup_settings_set', req)) !== undefined) {
      toast(t('common.saved'), 'success');
      setDir(null);
      setInterval_(null);
      setKeep(null);
      void load();
    }
  };
  const now = async () => {
    setBusy(true);
    try {
      if ((await tryCall('backup_create', {})) !== undefined) toast(t('backup.done'), 'success');
    } finally {
      setBusy(false);
      void load();
    }
  };
  const reason = (r: string) => (['auto', 'manual', 'shift_close', 'day_close'].includes(r) ? t(`backup.reason.${r}` as 'backup.reason.auto') : r);
  const base = (f: string) => f.split(/[\\/]/).pop() ?? f;
  return (
    <section class="panel" data-testid="manager-backups">
      <h2>{t('backup.title')}</h2>
      {list && (
        <>
          <table class="table">
            <tbody>
              <tr>
                <td>{t('backup.folder')}</td>
                <td class="grow-cell">
                  <input class="input mono" type="text" data-testid="backup-dir" value={dir ?? list.settings.dir} onInput={(e) => setDir(e.currentTarget.value)} />
                </td>
              </tr>
              <tr>
                <td>{t('backup.interval')}</td>
                <td>
                  <input class="input" type="number" min={0} max={1440} value={interval ?? String(list.settings.interval_min)} onInput={(e) => setInterval_(e.currentTarget.value)} />
                </td>
              </tr>
              <tr>
                <td>{t('backup.keep')}</td>
                <td>
                  <input class="input" type="number" min={1} max={1000} value={keep ?? String(list.settings.keep)} onInput={(e) => setKeep(e.currentTarget.value)} />
                </td>
              </tr>
            </tbody>
          </table>
          <div class="row">
            <button type="button" class="btn btn-small" disabled={!dirty} onClick={() => void save()}>
              {t('common.save')}
            </button>
            <button type="button" class="btn btn-small btn-primary" data-testid="backup-now" disabled={busy} onClick={() => void now()}>
              {t('backup.now')}
            </button>
            {list.outbox_pending > 0 && <span class="muted">{t('backup.pending', { n: list.outbox_pending })}</span>}
          </div>
          {list.backups.length === 0 ? (
            <Empty />
          ) : (
            <table class="table" data-testid="backup-list">
              <thead>
                <tr>
                  <th>{t('backup.when')}</th>
                  <th>{t('backup.reason')}</th>
                  <th>{t('backup.check')}</th>
                  <th>{t('backup.size')}</th>
                  <th>{t('backup.file')}</th>
                </tr>
              </thead>
              <tbody>
                {list.backups.slice(0, 20).map((b) => (
                  <tr key={b.file + b.started_at}>
                    <td>{dateTimeOf(b.started_at)}</td>
                    <td>{reason(b.reason)}</td>
                    <td class={b.ok ? '' : 'danger'}>{b.ok ? b.integrity : (b.error ?? b.integrity)}</td>
                    <td class="num">{b.ok ? `${(b.bytes / 1048576).toFixed(1)} MB` : '—'}</td>
                    <td class="mono">{b.present ? base(b.file) : <s title={b.file}>{t('backup.rotated')}</s>}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </>
      )}
    </section>
  );
}

/** One row of `channel_list`: a platform the store's orders go to or come from. */
interface ChannelRow {
  id: string;
  dialect: string;
  url: string | null;
  enabled: boolean;
  primary: boolean;
  online: boolean;
  last_success_at: string | null;
  last_error: string | null;
  backlog: number;
  conflicts: number;
  orders_known: number;
}

function Channels() {
  const [rows, setRows] = useState<ChannelRow[] | null>(null);
  useEffect(() => {
    const load = () => tryCall<ChannelRow[]>('channel_list', {}).then((r) => r && setRows(r)).catch(reportError);
    load();
    const timer = setInterval(load, 5000);
    return () => clearInterval(timer);
  }, []);
  return (
    <section class="panel" data-testid="manager-channels">
      <h2>{t('channels.title')}</h2>
      <table class="table">
        <thead>
          <tr>
            <th>{t('channels.id')}</th>
            <th>{t('channels.health')}</th>
            <th>{t('channels.backlog')}</th>
            <th>{t('channels.conflicts')}</th>
            <th>{t('channels.lastSuccess')}</th>
            <th>{t('channels.lastError')}</th>
          </tr>
        </thead>
        <tbody>
          {(rows ?? []).map((c) => (
            <tr key={c.id} data-channel={c.id}>
              <td>
                <span class="strong">{c.id}</span> <span class="muted small">{c.dialect}</span>
              </td>
              <td>
                <span class={`pill ${!c.enabled ? 'pill-muted' : c.online ? 'pill-ok' : 'pill-bad'}`}>
                  {!c.enabled ? t('channels.disabled') : c.online ? t('status.online') : t('status.offline')}
                </span>
              </td>
              <td class={c.backlog > 0 ? 'strong' : 'muted'}>{c.backlog}</td>
              <td class={c.conflicts > 0 ? 'strong' : 'muted'}>{c.conflicts}</td>
              <td class="small">{c.last_success_at ? dateTimeOf(c.last_success_at) : t('syncp.never')}</td>
              <td class="small muted">{c.last_error ?? ''}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {rows && rows.length === 0 && <p class="muted">{t('channels.none')}</p>}
      <p class="help">{t('channels.help')}</p>
    </section>
  );
}

function Lan() {
  const [lan, setLan] = useState<LanStatus | null>(null);
  useEffect(() => {
    tryCall<LanStatus>('lan_status_get', {}).then((l) => l && setLan(l)).catch(reportError);
  }, []);
  return (
    <section class="panel" data-testid="manager-lan">
      <h2>{t('lan.title')}</h2>
      {lan && (
        <dl class="kv">
          <dt>{t('lan.title')}</dt>
          <dd>
            <span class={`pill ${lan.enabled ? 'pill-ok' : 'pill-muted'}`}>{lan.enabled ? t('lan.enabled') : t('lan.disabled')}</span>
          </dd>
          {lan.url && (
            <>
              <dt>{t('lan.url')}</dt>
              <dd class="mono selectable">{lan.url}</dd>
            </>
          )}
          {lan.token && (
            <>
              <dt>{t('lan.token')}</dt>
              <dd class="mono selectable big-token">{lan.token}</dd>
            </>
          )}
        </dl>
      )}
      <p class="help">{t('lan.help')}</p>
    </section>
  );
}
