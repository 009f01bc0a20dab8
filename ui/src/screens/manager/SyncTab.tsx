import { Fragment } from 'preact';
import { useState } from 'preact/hooks';
import { dateTimeOf, langStore, healthStore, t, toast, tryCall } from '../../app-state';
import type { ConflictItem, ReconcileResponse, Stray } from '../../backend/contract.gen';
import { confirmDialog, Empty } from '../../components/common';
import { translateDynamic } from '../../i18n';
import { usePoll } from '../../hooks';
import { useStore } from '../../store';

type Figure = ReconcileResponse['figures'][number];

/** The local figure the platform's equals (its meaning), or the field figure when none does. */
function localFor(f: Figure): string {
  const v =
    f.matches === 'documented'
      ? f.local_documented
      : f.matches === 'synced'
        ? f.local_synced_field
        : f.matches === 'synced_documented'
          ? f.local_synced_documented
          : f.local_field;
  return String(v ?? '—');
}

/** A figure of the platform's order_count in words ("cancled" is the platform's spelling). */
function figureName(f: string): string {
  return translateDynamic(langStore.get(), `syncp.fig.${f}`, f);
}

/** Green only when every difference has a reason: one unexplained row turns it red. */
export function countsBadge(c: ReconcileResponse): 'ok' | 'bad' {
  const unexplained = c.figures.some((f) => f.explanations.some((x) => x.kind === 'unexplained'));
  return c.all_explained === true && !unexplained ? 'ok' : 'bad';
}

/** The platform's last order_count beside the ledger's, every difference with its reason:
 *  the same reconciliation (`stats_reconcile`) the sync engine runs each round. */
