// DOM glue for src/scanner.ts: a capture-phase keydown listener on window.

import { createScanner, singleGapMs, type ScannerOptions } from './scanner';

const synthetic = new WeakSet<Event>();

function isTextField(el: Element | null): el is HTMLInputElement | HTMLTextAreaElement {
  if (!el) return false;
  if (el instanceof HTMLTextAreaElement) return !el.readOnly && !el.disabled;
  if (el instanceof HTMLInputElement) {
    const t = el.type;
    return (t === 'text' || t === 'search' || t === 'tel' || t === 'number' || t === 'password' || t === '') && !el.readOnly && !el.disabled;
  }
  return false;
}

/** Insert text into a field at the caret as if typed (fires `input`). */
export function insertText(el: HTMLInputElement | HTMLTextAreaElement, text: string): void {
  el.focus();
  let ok = false;
  try {
    ok = typeof document.execCommand === 'function' && document.execCommand('insertText', false, text);
  } catch {
    ok = false;
  }
  if (ok) return;
  // number inputs have no selection API
  try {
    const start = el.selectionStart ?? el.value.length;
    const end = el.selectionEnd ?? el.value.length;
    el.setRangeText(text, start, end, 'end');
  } catch {
    el.value += text;
  }
  el.dispatchEvent(new InputEvent('input', { bubbles: true, data: text, inputType: 'insertText' }));
}

function replay(target: EventTarget | null, text: string): void {
  const el = document.activeElement;
  if (isTextField(el)) {
    insertText(el, text);
    return;
  }
  // No text field: re-dispatch the keys so page-level key handlers still see them.
  const dest = (target as Element | null) ?? document.body;
  for (const ch of text) {
    const ev = new KeyboardEvent('keydown', { key: ch, bubbles: true, cancelable: true });
    synthetic.add(ev);
    dest.dispatchEvent(ev);
  }
}

/**
 * Install the scanner on `window`. `onScan` receives each complete barcode.
 * Returns the uninstall function.
 */
export function installScanner(onScan: (code: string) => void, opts: ScannerOptions = {}): () => void {
  const scanner = createScanner(opts);
  const gap = singleGapMs(opts);
  let timer: ReturnType<typeof setTimeout> | null = null;
  let lastTarget: EventTarget | null = null;

  const onKey = (e: KeyboardEvent) => {
    if (synthetic.has(e) || e.repeat) return;
    const d = scanner.key({
      key: e.key,
      time: performance.now(),
      ctrlKey: e.ctrlKey,
      altKey: e.altKey,
      metaKey: e.metaKey,
      isComposing: e.isComposing || e.key === 'Process',
    });
    if (d.flush) replay(lastTarget, d.flush);
    lastTarget = e.target;
    if (d.prevent) {
      e.preventDefault();
      e.stopImmediatePropagation();
    }
    if (d.scan) onScan(d.scan);
    if (timer) clearTimeout(timer);
    if (scanner.pending()) {
      timer = setTimeout(() => {
        timer = null;
        const text = scanner.tick(performance.now());
        if (text) replay(lastTarget, text);
      }, gap + 5);
    }
  };

  window.addEventListener('keydown', onKey, true);
  return () => {
    window.removeEventListener('keydown', onKey, true);
    if (timer) clearTimeout(timer);
    const rest = scanner.reset();
    if (rest) replay(lastTarget, rest);
  };
}
