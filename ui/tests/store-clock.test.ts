import { afterEach, describe, expect, it } from 'vitest';
import { dateTimeOf, setStoreClock, timeOf } from '../src/app-state';

describe('store clock', () => {
  afterEach(() => setStoreClock(undefined));

  it('shows times in the store time zone, not the device one', () => {
    setStoreClock('Asia/Shanghai');
    // 13:46 UTC is 21:46 in Shanghai.
    expect(timeOf('2026-11-23T13:46:00.000Z')).toBe('21:46');
    expect(dateTimeOf('2026-11-23T16:30:00.000Z')).toBe('2026-11-24 00:30');
  });


  it('survives an unknown zone name', () => {
    setStoreClock('Mars/Olympus');
    expect(timeOf('2026-11-23T13:46:00.000Z')).toMatch(/^\d\d:\d\d$/);
  });
});
