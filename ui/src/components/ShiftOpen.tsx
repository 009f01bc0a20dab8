// The till's shift on every screen: the status bar says whether one is open, who opened
// it and since when; taking money without one is refused by the backend (`no_open_shift`)
// and the cashier is offered this dialog: count the float by denominations, open, retry.

import { useState } from 'preact/hooks';
import { call, errorText, sessionStore, t, timeOf } from '../app-state';
import { CommandError } from '../backend';
import type { ShiftView } from '../backend/contract.gen';
import { DENOMINATIONS } from '../backend/types';
import { formatFen, parseFen } from '../money';
import { countedTotalFen, countedTotalString, emptyCounted, parseCount, type Counted } from '../shift';
import { createStore, useStore } from '../store';
import { Modal } from './common';

/** The open shift of this till (null: none; undefined: not known yet). */
export const shiftStore = createStore<ShiftView | null | undefined>(undefined);

export async function refreshShift(): Promise<void> {
  if (!sessionStore.get()) return;
  try {
    shiftStore.set((await call('shift_get', {})).current);
  } catch {
    /* the bar keeps what it knew */
  }
}

const askStore = createStore<((opened: boolean) => void) | null>(null);

/** Offers to open a shift; resolves true once one is open. */
export function askOpenShift(): Promise<boolean> {
  return new Promise((resolve) => askStore.set(() => resolve));
}

/** Runs `f`; when the backend says there is no open shift, offers to open one and runs it again. */
export async function withShift<T>(f: () => Promise<T>): Promise<T> {
  try {
    return await f();
  } catch (e) {
    if (!(e instanceof CommandError) || e.code !== 'no_open_shift') throw e;
    if (!(await askOpenShift())) throw e;
    return await f();
  }
}

export function ShiftBadge() {
  const s = useStore(shiftStore);
  if (s === undefined) return null;
  if (s === null)
    return (
      <span class="sb-item sb-warn" data-testid="sb-shift">
        {t('shift.none')}
      </span>
    );
  return (
    <span class="sb-item" data-testid="sb-shift">
      {t('shift.bar', { who: s.shift.opened_by_name, since: timeOf(s.shift.opened_at) })}
    </span>
  );
}

export function ShiftOpenHost() {
  const resolve = useStore(askStore);
  const [counted, setCounted] = useState<Counted>(emptyCounted());
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  if (!resolve) return null;
  const done = (ok: boolean) => {
    askStore.set(null);
    setCounted(emptyCounted());
    setError(null);
    resolve(ok);
  };
  const open = async () => {
    setBusy(true);
    try {
      shiftStore.set(await call('shift_open', { float: countedTotalString(counted) }));
      done(true);
    } catch (e) {
      setError(errorText(e));
    } finally {
      setBusy(false);
    }
  };
  return (
    <Modal
      title={t('shift.openTitle')}
      testId="shift-open-dialog"
      onClose={() => done(false)}
      footer={
        <>
          <button type="button" class="btn" onClick={() => done(false)}>
            {t('common.cancel')}
          </button>
          <button type="button" class="btn btn-primary" disabled={busy} data-testid="shift-open-submit" onClick={() => void open()}>
            {t('shift.openNow')} · {formatFen(countedTotalFen(counted))}
          </button>
        </>
      }
    >
      <p class="muted">{t('shift.noneHint')}</p>
      <table class="table denoms">
        <tbody>
          {DENOMINATIONS.map((d, i) => (
            <tr key={d}>
              <td class="strong">￥{d}</td>
              <td class="num">
                <input
                  class="input count-input"
                  type="text"
                  inputMode="numeric"
                  placeholder="0"
                  aria-label={d}
                  data-autofocus={i === 0 ? true : undefined}
                  value={counted[d] ? String(counted[d]) : ''}
                  onInput={(e) => setCounted((c) => ({ ...c, [d]: parseCount(e.currentTarget.value) }))}
                />
              </td>
              <td class="num">{formatFen(parseFen(d) * counted[d])}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <div class="form-error" role="alert">
        {error ?? ''}
      </div>
    </Modal>
  );
}
