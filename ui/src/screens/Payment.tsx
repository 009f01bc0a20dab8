// Payment modals: cash, WeChat QR, and the "paid" summary with the receipt's print state.

import { useEffect, useRef, useState } from 'preact/hooks';
import { withShift } from '../components/ShiftOpen';
import { call, errorText, onBackendEvent, reportError, t } from '../app-state';
import type { CodeView, Order, PrintJob, StatusView } from '../backend/contract.gen';
import { Modal } from '../components/common';
import { fenToString, formatFen, formatMoney, parseFen, tryParseFen } from '../money';
import { secondsLeft, svgDataUrl } from '../qr';

export interface PaidResult {
  order: Order;
  change: string | null;
}

export function CashModal(props: { order: Order; onPaid: (r: PaidResult) => void; onClose: () => void }) {
  // What the customer pays: the platform's price less any store-side discount.
  const due = props.order.due;
  const dueFen = parseFen(due);
  const [tendered, setTendered] = useState('');
  const [quick, setQuick] = useState<string[]>([]);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    call('cash_tender_list', { due })
      .then(setQuick)
      .catch(() => setQuick([due]));
  }, [due]);

  const tenderedFen = tryParseFen(tendered);
  // The change is the backend's (`cash_change_quote`, the rule `sale_cash_pay` applies):
  // a figure, or the reason there is none (too little, negative), never worked out here.
  const [quote, setQuote] = useState<{ change: string | null; error: string | null }>({ change: null, error: null });
  useEffect(() => {
    if (tenderedFen == null) return setQuote({ change: null, error: null });
    let live = true;
    call('cash_change_quote', { due, tendered: fenToString(tenderedFen) }).then(
      (q) => live && setQuote({ change: q.change, error: null }),
      (e) => live && setQuote({ change: null, error: errorText(e) }),
    );
    return () => {
      live = false;
    };
  }, [tenderedFen, due]);
  const enough = quote.change != null;

  const pay = async (amount?: string) => {
    const fen = amount != null ? tryParseFen(amount) : tenderedFen;
    if (fen == null) return setError(t('cash.invalid'));
    setBusy(true);
    setError(null);
    try {
      const res = await withShift(() => call('sale_cash_pay', { client_ref: props.order.client_ref, tendered: fenToString(fen) }));
      props.onPaid({ order: res.order, change: res.change });
    } catch (e) {
      setError(errorText(e));
    } finally {
      setBusy(false);
    }
  };

  return (
    <Modal title={t('cash.title')} onClose={busy ? undefined : props.onClose} testId="cash-modal">
      <div class="pay-grid">
        <div class="pay-figure">
          <span class="label">{t('cash.due')}</span>
          <span class="big-money" data-testid="cash-due">{formatFen(dueFen)}</span>
          <span class="muted small">{props.order.local_number}</span>
          {props.order.discount_kind && (
            <span class="muted small" data-testid="cash-discount">
              {formatMoney(props.order.total)} · {t(props.order.discount_kind === 'moling' ? 'discount.moling' : 'discount.amount')} -{formatMoney(props.order.discount)}
            </span>
          )}
        </div>
        <div class="pay-figure">
          <span class="label">{t('cash.change')}</span>
          <span class={`big-money ${enough ? 'money-change' : 'muted'}`} data-testid="cash-change-preview">
            {quote.change != null ? formatMoney(quote.change) : '—'}
          </span>
        </div>
      </div>
      <label class="field">
        <span class="label">{t('cash.tendered')}</span>
        <input
          class="input input-big"
          type="text"
          inputMode="decimal"
          autoComplete="off"
          data-autofocus
          data-testid="cash-tendered"
          value={tendered}
          onInput={(e) => {
            setTendered(e.currentTarget.value.replace(/[^\d.]/g, ''));
            setError(null);
          }}
          onKeyDown={(e) => {
            if (e.key === 'Enter') {
              e.preventDefault();
              void pay(e.currentTarget.value);
            }
          }}
        />
      </label>
      <div class="label">{t('cash.quick')}</div>
      <div class="quick-tenders">
        {quick.map((q) => (
          <button key={q} type="button" class="btn btn-big quick" onClick={() => setTendered(q)} disabled={busy}>
            {formatMoney(q)}
          </button>
        ))}
      </div>
      <div class="form-error" role="alert">{error ?? quote.error ?? ''}</div>
      <button type="button" class="btn btn-primary btn-huge" disabled={busy || !enough} onClick={() => void pay()} data-testid="cash-submit">
        {t('cash.submit')}
      </button>
    </Modal>
  );
}

