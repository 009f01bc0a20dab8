// A counter sale's customer: the member the cashier entered, whether the platform matched
// them (read back after sync), the invoice title; and, when the platform's member services
// keep failing, the choice to send the sale without the member (with the customer's consent).

import { useEffect, useState } from 'preact/hooks';
import { call, onBackendEvent, reportError, t, toast } from '../app-state';
import type { SaleCustomer } from '../backend/contract.gen';
import { confirmDialog } from './common';

export function maskPhone(p: string): string {
  return p.length === 11 ? `${p.slice(0, 3)}****${p.slice(7)}` : p;
}

export function MemberPanel(props: { clientRef: string }) {
  const [c, setC] = useState<SaleCustomer | null>(null);
  useEffect(() => {
    let alive = true;
    const load = () =>
      call('sale_customer_get', { client_ref: props.clientRef }).then(
        (v) => alive && setC(v),
        () => undefined,
      );
    void load();
    const off = onBackendEvent((e) => {
      if ((e.type === 'order_changed' && e.client_ref === props.clientRef) || e.type === 'sync') void load();
    });
    const id = setInterval(load, 5000);
    return () => {
      alive = false;
      off();
      clearInterval(id);
    };
  }, [props.clientRef]);
  if (!c) return null;
  const drop = async () => {
    if (!(await confirmDialog(t('member.dropConfirm'), true, { ok: t('member.drop'), back: t('common.back') }))) return;
    try {
      setC(await call('sale_member_drop', { client_ref: props.clientRef }));
      toast(t('member.dropped'), 'success');
    } catch (e) {
      reportError(e);
    }
  };
  return (
    <div class="member-panel" data-testid="member-panel" data-state={c.member_state}>
      {c.member_phone && (
        <div class="member-line">
          <span class="label">{t('member.customer')}</span>
          <span class="mono">{maskPhone(c.member_phone)}</span>
          {c.member_name && <span>{c.member_name}</span>}
          <span class={`pill pill-${c.member_state === 'matched' ? 'ok' : c.member_state === 'pending' ? 'info' : 'muted'}`} data-testid="member-state">
            {t(`member.state.${c.member_state}` as 'member.state.pending')}
          </span>
        </div>
      )}
      {c.invoice_title && (
        <div class="member-line">
          <span class="label">{t('invoice.label')}</span>
          <span data-testid="invoice-title-shown">{c.invoice_title}</span>
        </div>
      )}
      {c.member_trouble && (
        <div class="banner banner-error member-trouble" data-testid="member-trouble">
          <span class="grow small">{t('member.trouble')}</span>
          <button type="button" class="btn btn-danger" onClick={() => void drop()} data-testid="member-drop">
            {t('member.drop')}
          </button>
        </div>
      )}
    </div>
  );
}