function CountsSection({ counts }: { counts: ReconcileResponse | undefined }) {
  const zh = langStore.get() === 'zh';
  return (
    <section class="panel" data-testid="sync-counts">
      <h2>{t('syncp.counts')}</h2>
      <p class="help">{t('syncp.countsHelp')}</p>
      {counts && counts.platform === null && <Empty text={t('syncp.countsNone')} />}
      {counts && counts.platform !== null && (
        <Fragment>
          <p class="muted small">
            {t('syncp.countsAt')} {counts.fetched_at ? dateTimeOf(counts.fetched_at) : '—'} ·{' '}
            <span class={`pill ${countsBadge(counts) === 'ok' ? 'pill-ok' : 'pill-bad'}`} data-testid="counts-explained">
              {t(countsBadge(counts) === 'ok' ? 'syncp.countsExplained' : 'syncp.countsUnexplained')}
            </span>
          </p>
          {(() => {
            const total = counts.figures.find((f) => f.figure === 'total');
            return total ? (
              <p class="strong" data-testid="counts-summary">
                {t('syncp.countsSummary', { p: String(total.platform ?? '—'), l: localFor(total) })}
              </p>
            ) : null;
          })()}
          <table class="table">
            <thead>
              <tr>
                <th>{t('syncp.countsField')}</th>
                <th class="num">{t('syncp.countsPlatform')}</th>
                <th class="num">{t('syncp.countsLocal')}</th>
                <th>{t('syncp.countsMeaning')}</th>
                <th />
              </tr>
            </thead>
            <tbody>
              {counts.figures.map((f) => {
                const same = f.matches === 'field' && String(f.platform) === String(f.local_field);
                return (
                  <tr key={f.figure} data-field={f.figure} data-matches={f.matches ?? ''}>
                    <td title={f.figure}>{figureName(f.figure)}</td>
                    <td class="num">{String(f.platform ?? '—')}</td>
                    <td class="num">{localFor(f)}</td>
                    <td class="small">
                      {f.matches === 'none' && f.explanations.length > 0 && !f.explanations.some((x) => x.kind === 'unexplained')
                        ? t('syncp.meaning.explained')
                        : t(`syncp.meaning.${f.matches ?? 'none'}` as 'syncp.meaning.field')}
                    </td>
                    <td class="small">
                      {same && !f.explanations.length ? (
                        <span class="muted">{t('syncp.countsSame')}</span>
                      ) : (
                        f.explanations.map((x) => (
                          <span key={x.kind} class={`pill ${x.kind === 'unexplained' ? 'pill-bad' : 'pill-muted'}`} data-kind={x.kind}>
                            {zh ? x.zh : x.en}
                          </span>
                        ))
                      )}
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </Fragment>
      )}
    </section>
  );
}

export function SyncPanel() {
  const health = useStore(healthStore);
  const [conflicts, setConflicts] = useState<ConflictItem[] | null>(null);
  const [strays, setStrays] = useState<Stray[] | null>(null);
  const [counts, setCounts] = useState<ReconcileResponse | undefined>(undefined);
  const load = async () => {
    const [s, c, st, pc] = await Promise.all([
      tryCall('sync_status_get', {}),
      tryCall('conflict_list', {}),
      tryCall('stray_list', {}),
      tryCall('stats_reconcile', {}),
    ]);
    if (s) healthStore.set((h) => ({ ...h, sync: s }));
    if (c) setConflicts(c);
    if (st) setStrays(st);
    if (pc) setCounts(pc);
  };
  usePoll(load, 5000);
  const voided = async (s: Stray) => {
    if (!(await confirmDialog(t('syncp.strayConfirm', { no: s.order_number }), true))) return;
    if ((await tryCall('stray_void', { id: s.id })) !== undefined) {
      toast(t('common.done'), 'success');
      void load();
    }
  };
  const resolve = async (c: ConflictItem, resolution: 'accept_platform' | 'retry' | 'keep_local') => {
    if ((await tryCall('conflict_resolve', { client_ref: c.client_ref, resolution })) !== undefined) {
      toast(t('common.done'), 'success');
      void load();
    }
  };
  const s = health.sync;
  return (
    <div class="grid2" data-testid="manager-sync">
      <section class="panel">
        <h2>{t('syncp.title')}</h2>
        {s && (
          <dl class="kv">
            <dt>{t('syncp.online')}</dt>
            <dd>
              <span class={`pill ${s.online ? 'pill-ok' : 'pill-bad'}`}>{s.online ? t('status.online') : t('status.offline')}</span>
            </dd>
            <dt>{t('syncp.lastSuccess')}</dt>
            <dd>{s.last_success_at ? dateTimeOf(s.last_success_at) : t('syncp.never')}</dd>
            <dt>{t('syncp.outbox')}</dt>
            <dd class="strong">{s.outbox_depth}</dd>
            <dt>{t('syncp.oldest')}</dt>
            <dd>{s.oldest_pending_age_s != null ? t('syncp.seconds', { n: Math.round(s.oldest_pending_age_s) }) : '—'}</dd>
            <dt>{t('syncp.lastError')}</dt>
            <dd class="small">{s.last_error ?? '—'}</dd>
          </dl>
        )}
        {s?.advice_zh && (
          <p class="help" data-testid="sync-advice">
            {langStore.get() === 'zh' ? s.advice_zh : s.advice_en}
          </p>
        )}
        {strays && strays.length > 0 && (
          <div data-testid="sync-strays">
            <h3>
              {t('syncp.strays')} <span class="pill pill-bad">{strays.length}</span>
            </h3>
            <p class="help">{t('syncp.straysHelp')}</p>
            {strays.map((st) => (
              <div key={st.id} class="conflict">
                <div class="conflict-head">
                  <span class="mono strong">{t('syncp.strayNumber', { no: st.order_number })}</span>
                  <span class="muted small">{dateTimeOf(st.found_at)}</span>
                </div>
                <div class="action-row">
                  <button type="button" class="btn" onClick={() => void voided(st)}>
                    {t('syncp.strayVoided')}
                  </button>
                </div>
              </div>
            ))}
          </div>
        )}
      </section>
      <CountsSection counts={counts} />
      <section class="panel">
        <h2>
          {t('syncp.conflicts')} {conflicts && conflicts.length > 0 && <span class="pill pill-bad">{conflicts.length}</span>}
        </h2>
        <p class="help">{t('syncp.help')}</p>
        {conflicts?.length === 0 && <Empty text={t('syncp.noConflicts')} />}
        {conflicts?.map((c) => (
          <div key={c.client_ref} class="conflict">
            <div class="conflict-head">
              <span class="mono strong">{c.local_number}</span>
              <span class="muted small">{dateTimeOf(c.created_at)}</span>
            </div>
            <div>{c.message}</div>
            {c.platform_message != null && <div class="muted">{t('syncp.platformSays', { message: c.platform_message })}</div>}
            <div class="action-row">
              {c.can_keep_local ? (
                <button type="button" class="btn" onClick={() => void resolve(c, 'keep_local')}>
                  {t('syncp.keepLocal')}
                </button>
              ) : (
                <button type="button" class="btn" onClick={() => void resolve(c, 'accept_platform')}>
                  {t('syncp.acceptPlatform')}
                </button>
              )}
              <button type="button" class="btn btn-primary" onClick={() => void resolve(c, 'retry')}>
                {t('syncp.retry')}
              </button>
            </div>
          </div>
        ))}
      </section>
    </div>
  );
}
