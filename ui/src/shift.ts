import { DENOMINATIONS, type Denomination } from './backend/types';
import { fenToString, parseFen } from './money';

export type Counted = Record<Denomination, number>;

export const emptyCounted = (): Counted =>
  Object.fromEntries(DENOMINATIONS.map((d) => [d, 0])) as Counted;

/** Value of one denomination in fen ("0.5" → 50). */
export const denominationFen = (d: Denomination): number => parseFen(d);

/** Parse a typed count; negative, fractional or junk input counts as 0. */
export function parseCount(s: string): number {
  const t = s.trim();
  if (!/^\d{1,6}$/.test(t)) return 0;
  return Number(t);
}

/** Total of the counted cash drawer, in fen. */
export function countedTotalFen(counted: Partial<Counted>): number {
  let total = 0;
  for (const d of DENOMINATIONS) {
    const n = counted[d] ?? 0;
    if (!Number.isInteger(n) || n < 0) throw new Error(`bad count for ${d}: ${n}`);
    total += denominationFen(d) * n;
  }
  return total;
}

export const countedTotalString = (counted: Partial<Counted>): string => fenToString(countedTotalFen(counted));
