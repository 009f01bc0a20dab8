import { useEffect, useState } from 'preact/hooks';
import { reportError, t, tryCall } from '../../app-state';
import type { LanStatus } from '../../backend/contract.gen';

export function Lan() {
  const [lan, setLan] = useState<LanStatus | null>(null);
  useEffect(() => {
    tryCall('lan_status_get', {}).then((l) => l && setLan(l)).catch(reportError);
  }, []);
  return (
    <section class="panel" data-testid="manager-lan">
      <h2>{t('lan.title')}</h2>
      {lan && (
        <dl class="kv">
          <dt>{t('lan.title')}</dt>
          <dd>
            <span class={`pill ${lan.enabled ? 'pill-ok' : 'pill-muted'}`}>{lan.enabled ? t('lan.enabled') : t('lan.disabled')}</span>
          </dd>
          {lan.url && (
            <>
              <dt>{t('lan.url')}</dt>
              <dd class="mono selectable">{lan.url}</dd>
            </>
          )}
          {lan.token && (
            <>
              <dt>{t('lan.token')}</dt>
              <dd class="mono selectable big-token">{lan.token}</dd>
            </>
          )}
        </dl>
      )}
      <p class="help">{t('lan.help')}</p>
    </section>
  );
}
