import type { ComponentChildren } from 'preact';
import { useEffect, useRef } from 'preact/hooks';
import { call, dismissToast, reportError, t, toast, toastStore } from '../app-state';
import type { Order, SyncState } from '../backend/contract.gen';
import { translateDynamic } from '../i18n';
import { langStore } from '../app-state';
import { refreshWaiting } from '../online-alert';
import { createStore, useStore } from '../store';

export function Modal(props: {
  title: string;
  onClose?: () => void;
  children: ComponentChildren;
  wide?: boolean;
  footer?: ComponentChildren;
  testId?: string;
}) {
  const ref = useRef<HTMLDivElement>(null);
  const onClose = useRef(props.onClose);
  onClose.current = props.onClose;
  useEffect(() => {
    const prev = document.activeElement as HTMLElement | null;
    const first = ref.current?.querySelector<HTMLElement>('[data-autofocus]') ?? ref.current;
    first?.focus();
    const onKey = (e: KeyboardEvent) => {
      if (e.key === 'Escape' && onClose.current) {
        e.preventDefault();
        onClose.current();
      }
    };
    window.addEventListener('keydown', onKey);
    return () => {
      window.removeEventListener('keydown', onKey);
      prev?.focus?.();
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, []);
  return (
    <div class="modal-backdrop">
      <div
        class={`modal ${props.wide ? 'modal-wide' : ''}`}
        role="dialog"
        aria-modal="true"
        aria-label={props.title}
        tabIndex={-1}
        ref={ref}
        data-testid={props.testId}
      >
        <header class="modal-head">
          <h2>{props.title}</h2>
          {props.onClose && (
            <button type="button" class="btn btn-ghost modal-x" onClick={props.onClose} aria-label={t('common.close')}>
              ✕
            </button>
          )}
        </header>
        <div class="modal-body">{props.children}</div>
        {props.footer && <footer class="modal-foot">{props.footer}</footer>}
      </div>
    </div>
  );
}

export function Toasts() {
  const toasts = useStore(toastStore);
  return (
    <div class="toasts" role="status" aria-live="polite">
      {toasts.map((x) => (
        <div key={x.id} class={`toast toast-${x.kind}`}>
          <span>{x.text}</span>
          <button type="button" class="btn btn-ghost toast-x" onClick={() => dismissToast(x.id)} aria-label={t('common.close')}>
            ✕
          </button>
        </div>
      ))}
    </div>
  );
}

// ---- confirm dialog --------------------------------------------------------------------

interface PendingConfirm {
  text: string;
  danger: boolean;
  /** The verbs on the buttons (e.g. 取消订单 / 返回); default 确定 / 取消. */
  ok?: string;
  back?: string;
  resolve: (ok: boolean) => void;
}
const confirmStore = createStore<PendingConfirm | null>(null);

/** Asks before acting. A dangerous question focuses the safe answer (Enter = back out),
 *  and names both verbs: `{ ok: '取消订单', back: '返回' }` rather than 确定 / 取消. */
export function confirmDialog(text: string, danger = false, verbs: { ok?: string; back?: string } = {}): Promise<boolean> {
  return new Promise((resolve) => confirmStore.set({ text, danger, ...verbs, resolve }));
}

export function ConfirmHost() {
  const c = useStore(confirmStore);
  if (!c) return null;
  const done = (ok: boolean) => {
    confirmStore.set(null);
    c.resolve(ok);
  };
  return (
    <Modal
      title={t('common.confirm')}
      onClose={() => done(false)}
      footer={
        <>
          <button type="button" class="btn btn-big" data-autofocus={c.danger ? true : undefined} onClick={() => done(false)} data-testid="confirm-back">
            {c.back ?? t('common.cancel')}
          </button>
          <button type="button" class={`btn btn-big ${c.danger ? 'btn-danger' : 'btn-primary'}`} data-autofocus={c.danger ? undefined : true} onClick={() => done(true)} data-testid="confirm-ok">
            {c.ok ?? t('common.ok')}
          </button>
        </>
      }
    >
      <p class="confirm-text">{c.text}</p>
    </Modal>
  );
}

// ---- badges ----------------------------------------------------------------------------

const STATUS_TONE: Record<string, string> = {
  CREATED_PAY_PENDING: 'warn',
  CLOSED_PAY_TIMEOUT: 'muted',
  CLOSED_CANCELED: 'muted',
  PAID_CONFIRM_PENDING: 'alert',
  CONFIRMED_DELIVER_PENDING: 'info',
  DELIVERING: 'info',
  DELIVERED_CONFIRM_PENDING: 'info',
  CANCELED_RETURN_PENDING: 'warn',
  CLOSED_CONFIRMED: 'ok',
  CANCELED_REFUND_PENDING: 'warn',
  CLOSED_REFUNDED: 'muted',
  CONFIRMED_PICK_PENDING: 'info',
};

export function statusName(status: string): string {
  return translateDynamic(langStore.get(), `status.${status}`, status);
}

export function StatusPill({ status }: { status: string }) {
  return <span class={`pill pill-${STATUS_TONE[status] ?? 'muted'}`}>{statusName(status)}</span>;
}

export function SyncBadge({ state }: { state: SyncState }) {
  const icon = state === 'synced' ? '✓' : state === 'conflict' ? '!' : state === 'local' ? '⌂' : '↻';
  return (
    <span class={`pill sync-${state}`} title={t(`sync.${state}` as 'sync.pending')}>
      {icon} {t(`sync.${state}` as 'sync.pending')}
    </span>
  );
}

export function channelName(c: string): string {
  return translateDynamic(langStore.get(), `channel.${c}`, c);
}

// ---- order actions (buttons straight from allowed_actions) -----------------------------

export const KNOWN_ACTIONS = ['accept', 'reject', 'delivering', 'complete', 'checkin', 'cancel'] as const;
type KnownAction = (typeof KNOWN_ACTIONS)[number];

const ACTION_STYLE: Record<KnownAction, string> = {
  accept: 'btn-primary',
  checkin: 'btn-primary',
  delivering: 'btn-primary',
  complete: 'btn-ok',
  reject: 'btn-danger',
  cancel: 'btn-danger',
};

/** Perform one allowed action. Returns the updated order when the backend sends one. */
export async function runOrderAction(order: Order, action: string): Promise<Order | undefined> {
  // People call orders by the local W- / T- number; the platform's 16 digits are in the details.
  const no = order.local_number;
  const back = t('common.back');
  if (action === 'reject' && !(await confirmDialog(t('action.rejectConfirm', { no }), true, { ok: t('action.reject'), back }))) return undefined;
  if (action === 'cancel' && !(await confirmDialog(t('orders.cancelConfirm', { no }), true, { ok: t('cashier.cancelOrder'), back }))) return undefined;
  try {
    let out: Order;
    if (action === 'checkin') out = await call('order_checkin', { client_ref: order.client_ref });
    else if (action === 'cancel') out = await call('order_cancel', { client_ref: order.client_ref });
    else out = await call('order_action_apply', { client_ref: order.client_ref, action });
    toast(`${t(`action.${action}` as 'action.accept')} · ${no}`, 'success');
    refreshWaiting();
    return out;
  } catch (e) {
    reportError(e);
    return undefined;
  }
}

export function OrderActionButtons(props: {
  order: Order;
  onDone: (updated: Order | undefined) => void;
  exclude?: string[];
  size?: 'big' | 'normal';
}) {
  const acts = props.order.allowed_actions.filter(
    (a): a is KnownAction => (KNOWN_ACTIONS as readonly string[]).includes(a) && !(props.exclude ?? []).includes(a),
  );
  if (!acts.length) return null;
  return (
    <div class="action-row">
      {acts.map((a) => (
        <button
          key={a}
          type="button"
          class={`btn ${ACTION_STYLE[a]} ${props.size === 'big' ? 'btn-big' : ''}`}
          data-action={a}
          onClick={async (e) => {
            e.stopPropagation();
            props.onDone(await runOrderAction(props.order, a));
          }}
        >
          {t(`action.${a}` as 'action.accept')}
        </button>
      ))}
    </div>
  );
}

export function Empty({ text }: { text?: string }) {
  return <div class="empty">{text ?? t('common.empty')}</div>;
}
