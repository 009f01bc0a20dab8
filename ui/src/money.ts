// Money in the UI is integer fen (1 yuan = 100 fen). Decimal strings from the backend are
// parsed exactly, never through floating point.

const MONEY_RE = /^\s*([+-])?(\d+)(?:\.(\d{0,2}))?\s*$/;

/** Parse "12.50" / "12.5" / "12" / "-3.50" / "0.1" to fen. Throws on anything else. */
export function parseFen(s: string | number): number {
  if (typeof s === 'number') {
    if (Number.isInteger(s)) return s * 100;
    throw new Error(`money must be a decimal string, got number ${s}`);
  }
  const m = MONEY_RE.exec(s);
  if (!m) throw new Error(`not a money amount: ${JSON.stringify(s)}`);
  const [, sign, whole, frac = ''] = m;
  const fen = Number(whole) * 100 + Number((frac + '00').slice(0, 2));
  if (!Number.isSafeInteger(fen)) throw new Error(`money amount too large: ${s}`);
  return sign === '-' ? -fen : fen;
}

/** Like parseFen, but returns null for empty / invalid input (for form fields). */
export function tryParseFen(s: string | null | undefined): number | null {
  if (s == null || s.trim() === '') return null;
  try {
    return parseFen(s);
  } catch {
    return null;
  }
}

/** 1250 → "12.50", -350 → "-3.50". The wire format. */
export function fenToString(fen: number): string {
  if (!Number.isSafeInteger(fen)) throw new Error(`fen must be an integer, got ${fen}`);
  const neg = fen < 0;
  const abs = Math.abs(fen);
  const yuan = Math.floor(abs / 100);
  const cents = abs % 100;
  return `${neg ? '-' : ''}${yuan}.${cents < 10 ? '0' : ''}${cents}`;
}

/** 1250 → "￥12.50", -350 → "-￥3.50". For display. */
export function formatFen(fen: number): string {
  const s = fenToString(fen);
  return s.startsWith('-') ? `-￥${s.slice(1)}` : `￥${s}`;
}

/** "12.5" → "￥12.50"; null/invalid → "—". */
export function formatMoney(s: string | null | undefined): string {
  if (s == null) return '—';
  try {
    return formatFen(parseFen(s));
  } catch {
    return String(s);
  }
}

/** Sum of decimal strings, in fen. */
export function sumFen(values: Array<string | number>): number {
  return values.reduce<number>((acc, v) => acc + (typeof v === 'number' ? v : parseFen(v)), 0);
}

/** unit price × integer quantity, in fen. */
export function lineFen(unitPrice: string, quantity: number): number {
  if (!Number.isInteger(quantity)) throw new Error(`quantity must be an integer, got ${quantity}`);
  return parseFen(unitPrice) * quantity;
}
