import { useEffect, useState } from 'preact/hooks';
import { onBackendEvent, t, tryCall } from '../../app-state';
import type { PrintJob, PrinterView } from '../../backend/contract.gen';
import { Empty } from '../../components/common';
import { usePoll } from '../../hooks';

export function Printers() {
  const [printers, setPrinters] = useState<PrinterView[] | null>(null);
  const [jobs, setJobs] = useState<PrintJob[] | null>(null);
  const [state, setState] = useState<string>('');
  const load = async () => {
    const [p, j] = await Promise.all([tryCall('printer_list', {}), tryCall('print_job_list', state ? { state } : {})]);
    if (p) setPrinters(p);
    if (j) setJobs(j);
  };
  usePoll(load, 4000, [state]);
  useEffect(() => onBackendEvent((e) => e.type === 'print_job' && void load()));
  const name = (id: string) => printers?.find((p) => p.id === id)?.name ?? id;

  return (
    <div class="stack" data-testid="manager-printers">
      <section class="panel">
        <h2>{t('printers.title')}</h2>
        <div class="printer-cards">
          {printers?.length === 0 && <Empty />}
          {printers?.map((p) => (
            <div key={p.id} class={`printer-card pstate-${p.state}`}>
              <div class="strong">{p.name}</div>
              <div class="muted small">
                {p.id} · {p.paper} mm
              </div>
              <div>
                <span class={`pill ${p.state === 'ok' ? 'pill-ok' : 'pill-bad'}`}>{t(`printers.state.${p.state}`)}</span>{' '}
                {p.queued > 0 && <span class="pill pill-warn">{t('printers.queued')} {p.queued}</span>}
              </div>
            </div>
          ))}
        </div>
      </section>
      <section class="panel">
        <div class="page-head">
          <h2>{t('printers.jobs')}</h2>
          <select class="input" value={state} onChange={(e) => setState(e.currentTarget.value)}>
            <option value="">{t('printers.allJobs')}</option>
            {(['queued', 'printing', 'printed', 'failed', 'uncertain'] as const).map((s) => (
              <option key={s} value={s}>
                {t(`print.${s}`)}
              </option>
            ))}
          </select>
        </div>
        {jobs?.length === 0 && <Empty />}
        {jobs && jobs.length > 0 && (
          <div class="table-wrap">
            <table class="table">
              <thead>
                <tr>
                  <th>#</th>
                  <th>{t('printers.kind')}</th>
                  <th>{t('printers.order')}</th>
                  <th>{t('printers.name')}</th>
                  <th>{t('printers.state')}</th>
                  <th class="num">{t('printers.attempts')}</th>
                  <th>{t('printers.lastError')}</th>
                  <th>{t('orders.actions')}</th>
                </tr>
              </thead>
              <tbody>
                {jobs.map((j) => (
                  <tr key={j.id}>
                    <td class="mono">{j.id}</td>
                    <td>{j.kind === 'receipt' ? t('print.receipt') : j.kind === 'kitchen' ? t('print.kitchen') : j.kind}</td>
                    <td class="mono small">{j.client_ref ?? '—'}</td>
                    <td>{name(j.printer_id)}</td>
                    <td>
                      <span class={`pill ${j.state === 'printed' ? 'pill-ok' : j.state === 'failed' || j.state === 'uncertain' ? 'pill-bad' : 'pill-info'}`}>{t(`print.${j.state}`)}</span>
                    </td>
                    <td class="num">{j.attempts}</td>
                    <td class="small">{j.last_error ?? ''}</td>
                    <td>
                      <div class="action-row nowrap">
                        {(j.state === 'failed' || j.state === 'uncertain') && (
                          <button type="button" class="btn btn-small" onClick={async () => (await tryCall('print_job_retry', { id: j.id })) !== undefined && load()}>
                            {t('printers.retry')}
                          </button>
                        )}
                        {j.state !== 'printed' && j.state !== 'printing' && printers && printers.length > 1 && (
                          <select
                            class="input input-small"
                            value=""
                            aria-label={t('printers.moveTo')}
                            onChange={async (e) => {
                              const to = e.currentTarget.value;
                              if (to && (await tryCall('print_job_move', { id: j.id, printer_id: to })) !== undefined) void load();
                            }}
                          >
                            <option value="">{t('printers.moveTo')}</option>
                            {printers
                              .filter((p) => p.id !== j.printer_id)
                              .map((p) => (
                                <option key={p.id} value={p.id}>
                                  {p.name}
                                </option>
                              ))}
                          </select>
                        )}
                      </div>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>
    </div>
  );
}
