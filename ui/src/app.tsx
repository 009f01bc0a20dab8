import { useEffect, useState } from 'preact/hooks';
import { backend } from './backend';
import {
  emitBackendEvent,
  langStore,
  pendingSaleStore,
  restoreSession,
  sessionStore,
  t,
  viewStore,
  VIEWS_BY_ROLE,
  type View,
} from './app-state';
import { ConfirmHost, Toasts } from './components/common';
import { StatusBar } from './components/StatusBar';
import { AfterSales } from './screens/after-sales';
import { Cashier } from './screens/Cashier';
import { Clerk } from './screens/Clerk';
import { Login } from './screens/Login';
import { Manager } from './screens/manager';
import { Orders } from './screens/Orders';
import { OnlineBadge } from './components/OnlineBadge';
import { watchOnlineOrders } from './online-alert';
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

  // A reload with a stored session shows nothing until `session_get` has answered: flashing the
  // login screen (and its user tiles) for a moment invites a click that then vanishes.
  const [restoring, setRestoring] = useState(() => Boolean(backend().tokens.session()));
  useEffect(() => {
    void restoreSession().finally(() => setRestoring(false));
  }, []);

  // one event stream per session
  useEffect(() => {
    if (!session) return;
    return backend().events(emitBackendEvent);
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

  const allowed = session ? VIEWS_BY_ROLE[session.user.role] : [];
  const current: View = allowed.includes(view) ? view : (allowed[0] ?? 'cashier');

  return (
    <div class="app">
      {session ? (
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
      <StatusBar />
      <Toasts />
      <ConfirmHost />
    </div>
  );
}
