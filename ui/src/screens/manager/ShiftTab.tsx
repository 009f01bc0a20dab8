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
interface PaperReport {
  id: number;
  title: string;
  store: string;
  till: string;
  business_day: string;
  opened_at: string;
  closed_at: string;
  cashier: string;
  manager: string | null;
  sections: { heading: string; rows: Row[] }[];
  payment_mix: { label: string; count: number; amount: string }[];
}

/** The Z report drawn like the paper it prints (same sections and words, local times),
 *  with the over/short said in words and the day's hours as a chart. */
export function ZReportView({ z }: { z: CloseResponse }) {
  const r = z.z_report.report as unknown as PaperReport;
  const os = overShort(z.over_short);
  const hours = Array.from({ length: 24 }, (_, h) => z.stats.by_hour.find((x) => x.hour === h));
  const fen = (m: string | undefined) => (m ? (tryParseFen(m) ?? 0) : 0);
  return (
    <div class="zpaper" data-testid="zpaper">
      <div class="zpaper-head">
        <div class="strong">{r.title} · Z{r.id}</div>
        <div>{r.store}</div>
        <div class="muted small">
          {r.till} · {r.business_day}
        </div>
        <div class="muted small">
          {t('z.shiftTime')} {r.opened_at} — {r.closed_at}
        </div>
        <div class="muted small">
          {r.cashier}
          {r.manager ? ` · ${t('z.manager')} ${r.manager}` : ''}
        </div>
      </div>
      <div class={`zpaper-verdict tone-${os.tone}`} data-testid="z-over-short">
        <span>{os.label}</span>
        <span class="big-money">{os.amount}</span>
      </div>
      <dl class="zpaper-rows">
        <dt>{t('z.expected')}</dt>
        <dd>{formatMoney(z.cash.expected)}</dd>
        <dt>{t('z.counted')}</dt>
        <dd>{formatMoney(z.counted)}</dd>
      </dl>
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
      {r.payment_mix.length > 0 && (
        <section class="zpaper-section">
          <h3>{t('z.payMix')}</h3>
          <dl class="zpaper-rows">
            {r.payment_mix.map((m) => (
              <Fragment key={m.label}>
                <dt>
                  {m.label} {m.count}笔
                </dt>
                <dd>{formatMoney(m.amount)}</dd>
              </Fragment>
            ))}
          </dl>
        </section>
      )}
      <section class="zpaper-section">
        <h3>{t('z.hourly')}</h3>
        <HourlyBars title={t('z.hourly')} values={hours.map((h) => fen(h?.amount))} labels={hours.map((_, h) => String(h))} />
      </section>
    </div>
  );
}
