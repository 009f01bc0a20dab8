import { describe, expect, it } from 'vitest';
import { countedTotalFen, countedTotalString, denominationFen, emptyCounted, parseCount } from '../src/shift';

describe('shift denominations', () => {
  it('values each denomination in fen', () => {
    expect(['100', '50', '20', '10', '5', '1', '0.5', '0.1'].map((d) => denominationFen(d as never))).toEqual([
      10000, 5000, 2000, 1000, 500, 100, 50, 10,
    ]);
  });

  it('totals counted cash exactly', () => {
    const c = { ...emptyCounted(), '100': 3, '50': 1, '20': 2, '1': 7, '0.5': 3, '0.1': 7 };
    // 300 + 50 + 40 + 7 + 1.5 + 0.7 = 399.20
    expect(countedTotalFen(c)).toBe(39920);
    expect(countedTotalString(c)).toBe('399.20');
    expect(countedTotalString(emptyCounted())).toBe('0.00');
    // 0.1 × 3 is 0.30, not 0.30000000000000004
    expect(countedTotalString({ '0.1': 3 })).toBe('0.30');
  });

  it('rejects bad counts and parses typed counts', () => {
    expect(() => countedTotalFen({ '1': -1 })).toThrow();
    expect(() => countedTotalFen({ '1': 1.5 })).toThrow();
    expect(parseCount('12')).toBe(12);
    expect(parseCount(' 3 ')).toBe(3);
    expect(parseCount('-2')).toBe(0);
    expect(parseCount('2.5')).toBe(0);
    expect(parseCount('abc')).toBe(0);
    expect(parseCount('')).toBe(0);
  });
});
