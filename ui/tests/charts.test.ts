import { describe, expect, it } from 'vitest';
import { barLayout, donutSegments, niceMax, ticks } from '../src/charts/scale';

describe('chart scaling', () => {
  it('rounds the maximum up to a nice number', () => {
    expect(niceMax(0)).toBe(1);
    expect(niceMax(-5)).toBe(1);
    expect(niceMax(1)).toBe(1);
    expect(niceMax(7)).toBe(10);
    expect(niceMax(12)).toBe(20);
    expect(niceMax(23)).toBe(25);
    expect(niceMax(40)).toBe(50);
    expect(niceMax(100)).toBe(100);
    expect(niceMax(101)).toBe(200);
    expect(niceMax(123456)).toBe(200000);
    expect(niceMax(0.3)).toBeCloseTo(0.5);
    expect(ticks(100, 4)).toEqual([0, 25, 50, 75, 100]);
  });

  it('lays bars out inside the box, proportional to the values', () => {
    const { bars, max } = barLayout([0, 50, 100, 25], { width: 400, height: 200, gap: 0.5 });
    expect(max).toBe(100);
    expect(bars.map((b) => b.height)).toEqual([0, 100, 200, 50]);
    expect(bars.map((b) => b.y)).toEqual([200, 100, 0, 150]);
    expect(bars.map((b) => b.x)).toEqual([25, 125, 225, 325]);
    for (const b of bars) {
      expect(b.width).toBe(50);
      expect(b.x + b.width).toBeLessThanOrEqual(400);
    }
  });

  it('handles all-zero data, negatives and a fixed max', () => {
    const zero = barLayout(new Array(24).fill(0), { width: 480, height: 100 });
    expect(zero.max).toBe(1);
    expect(zero.bars.every((b) => b.height === 0 && b.y === 100)).toBe(true);
    expect(zero.bars).toHaveLength(24);
    const neg = barLayout([-5, 10], { width: 100, height: 100 });
    expect(neg.bars[0].height).toBe(0);
    const capped = barLayout([300], { width: 10, height: 100, max: 100 });
    expect(capped.bars[0].height).toBe(100);
  });

  it('splits a donut by fractions', () => {
    const segs = donutSegments([3, 1, 0], 50, 50, 40, 25);
    expect(segs).toHaveLength(2);
    expect(segs[0].fraction).toBeCloseTo(0.75);
    expect(segs[0].endAngle).toBeCloseTo(1.5 * Math.PI);
    expect(segs[1].startAngle).toBeCloseTo(1.5 * Math.PI);
    expect(segs[1].endAngle).toBeCloseTo(2 * Math.PI);
    expect(segs[0].path.startsWith('M50 10A40 40 0 1 1 10 50')).toBe(true);
    expect(donutSegments([0, 0], 50, 50, 40, 25)).toEqual([]);
    const full = donutSegments([5], 50, 50, 40, 25);
    expect(full).toHaveLength(1);
    expect(full[0].path).toContain(' 1 1 '); // large arc
  });
});
