import { useEffect } from 'preact/hooks';
import {
  call,
  healthStore,
  langStore,
  logout,
  onBackendEvent,
  sessionStore,
  setLang,
  t,
  viewStore,
} from '../app-state';
import { usePoll } from '../hooks';
import { useStore } from '../store';
import { refreshShift, ShiftBadge } from './ShiftOpen';

async function refreshSync() {
  if (!sessionStore.get()) return;
  try {
    const sync = await call('sync_status_get', {});
    healthStore.set((h) => ({ ...h, sync }));
  } catch {
    /* the bar shows the backend as unreachable */
  }
}

async function refreshPrinters() {
  if (!sessionStore.get()) return;
  try {
    const printers = await call('printer_list', {});
    healthStore.set((h) => ({ ...h, printers }));
  } catch {
    /* ignore */
  }
}

function age(s: number | null): string {
  if (s == null) return '';
  if (s < 90) return `${Math.round(s)}s`;
  if (s < 5400) return `${Math.round(s / 60)}min`;
  return `${Math.round(s / 3600)}h`;
}

/** Always visible: backend/platform link, outbox, printers, conflicts, user, language, log out. */
export function StatusBar() {
  const health = useStore(healthStore);
  const session = useStore(sessionStore);
  const lang = useStore(langStore);
  usePoll(refreshSync, 5000, [session?.token]);
  usePoll(refreshPrinters, 10000, [session?.token]);
  usePoll(refreshShift, 15000, [session?.token]);
  useEffect(
    () =>
      onBackendEvent((e) => {
        if (e.type === 'sync' && 'status' in e && e.status) {
          const status = e.status;
          healthStore.set((h) => ({ ...h, sync: status }));
        } else if (e.type === 'sync' || e.type === 'conflict') void refreshSync();
        if (e.type === 'print_job') void refreshPrinters();
        // A sale or a shift opened on another screen of this till: the bar follows.
        if (e.type === 'order_changed') void refreshShift();
      }),
    [],
  );

  const { sync, printers, backendUp } = health;
  const bad = (printers ?? []).filter((p) => p.state !== 'ok');
  const waiting = sync ? (sync.orders_waiting ?? sync.outbox_depth) : 0;
  const isManager = session?.user.role === 'manager';
  const goManager = (tab: string) => {
    if (!isManager) return;
    sessionStorage.setItem('storepos.mgr_tab', tab);
    viewStore.set('manager');
    window.dispatchEvent(new CustomEvent('storepos:mgr-tab', { detail: tab }));
  };

  return (
    <footer class="statusbar" data-testid="statusbar">
      {!backendUp ? (
        <span class="sb-item sb-bad" data-testid="sb-link">
          <span class="dot dot-bad" /> {t('status.backendDown')}
        </span>
      ) : !session ? null : (
        <span class={`sb-item ${sync && !sync.online ? 'sb-warn' : ''}`} data-testid="sb-link" title={sync?.last_error ?? ''}>
          <span class={`dot ${sync?.online ? 'dot-ok' : sync ? 'dot-warn' : 'dot-muted'}`} />{' '}
          {sync ? (sync.configured === false ? t('status.local') : sync.online ? t('status.online') : t('status.offline')) : '…'}
        </span>
      )}
      {session && sync && (
        <span class={`sb-item ${waiting > 0 ? 'sb-warn' : ''}`} data-testid="sb-outbox" title={sync.outbox_depth > 0 ? `outbox: ${sync.outbox_depth}` : ''}>
          {waiting > 0 ? t('status.outbox', { n: waiting }) : sync.configured === false ? t('status.localOnly') : t('status.allSynced')}
          {waiting > 0 && sync.oldest_pending_age_s != null && (
            <span class="sb-sub"> · {t('status.oldest', { age: age(sync.oldest_pending_age_s) })}</span>
          )}
        </span>
      )}
      {session && printers && (
        <button
          type="button"
          class={`sb-item sb-btn ${bad.length ? 'sb-bad' : ''}`}
          onClick={() => goManager('printers')}
          disabled={!isManager}
          title={printers.map((p) => `${p.name}: ${t(`printers.state.${p.state}` as 'printers.state.ok')}`).join('\n')}
        >
          {printers.length === 0 ? t('status.noPrinters') : bad.length ? t('status.printersProblem', { n: bad.length }) : t('status.printersOk')}
        </button>
      )}
      {session && sync && sync.conflicts > 0 && (
        <button type="button" class="sb-item sb-btn sb-bad" onClick={() => goManager('sync')} disabled={!isManager} data-testid="sb-conflicts">
          ⚠ {t('status.conflicts', { n: sync.conflicts })}
        </button>
      )}
      <span class="sb-spacer" />
      {session && <ShiftBadge />}
      {session && (
        <span class="sb-item sb-user">
          {session.user.display_name} · {t(`role.${session.user.role}`)}
          {session.till_code && <span class="sb-sub"> · {t('login.till', { till: session.till_code })}</span>}
        </span>
      )}
      <button type="button" class="sb-item sb-btn" onClick={() => setLang(lang === 'zh' ? 'en' : 'zh')} data-testid="lang-switch">
        {t('status.switchLang')}
      </button>
      {session && (
        <button type="button" class="sb-item sb-btn" onClick={() => void logout()} data-testid="logout">
          {t('status.logout')}
        </button>
      )}
    </footer>
  );
}
