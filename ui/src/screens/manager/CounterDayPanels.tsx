// The manager's side of the cashier's day (issue 23): when counter kitchen tickets print
// (on payment, or on order for restaurants that cook while the customer pays), and the
// held carts nobody came back for.

import { useEffect, useState } from 'preact/hooks';
import { call, reportError, t, toast, tryCall } from '../../app-state';
import type { HeldEntry } from '../../backend/contract.gen';
import { confirmDialog } from '../../components/common';
import { formatMoney } from '../../money';
import { dateTimeOf } from '../../app-state';

export function KitchenFlowPanel() {
  const [onOrder, setOnOrder] = useState<boolean | null>(null);
  useEffect(() => {
    void tryCall('settings_get', {}).then((s) => s && setOnOrder(s.settings['kitchen_print_on_order'] === true));
  }, []);
  // The choice shows at once (a re-render while saving must not flip the radio back) and
  // goes back if the till refuses it.
  const set = async (v: boolean) => {
    const was = onOrder;
    setOnOrder(v);
    if ((await tryCall('settings_set', { key: 'kitchen_print_on_order', value: v })) !== undefined) {
      toast(t('common.saved'), 'success');
    } else {
      setOnOrder(was);
    }
  };
  if (onOrder === null) return null;
  return (
    <section class="panel" data-testid="kitchen-flow">
      <h2>{t('kitchenFlow.title')}</h2>
      <label class="field-inline">
        <input type="radio" name="kitchen-flow" checked={!onOrder} onChange={() => void set(false)} data-testid="kitchen-on-payment" />
        <span>{t('kitchenFlow.onPayment')}</span>
      </label>
      <label class="field-inline">
        <input type="radio" name="kitchen-flow" checked={onOrder} onChange={() => void set(true)} data-testid="kitchen-on-order" />
        <span>{t('kitchenFlow.onOrder')}</span>
      </label>
    </section>
  );
}

/** Carts held past their business day: listed here; discarding sells nothing. */
export function StaleHeldPanel() {
  const [held, setHeld] = useState<HeldEntry[] | null>(null);
  const load = () => call('cart_held_list', {}).then((l) => setHeld(l.held.filter((h) => h.stale)), reportError);
  useEffect(() => {
    void load();
  }, []);
  if (!held || held.length === 0) return null;
  const discard = async (ref: string) => {
    if (!(await confirmDialog(t('held.discardConfirm'), true, { ok: t('held.discard'), back: t('common.back') }))) return;
    try {
      await call('cart_held_discard', { hold_ref: ref, reason: t('held.discardReason') });
      void load();
    } catch (e) {
      reportError(e);
    }
  };
  return (
    <section class="panel" data-testid="stale-held">
      <h2>{t('held.staleTitle', { n: held.length })}</h2>
      <table class="table">
        <tbody>
          {held.map(({ hold: h }) => (
            <tr key={h.hold_ref}>
              <td>{dateTimeOf(h.held_at)}</td>
              <td>{h.note || t('held.noNote')}</td>
              <td>{h.held_by}</td>
              <td class="num">{formatMoney(h.total)}</td>
              <td>
                <button type="button" class="btn btn-small btn-ghost-danger" onClick={() => void discard(h.hold_ref)}>
                  {t('held.discard')}
                </button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}