/** 7199 → "1:59:59", 95 → "1:35", 9 → "0:09". */
function clock(seconds: number): string {
  const s = Math.max(0, Math.floor(seconds));
  const p = (n: number) => String(n).padStart(2, '0');
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  return h > 0 ? `${h}:${p(m)}:${p(s % 60)}` : `${m}:${p(s % 60)}`;
}

export function WechatModal(props: {
  order: Order;
  onPaid: (r: PaidResult) => void;
  onClose: () => void;
  onUseCash: () => void;
  /** The open code (for the customer display), or null when none is open. */
  onQr?: (qr: CodeView | null) => void;
}) {
  const ref = props.order.client_ref;
  const [qr, setQr] = useState<CodeView | null>(null);
  const [state, setState] = useState<StatusView['state'] | 'starting' | 'error'>('starting');
  const [message, setMessage] = useState<string | null>(null);
  const [left, setLeft] = useState(0);
  const done = useRef(false);

  const start = async () => {
    setState('starting');
    setMessage(null);
    try {
      const r = await withShift(() => call('wechat_start', { client_ref: ref }));
      setQr(r);
      props.onQr?.(r);
      setLeft(secondsLeft(r.expires_at));
      setState('waiting');
    } catch (e) {
      setState('error');
      props.onQr?.(null);
      setMessage(errorText(e));
    }
  };

  useEffect(() => {
    void start();
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, []);

  // countdown
  useEffect(() => {
    if (!qr) return;
    const id = setInterval(() => setLeft(secondsLeft(qr.expires_at)), 500);
    return () => clearInterval(id);
  }, [qr]);

  // live status, every 2 s while waiting
  useEffect(() => {
    if (state !== 'waiting') return;
    let alive = true;
    const poll = async () => {
      try {
        const s = await call('wechat_status_get', { client_ref: ref });
        if (!alive || done.current) return;
        setMessage(s.message ?? null);
        if (s.state === 'paid') {
          done.current = true;
          setState('paid');
          const order = s.order ?? (await call('order_get', { client_ref: ref }));
          props.onPaid({ order, change: null });
        } else {
          setState(s.state);
        }
      } catch (e) {
        if (alive) setMessage(errorText(e));
      }
    };
    const id = setInterval(poll, 2000);
    return () => {
      alive = false;
      clearInterval(id);
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [state]);

  const cancel = async () => {
    try {
      await call('wechat_cancel', { client_ref: ref });
    } catch (e) {
      reportError(e);
    }
    props.onClose();
  };

  const useCash = async () => {
    try {
      await call('wechat_cancel', { client_ref: ref });
    } catch {
      /* the QR may already be dead */
    }
    props.onUseCash();
  };

  const expired = state === 'expired' || (state === 'waiting' && qr != null && left === 0);
  return (
    <Modal title={t('wechat.title')} onClose={cancel} testId="wechat-modal">
      <div class="wechat">
        <div class="wechat-amount">
          <span class="label">{t('cash.due')}</span>
          <span class="big-money">{formatMoney(props.order.total)}</span>
        </div>
        <div class={`qr-box ${expired || state === 'failed' || state === 'offline' ? 'qr-dead' : ''}`}>
          {qr && state !== 'starting' ? (
            <img src={svgDataUrl(qr.qr_svg)} alt={qr.code_url} width={240} height={240} data-testid="wechat-qr" />
          ) : (
            <div class="qr-placeholder">{state === 'error' ? '✕' : t('wechat.starting')}</div>
          )}
        </div>
        <div class="wechat-status" role="status" data-testid="wechat-state" data-state={expired ? 'expired' : state}>
          {state === 'starting' && t('wechat.starting')}
          {state === 'waiting' && !expired && (
            <>
              <div class="wechat-line">{t('wechat.instructions')}</div>
              <div class="wechat-line strong">
                <span class="spinner" /> {t('wechat.waiting')} · <span data-testid="wechat-countdown">{t('wechat.countdown', { s: clock(left) })}</span>
              </div>
            </>
          )}
          {expired && <div class="wechat-line warn">{t('wechat.expired')}</div>}
          {state === 'paid' && <div class="wechat-line ok">{t('wechat.paid')}</div>}
          {state === 'failed' && <div class="wechat-line bad">{t('wechat.failed')}</div>}
          {state === 'offline' && <div class="wechat-line bad">{t('wechat.offline')}</div>}
          {message && state !== 'waiting' && <div class="wechat-line muted">{message}</div>}
        </div>
        <div class="action-row center">
          {(expired || state === 'error') && (
            <button type="button" class="btn btn-primary btn-big" onClick={() => void start()}>
              {t('wechat.renew')}
            </button>
          )}
          {(state === 'failed' || state === 'offline' || state === 'error' || expired) && (
            <button type="button" class="btn btn-big" onClick={() => void useCash()}>
              {t('wechat.useCash')}
            </button>
          )}
          <button type="button" class="btn btn-big btn-ghost" onClick={() => void cancel()}>
            {t('wechat.cancel')}
          </button>
        </div>
      </div>
    </Modal>
  );
}

/** The receipt's print state for an order: its own jobs only (not the store's newest 100,
 *  which a busy day pushes the receipt out of), polled while the job is on its way and
 *  refreshed on print_job events. The last receipt's badge stays on the cashier's screen all
 *  day: once printed it no longer polls (a reprint announces itself with an event). */
export function usePrintState(clientRef: string | null): PrintJob | null | undefined {
  const [job, setJob] = useState<PrintJob | null | undefined>(undefined);
  useEffect(() => {
    if (!clientRef) return;
    let alive = true;
    let id: ReturnType<typeof setInterval> | null = null;
    const load = async () => {
      try {
        const jobs = await call('print_job_list', { client_ref: clientRef, limit: 20 });
        if (!alive) return;
        const mine = jobs.filter((j) => j.client_ref === clientRef && (j.kind === 'receipt' || j.kind === 'RECEIPT'));
        const newest = mine.sort((a, b) => b.id - a.id)[0] ?? null;
        setJob(newest);
        if (newest?.state === 'printed' && id) {
          clearInterval(id);
          id = null;
        }
      } catch {
        /* keep the last state */
      }
    };
    void load();
    id = setInterval(load, 1500);
    const off = onBackendEvent((e) => {
      if (e.type === 'print_job') void load();
    });
    return () => {
      alive = false;
      if (id) clearInterval(id);
      off();
    };
  }, [clientRef]);
  return job;
}

export function PrintStateBadge({ job }: { job: PrintJob | null | undefined }) {
  if (job === undefined) return <span class="pill pill-muted">…</span>;
  if (job === null) return <span class="pill pill-muted">{t('print.none')}</span>;
  const tone = job.state === 'printed' ? 'ok' : job.state === 'failed' || job.state === 'uncertain' ? 'bad' : 'info';
  return (
    <span class={`pill pill-${tone}`} data-testid="print-state" title={job.last_error ?? ''}>
      {t(`print.${job.state}` as 'print.printed')}
    </span>
  );
}

export async function reprint(clientRef: string, kind: 'receipt' | 'kitchen'): Promise<void> {
  try {
    await call('order_reprint', { client_ref: clientRef, kind });
    // toast is shown by the caller's print state badge; keep a short confirmation too
  } catch (e) {
    reportError(e);
  }
}

export function PaidModal(props: { result: PaidResult; onNext: () => void }) {
  const { order, change } = props.result;
  const job = usePrintState(order.client_ref);
  return (
    <Modal title={t('cash.paid')} onClose={props.onNext} testId="paid-modal">
      <div class="pay-grid">
        <div class="pay-figure">
          <span class="label">{t('cash.due')}</span>
          <span class="big-money">{formatMoney(order.due)}</span>
          {order.discount_kind && (
            <span class="muted small">
              {t(order.discount_kind === 'moling' ? 'discount.moling' : 'discount.amount')} -{formatMoney(order.discount)}
            </span>
          )}
          {order.paid && (
            <span class="muted">
              {t('orders.paid')} {formatMoney(order.paid)}
            </span>
          )}
        </div>
        <div class="pay-figure">
          <span class="label">{t('cash.change')}</span>
          <span class="big-money money-change huge" data-testid="paid-change">
            {formatMoney(change ?? order.change ?? '0.00')}
          </span>
        </div>
      </div>
      <div class="paid-meta">
        <span class="mono">{order.local_number}</span>
        <PrintStateBadge job={job} />
      </div>
      <div class="action-row">
        <button type="button" class="btn btn-big" onClick={() => void reprint(order.client_ref, 'receipt')}>
          {t('print.reprint')}
        </button>
        <button type="button" class="btn btn-primary btn-huge grow" data-autofocus onClick={props.onNext} data-testid="next-sale">
          {t('cash.nextSale')}
        </button>
      </div>
    </Modal>
  );
}
