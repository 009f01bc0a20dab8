import { useEffect, useState } from 'preact/hooks';
import { t, toast, tryCall } from '../../app-state';
import type { Role, User } from '../../backend/contract.gen';

export function Users() {
  const [users, setUsers] = useState<User[] | null>(null);
  const [form, setForm] = useState({ username: '', display_name: '', role: 'cashier' as Role, pin: '' });
  const [pinFor, setPinFor] = useState<number | null>(null);
  const [newPin, setNewPin] = useState('');
  const load = () => tryCall('user_list', {}).then((u) => u && setUsers(u));
  useEffect(() => {
    void load();
  }, []);
  const create = async () => {
    if (!/^\d{4,6}$/.test(form.pin)) return toast(t('users.pinInvalid'), 'error');
    if (!form.username.trim() || !form.display_name.trim()) return;
    if ((await tryCall('user_create', { ...form, username: form.username.trim(), display_name: form.display_name.trim() })) !== undefined) {
      toast(t('common.saved'), 'success');
      setForm({ username: '', display_name: '', role: 'cashier', pin: '' });
      void load();
    }
  };
  const setPinNow = async (id: number) => {
    if (!/^\d{4,6}$/.test(newPin)) return toast(t('users.pinInvalid'), 'error');
    if ((await tryCall('user_pin_set', { user_id: id, pin: newPin })) !== undefined) {
      toast(t('common.saved'), 'success');
      setPinFor(null);
      setNewPin('');
    }
  };
  return (
    <div class="grid2" data-testid="manager-users">
      <section class="panel">
        <h2>{t('users.title')}</h2>
        <table class="table">
          <tbody>
            {users?.map((u) => (
              <tr key={u.id}>
                <td class="strong">{u.display_name}</td>
                <td class="mono small">{u.username}</td>
                <td>{t(`role.${u.role}`)}</td>
                <td>
                  {pinFor === u.id ? (
                    <div class="form-row nowrap">
                      <input class="input input-small" type="password" inputMode="numeric" placeholder={t('users.newPin')} value={newPin} onInput={(e) => setNewPin(e.currentTarget.value.replace(/\D/g, '').slice(0, 6))} />
                      <button type="button" class="btn btn-primary btn-small" onClick={() => void setPinNow(u.id)}>
                        {t('common.save')}
                      </button>
                    </div>
                  ) : (
                    <button type="button" class="btn btn-small" onClick={() => { setPinFor(u.id); setNewPin(''); }}>
                      {t('users.setPin')}
                    </button>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </section>
      <section class="panel">
        <h2>{t('users.create')}</h2>
        <label class="field">
          <span class="label">{t('users.username')}</span>
          <input class="input" type="text" autoComplete="off" value={form.username} onInput={(e) => setForm({ ...form, username: e.currentTarget.value })} />
        </label>
        <label class="field">
          <span class="label">{t('users.displayName')}</span>
          <input class="input" type="text" value={form.display_name} onInput={(e) => setForm({ ...form, display_name: e.currentTarget.value })} />
        </label>
        <div class="field">
          <span class="label">{t('users.role')}</span>
          <div class="seg">
            {(['cashier', 'clerk', 'manager'] as Role[]).map((r) => (
              <button key={r} type="button" class={`btn ${form.role === r ? 'btn-primary' : ''}`} aria-pressed={form.role === r} onClick={() => setForm({ ...form, role: r })}>
                {t(`role.${r}`)}
              </button>
            ))}
          </div>
        </div>
        <label class="field">
          <span class="label">{t('users.pin')}</span>
          <input class="input" type="password" inputMode="numeric" autoComplete="off" value={form.pin} onInput={(e) => setForm({ ...form, pin: e.currentTarget.value.replace(/\D/g, '').slice(0, 6) })} />
        </label>
        <button type="button" class="btn btn-primary btn-big" onClick={() => void create()}>
          {t('users.create')}
        </button>
      </section>
    </div>
  );
}
