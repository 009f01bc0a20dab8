import { useEffect, useState } from 'preact/hooks';
import { t, toast, tryCall } from '../../app-state';
import { type Settings } from '../../backend/types';
import { Empty } from '../../components/common';

export function SettingsPanel() {
  const [settings, setSettings] = useState<Settings | null>(null);
  const [edits, setEdits] = useState<Record<string, string>>({});
  const load = () => tryCall<Settings>('settings_get', {}).then((s) => s && setSettings(s));
  useEffect(() => {
    void load();
  }, []);
  const save = async (key: string) => {
    const raw = edits[key];
    const old = settings?.[key];
    const value = typeof old === 'number' ? Number(raw) : typeof old === 'boolean' ? raw === 'true' : raw;
    if ((await tryCall('settings_set', { key, value })) !== undefined) {
      toast(t('common.saved'), 'success');
      setEdits((e) => {
        const { [key]: _, ...rest } = e;
        return rest;
      });
      void load();
    }
  };
  return (
    <section class="panel" data-testid="manager-settings">
      <h2>{t('settings.title')}</h2>
      {settings && Object.keys(settings).length === 0 && <Empty />}
      {settings && (
        <table class="table">
          <tbody>
            {Object.entries(settings).map(([k, v]) => (
              <tr key={k}>
                <td class="mono">{k}</td>
                <td class="grow-cell">
                  <input class="input" type="text" value={edits[k] ?? (v == null ? '' : String(v))} onInput={(e) => setEdits({ ...edits, [k]: e.currentTarget.value })} />
                </td>
                <td>
                  <button type="button" class="btn btn-small" disabled={edits[k] === undefined} onClick={() => void save(k)}>
                    {t('common.save')}
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
