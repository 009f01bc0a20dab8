import { Fragment } from 'preact';
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

function ZReportView({ z }: { z: CloseResponse }) {
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
