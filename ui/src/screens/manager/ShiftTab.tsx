import { Fragment } from 'preact';
import { useEffect } from 'preact/hooks';
import { HourlyBars } from '../../charts/Charts';
import { refreshShift, shiftStore } from '../../components/ShiftOpen';
import { useStore } from '../../store';
import { timeOf } from '../../app-state';
import { useState } from 'preact/hooks';
import { call, langStore, errorText, sessionStore, t, toast, tryCall } from '../../app-state';
import type { CloseResponse } from '../../backend/contract.gen';
import { DENOMINATIONS } from '../../backend/types';
import { confirmDialog } from '../../components/common';
import { fenToString, formatFen, formatMoney, parseFen, tryParseFen } from '../../money';
import { countedTotalFen, emptyCounted, parseCount, type Counted } from '../../shift';

export function Shift() {
  const [float, setFloat] = useState('');
  const [moveAmount, setMoveAmount] = useState('');
  const [moveDir, setMoveDir] = useState<'in' | 'out'>('in');
  const [moveReason, setMoveReason] = useState('');
  const [counted, setCounted] = useState<Counted>(emptyCounted());
  const [pin, setPin] = useState('');
  const [z, setZ] = useState<CloseResponse | null>(null);
  const [error, setError] = useState<string | null>(null);
  const total = countedTotalFen(counted);
  const current = useStore(shiftStore);
  useEffect(() => void refreshShift(), [z]);

  const open = async () => {
    const f = tryParseFen(float);
    if (f == null || f < 0) return toast(t('cash.invalid'), 'error');
    if (await tryCall('shift_open', { float: fenToString(f) })) toast(t('common.done'), 'success');
    void refreshShift();
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
      // The manager confirming is the one logged in here (the contract asks whose PIN it is).
      setZ(await call('shift_close', { counted, manager_username: sessionStore.get()?.user.username ?? '', manager_pin: pin }));
      setPin('');
    } catch (e) {
      setError(errorText(e));
    }
  };

  return (
    <div class="grid2" data-testid="manager-shift">
      <div class="stack">
        <section class="panel" data-testid="shift-current">
          <h2>{t('shift.current')}</h2>
          {current ? (
            <dl class="kv">
              <dt>{t('shift.openedBy')}</dt>
              <dd>{current.shift.opened_by_name}</dd>
              <dt>{t('shift.since')}</dt>
              <dd>{timeOf(current.shift.opened_at)}</dd>
              <dt>{t('z.float')}</dt>
              <dd>{formatMoney(current.shift.float)}</dd>
              <dt>{t('shift.expected')}</dt>
              <dd data-testid="shift-expected">{current.cash ? formatMoney(current.cash.expected) : t('shift.blindHint')}</dd>
            </dl>
          ) : (
            <p class="muted">{current === null ? t('shift.noShift') : t('common.loading')}</p>
          )}
        </section>
        {!current && (
        <section class="panel">
          <h2>{t('shift.open')}</h2>
          <div class="form-row">
            <input class="input" type="text" inputMode="decimal" placeholder={t('shift.float')} value={float} onInput={(e) => setFloat(e.currentTarget.value)} />
            <button type="button" class="btn btn-primary" onClick={() => void open()}>
              {t('shift.open')}
            </button>
          </div>
        </section>
        )}
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

/** 长款 / 短款 / 现金相符 with the amount always positive (the backend's counted − expected). */
export function overShort(v: string): { label: string; amount: string; tone: string } {
  const fen = tryParseFen(v) ?? 0;
  if (fen === 0) return { label: t('z.even'), amount: formatFen(0), tone: 'ok' };
  return fen > 0 ? { label: t('z.over'), amount: formatFen(fen), tone: 'warn' } : { label: t('z.short'), amount: formatFen(-fen), tone: 'bad' };
}

type Row = [string, string];
/** The stored report as the backend built it for paper (`services::stats::zreport`). */
interface PaperReport {
  id: number;
  kind: string;
  title: string;
  store: string;
  till: string;
  business_day: string;
  opened_at: string;
  closed_at: string;
  cashier: string;
  manager: string | null;
  gross: string;
  refunds: string;
  net: string;
  order_count: number;
  cash: { expected: string; counted: string; over_short: string } | null;
  sections: { heading: string; rows: Row[] }[];
  payment_mix: { label: string; method: string; count: number; amount: string }[];
  stats: { by_hour: { hour: number; count: number; amount: string }[] };
}

/** A payment method in the screen's language (the paper's own label otherwise). */
function methodName(m: { label: string; method: string }): string {
  return ['CASH', 'WECHAT', 'ONLINE'].includes(m.method) ? t(`payment.${m.method as 'CASH'}`) : m.label;
}

/** The Z report of a shift close, as answered by `shift_close`. */
export function ZReportView({ z }: { z: CloseResponse }) {
  return <ZPaper report={z.z_report.report} />;
}

/** Any stored Z report (shift or day) drawn like the paper it prints: the same sections
 *  and words, local times, the over/short said as 长款 / 短款 with the amount, the
 *  payment mix and the hours as a chart. No JSON. */
export function ZPaper({ report }: { report: unknown }) {
  const r = report as PaperReport;
  const os = r.cash ? overShort(r.cash.over_short) : null;
  const byHour = r.stats?.by_hour ?? [];
  const hours = Array.from({ length: 24 }, (_, h) => byHour.find((x) => x.hour === h));
  const fen = (m: string | undefined) => (m ? (tryParseFen(m) ?? 0) : 0);
  return (
    <div class="zpaper" data-testid="zpaper" data-kind={r.kind}>
      <div class="zpaper-head">
        <div class="strong">
          {r.kind === 'day' ? t('z.dayTitle') : r.kind === 'shift' ? t('z.shiftTitle') : r.title} · Z{r.id}
        </div>
        <div>{r.store}</div>
        <div class="muted small">
          {r.till} · {r.business_day}
        </div>
        <div class="muted small">
          {t(r.kind === 'day' ? 'z.dayTime' : 'z.shiftTime')} {r.opened_at} — {r.closed_at}
        </div>
        <div class="muted small">
          {r.kind === 'day' ? '' : r.cashier}
          {r.manager ? `${r.kind === 'day' ? '' : ' · '}${t('z.manager')} ${r.manager}` : ''}
        </div>
      </div>
      {os && r.cash && (
        <>
          <div class={`zpaper-verdict tone-${os.tone}`} data-testid="z-over-short">
            <span>{os.label}</span>
            <span class="big-money">{os.amount}</span>
          </div>
          <dl class="zpaper-rows">
            <dt>{t('z.expected')}</dt>
            <dd>{formatMoney(r.cash.expected)}</dd>
            <dt>{t('z.counted')}</dt>
            <dd>{formatMoney(r.cash.counted)}</dd>
          </dl>
        </>
      )}
      <dl class="zpaper-rows zpaper-totals" data-testid="z-totals">
        <dt>{t('z.sales')}</dt>
        <dd>{formatMoney(r.gross)}</dd>
        <dt>{t('z.refunds')}</dt>
        <dd>{formatMoney(r.refunds)}</dd>
        <dt class="strong">{t('stats.net')}</dt>
        <dd class="strong">{formatMoney(r.net)}</dd>
        <dt>{t('z.orders')}</dt>
        <dd>{r.order_count}</dd>
      </dl>
      {r.payment_mix.length > 0 && (
        <section class="zpaper-section">
          <h3>{t('z.payMix')}</h3>
          <dl class="zpaper-rows">
            {r.payment_mix.map((m) => (
              <Fragment key={m.method}>
                <dt>
                  {methodName(m)} · {t('z.count', { n: m.count })}
                </dt>
                <dd>{formatMoney(m.amount)}</dd>
              </Fragment>
            ))}
          </dl>
        </section>
      )}
      {r.sections.map((sec) => (
        <section key={sec.heading} class="zpaper-section">
          <h3>{sec.heading}</h3>
          <dl class="zpaper-rows">
            {sec.rows.map(([label, value], i) => (
              <Fragment key={i}>
                <dt>{label}</dt>
                <dd>{value}</dd>
              </Fragment>
            ))}
          </dl>
        </section>
      ))}
      <section class="zpaper-section">
        <h3>{t('z.hourly')}</h3>
        <HourlyBars title={t('z.hourly')} values={hours.map((h) => fen(h?.amount))} labels={hours.map((_, h) => String(h))} />
      </section>
    </div>
  );
}
