// 优惠 / 抹零 on the unpaid sale, quick for a cashier in a queue: one tap for 抹零 or a
// common 折, or type a sum off. The arithmetic, the role limits and the approval are the
// backend's (`sale_discount`); above the caller's limit the manager's PIN dialog opens on
// this screen and the same request is retried with the approval.

import { useState } from 'preact/hooks';
import { errorText, langStore, t } from '../app-state';
import type { Order } from '../backend/contract.gen';
import { formatMoney, tryParseFen, fenToString } from '../money';
import { callApproved } from './Approval';
import { Modal } from './common';

/** 折 a Chinese cashier says, and the percent off each means (9折 = 10 % off). */
const ZHE: Array<{ zhe: string; off: string }> = [
  { zhe: '9.5', off: '5' },
  { zhe: '9', off: '10' },
  { zhe: '8.8', off: '12' },
  { zhe: '8', off: '20' },
];

export function DiscountModal(props: { order: Order; onDone: (o: Order) => void; onClose: () => void }) {
  const o = props.order;
  const [amount, setAmount] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  const apply = async (discount: { kind: 'none' } | { kind: 'moling' } | { kind: 'amount'; amount: string } | { kind: 'percent'; percent: string }) => {
    setBusy(true);
    setError(null);
    try {
      const order = await callApproved('sale_discount', { client_ref: o.client_ref, discount });
      props.onDone(order);
    } catch (e) {
      setError(errorText(e));
    } finally {
      setBusy(false);
    }
  };

  const submitAmount = () => {
    const fen = tryParseFen(amount);
    if (fen == null) return setError(t('discount.badAmount'));
    void apply({ kind: 'amount', amount: fenToString(fen) });
  };

  return (
    <Modal title={t('discount.title')} onClose={busy ? undefined : props.onClose} testId="discount-modal">
      <div class="pay-grid">
        <div class="pay-figure">
          <span class="label">{t('cashier.total')}</span>
          <span class="big-money" data-testid="discount-total">{formatMoney(o.total)}</span>
          <span class="muted small">{o.local_number}</span>
        </div>
        <div class="pay-figure">
          <span class="label">{t('cash.due')}</span>
          <span class="big-money money-change" data-testid="discount-due">{formatMoney(o.due)}</span>
          {o.discount_kind && (
            <span class="muted small">
              {t(o.discount_kind === 'moling' ? 'discount.moling' : 'discount.amount')} -{formatMoney(o.discount)}
            </span>
          )}
        </div>
      </div>
      <div class="quick-tenders">
        <button type="button" class="btn btn-big quick" disabled={busy} onClick={() => void apply({ kind: 'moling' })} data-testid="discount-moling">
          {t('discount.moling')}
        </button>
        {ZHE.map((z) => (
          <button key={z.zhe} type="button" class="btn btn-big quick" disabled={busy} onClick={() => void apply({ kind: 'percent', percent: z.off })} data-testid={`discount-zhe-${z.zhe}`}>
            {/* Chinese names a discount by what is paid (8折: 80 %), English by what is taken off. */}
            {t('discount.zhe', { rate: langStore.get() === 'zh' ? z.zhe : z.off })}
          </button>
        ))}
      </div>
      <label class="field">
        <span class="label">{t('discount.amountOff')}</span>
        <div class="discount-amount-row">
          <input
            class="input input-big grow"
            type="text"
            inputMode="decimal"
            autoComplete="off"
            data-autofocus
            data-testid="discount-amount"
            value={amount}
            onInput={(e) => {
              setAmount(e.currentTarget.value.replace(/[^\d.]/g, ''));
              setError(null);
            }}
            onKeyDown={(e) => {
              if (e.key === 'Enter') {
                e.preventDefault();
                submitAmount();
              }
            }}
          />
          <button type="button" class="btn btn-primary btn-big" disabled={busy || amount === ''} onClick={submitAmount} data-testid="discount-amount-submit">
            {t('discount.apply')}
          </button>
        </div>
      </label>
      <p class="muted small">{t('discount.help')}</p>
      <div class="form-error" role="alert" data-testid="discount-error">
        {error ?? ''}
      </div>
      <div class="action-row">
        {o.discount_kind && (
          <button type="button" class="btn btn-big" disabled={busy} onClick={() => void apply({ kind: 'none' })} data-testid="discount-remove">
            {t('discount.remove')}
          </button>
        )}
        <span class="grow" />
        <button type="button" class="btn btn-big btn-ghost" disabled={busy} onClick={props.onClose}>
          {t('common.close')}
        </button>
      </div>
    </Modal>
  );
}
