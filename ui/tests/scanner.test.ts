import { describe, expect, it } from 'vitest';
import { createScanner, type ScanDecision } from '../src/scanner';

/** Feed a string as keys starting at t0 with a fixed gap; returns all decisions. */
function type(s: ReturnType<typeof createScanner>, text: string, t0: number, gap: number): ScanDecision[] {
  return [...text].map((ch, i) => s.key({ key: ch, time: t0 + i * gap }));
}

/** Collect what ends up "typed" (flushes) and what is scanned. */
function collect(ds: ScanDecision[]) {
  return {
    typed: ds.map((d) => d.flush ?? '').join(''),
    scans: ds.filter((d) => d.scan).map((d) => d.scan),
  };
}

describe('scanner burst classifier', () => {
  it('a fast burst ending in Enter is a scan and nothing leaks', () => {
    const s = createScanner();
    const ds = type(s, '6901234567892', 1000, 20);
    expect(ds.every((d) => d.prevent && !d.flush)).toBe(true);
    const end = s.key({ key: 'Enter', time: 1000 + 13 * 20 });
    expect(end).toEqual({ prevent: true, scan: '6901234567892' });
    expect(s.pending()).toBe('');
    expect(s.tick(5000)).toBeUndefined();
  });

  it('accepts the minimum length (6) at the maximum gap (50 ms)', () => {
    const s = createScanner();
    type(s, '123456', 0, 50);
    expect(s.key({ key: 'Enter', time: 300 }).scan).toBe('123456');
  });

  it('a 5-character fast burst + Enter is not a scan: text replayed, Enter goes through', () => {
    const s = createScanner();
    type(s, '12345', 0, 10);
    const end = s.key({ key: 'Enter', time: 50 });
    expect(end).toEqual({ prevent: false, flush: '12345' });
  });

  it('slow human typing is replayed unchanged, in order', () => {
    const s = createScanner();
    const out: string[] = [];
    let t = 0;
    for (const ch of 'nfsq') {
      const d = s.key({ key: ch, time: t });
      if (d.flush) out.push(d.flush);
      const ticked = s.tick(t + 120);
      if (ticked) out.push(ticked);
      t += 180;
    }
    expect(out.join('')).toBe('nfsq');
    const enter = s.key({ key: 'Enter', time: t });
    expect(enter).toEqual({ prevent: false });
  });

  it('slow typing without timer ticks: each slow key flushes the previous one', () => {
    const s = createScanner();
    const ds = type(s, 'abc', 0, 200);
    expect(ds.map((d) => d.flush ?? '')).toEqual(['', 'a', 'b']);
    expect(s.key({ key: 'Enter', time: 600 })).toEqual({ prevent: false, flush: 'c' });
  });

  it('a burst interrupted by a pause is typing, not a scan', () => {
    const s = createScanner();
    type(s, '6901', 0, 15);
    // 300 ms pause, then the rest arrives fast and ends in Enter
    const rest = type(s, '234567', 345, 15);
    expect(rest[0].flush).toBe('6901'); // the first part was typed
    const end = s.key({ key: 'Enter', time: 345 + 5 * 15 + 10 });
    expect(end.scan).toBe('234567'); // the second part alone is long enough
    const s2 = createScanner();
    type(s2, '690123', 0, 15);
    expect(s2.key({ key: 'Enter', time: 400 })).toEqual({ prevent: false, flush: '690123' });
  });

  it('one late key (a loaded machine) does not split a fast scan', () => {
    const s = createScanner();
    type(s, '692013', 0, 8);
    type(s, '7000015', 5 * 8 + 85, 8); // an 85 ms hiccup in the middle
    expect(s.key({ key: 'Enter', time: 5 * 8 + 85 + 6 * 8 + 8 }).scan).toBe('6920137000015');
  });

  it('steady human-speed typing + Enter is never a scan, even with short gaps', () => {
    const s = createScanner();
    type(s, 'abcdefgh', 0, 70);
    expect(s.key({ key: 'Enter', time: 7 * 70 + 70 })).toEqual({ prevent: false, flush: 'abcdefgh' });
  });

  it('a timer tick during a burst does not split it', () => {
    const s = createScanner();
    type(s, '690123', 0, 20);
    expect(s.tick(110)).toBeUndefined(); // 10 ms after the last key
    type(s, '4567', 120, 20);
    expect(s.key({ key: 'Enter', time: 200 }).scan).toBe('6901234567');
  });

  it('a burst while a text field has focus never reaches the field', () => {
    // The classifier does not care about focus: every char of the burst is held
    // (prevent=true, no flush), so the focused field receives nothing.
    const s = createScanner();
    const typedIntoField: string[] = [];
    // human typed "ab" slowly first
    for (const [ch, time] of [['a', 0], ['b', 300]] as const) {
      const d = s.key({ key: ch, time });
      if (d.flush) typedIntoField.push(d.flush);
    }
    const f = s.tick(400);
    if (f) typedIntoField.push(f);
    const burst = type(s, '4006381333931', 1000, 8);
    for (const d of burst) if (d.flush) typedIntoField.push(d.flush);
    const end = s.key({ key: 'Enter', time: 1000 + 13 * 8 });
    expect(end.scan).toBe('4006381333931');
    expect(typedIntoField.join('')).toBe('ab');
  });

  it('two scans back to back', () => {
    const s = createScanner();
    type(s, '111111', 0, 10);
    const a = s.key({ key: 'Enter', time: 60 });
    type(s, '222222', 75, 10); // the next scan starts 15 ms after the first Enter
    const b = s.key({ key: 'Enter', time: 135 });
    expect([a.scan, b.scan]).toEqual(['111111', '222222']);
    const { typed } = collect([a, b]);
    expect(typed).toBe('');
  });

  it('modifier shortcuts and navigation keys end a burst and pass through', () => {
    const s = createScanner();
    type(s, 'ab', 0, 10);
    const d = s.key({ key: 'v', time: 20, ctrlKey: true });
    expect(d).toEqual({ prevent: false, flush: 'ab' });
    expect(s.key({ key: 'Backspace', time: 500 })).toEqual({ prevent: false });
  });

  it('Shift inside a burst (upper-case letters) does not break it', () => {
    const s = createScanner();
    const keys = ['A', 'B', 'C'];
    let t = 0;
    for (const k of keys) {
      s.key({ key: 'Shift', time: t });
      s.key({ key: k, time: t + 3 });
      t += 20;
    }
    type(s, '123', t, 20);
    expect(s.key({ key: 'Enter', time: t + 60 }).scan).toBe('ABC123');
  });

  it('IME composition keys are never held', () => {
    const s = createScanner();
    expect(s.key({ key: 'n', time: 0, isComposing: true })).toEqual({ prevent: false });
    expect(s.pending()).toBe('');
  });

  it('reset returns and drops held characters', () => {
    const s = createScanner();
    type(s, '12', 0, 5);
    expect(s.reset()).toBe('12');
    expect(s.pending()).toBe('');
  });

  it('honours custom thresholds', () => {
    const s = createScanner({ minLength: 8, maxGapMs: 30 });
    type(s, '1234567', 0, 10);
    expect(s.key({ key: 'Enter', time: 70 }).scan).toBeUndefined();
    type(s, '12345678', 1000, 35);
    expect(s.key({ key: 'Enter', time: 1000 + 7 * 35 + 10 }).scan).toBeUndefined();
  });
});
