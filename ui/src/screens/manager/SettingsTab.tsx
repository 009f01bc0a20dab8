import { useEffect, useState } from 'preact/hooks';
import { call, errorText, t, toast, tryCall } from '../../app-state';
import type { JsonValue, LogExportResponse, SettingsView } from '../../backend/contract.gen';
import { Empty } from '../../components/common';
import { translateDynamic } from '../../i18n';
import { langStore } from '../../app-state';

/** The store's and till's identity, set by `storepos init`: shown, never edited (the backend refuses too). */
const READ_ONLY = ['store_id', 'store_name', 'till_code'];

/** Settings with a panel of their own on this tab (one control per setting, never two). */
const OWN_PANEL = ['kitchen_print_on_order'];

const shown = (v: unknown): string => (v == null ? '' : String(v));

const label = (k: string) => translateDynamic(langStore.get(), `settings.key.${k}`, k);

export function SettingsPanel() {
  const [settings, setSettings] = useState<SettingsView['settings'] | null>(null);
  const [edits, setEdits] = useState<Record<string, string>>({});
  const load = () => tryCall('settings_get', {}).then((s) => s && setSettings(s.settings));
  useEffect(() => {
    void load();
  }, []);
  const put = async (key: string, value: JsonValue) => {
    if ((await tryCall('settings_set', { key, value })) !== undefined) {
      toast(t('common.saved'), 'success');
      setEdits((e) => {
        const { [key]: _, ...rest } = e;
        return rest;
      });
    }
    void load();
  };
  const save = (key: string) => {
    const raw = edits[key] ?? '';
    void put(key, typeof settings?.[key] === 'number' ? Number(raw) : raw);
  };
  return (
    <section class="panel" data-testid="manager-settings">
      <h2>{t('settings.title')}</h2>
      {settings && Object.keys(settings).length === 0 && <Empty />}
      {settings && (
        <table class="table">
          <tbody>
            {Object.entries(settings)
              .filter(([k]) => !OWN_PANEL.includes(k))
              .map(([k, v]) => (
              <tr key={k} data-key={k}>
                <td>
                  <div class="strong">{label(k)}</div>
                </td>
                {READ_ONLY.includes(k) ? (
                  <>
                    <td class="grow-cell strong" data-testid={`setting-${k}`}>
                      {shown(v)}
                    </td>
                    <td class="muted small">{t('settings.readOnly')}</td>
                  </>
                ) : Array.isArray(v) ? (
                  <td colSpan={2} class="muted">
                    {t('settings.printersElsewhere')}
                  </td>
                ) : typeof v === 'boolean' ? (
                  <td colSpan={2}>
                    <label class="check">
                      <input type="checkbox" checked={v} data-testid={`setting-${k}`} onChange={(e) => void put(k, e.currentTarget.checked)} />{' '}
                      {v ? t('settings.on') : t('settings.off')}
                    </label>
                  </td>
                ) : v !== null && typeof v === 'object' ? (
                  <td colSpan={2}>
                    <RulesForm rules={v as Record<string, JsonValue>} onSave={(r) => void put(k, r)} />
                  </td>
                ) : (
                  <>
                    <td class="grow-cell">
                      <input
                        class="input"
                        type={typeof v === 'number' ? 'number' : 'text'}
                        value={edits[k] ?? shown(v)}
                        onInput={(e) => setEdits({ ...edits, [k]: e.currentTarget.value })}
                      />
                    </td>
                    <td>
                      <button type="button" class="btn btn-small" disabled={edits[k] === undefined} onClick={() => save(k)}>
                        {t('common.save')}
                      </button>
                    </td>
                  </>
                )}
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

/** The manager-approval rules as a form: a switch per guarded act, numbers for limits,
 *  an amount (empty: never) for the cash threshold. */
function RulesForm({ rules, onSave }: { rules: Record<string, JsonValue>; onSave: (r: Record<string, JsonValue>) => void }) {
  const [draft, setDraft] = useState<Record<string, JsonValue>>(rules);
  useEffect(() => setDraft(rules), [JSON.stringify(rules)]);
  const changed = JSON.stringify(draft) !== JSON.stringify(rules);
  const name = (k: string) => translateDynamic(langStore.get(), `settings.rule.${k}`, k);
  return (
    <div class="rules-form" data-testid="approval-rules">
      {Object.entries(draft).map(([k, v]) => (
        <div key={k} class="form-row">
          {typeof v === 'boolean' ? (
            <label class="check">
              <input type="checkbox" checked={v} onChange={(e) => setDraft({ ...draft, [k]: e.currentTarget.checked })} /> {name(k)}
            </label>
          ) : (
            <label class="field-inline">
              {name(k)}
              <input
                class="input"
                type="text"
                inputMode="decimal"
                value={v == null ? '' : String(v)}
                placeholder={typeof v === 'number' ? '0' : t('settings.rule.never')}
                onInput={(e) => {
                  const raw = e.currentTarget.value.trim();
                  setDraft({ ...draft, [k]: typeof rules[k] === 'number' ? Number(raw) || 0 : raw === '' ? null : raw });
                }}
              />
            </label>
          )}
        </div>
      ))}
      <button type="button" class="btn btn-small" disabled={!changed} onClick={() => onSave(draft)}>
        {t('common.save')}
      </button>
    </div>
  );
}

function size(bytes: number): string {
  return bytes >= 1048576 ? `${(bytes / 1048576).toFixed(1)} MB` : `${Math.max(1, Math.round(bytes / 1024))} KB`;
}

/** Hands the export to the browser as a download (in the desktop shell the file on the till is what counts). */
function download(name: string, text: string) {
  const url = URL.createObjectURL(new Blob([text], { type: 'text/plain;charset=utf-8' }));
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/** Manager → 设置: export the log for the helpdesk. Errors stay on the panel until the next try. */
export function LogExportPanel() {
  const [days, setDays] = useState('3');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [done, setDone] = useState<LogExportResponse | null>(null);
  const n = Number(days);
  const valid = Number.isInteger(n) && n >= 1 && n <= 14;
  const run = async () => {
    if (!valid) {
      setError(t('logs.daysInvalid'));
      return;
    }
    setBusy(true);
    setError(null);
    setDone(null);
    try {
      const r = await call('log_export', { days: n });
      download(r.file_name, r.text);
      setDone(r);
      toast(t('logs.exported'), 'success');
    } catch (e) {
      setError(errorText(e));
    } finally {
      setBusy(false);
    }
  };
  return (
    <section class="panel" data-testid="manager-logs">
      <h2>{t('logs.title')}</h2>
      <p class="muted">{t('logs.help')}</p>
      <div class="row">
        <label>
          {t('logs.days')}{' '}
          <input class="input" type="number" min={1} max={14} data-testid="logs-days" value={days} onInput={(e) => setDays(e.currentTarget.value)} />
        </label>{' '}
        <button type="button" class="btn" data-testid="logs-export" disabled={busy} onClick={() => void run()}>
          {busy ? t('logs.exporting') : t('logs.export')}
        </button>
      </div>
      {busy && <p class="muted" data-testid="logs-progress">{t('logs.exporting')}</p>}
      {error && (
        <div class="form-error" role="alert" data-testid="logs-error">
          {error}
        </div>
      )}
      {done && (
        <p data-testid="logs-done">
          {t('logs.done', { files: done.files.length, size: size(done.bytes), path: done.path })}
          {done.truncated && ` ${t('logs.truncated')}`}
        </p>
      )}
    </section>
  );
}
