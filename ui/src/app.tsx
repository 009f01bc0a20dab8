import { useEffect, useState } from 'preact/hooks';
import { backend } from './backend';
import {
  call,
  emitBackendEvent,
  healthStore,
  langStore,
  pendingSaleStore,
  restoreSession,
  sessionStore,
  t,
  unpairedStore,
  viewStore,
  VIEWS_BY_ROLE,
  type View,
} from './app-state';
import { ConfirmHost, Toasts } from './components/common';
import { ApprovalHost } from './components/Approval';
import { ShiftOpenHost } from './components/ShiftOpen';
import { StatusBar } from './components/StatusBar';
import { AfterSales } from './screens/after-sales';
import { Cashier } from './screens/Cashier';
import { Clerk } from './screens/Clerk';
import { Login } from './screens/Login';
import { Manager } from './screens/manager';
import { Orders } from './screens/Orders';
import { OnlineBadge } from './components/OnlineBadge';
import { watchOnlineOrders } from './online-alert';
import { Pairing } from './screens/Pairing';
import { startDraftSync } from './drafts';
import { useStore } from './store';

const NAV_KEY: Record<View, 'nav.cashier' | 'nav.orders' | 'nav.clerk' | 'nav.aftersales' | 'nav.manager'> = {
  cashier: 'nav.cashier',
  orders: 'nav.orders',
  clerk: 'nav.clerk',
  aftersales: 'nav.aftersales',
  manager: 'nav.manager',
};

export function App() {
  useStore(langStore); // re-render everything on a language switch
  const session = useStore(sessionStore);
  const view = useStore(viewStore);
  const pending = useStore(pendingSaleStore);
  const unpaired = useStore(unpairedStore);
  const health = useStore(healthStore);

  // A reload with a stored session shows nothing until `session_get` has answered: flashing the
  // login screen (and its user tiles) for a moment invites a click that then vanishes.
  const [restoring, setRestoring] = useState(() => Boolean(backend().tokens.session()));
  useEffect(() => {
    void restoreSession().finally(() => setRestoring(false));
  }, []);

  // One event stream per session. When it breaks, one command finds out why: the till
  // unreachable (banner), the session ended (login) or this device revoked (pairing).
  useEffect(() => {
    if (!session) return;
    let checking = false;
    const check = () => {
      if (checking) return;
      checking = true;
      void call('session_get', {}).catch(() => {}).finally(() => (checking = false));
    };
    return backend().events(emitBackendEvent, check);
  }, [session?.token]);
  // the cart being built (and its unpaid sale) kept in the ledger for this screen
  useEffect(() => {
    if (!session || !VIEWS_BY_ROLE[session.user.role].includes('cashier')) return;
    return startDraftSync();
  }, [session?.token]);
  // paid online orders waiting: counted, sounded and announced on every screen
  useEffect(() => {
    if (!session) return;
    return watchOnlineOrders();
  }, [session?.token]);

  // The till cannot be reached: say so, cover the screens (nothing is sold from what this
  // device still shows) and keep knocking until it answers.
  useEffect(() => {
    if (health.backendUp) return;
    const id = setInterval(() => void call('user_list', {}).catch(() => {}), 3000);
    return () => clearInterval(id);
  }, [health.backendUp]);

  const allowed = session ? VIEWS_BY_ROLE[session.user.role] : [];
  const current: View = allowed.includes(view) ? view : (allowed[0] ?? 'cashier');

  return (
    <div class="app">
      {unpaired ? (
        <main class="main main-login">
          <Pairing />
        </main>
      ) : session ? (
        <>
          <nav class="topnav" aria-label="main">
            <span class="brand">{t('app.name')}</span>
            {allowed.map((v) => (
              <button key={v} type="button" class={`nav-btn ${current === v ? 'active' : ''}`} aria-current={current === v ? 'page' : undefined} onClick={() => viewStore.set(v)} data-nav={v}>
                {t(NAV_KEY[v])}
                {v === 'cashier' && pending && current !== 'cashier' && <span class="nav-dot" />}
              </button>
            ))}
            <span class="nav-spacer" />
            <OnlineBadge canOpenBoard={allowed.includes('clerk')} />
          </nav>
          <main class="main">
            {current === 'cashier' && <Cashier />}
            {current === 'orders' && <Orders />}
            {current === 'clerk' && <Clerk />}
            {current === 'aftersales' && <AfterSales />}
            {current === 'manager' && <Manager />}
          </main>
        </>
      ) : restoring ? (
        <main class="main main-login" aria-busy="true" data-testid="restoring" />
      ) : (
        <main class="main main-login">
          <Login />
        </main>
      )}
      {!health.backendUp && (
        <div class="unreachable" role="alert" data-testid="till-unreachable">
          <div class="unreachable-box">
            <strong>{t('offline.title')}</strong>
            <p>{t('offline.help')}</p>
          </div>
        </div>
      )}
      <StatusBar />
      <Toasts />
      <ConfirmHost />
      <ApprovalHost />
      <ShiftOpenHost />
    </div>
  );
}
