import { describe, expect, it } from 'vitest';
import { createStore, storeSubscriptions } from '../src/store';

// The count scripts/desktop-mem.sh reads to tell a listener leak from WebKit's own growth:
// it must follow subscribe/unsubscribe exactly, whatever order and however often.
describe('store subscriptions count', () => {
  it('goes up on subscribe and back down on unsubscribe, once per subscription', () => {
    const base = storeSubscriptions();
    const a = createStore(0);
    const b = createStore('x');
    const fn = () => undefined;
    const offA = a.subscribe(fn);
    const offA2 = a.subscribe(fn); // the same function again: one subscription
    const offB = b.subscribe(() => undefined);
    expect(storeSubscriptions()).toBe(base + 2);
    offA();
    offA2(); // already gone: not counted twice
    expect(storeSubscriptions()).toBe(base + 1);
    offB();
    offB();
    expect(storeSubscriptions()).toBe(base);
  });

  it('a subscriber still hears changes until it unsubscribes', () => {
    const s = createStore(1);
    let heard = 0;
    const off = s.subscribe(() => heard++);
    s.set(2);
    s.set(2); // unchanged: nobody is told
    off();
    s.set(3);
    expect(heard).toBe(1);
  });
});
