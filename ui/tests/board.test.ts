import { describe, expect, it } from 'vitest';
import type { Order } from '../src/backend/contract.gen';
import { boardColumn, groupBoard, matchPickup, newArrivals, waitingOnline } from '../src/board';
import { secondsLeft, svgDataUrl } from '../src/qr';

const o = (client_ref: string, status: string, channel: Order['channel'] = 'SELF_PICK'): Order =>
  ({ client_ref, status, channel, local_number: client_ref, allowed_actions: [] }) as unknown as Order;

describe('clerk board', () => {
  it('counts paid online orders waiting to be accepted, oldest first', () => {
    const at = (x: Order, created_at: string) => ({ ...x, created_at }) as Order;
    const w = waitingOnline([
      at(o('b', 'PAID_CONFIRM_PENDING', 'FLASH'), '2026-01-01T10:05:00Z'),
      at(o('a', 'PAID_CONFIRM_PENDING'), '2026-01-01T10:00:00Z'),
      at(o('c', 'CONFIRMED_PICK_PENDING'), '2026-01-01T09:00:00Z'),
      at(o('d', 'PAID_CONFIRM_PENDING', 'COUNTER'), '2026-01-01T09:00:00Z'),
    ]);
    expect(w.map((x) => x.client_ref)).toEqual(['a', 'b']);
  });

  it('maps statuses to columns', () => {
    expect(boardColumn('PAID_CONFIRM_PENDING')).toBe('new');
    expect(boardColumn('CONFIRMED_PICK_PENDING')).toBe('pick');
    expect(boardColumn('CONFIRMED_DELIVER_PENDING')).toBe('deliver');
    expect(boardColumn('DELIVERING')).toBe('delivering');
    expect(boardColumn('DELIVERED_CONFIRM_PENDING')).toBe('delivering');
    expect(boardColumn('CLOSED_CONFIRMED')).toBe('done');
    expect(boardColumn('CLOSED_REFUNDED')).toBe('done');
  });

  it('groups online orders only, without duplicates', () => {
    const g = groupBoard([o('a', 'PAID_CONFIRM_PENDING'), o('a', 'PAID_CONFIRM_PENDING'), o('b', 'DELIVERING', 'FLASH'), o('c', 'CLOSED_CONFIRMED', 'COUNTER')]);
    expect(g.new.map((x) => x.client_ref)).toEqual(['a']);
    expect(g.delivering.map((x) => x.client_ref)).toEqual(['b']);
    expect(g.done).toEqual([]);
  });

  it('announces only new arrivals, never on the first load', () => {
    const first = [o('a', 'PAID_CONFIRM_PENDING')];
    expect(newArrivals(null, first)).toEqual([]);
    const next = [o('a', 'PAID_CONFIRM_PENDING'), o('b', 'PAID_CONFIRM_PENDING', 'FLASH'), o('c', 'CONFIRMED_PICK_PENDING'), o('d', 'PAID_CONFIRM_PENDING', 'COUNTER')];
    expect(newArrivals(new Set(['a']), next)).toEqual(['b']);
  });
});

describe('WeChat QR helpers', () => {
  it('turns an svg string into a base64 data URL (UTF-8 safe)', () => {
    const svg = '<svg xmlns="http://www.w3.org/2000/svg"><title>微信</title></svg>';
    const url = svgDataUrl(svg);
    expect(url.startsWith('data:image/svg+xml;base64,')).toBe(true);
    const bytes = Uint8Array.from(atob(url.split(',')[1]), (c) => c.charCodeAt(0));
    expect(new TextDecoder().decode(bytes)).toBe(svg);
  });
  it('counts down to expires_at', () => {
    const now = Date.parse('2025-01-01T00:00:00Z');
    expect(secondsLeft('2025-01-01T00:01:30Z', now)).toBe(90);
    expect(secondsLeft('2025-01-01T00:00:00.200Z', now)).toBe(1);
    expect(secondsLeft('2024-12-31T23:59:00Z', now)).toBe(0);
    expect(secondsLeft('garbage', now)).toBe(0);
  });
});

describe('pickup code', () => {
  const mk = (client_ref: string, local_number: string, order_number: string | null, status: string) =>
    ({ client_ref, local_number, order_number, status, channel: 'SELF_PICK', allowed_actions: [] }) as unknown as Order;
  const orders = [
    mk('r1', 'W-0001', '2026120710000012', 'CLOSED_CONFIRMED'),
    mk('r2', 'W-0002', '2026120710000034', 'CONFIRMED_PICK_PENDING'),
    mk('r3', 'W-0003', null, 'PAID_CONFIRM_PENDING'),
  ];
  it('finds the order by its platform number or its W- number, exactly', () => {
    expect(matchPickup(orders, '2026120710000034')?.client_ref).toBe('r2');
    expect(matchPickup(orders, ' w-0003 ')?.client_ref).toBe('r3');
    expect(matchPickup(orders, '20261207100000')).toBeUndefined(); // a prefix is not a match
    expect(matchPickup(orders, '')).toBeUndefined();
    expect(matchPickup(orders, 'W-0009')).toBeUndefined();
  });
  it('prefers the open order when a number is shared', () => {
    const again = [...orders, mk('r4', 'W-0001', '2026120810000056', 'CONFIRMED_PICK_PENDING')];
    expect(matchPickup(again, 'W-0001')?.client_ref).toBe('r4');
  });
});
