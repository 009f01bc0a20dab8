// Manager → 局域网: switch the till's LAN listener (HTTPS) on and off, show where tablets
// reach it, the store CA to install (fingerprint, .crt, iOS profile), and pairing QRs.
import { useEffect, useState } from 'preact/hooks';
import { t, tryCall } from '../../app-state';
import type { LanStatus, PairingCode } from '../../backend/contract.gen';
import { secondsLeft, svgDataUrl } from '../../qr';

export function Lan() {
  const [lan, setLan] = useState<LanStatus | null>(null);
  const [busy, setBusy] = useState(false);
  useEffect(() => {
    void tryCall('lan_status_get', {}).then((l) => l && setLan(l));
  }, []);
  const toggle = async () => {
    if (!lan || busy) return;
    setBusy(true);
    const next = await tryCall('lan_set', { enabled: !lan.enabled });
    setBusy(false);
    if (next) setLan(next);
  };
  return (
    <div class="grid2 lan-grid" data-testid="manager-lan">
      <section class="panel">
        <h2>{t('lan.title')}</h2>
        {lan && (
          <>
            <div class="form-row">
              <span class={`pill ${lan.enabled ? 'pill-ok' : 'pill-muted'}`} data-testid="lan-state">
                {lan.enabled ? t('lan.enabled') : t('lan.disabled')}
              </span>
              {lan.switchable ? (
                <button type="button" class={`btn ${lan.enabled ? '' : 'btn-primary'}`} disabled={busy} onClick={() => void toggle()} data-testid="lan-toggle">
                  {lan.enabled ? t('lan.turnOff') : t('lan.turnOn')}
                </button>
              ) : (
                <span class="help">{t('lan.unavailable')}</span>
              )}
            </div>
            <dl class="kv">
              {lan.url && (
                <>
                  <dt>{t('lan.url')}</dt>
                  <dd class="mono selectable lan-url" data-testid="lan-url">
                    {lan.url}
                  </dd>
                </>
              )}
              {lan.urls.length > 1 && (
                <>
                  <dt>{t('lan.otherUrls')}</dt>
                  <dd class="mono selectable small">{lan.urls.slice(1).join('  ')}</dd>
                </>
              )}
              {lan.ca_fingerprint && (
                <>
                  <dt>{t('lan.fingerprint')}</dt>
                  <dd class="mono selectable fingerprint" data-testid="lan-fingerprint" data-fingerprint={lan.ca_fingerprint}>
                    {/* 16 bytes a line: compared by eye with the iPad's 证书信任设置 */}
                    <span>{lan.ca_fingerprint.slice(0, 47)}</span>
                    <span>{lan.ca_fingerprint.slice(48)}</span>
                  </dd>
                </>
              )}
            </dl>
            <div class="form-row">
              <a class="btn btn-small" href={lan.ca_profile_path} download>
                {t('lan.downloadProfile')}
              </a>
              <a class="btn btn-small" href={lan.ca_cert_path} download>
                {t('lan.downloadCrt')}
              </a>
              <a class="btn btn-small" href="/lan/ca" target="_blank" rel="noopener">
                {t('lan.caPage')}
              </a>
            </div>
          </>
        )}
        <p class="help">{t('lan.help')}</p>
      </section>
      <Pairing enabled={Boolean(lan?.enabled)} />
    </div>
  );
}

function Pairing({ enabled }: { enabled: boolean }) {
  const [code, setCode] = useState<PairingCode | null>(null);
  const [left, setLeft] = useState(0);
  useEffect(() => {
    if (!code) return;
    const tick = () => setLeft(secondsLeft(code.expires_at));
    tick();
    const id = setInterval(tick, 1000);
    return () => clearInterval(id);
  }, [code]);
  useEffect(() => {
    if (!enabled) setCode(null);
  }, [enabled]);
  const start = async () => {
    const c = await tryCall('device_pairing_start', {});
    if (c) setCode(c);
  };
  return (
    <section class="panel" data-testid="lan-pairing">
      <h2>{t('lan.pairTitle')}</h2>
      {!enabled ? (
        <p class="help">{t('lan.offHelp')}</p>
      ) : code && left > 0 ? (
        <div class="pair-qr">
          <img src={svgDataUrl(code.qr_svg)} alt={code.url} width={240} height={240} data-testid="pair-qr" data-url={code.url} />
          <div>
            <div class="small">{t('lan.pairCode')}</div>
            <div class="mono pair-code" data-testid="pair-code-shown">
              {code.code.slice(0, 4)} {code.code.slice(4)}
            </div>
            <p class="help">{t('lan.pairExpires', { s: left })}</p>
            <p class="help">{t('lan.pairHelp')}</p>
            <button type="button" class="btn btn-small" onClick={() => void start()}>
              {t('lan.pairAgain')}
            </button>
          </div>
        </div>
      ) : (
        <>
          {code && <p class="help">{t('lan.pairExpired')}</p>}
          <button type="button" class="btn btn-primary" onClick={() => void start()} data-testid="pair-start">
            {t('lan.pairStart')}
          </button>
        </>
      )}
    </section>
  );
}
