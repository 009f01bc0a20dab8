import { useState } from 'preact/hooks';
import { call, reportError, storeToday, t, timeOf } from '../../app-state';
import type { Service } from '../../backend/contract.gen';
import { Empty } from '../../components/common';
import { usePoll } from '../../hooks';
import { serviceAmount, serviceStatus } from './service';
import { Wizard } from './Wizard';

export function AfterSales() {
  const [wizard, setWizard] = useState(0);
  const [list, setList] = useState<Service[] | null>(null);
  const loadList = () =>
    storeToday()
      .then((day) => call('after_sales_list', { day }))
      .then(setList)
      .catch(reportError);
  // the platform's service number arrives with sync: keep the list fresh
  usePoll(loadList, 10000);
  return (
    <div class="page aftersales" data-testid="aftersales">
      <div class="page-head">
        <h1>{t('as.title')}</h1>
        <span class="grow" />
        <button type="button" class="btn" onClick={() => setWizard((w) => w + 1)}>
          {t('as.new')}
        </button>
      </div>
      <div class="as-layout">
        <Wizard key={wizard} onCreated={loadList} onRestart={() => setWizard((w) => w + 1)} />
        <section class="panel as-list">
          <h2>{t('as.list')}</h2>
          {list === null && <p class="muted">{t('common.loading')}</p>}
          {list && list.length === 0 && <Empty />}
          {list && list.length > 0 && (
            <table class="table">
              <tbody>
                {list.map((s) => (
                  <tr key={s.client_ref}>
                    <td>
                      <div class="strong">
                        {s.service_type ? t(`as.type.${s.service_type}`) : '—'}
                        {s.local_only && (
                          <span class="pill pill-warn as-local-pill" data-testid="as-local-pill">
                            {t('as.storeOnlyShort')}
                          </span>
                        )}
                      </div>
                      <div class="muted small mono">{s.local_only ? t('as.notSent') : (s.service_number ?? t('as.pending'))}</div>
                      <div class="small mono">{s.order_number ?? (s.order_client_ref ? '' : t('as.walkinShort'))}</div>
                    </td>
                    <td class="num" data-testid="as-list-amount">{serviceAmount(s)}</td>
                    <td>
                      <span class="pill pill-muted">{serviceStatus(s.status)}</span>
                    </td>
                    <td class="muted small nowrap-cell">{timeOf(s.created_at)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </section>
      </div>
    </div>
  );
}
