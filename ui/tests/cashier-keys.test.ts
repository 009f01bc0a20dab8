import { describe, expect, it } from 'vitest';
import { CASHIER_KEYS, cashierKey } from '../src/cashier-keys';

describe('cashier shortcuts', () => {
  it('maps function keys to actions and nothing a scanner types', () => {
    expect(cashierKey({ key: 'F8' })).toBe('cash');
    expect(cashierKey({ key: 'F9' })).toBe('wechat');
    expect(cashierKey({ key: 'F4' })).toBe('hold');
    for (const k of ['0', '9', 'Enter', 'a', 'F5', 'F6', 'F11', 'F12']) expect(cashierKey({ key: k })).toBeNull();
    expect(cashierKey({ key: 'F8', ctrlKey: true })).toBeNull();
  });
  it('one key per action, every action has a key', () => {
    expect(new Set(CASHIER_KEYS.map((k) => k.key)).size).toBe(CASHIER_KEYS.length);
    expect(new Set(CASHIER_KEYS.map((k) => k.action))).toEqual(new Set(['search', 'quantity', 'hold', 'recall', 'cash', 'wechat', 'reprint']));
  });
});
