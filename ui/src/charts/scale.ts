// Pure geometry for the hand-written SVG charts.

/** Smallest "nice" number (1, 2, 2.5, 5 × 10^k) >= v; 0 → 1. */
export function niceMax(v: number): number {
  if (!(v > 0) || !Number.isFinite(v)) return 1;
  const exp = Math.floor(Math.log10(v));
  const base = 10 ** exp;
  for (const m of [1, 2, 2.5, 5, 10]) {
    const candidate = m * base;
    if (candidate >= v - 1e-9 * base) return candidate;
  }
  return 10 * base;
}

/** Evenly spaced ticks 0..max (inclusive), `count` intervals. */
export function ticks(max: number, count = 4): number[] {
  return Array.from({ length: count + 1 }, (_, i) => (max * i) / count);
}

export interface BarRect {
  index: number;
  x: number;
  y: number;
  width: number;
  height: number;
  value: number;
}

export interface BarLayoutOptions {
  width: number;
  height: number;
  /** Fraction of each slot left as a gap, 0..1 (default 0.25). */
  gap?: number;
  /** Scale maximum; default niceMax(max(values)). */
  max?: number;
}

/** Vertical bars filling a width × height box; y grows downwards (SVG). */
export function barLayout(values: number[], opts: BarLayoutOptions): { bars: BarRect[]; max: number } {
  const max = opts.max ?? niceMax(Math.max(0, ...values));
  const n = Math.max(1, values.length);
  const slot = opts.width / n;
  const gap = Math.min(0.9, Math.max(0, opts.gap ?? 0.25));
  const width = slot * (1 - gap);
  const bars = values.map((value, index) => {
    const v = Math.max(0, value);
    const h = max > 0 ? Math.min(opts.height, (v / max) * opts.height) : 0;
    return { index, x: index * slot + (slot - width) / 2, y: opts.height - h, width, height: h, value };
  });
  return { bars, max };
}

export interface DonutSegment {
  index: number;
  value: number;
  fraction: number;
  startAngle: number;
  endAngle: number;
  /** SVG path `d` for the ring segment. */
  path: string;
}

const round = (n: number) => Math.round(n * 1000) / 1000;

function polar(cx: number, cy: number, r: number, angle: number): [number, number] {
  // angle 0 at 12 o'clock, clockwise
  return [round(cx + r * Math.sin(angle)), round(cy - r * Math.cos(angle))];
}

/** Ring segments for non-negative values; zero total → no segments. */
export function donutSegments(values: number[], cx: number, cy: number, r: number, inner: number): DonutSegment[] {
  const total = values.reduce((a, v) => a + Math.max(0, v), 0);
  if (total <= 0) return [];
  const out: DonutSegment[] = [];
  let angle = 0;
  values.forEach((raw, index) => {
    const value = Math.max(0, raw);
    if (value === 0) return;
    const fraction = value / total;
    const start = angle;
    // A full circle can't be drawn with one arc: stop just short of it.
    const end = fraction >= 1 ? start + 2 * Math.PI - 1e-4 : start + fraction * 2 * Math.PI;
    angle = start + fraction * 2 * Math.PI;
    const large = end - start > Math.PI ? 1 : 0;
    const [x1, y1] = polar(cx, cy, r, start);
    const [x2, y2] = polar(cx, cy, r, end);
    const [x3, y3] = polar(cx, cy, inner, end);
    const [x4, y4] = polar(cx, cy, inner, start);
    const path = `M${x1} ${y1}A${r} ${r} 0 ${large} 1 ${x2} ${y2}L${x3} ${y3}A${inner} ${inner} 0 ${large} 0 ${x4} ${y4}Z`;
    out.push({ index, value, fraction, startAngle: start, endAngle: end, path });
  });
  return out;
}
