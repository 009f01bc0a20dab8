// The forgiving bits of the cashier's screen: undo of a removed line, reprint of the last
// receipt (with its print state), and the keyboard shortcuts on screen.

import { useEffect } from 'preact/hooks';
import { call, reportError, t, toast } from '../app-state';
import type { Order } from '../backend/contract.gen';
import type { CartLine } from '../cart';
import { CASHIER_KEYS } from '../cashier-keys';
import { createStore, useStore } from '../store';
import { PrintStateBadge, usePrintState } from '../screens/Payment';

const LAST_KEY = 'storepos.last_receipt';

function initialLast(): Pick<Order, 'client_ref' | 'local_number'> | null {
  try {
    const v = JSON.parse(localStorage.getItem(LAST_KEY) ?? 'null');
    return v && typeof v.client_ref === 'string' ? v : null;
  } catch {
    return null;
  }
}

/** The last sale this screen took money for (kept across reloads). */
export const lastReceiptStore = createStore<Pick<Order, 'client_ref' | 'local_number'> | null>(initialLast());
lastReceiptStore.subscribe(() => {
  const v = lastReceiptStore.get();
  try {
    localStorage.setItem(LAST_KEY, JSON.stringify(v ? { client_ref: v.client_ref, local_number: v.local_number } : null));
  } catch {
    /* private mode */
  }
});

export interface Removed {
  line: CartLine;
  index: number;
}

/** 已删除 … [撤销], for 8 s after a line was removed. */
export function UndoBar(props: { removed: Removed; onUndo: () => void; onGone: () => void }) {
  useEffect(() => {
    const id = setTimeout(props.onGone, 8000);
    return () => clearTimeout(id);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [props.removed]);
  return (
    <div class="undo-bar" role="status" data-testid="undo-bar">
      <span class="grow">{t('cashier.removed', { name: props.removed.line.name })}</span>
      <button
        type="button"
        class="btn btn-small"
        data-testid="undo"
        onClick={() => {
          props.onUndo();
          props.onGone();
        }}
      >
        {t('cashier.undo')}
      </button>
    </div>
  );
}

/** 重打上一张小票 with what became of it (queued → printed / failed). The keys of the
 *  buttons are printed on them; the hints name the two keys that have no button. */
export function CounterExtras() {
  const last = useStore(lastReceiptStore);
  const job = usePrintState(last?.client_ref ?? null);
  const reprint = async () => {
    if (!last) {
      toast(t('cashier.noLastReceipt'), 'error');
      return;
    }
    try {
      const r = await call('order_reprint', { client_ref: last.client_ref, kind: 'receipt' });
      toast(r.jobs.length ? t('cashier.reprintSent', { no: last.local_number }) : t('cashier.reprintNoPrinter'), r.jobs.length ? 'success' : 'error');
    } catch (e) {
      reportError(e);
    }
  };
  return (
    <>
      <button type="button" class="btn btn-small" onClick={() => void reprint()} disabled={!last} data-testid="reprint-last" title={last?.local_number}>
        {t('cashier.reprintLast')} <kbd class="kbd">F10</kbd>
      </button>
      {last && <PrintStateBadge job={job} />}
    </>
  );
}

export function ShortcutHints() {
  return (
    <div class="shortcut-hints" data-testid="shortcut-hints" aria-label={t('keys.title')}>
      {CASHIER_KEYS.filter((k) => k.action === 'search' || k.action === 'quantity').map((k) => (
        <span key={k.key}>
          <kbd>{k.key}</kbd> {t(k.label)}
        </span>
      ))}
    </div>
  );
}
