import { useEffect, useRef, useState } from 'preact/hooks';
import { call, onBackendEvent, reportError, storeToday, t, timeOf, toast } from '../app-state';
import type { Order, OrderLine } from '../backend/contract.gen';
import { ACTIVE_STATUSES, BOARD_COLUMNS, boardColumn, groupBoard, matchPickup, newArrivals } from '../board';
import { PICKUP_FORMATS } from '../camera-scan';
import { CameraButton, CameraScanner, useCameraOffered } from '../components/CameraScanner';
import { channelName, OrderActionButtons, StatusPill, SyncBadge } from '../components/common';
import { usePoll } from '../hooks';
import { formatMoney } from '../money';
import { refreshWaiting, setSoundOn, soundOn } from '../online-alert';
import { beep } from '../sound';
import { OrderDetail } from './Orders';

const HIGHLIGHT_MS = 20000;

/** Item lines of the board's orders, by client_ref: `order_list` answers without lines, so
 *  each card's lines come from one `order_get` (once per order; an online order's lines do
 *  not change on the board). */
const linesCache = new Map<string, OrderLine[]>();
const linesWanted = (o: Order) => boardColumn(o.status) !== 'done';

async function fetchLines(orders: Order[]): Promise<boolean> {
  const missing = orders.filter((o) => linesWanted(o) && !linesCache.has(o.client_ref));
  for (const o of orders) if (o.lines) linesCache.set(o.client_ref, o.lines);
  const todo = missing.filter((o) => !o.lines);
  // a few at a time: twenty new orders must not queue twenty requests in front of an accept
  for (let i = 0; i < todo.length; i += 4) {
    await Promise.all(
      todo.slice(i, i + 4).map((o) =>
        call('order_get', { client_ref: o.client_ref })
          .then((full) => linesCache.set(o.client_ref, full.lines ?? []))
          .catch(() => undefined),
      ),
    );
  }
  return missing.length > 0;
}

