import { useEffect, useState } from 'preact/hooks';
import { dateTimeOf, reportError, t, tryCall } from '../../app-state';
import type { ChannelView } from '../../backend/contract.gen';

export function Channels() {
  const [rows, setRows] = useState<ChannelView[] | null>(null);
  useEffect(() => {
    const load = () => tryCall('channel_list', {}).then((r) => r && setRows(r)).catch(reportError);
    load();
    const timer = setInterval(load, 5000);
    return () => clearInterval(timer);
  }, []);
  return (
    <section class="panel" data-testid="manager-channels">
      <h2>{t('channels.title')}</h2>
      <table class="table">
        <thead>
          <tr>
            <th>{t('channels.id')}</th>
            <th>{t('channels.health')}</th>
            <th>{t('channels.backlog')}</th>
            <th>{t('channels.conflicts')}</th>
            <th>{t('channels.lastSuccess')}</th>
            <th>{t('channels.lastError')}</th>
          </tr>
        </thead>
        <tbody>
          {(rows ?? []).map((c) => (
            <tr key={c.id} data-channel={c.id}>
              <td>
                <span class="strong">{c.id}</span> <span class="muted small">{c.dialect}</span>
              </td>
              <td>
                <span class={`pill ${!c.enabled ? 'pill-muted' : c.online ? 'pill-ok' : 'pill-bad'}`}>
                  {!c.enabled ? t('channels.disabled') : c.online ? t('status.online') : t('status.offline')}
                </span>
              </td>
              <td class={c.backlog > 0 ? 'strong' : 'muted'}>{c.backlog}</td>
              <td class={c.conflicts > 0 ? 'strong' : 'muted'}>{c.conflicts}</td>
              <td class="small">{c.last_success_at ? dateTimeOf(c.last_success_at) : t('syncp.never')}</td>
              <td class="small muted">{c.last_error ?? ''}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {rows && rows.length === 0 && <p class="muted">{t('channels.none')}</p>}
      <p class="help">{t('channels.help')}</p>
    </section>
  );
}
