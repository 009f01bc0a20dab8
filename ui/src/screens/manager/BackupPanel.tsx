import { useEffect, useState } from 'preact/hooks';
import { dateTimeOf, t, toast, tryCall } from '../../app-state';
import type { BackupListResponse, BackupSettingsSetRequest } from '../../backend/contract.gen';
import { Empty } from '../../components/common';

export function BackupPanel() {
  const [list, setList] = useState<BackupListResponse | null>(null);
  const [dir, setDir] = useState<string | null>(null);
  const [interval, setInterval_] = useState<string | null>(null);
  const [keep, setKeep] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const load = () => tryCall('backup_list', {}).then((l) => l && setList(l));
  useEffect(() => {
    void load();
  }, []);
  const dirty = dir !== null || interval !== null || keep !== null;
  const save = async () => {
    const req: BackupSettingsSetRequest = {};
    if (dir !== null) req.dir = dir;
    if (interval !== null) req.interval_min = Number(interval);
    if (keep !== null) req.keep = Number(keep);
    if ((await tryCall('backup_settings_set', req)) !== undefined) {
      toast(t('common.saved'), 'success');
      setDir(null);
      setInterval_(null);
      setKeep(null);
      void load();
    }
  };
  const now = async () => {
    setBusy(true);
    try {
      if ((await tryCall('backup_create', {})) !== undefined) toast(t('backup.done'), 'success');
    } finally {
      setBusy(false);
      void load();
    }
  };
  const reason = (r: string) => (['auto', 'manual', 'shift_close', 'day_close'].includes(r) ? t(`backup.reason.${r}` as 'backup.reason.auto') : r);
  const base = (f: string) => f.split(/[\\/]/).pop() ?? f;
  return (
    <section class="panel" data-testid="manager-backups">
      <h2>{t('backup.title')}</h2>
      {list && (
        <>
          <table class="table">
            <tbody>
              <tr>
                <td>{t('backup.folder')}</td>
                <td class="grow-cell">
                  <input class="input mono" type="text" data-testid="backup-dir" value={dir ?? list.settings.dir} onInput={(e) => setDir(e.currentTarget.value)} />
                </td>
              </tr>
              <tr>
                <td>{t('backup.interval')}</td>
                <td>
                  <input class="input" type="number" min={0} max={1440} value={interval ?? String(list.settings.interval_min)} onInput={(e) => setInterval_(e.currentTarget.value)} />
                </td>
              </tr>
              <tr>
                <td>{t('backup.keep')}</td>
                <td>
                  <input class="input" type="number" min={1} max={1000} value={keep ?? String(list.settings.keep)} onInput={(e) => setKeep(e.currentTarget.value)} />
                </td>
              </tr>
            </tbody>
          </table>
          <div class="row">
            <button type="button" class="btn btn-small" disabled={!dirty} onClick={() => void save()}>
              {t('common.save')}
            </button>
            <button type="button" class="btn btn-small btn-primary" data-testid="backup-now" disabled={busy} onClick={() => void now()}>
              {t('backup.now')}
            </button>
            {list.outbox_pending > 0 && <span class="muted">{t('backup.pending', { n: list.outbox_pending })}</span>}
          </div>
          {list.backups.length === 0 ? (
            <Empty />
          ) : (
            <table class="table" data-testid="backup-list">
              <thead>
                <tr>
                  <th>{t('backup.when')}</th>
                  <th>{t('backup.reason')}</th>
                  <th>{t('backup.check')}</th>
                  <th>{t('backup.size')}</th>
                  <th>{t('backup.file')}</th>
                </tr>
              </thead>
              <tbody>
                {list.backups.slice(0, 20).map((b) => (
                  <tr key={b.file + b.started_at}>
                    <td>{dateTimeOf(b.started_at)}</td>
                    <td>{reason(b.reason)}</td>
                    <td class={b.ok ? '' : 'danger'}>{b.ok ? b.integrity : (b.error ?? b.integrity)}</td>
                    <td class="num">{b.ok ? `${(b.bytes / 1048576).toFixed(1)} MB` : '—'}</td>
                    <td class="mono">{b.present ? base(b.file) : <s title={b.file}>{t('backup.rotated')}</s>}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </>
      )}
    </section>
  );
}
