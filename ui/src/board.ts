import type { Order, Status } from './backend/contract.gen';

export type BoardColumn = 'new' | 'pick' | 'deliver' | 'delivering' | 'done';
export const BOARD_COLUMNS: BoardColumn[] = ['new', 'pick', 'deliver', 'delivering', 'done'];

export const ACTIVE_STATUSES: Status[] = [
  'PAID_CONFIRM_PENDING',
  'CONFIRMED_PICK_PENDING',
  'CONFIRMED_DELIVER_PENDING',
  'DELIVERING',
  'DELIVERED_CONFIRM_PENDING',
];

/** Which board column an online order's status belongs to (display only, not a rule). */
export function boardColumn(status: string): BoardColumn {
  switch (status) {
    case 'PAID_CONFIRM_PENDING':
      return 'new';
    case 'CONFIRMED_PICK_PENDING':
      return 'pick';
    case 'CONFIRMED_DELIVER_PENDING':
      return 'deliver';
    case 'DELIVERING':
    case 'DELIVERED_CONFIRM_PENDING':
      return 'delivering';
    default:
      return 'done';
  }
}

export function groupBoard(orders: Order[]): Record<BoardColumn, Order[]> {
  const out: Record<BoardColumn, Order[]> = { new: [], pick: [], deliver: [], delivering: [], done: [] };
  const seen = new Set<string>();
  for (const o of orders) {
    if (o.channel === 'COUNTER' || seen.has(o.client_ref)) continue;
    seen.add(o.client_ref);
    out[boardColumn(o.status)].push(o);
  }
  return out;
}

/**
 * client_refs of "new" orders not seen in the previous snapshot. The first snapshot
 * (prev === null) announces nothing.
 */
export function newArrivals(prev: Set<string> | null, orders: Order[]): string[] {
  if (prev === null) return [];
  return orders.filter((o) => o.channel !== 'COUNTER' && boardColumn(o.status) === 'new' && !prev.has(o.client_ref)).map((o) => o.client_ref);
}

/** Paid online orders waiting to be accepted (the top bar's count), oldest first. */
export function waitingOnline(orders: Order[]): Order[] {
  return orders
    .filter((o) => o.channel !== 'COUNTER' && o.status === 'PAID_CONFIRM_PENDING')
    .sort((a, b) => (a.created_at < b.created_at ? -1 : a.created_at > b.created_at ? 1 : 0));
}

/**
 * The order a pickup code names: the customer shows the platform's order number (as a
 * barcode, a QR code, or read out), or the short W- number. Exact matches only (a prefix of
 * some other order's number must not pick the wrong bag); case and spaces are ignored.
 * Open orders win over finished ones when a number is shared (W- numbers restart daily).
 */
export function matchPickup(orders: Order[], code: string): Order | undefined {
  const norm = (s: string | null | undefined) => (s ?? '').replace(/\s+/g, '').toUpperCase();
  const want = norm(code);
  if (!want) return undefined;
  const hits = orders.filter((o) => norm(o.order_number) === want || norm(o.local_number) === want || o.client_ref === code.trim());
  return hits.find((o) => boardColumn(o.status) !== 'done') ?? hits[0];
}
