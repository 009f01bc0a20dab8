// 会员 and 发票: the customer's phone (and name) travel with the sale as its `contact`; an
// invoice title asks for an invoice. The phone is checked as a mainland mobile number here
// for a quick hint; the backend checks it again (the rule is its own).

import type { ComponentChildren } from 'preact';
import { useState } from 'preact/hooks';
import { t } from '../app-state';
import type { Cart, CartAction } from '../cart';

/** 11 digits starting 1[3-9]: a mainland mobile number (the hint only; sale_create decides). */
export function looksLikeMobile(p: string): boolean {
  return /^1[3-9]\d{9}$/.test(p);
}

/** The order's remark (children) with the 会员 / 发票 toggle beside it, then the fields. */
export function CustomerFields(props: { cart: Cart; dispatch: (a: CartAction) => void; children?: ComponentChildren }) {
  const c = props.cart;
  const [open, setOpen] = useState(Boolean(c.member_phone || c.invoice_title));
  const phone = c.member_phone ?? '';
  const bad = phone !== '' && !looksLikeMobile(phone);
  const head = (
    <div class="remark-row">
      {props.children}
      <button type="button" class={`btn btn-small ${open ? 'btn-accent' : 'btn-ghost'}`} onClick={() => setOpen(!open)} data-testid="customer-open" aria-expanded={open}>
        {t('member.add')}
      </button>
    </div>
  );
  if (!open) return head;
  return (
    <>
    {head}
    <div class="customer-fields" data-testid="customer-fields">
      <input
        class={`input ${bad ? 'input-bad' : ''}`}
        type="tel"
        inputMode="numeric"
        placeholder={t('member.phone')}
        aria-label={t('member.phone')}
        aria-invalid={bad}
        value={phone}
        data-testid="member-phone"
        onInput={(e) => props.dispatch({ type: 'set_customer', member_phone: e.currentTarget.value })}
      />
      <input
        class="input"
        type="text"
        placeholder={t('member.name')}
        aria-label={t('member.name')}
        value={c.member_name ?? ''}
        data-testid="member-name"
        onInput={(e) => props.dispatch({ type: 'set_customer', member_name: e.currentTarget.value })}
      />
      <input
        class="input wide"
        type="text"
        placeholder={t('invoice.title')}
        aria-label={t('invoice.title')}
        value={c.invoice_title ?? ''}
        data-testid="invoice-title"
        onInput={(e) => props.dispatch({ type: 'set_customer', invoice_title: e.currentTarget.value })}
      />
      {bad && (
        <div class="form-error wide" role="alert" data-testid="member-phone-error">
          {t('member.phoneInvalid')}
        </div>
      )}
    </div>
    </>
  );
}
