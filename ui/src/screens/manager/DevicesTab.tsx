// Manager → 设备: the devices paired over the LAN, when they were last seen, and revoking
// one (it is cut off at once: its next request is refused, its event stream closed).
import { useEffect, useState } from 'preact/hooks';
import { dateTimeOf, t, toast, tryCall } from '../../app-state';
import type { Device } from '../../backend/contract.gen';
import { confirmDialog, Empty } from '../../components/common';

export function Devices() {
  const [devices, setDevices] = useState<Device[] | null>(null);
  const load = () => tryCall('device_list', {}).then((d) => d && setDevices(d));
  useEffect(() => {
    void load();
    const id = setInterval(() => void load(), 15000);
    return () => clearInterval(id);
  }, []);
  const revoke = async (d: Device) => {
    if (!(await confirmDialog(t('devices.revokeConfirm', { name: d.name }), true))) return;
    if ((await tryCall('device_revoke', { id: d.id })) !== undefined) {
      toast(t('devices.revokedToast', { name: d.name }), 'success');
      void load();
    }
  };
  return (
    <section class="panel" data-testid="manager-devices">
      <h2>{t('devices.title')}</h2>
      {devices && devices.length === 0 ? (
        <Empty text={t('devices.none')} />
      ) : (
        <div class="table-wrap">
          <table class="table">
            <thead>
              <tr>
                <th>{t('devices.name')}</th>
                <th>{t('devices.pairedAt')}</th>
                <th>{t('devices.pairedBy')}</th>
                <th>{t('devices.lastSeen')}</th>
                <th>{t('devices.state')}</th>
                <th />
              </tr>
            </thead>
            <tbody>
              {devices?.map((d) => (
                <tr key={d.id} data-testid="device-row" data-device-id={d.id} class={d.revoked_at ? 'muted' : ''}>
                  <td class="strong">{d.name}</td>
                  <td class="nowrap">{dateTimeOf(d.paired_at)}</td>
                  <td class="mono small">{d.paired_by.split('#')[0]}</td>
                  <td class="nowrap">{dateTimeOf(d.last_seen_at)}</td>
                  <td>
                    <span class={`pill ${d.revoked_at ? 'pill-muted' : 'pill-ok'}`}>{d.revoked_at ? t('devices.revoked') : t('devices.live')}</span>
                  </td>
                  <td>
                    {!d.revoked_at && (
                      <button type="button" class="btn btn-small btn-danger" onClick={() => void revoke(d)} data-testid="device-revoke">
                        {t('devices.revoke')}
                      </button>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
