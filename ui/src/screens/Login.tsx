import { useEffect, useRef, useState } from 'preact/hooks';
import { call, errorText, setStoreClock, startSession, t } from '../app-state';
import { setCartLimits } from '../cart';
import type { User } from '../backend/contract.gen';
import { Empty } from '../components/common';
import { PinPad } from '../components/PinPad';

export function Login() {
  const [users, setUsers] = useState<User[] | null>(null);
  const [loadError, setLoadError] = useState<string | null>(null);
  const [user, setUser] = useState<User | null>(null);
  const [pin, setPin] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  // the PIN also lives in a ref: keys can arrive faster than re-renders
  const pinRef = useRef('');
  const busyRef = useRef(false);
  const updatePin = (f: (p: string) => string) => {
    pinRef.current = f(pinRef.current);
    setPin(pinRef.current);
    setError(null);
  };

  const load = async () => {
    setLoadError(null);
    try {
      setUsers(await call('user_list', {}));
    } catch (e) {
      setLoadError(errorText(e));
    }
  };
  useEffect(() => {
    void load();
  }, []);

  const submit = async () => {
    const pinNow = pinRef.current;
    if (!user || busyRef.current || pinNow.length < 4) return;
    busyRef.current = true;
    setBusy(true);
    setError(null);
    try {
      const res = await call('session_login', { username: user.username, pin: pinNow });
      setStoreClock(res.timezone);
      setCartLimits(res.limits);
      startSession({ token: res.token, user: res.user, till_code: res.till_code });
    } catch (e) {
      setError(errorText(e));
      pinRef.current = '';
      setPin('');
    } finally {
      busyRef.current = false;
      setBusy(false);
    }
  };

  return (
    <div class="login" data-testid="login">
      <h1 class="login-brand">{t('app.name')}</h1>
      {!user ? (
        <section class="login-card">
          <h2>{t('login.title')}</h2>
          {loadError && (
            <div class="banner banner-error">
              {loadError}
              <button type="button" class="btn" onClick={load}>
                {t('common.retry')}
              </button>
            </div>
          )}
          {users === null && !loadError && <p class="muted">{t('common.loading')}</p>}
          {users && users.length === 0 && <Empty text={t('login.noUsers')} />}
          <div class="user-tiles">
            {users?.map((u) => (
              <button
                key={u.id}
                type="button"
                class={`user-tile role-${u.role}`}
                data-username={u.username}
                onClick={() => {
                  setUser(u);
                  pinRef.current = '';
                  setPin('');
                  setError(null);
                }}
              >
                <span class="avatar">{u.display_name.slice(0, 1)}</span>
                <span class="user-name">{u.display_name}</span>
                <span class="user-role">{t(`role.${u.role}`)}</span>
              </button>
            ))}
          </div>
        </section>
      ) : (
        <section class="login-card login-pin">
          <h2>{t('login.pinFor', { name: user.display_name })}</h2>
          <PinPad
            length={pin.length}
            onDigit={(d) => updatePin((p) => (p.length < 6 ? p + d : p))}
            onBackspace={() => updatePin((p) => p.slice(0, -1))}
            onClear={() => updatePin(() => '')}
            onSubmit={submit}
            busy={busy}
          />
          <div class="login-error" role="alert" data-testid="login-error">{error ?? ''}</div>
          <button type="button" class="btn btn-ghost" onClick={() => setUser(null)}>
            ← {t('login.switchUser')}
          </button>
        </section>
      )}
    </div>
  );
}
