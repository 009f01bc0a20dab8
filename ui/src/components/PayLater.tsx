// Paying an unpaid counter sale later (今日订单 and its detail): cash or WeChat, through the
// same dialogs as the cashier's screen. A sale this screen was waiting on is settled there too.

import { useState } from 'preact/hooks';
import { t } from '../app-state';
import type { Order } from '../backend/contract.gen';
import { settlePending } from '../drafts';
import { CashModal, PaidModal, WechatModal, type PaidResult } from '../screens/Payment';

export function canPayLater(o: Order): boolean {
  return o.channel === 'COUNTER' && o.status === 'CREATED_PAY_PENDING' && !o.conflict;
}

export function PayLaterButtons(props: { order: Order; onPaid: (o: Order) => void }) {
  const [mode, setMode] = useState<null | 'cash' | 'wechat'>(null);
  const [paid, setPaid] = useState<PaidResult | null>(null);
  if (!canPayLater(props.order) && !paid) return null;
  const done = (r: PaidResult) => {
    setMode(null);
    setPaid(r);
    settlePending(r.order);
    props.onPaid(r.order);
  };
  return (
    <>
      {canPayLater(props.order) && (
        <>
          <button type="button" class="btn btn-primary" onClick={() => setMode('cash')} data-testid="paylater-cash">
            {t('cashier.payCash')}
          </button>
          <button type="button" class="btn btn-wechat" onClick={() => setMode('wechat')} data-testid="paylater-wechat">
            {t('cashier.payWechat')}
          </button>
        </>
      )}
      {mode === 'cash' && <CashModal order={props.order} onPaid={done} onClose={() => setMode(null)} />}
      {mode === 'wechat' && <WechatModal order={props.order} onPaid={done} onClose={() => setMode(null)} onUseCash={() => setMode('cash')} />}
      {paid && <PaidModal result={paid} onNext={() => setPaid(null)} />}
    </>
  );
}