export function Clerk() {
  const [orders, setOrders] = useState<Order[] | null>(null);
  const [fresh, setFresh] = useState<Record<string, number>>({});
  const [open, setOpen] = useState<string | null>(null);
  const [updated, setUpdated] = useState<string>('');
  const [sound, setSound] = useState(soundOn);
  const [, setLinesTick] = useState(0);
  const known = useRef<Set<string> | null>(null);
  const [pickup, setPickup] = useState('');
  const [cameraOpen, setCameraOpen] = useState(false);
  const cameraOffered = useCameraOffered();
  const [found, setFound] = useState<string | null>(null);

  const load = async () => {
    try {
      const day = await storeToday();
      const [active, today] = await Promise.all([
        call('order_list', { statuses: ACTIVE_STATUSES, limit: 200 }),
        call('order_list', { day, limit: 200 }),
      ]);
      const all = [...active.orders, ...today.orders].filter((o) => o.channel !== 'COUNTER');
      const arrived = newArrivals(known.current, all);
      known.current = new Set(all.filter((o) => o.status === 'PAID_CONFIRM_PENDING').map((o) => o.client_ref));
      // the sound and the toast come from the app-wide watcher (online-alert.ts), on every screen
      if (arrived.length) {
        const until = Date.now() + HIGHLIGHT_MS;
        setFresh((f) => ({ ...f, ...Object.fromEntries(arrived.map((r) => [r, until])) }));
      }
      setOrders(all);
      setUpdated(timeOf(new Date().toISOString()));
      if (await fetchLines(all)) setLinesTick((n) => n + 1);
    } catch (e) {
      reportError(e);
    }
  };

  usePoll(load, 5000); // fallback when the event stream is quiet or unavailable
  useEffect(
    () =>
      onBackendEvent((e) => {
        if (e.type === 'online_order' || e.type === 'order_changed') void load();
      }),
    // eslint-disable-next-line react-hooks/exhaustive-deps
    [],
  );
  // expire highlights
  useEffect(() => {
    const id = setInterval(() => {
      const now = Date.now();
      setFresh((f) => {
        const keep = Object.entries(f).filter(([, until]) => until > now);
        return keep.length === Object.keys(f).length ? f : Object.fromEntries(keep);
      });
    }, 1000);
    return () => clearInterval(id);
  }, []);

  /** A pickup code typed, scanned by a wedge scanner or read by the camera: open its order
   *  (its actions — check in, complete — are in the details) and mark its card. */
  const checkPickup = async (raw: string): Promise<boolean> => {
    const code = raw.trim();
    if (!code) return false;
    let hit = matchPickup(orders ?? [], code);
    if (!hit) {
      try {
        // not on today's board (an older order): ask the ledger, exact matches only
        hit = matchPickup((await call('order_list', { text: code, limit: 20 })).orders, code);
      } catch (e) {
        reportError(e);
        return false;
      }
    }
    if (!hit) {
      toast(t('clerk.pickupNotFound', { code }), 'error');
      return false;
    }
    if (hit.channel !== 'SELF_PICK') toast(t('clerk.pickupNotSelfPick', { no: hit.local_number }), 'error');
    else toast(t('clerk.pickupFound', { no: hit.local_number }), 'success', 2000);
    setPickup('');
    setFound(hit.client_ref);
    setOpen(hit.client_ref);
    document.querySelector(`[data-client-ref="${CSS.escape(hit.client_ref)}"]`)?.scrollIntoView?.({ block: 'nearest' });
    return true;
  };

  const board = groupBoard(orders ?? []);
  const replace = (u: Order | undefined) => {
    if (u) setOrders((os) => (os ?? []).map((o) => (o.client_ref === u.client_ref ? u : o)));
    void load();
    refreshWaiting();
  };

  return (
    <div class="page clerk" data-testid="clerk">
      <div class="page-head">
        <h1>{t('clerk.title')}</h1>
        <span class="muted">{updated && t('clerk.updated', { time: updated })}</span>
        <span class="grow" />
        <form
          class="pickup-bar"
          onSubmit={(e) => {
            e.preventDefault();
            void checkPickup(pickup);
          }}
        >
          <input
            class="input"
            type="search"
            autoComplete="off"
            placeholder={t('clerk.pickupCode')}
            aria-label={t('clerk.pickupCode')}
            value={pickup}
            data-testid="pickup-code"
            onInput={(e) => setPickup(e.currentTarget.value)}
          />
          <button type="submit" class="btn" disabled={pickup.trim() === ''} data-testid="pickup-check">
            {t('clerk.pickupCheck')}
          </button>
          {cameraOffered && <CameraButton onClick={() => setCameraOpen(true)} label={t('camera.scan')} testId="pickup-camera" />}
        </form>
        <label class="switch">
          <input
            type="checkbox"
            checked={sound}
            onChange={(e) => {
              const on = e.currentTarget.checked;
              setSound(on);
              setSoundOn(on);
              if (on) beep();
            }}
          />
          {t('clerk.sound')}
        </label>
        <button type="button" class="btn" onClick={() => void load()}>
          {t('common.refresh')}
        </button>
      </div>
      <div class="board">
        {BOARD_COLUMNS.map((col) => (
          <section key={col} class={`board-col col-${col}`} data-column={col}>
            <header class="board-col-head">
              <span>{t(`clerk.col.${col}` as 'clerk.col.new')}</span>
              <span class="count">{board[col].length}</span>
            </header>
            <div class="board-cards">
              {board[col].length === 0 && <div class="empty small">{t('clerk.empty')}</div>}
              {board[col].map((o) => (
                <article
                  key={o.client_ref}
                  class={`card ${fresh[o.client_ref] ? 'card-fresh' : ''} ${found === o.client_ref ? 'card-found' : ''}`}
                  onClick={() => setOpen(o.client_ref)}
                  data-client-ref={o.client_ref}
                >
                  <div class="card-top">
                    {/* The short local number is the one called out; the platform's is in the details. */}
                    <span class="mono strong card-no">{o.local_number}</span>
                    <span class={`pill chan-${o.channel}`}>{channelName(o.channel)}</span>
                  </div>
                  <div class="card-mid">
                    <span class="strong">{formatMoney(o.total)}</span>
                    <span class="muted">{timeOf(o.created_at)}</span>
                  </div>
                  {(o.contact_user || o.phone) && (
                    <div class="card-contact">
                      {o.contact_user} {o.phone}
                    </div>
                  )}
                  {linesWanted(o) && <CardLines lines={linesCache.get(o.client_ref)} />}
                  {o.remark && <div class="card-remark">「{o.remark}」</div>}
                  <div class="card-badges">
                    {col === 'delivering' || col === 'done' ? <StatusPill status={o.status} /> : null}
                    {o.sync_state !== 'synced' && <SyncBadge state={o.sync_state} />}
                  </div>
                  <OrderActionButtons order={o} onDone={replace} size="big" />
                </article>
              ))}
            </div>
          </section>
        ))}
      </div>
      {cameraOpen && (
        <CameraScanner
          title={t('camera.titlePickup')}
          formats={PICKUP_FORMATS}
          typeLabel={t('camera.typePickup')}
          inputMode="text"
          onCode={checkPickup}
          onClose={() => setCameraOpen(false)}
          testId="pickup-scanner"
        />
      )}
      {open && <OrderDetail clientRef={open} onClose={() => setOpen(null)} onChanged={load} />}
    </div>
  );
}

/** What to pick: name × quantity per line (and the line's memo). */
function CardLines({ lines }: { lines: OrderLine[] | undefined }) {
  if (!lines) return <div class="card-lines muted small">{t('clerk.linesLoading')}</div>;
  return (
    <ul class="card-lines" data-testid="card-lines">
      {lines.map((l) => (
        <li key={l.line_no}>
          <span class="card-line-name">{l.name}</span>
          <span class="card-line-qty">× {l.quantity}</span>
          {l.memo && <span class="card-line-memo">「{l.memo}」</span>}
        </li>
      ))}
    </ul>
  );
}
