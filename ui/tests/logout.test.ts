import { describe, expect, it } from 'vitest';
import { createTokenStore } from '../src/backend/session';

describe('logging out', () => {
  it('forgets the stored token at once but can still send it for the logout call', () => {
    sessionStorage.clear();
    const a = createTokenStore('');
    a.setSession('tok-1');
    expect(sessionStorage.getItem('storepos.session')).toBe('tok-1');
    a.forgetStored?.();
    // A reload now (a fresh store reading storage) finds no session to restore…
    expect(createTokenStore('').session()).toBeNull();
    // …while the page that is logging out still holds the token for its logout call.
    expect(a.session()).toBe('tok-1');
  });
});
