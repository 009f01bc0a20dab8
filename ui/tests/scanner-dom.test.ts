import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { installScanner } from '../src/scanner-dom';

let input: HTMLInputElement;
let uninstall: () => void;
let scans: string[];
let pageKeys: string[];

function key(k: string) {
  const target = document.activeElement ?? document.body;
  const ev = new KeyboardEvent('keydown', { key: k, bubbles: true, cancelable: true });
  const notCancelled = target.dispatchEvent(ev);
  // emulate the browser's default action for printable keys in a text field
  if (notCancelled && k.length === 1 && target === input) {
    input.value += k;
    input.dispatchEvent(new InputEvent('input', { bubbles: true, data: k }));
  }
}

beforeEach(() => {
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'performance', 'Date'] });
  document.body.innerHTML = '<input id="f" type="text" />';
  input = document.getElementById('f') as HTMLInputElement;
  scans = [];
  pageKeys = [];
  window.addEventListener('keydown', onPageKey);
  uninstall = installScanner((c) => scans.push(c));
});
afterEach(() => {
  uninstall();
  window.removeEventListener('keydown', onPageKey);
  vi.useRealTimers();
});
function onPageKey(e: KeyboardEvent) {
  pageKeys.push(e.key);
}

describe('scanner DOM glue', () => {
  it('a fast burst in a focused field becomes a scan and leaves the field untouched', () => {
    input.focus();
    input.value = 'ab';
    for (const ch of '6921168509256') {
      key(ch);
      vi.advanceTimersByTime(10);
    }
    key('Enter');
    vi.advanceTimersByTime(200);
    expect(scans).toEqual(['6921168509256']);
    expect(input.value).toBe('ab');
    expect(pageKeys).toEqual([]); // page handlers never saw the burst
  });

  it('slow typing reaches the field unchanged', () => {
    input.focus();
    for (const ch of 'nfsq') {
      key(ch);
      vi.advanceTimersByTime(150);
    }
    expect(input.value).toBe('nfsq');
    expect(scans).toEqual([]);
  });

  it('keys without a focused field are re-dispatched to page handlers', () => {
    (document.activeElement as HTMLElement | null)?.blur();
    key('7');
    vi.advanceTimersByTime(150); // held at most maxSingleGapMs (100 ms) + 5
    expect(pageKeys).toEqual(['7']);
  });
});
