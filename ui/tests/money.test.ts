import { describe, expect, it } from 'vitest';
import { fenToString, formatFen, formatMoney, lineFen, parseFen, sumFen, tryParseFen } from '../src/money';

describe('money in integer fen', () => {
  it('parses decimal strings exactly', () => {
    expect(parseFen('12.50')).toBe(1250);
    expect(parseFen('12.5')).toBe(1250);
    expect(parseFen('12')).toBe(1200);
    expect(parseFen('0.1')).toBe(10);
    expect(parseFen('0.01')).toBe(1);
    expect(parseFen('-3.50')).toBe(-350);
    expect(parseFen(' 7.05 ')).toBe(705);
    expect(parseFen('100.')).toBe(10000);
    expect(parseFen(8)).toBe(800);
  });

  it('rejects junk and sub-fen precision', () => {
    for (const bad of ['', 'abc', '1.234', '1,00', '￥1', '1e3', '--1', '.5']) {
      expect(() => parseFen(bad)).toThrow();
    }
    expect(() => parseFen(0.1)).toThrow();
    expect(tryParseFen('x')).toBeNull();
    expect(tryParseFen('')).toBeNull();
    expect(tryParseFen('3.3')).toBe(330);
  });

  it('avoids float errors (0.1 + 0.2)', () => {
    expect(sumFen(['0.1', '0.2'])).toBe(30);
    expect(fenToString(sumFen(['0.1', '0.2']))).toBe('0.30');
    expect(fenToString(lineFen('19.90', 3))).toBe('59.70');
    expect(fenToString(lineFen('0.07', 100))).toBe('7.00');
  });

  it('formats for the wire and for display', () => {
    expect(fenToString(1250)).toBe('12.50');
    expect(fenToString(5)).toBe('0.05');
    expect(fenToString(0)).toBe('0.00');
    expect(fenToString(-350)).toBe('-3.50');
    expect(formatFen(1250)).toBe('￥12.50');
    expect(formatFen(-350)).toBe('-￥3.50');
    expect(formatFen(123456789)).toBe('￥1234567.89');
    expect(formatMoney('3.5')).toBe('￥3.50');
    expect(formatMoney(null)).toBe('—');
    expect(() => fenToString(1.5)).toThrow();
  });

  it('rejects fractional quantities', () => {
    expect(() => lineFen('1.00', 1.5)).toThrow();
  });
});
