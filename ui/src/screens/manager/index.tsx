import { useEffect, useState } from 'preact/hooks';
import { t } from '../../app-state';
import { DayStats } from './DayTab';
import { Shift } from './ShiftTab';
import { Printers } from './PrintersTab';
import { SyncPanel } from './SyncTab';
import { Users } from './UsersTab';
import { LogExportPanel, SettingsPanel } from './SettingsTab';
import { BackupPanel } from './BackupPanel';
import { Channels } from './ChannelsTab';
import { Lan } from './LanTab';
import { Devices } from './DevicesTab';
import { KitchenFlowPanel, StaleHeldPanel } from './CounterDayPanels';

export type Tab = 'day' | 'shift' | 'printers' | 'sync' | 'channels' | 'users' | 'settings' | 'lan' | 'devices';

export const TABS: Tab[] = ['day', 'shift', 'printers', 'sync', 'channels', 'users', 'settings', 'lan', 'devices'];

export function Manager() {
  const [tab, setTab] = useState<Tab>(() => (sessionStorage.getItem('storepos.mgr_tab') as Tab) || 'day');
  useEffect(() => {
    const on = (e: Event) => setTab((e as CustomEvent<Tab>).detail);
    window.addEventListener('storepos:mgr-tab', on);
    return () => window.removeEventListener('storepos:mgr-tab', on);
  }, []);
  const choose = (x: Tab) => {
    sessionStorage.setItem('storepos.mgr_tab', x);
    setTab(x);
  };
  return (
    <div class="page manager" data-testid="manager">
      <div class="tabs" role="tablist">
        {TABS.map((x) => (
          <button key={x} type="button" role="tab" aria-selected={tab === x} class={`tab ${tab === x ? 'active' : ''}`} onClick={() => choose(x)}>
            {t(`mgr.tab.${x}`)}
          </button>
        ))}
      </div>
      {tab === 'day' && (
        <>
          <StaleHeldPanel />
          <DayStats />
        </>
      )}
      {tab === 'shift' && <Shift />}
      {tab === 'printers' && <Printers />}
      {tab === 'sync' && <SyncPanel />}
      {tab === 'channels' && <Channels />}
      {tab === 'users' && <Users />}
      {tab === 'settings' && (
        <>
          <SettingsPanel />
          <KitchenFlowPanel />
          <BackupPanel />
          <LogExportPanel />
        </>
      )}
      {tab === 'lan' && <Lan />}
      {tab === 'devices' && <Devices />}
    </div>
  );
}
