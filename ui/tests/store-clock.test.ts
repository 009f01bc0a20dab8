import { afterEach, describe, expect, it } from 'vitest';
import { dateTimeOf, setStoreClock, timeOf, todayLocal } from '../src/app-state';

describe('store clock', () => {
  afterEach(() => setStoreClock(undefined, 0));

  it('shows times in the store time zone, not the device one', () => {
    setStoreClock('Asia/Shanghai', 0);
    // 13:46 UTC is 21:46 in Shanghai.
    expect(timeOf('2026-11-23T13:46:00.000Z')).toBe('21:46');
    expect(dateTimeOf('2026-11-23T16:30:00.000Z')).toBe('2026-11-24 00:30');
  });

  it('books the small hours to the day before with a cut-off', () => {
    setStoreClock('Asia/Shanghai', 4);
    // 03:59 on the 24th in Shanghai belongs to the 23rd; 04:00 starts the 24th.
    expect(todayLocal(new Date('2026-11-23T19:59:00Z'))).toBe('2026-11-23');
    expect(todayLocal(new Date('2026-11-23T20:00:00Z'))).toBe('2026-11-24');
  });

  it('survives an unknown zone name', () => {
    setStoreClock('Mars/Olympus', 0);
    expect(timeOf('2026-11-23T13:46:00.000Z')).toMatch(/^\d\d:\d\d$/);
  });
});
