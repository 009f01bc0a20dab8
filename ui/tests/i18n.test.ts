import { describe, expect, it } from 'vitest';
import { ORDER_STATUSES } from '../src/backend/types';
import { format, messages, translate } from '../src/i18n';
import { en } from '../src/i18n/en';
import { zh } from '../src/i18n/zh';

const placeholders = (s: string) => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();

describe('i18n', () => {
  it('every key is present and non-empty in both languages', () => {
    const zk = Object.keys(zh).sort();
    const ek = Object.keys(en).sort();
    expect(ek).toEqual(zk);
    for (const k of zk) {
      expect((zh as Record<string, string>)[k].trim(), `zh ${k}`).not.toBe('');
      expect((en as Record<string, string>)[k].trim(), `en ${k}`).not.toBe('');
    }
  });

  it('placeholders match between languages', () => {
    for (const k of Object.keys(zh) as (keyof typeof zh)[]) {
      expect(placeholders(en[k]), k).toEqual(placeholders(zh[k]));
    }
  });

  it('has the Chinese status names for every order status', () => {
    const expected: Record<string, string> = {
      CREATED_PAY_PENDING: '待支付', CLOSED_PAY_TIMEOUT: '支付超时关闭', CLOSED_CANCELED: '已取消',
      PAID_CONFIRM_PENDING: '已支付(待处理)', CONFIRMED_DELIVER_PENDING: '待发货', DELIVERING: '配送中',
      DELIVERED_CONFIRM_PENDING: '已发货', CANCELED_RETURN_PENDING: '待退货', CLOSED_CONFIRMED: '已完成',
      CANCELED_REFUND_PENDING: '待退款', CLOSED_REFUNDED: '已退款', CONFIRMED_PICK_PENDING: '待取货',
    };
    for (const s of ORDER_STATUSES) {
      expect((messages.zh as Record<string, string>)[`status.${s}`]).toBe(expected[s]);
      expect((messages.en as Record<string, string>)[`status.${s}`]).toBeTruthy();
    }
  });

  it('formats placeholders', () => {
    expect(format('共 {n} 单', { n: 3 })).toBe('共 3 单');
    expect(format('{a}{b}{a}', { a: 'x' })).toBe('x{b}x');
    expect(translate('en', 'cashier.items', { n: 2 })).toBe('2 item(s)');
    expect(translate('zh', 'cashier.items', { n: 2 })).toBe('2 件');
  });
});
