// Keyboard shortcuts of the cashier's screen, for a till with a keyboard and a wedge
// scanner. Function keys only: a scanner types digits and Enter, so it can never trigger
// one, and none of these is a key the browser keeps for itself (F5 reload, F6 address bar,
// F11 full screen, F12 tools are left alone).

import type { MessageKey } from './i18n';

export type CashierKey = 'search' | 'quantity' | 'hold' | 'recall' | 'cash' | 'wechat' | 'reprint';

export const CASHIER_KEYS: { key: string; action: CashierKey; label: MessageKey }[] = [
  { key: 'F2', action: 'search', label: 'keys.search' },
  { key: 'F3', action: 'quantity', label: 'keys.quantity' },
  { key: 'F4', action: 'hold', label: 'keys.hold' },
  { key: 'F7', action: 'recall', label: 'keys.recall' },
  { key: 'F8', action: 'cash', label: 'keys.cash' },
  { key: 'F9', action: 'wechat', label: 'keys.wechat' },
  { key: 'F10', action: 'reprint', label: 'keys.reprint' },
];

/** The action of a key press, if it is one of ours (no modifiers). */
export function cashierKey(e: { key: string; ctrlKey?: boolean; altKey?: boolean; metaKey?: boolean }): CashierKey | null {
  if (e.ctrlKey || e.altKey || e.metaKey) return null;
  return CASHIER_KEYS.find((k) => k.key === e.key)?.action ?? null;
}

/** Listens on window while installed; a dialog that is open owns the keyboard. */
export function installCashierKeys(run: (a: CashierKey) => void): () => void {
  const onKey = (e: KeyboardEvent) => {
    const a = cashierKey(e);
    if (!a) return;
    e.preventDefault();
    if (document.querySelector('.modal-backdrop')) return;
    run(a);
  };
  window.addEventListener('keydown', onKey);
  return () => window.removeEventListener('keydown', onKey);
}
