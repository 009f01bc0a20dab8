// 挂单 / 取单: park the cart with a note (the screen is free for the next customer) and take
// it back on any screen of this till. A held cart is not an order: nothing goes to the
// platform until checkout. Carts left from an earlier business day are marked for the
// manager, who may discard them.

import { useEffect, useRef, useState } from 'preact/hooks';
import { call, cartStore, errorText, pendingSaleStore, reportError, sessionStore, t, timeOf, dateTimeOf, toast } from '../app-state';
import type { HeldEntry } from '../backend/contract.gen';
import { emptyCart } from '../cart';
import { cartToDraft, deviceId, draftToCart } from '../drafts';
import { formatMoney } from '../money';
import { useStore } from '../store';
import { Modal } from './common';

/** Open holds, refreshed every 10 s and whenever this screen holds or recalls. */
const heldTick = { n: 0, subs: new Set<() => void>() };
export function refreshHeld(): void {
  heldTick.n++;
  for (const f of heldTick.subs) f();
}

export function useHeld(): HeldEntry[] {
  const [held, setHeld] = useState<HeldEntry[]>([]);
  useEffect(() => {
    let alive = true;
    const load = () =>
      call('cart_held_list', {}).then(
        (l) => alive && setHeld(l.held),
        () => undefined,
      );
    void load();
    const id = setInterval(load, 10000);
    heldTick.subs.add(load);
    window.addEventListener('focus', load);
    return () => {
      alive = false;
      clearInterval(id);
      heldTick.subs.delete(load);
      window.removeEventListener('focus', load);
    };
  }, []);
  return held;
}

/** Asks for a note and parks the cart. Resolves true when held. */
export function HoldDialog(props: { onDone: (held: boolean) => void }) {
  const [note, setNote] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const hold = async () => {
    setBusy(true);
    setError(null);
    try {
      const h = await call('cart_hold', { device: deviceId(), cart: cartToDraft(cartStore.get()), note });
      cartStore.set((c) => ({ ...emptyCart(), nextId: c.nextId }));
      toast(t('held.done', { total: formatMoney(h.total) }), 'success');
      refreshHeld();
      props.onDone(true);
    } catch (e) {
      setError(errorText(e));
    } finally {
      setBusy(false);
    }
  };
  return (
    <Modal title={t('held.holdTitle')} onClose={busy ? undefined : () => props.onDone(false)} testId="hold-dialog">
      <label class="field">
        <span class="label">{t('held.note')}</span>
        <input
          class="input input-big"
          type="text"
          data-autofocus
          data-testid="hold-note"
          placeholder={t('held.notePlaceholder')}
          value={note}
          maxLength={200}
          onInput={(e) => setNote(e.currentTarget.value)}
          onKeyDown={(e) => {
            if (e.key === 'Enter') {
              e.preventDefault();
              void hold();
            }
          }}
        />
      </label>
      <p class="muted small">{t('held.notAnOrder')}</p>
      <div class="form-error" role="alert">{error ?? ''}</div>
      <div class="action-row">
        <button type="button" class="btn btn-big" onClick={() => props.onDone(false)} disabled={busy}>
          {t('common.back')}
        </button>
        <span class="grow" />
        <button type="button" class="btn btn-primary btn-big" onClick={() => void hold()} disabled={busy} data-testid="hold-submit">
          {t('held.hold')}
        </button>
      </div>
    </Modal>
  );
}

/** The list of held carts; picking one recalls it into this screen's cart. */
export function RecallDialog(props: { held: HeldEntry[]; onDone: () => void }) {
  const session = useStore(sessionStore);
  const cart = useStore(cartStore);
  const pending = useStore(pendingSaleStore);
  const busy = useRef(false);
  const blocked = cart.lines.length > 0 || pending !== null;
  const recall = async (ref: string) => {
    if (busy.current) return;
    busy.current = true;
    try {
      const h = await call('cart_recall', { hold_ref: ref, device: deviceId() });
      cartStore.set(draftToCart(h.cart));
      toast(t('held.recalled', { note: h.note || formatMoney(h.total) }), 'success');
      refreshHeld();
      props.onDone();
    } catch (e) {
      reportError(e);
      refreshHeld();
    } finally {
      busy.current = false;
    }
  };
  const discard = async (ref: string) => {
    try {
      await call('cart_held_discard', { hold_ref: ref, reason: t('held.discardReason') });
      refreshHeld();
    } catch (e) {
      reportError(e);
    }
  };
  return (
    <Modal title={t('held.recallTitle')} onClose={props.onDone} wide testId="recall-dialog">
      {blocked && <div class="banner banner-warn">{t('held.cartNotEmpty')}</div>}
      {props.held.length === 0 && <div class="empty">{t('held.none')}</div>}
      <ul class="held-list">
        {props.held.map(({ hold: h, stale }) => (
          <li key={h.hold_ref} class={`held-item ${stale ? 'held-stale' : ''}`} data-testid="held-item">
            <div class="held-main">
              <span class="strong">{h.note || t('held.noNote')}</span>
              {stale && <span class="pill pill-warn">{t('held.stale', { day: h.business_day })}</span>}
              <span class="muted small">
                {t('cashier.items', { n: h.items })} · {h.held_by} · {stale ? dateTimeOf(h.held_at) : timeOf(h.held_at)}
              </span>
              <span class="muted small held-lines">{h.cart.lines.map((l) => `${l.name}${l.spec_name ? `(${l.spec_name})` : ''}×${l.quantity}`).join('，')}</span>
            </div>
            <span class="held-total strong">{formatMoney(h.total)}</span>
            <div class="held-tools">
              {stale && session?.user.role === 'manager' && (
                <button type="button" class="btn btn-ghost-danger" onClick={() => void discard(h.hold_ref)} data-testid="held-discard">
                  {t('held.discard')}
                </button>
              )}
              <button type="button" class="btn btn-primary btn-big" disabled={blocked} onClick={() => void recall(h.hold_ref)} data-testid="held-recall">
                {t('held.recall')}
              </button>
            </div>
          </li>
        ))}
      </ul>
    </Modal>
  );
}
