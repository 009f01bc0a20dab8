import { Fragment } from 'preact';
import { useState } from 'preact/hooks';
import { call, dateTimeOf, errorText, langStore, healthStore, t, toast, tryCall } from '../../app-state';
import { formatMoney } from '../../money';
import type { ConflictItem, ReconcileResponse, Stray } from '../../backend/contract.gen';
import { confirmDialog, Empty } from '../../components/common';
import { translateDynamic } from '../../i18n';
import { usePoll } from '../../hooks';
import { useStore } from '../../store';

type Figure = ReconcileResponse['figures'][number];

/** The local figure the platform's is compared with: counted the way the platform counts
 *  (its "documented" rules when that is what it matched), over every local order, so a
 *  sale not yet sent shows as a difference with its reason rather than being hidden. */
function localFor(f: Figure): string {
  const documented = f.matches === 'documented' || f.matches === 'synced_documented';
  return String((documented ? f.local_documented : f.local_field) ?? '—');
}

/** A figure as people read it: money as ￥, counts as numbers. */
function shownValue(figure: string, v: unknown): string {
  if (v == null) return '—';
  return figure === 'totalPrice' ? formatMoney(String(v)) : String(v);
}

/** A figure of the platform's order_count in words. */
function figureName(f: string): string {
  return translateDynamic(langStore.get(), `syncp.fig.${f}`, t('syncp.fig.other'));
}

/** Explanations that say how a figure is counted, not why it differs. */
const INFORMATIONAL = new Set(['field_meaning', 'store_discount']);

/** Where a row stands: the same figure, a difference with its reason, or one without. */
export function rowState(f: Figure): 'same' | 'explained' | 'unexplained' {
  if (String(f.platform) === localFor(f)) return 'same';
  if (f.explanations.some((x) => x.kind === 'unexplained')) return 'unexplained';
  // Reasons about how the platform counts, and store discounts (the platform counts the full
  // price, so they are never the cause of a difference), do not explain a figure that differs.
  return f.explanations.some((x) => !INFORMATIONAL.has(x.kind)) ? 'explained' : 'unexplained';
}

/** Green only when nothing is unexplained: one unexplained row turns it red. */
export function countsBadge(c: ReconcileResponse): 'ok' | 'bad' {
  return c.all_explained === true && !c.figures.some((f) => rowState(f) === 'unexplained') ? 'ok' : 'bad';
}

/** "3 分钟前" from a fetch time. */
function ageText(at: string, now: number): string {
  const s = Math.max(0, Math.round((now - new Date(at).getTime()) / 1000));
  if (s < 60) return t('syncp.ageSeconds', { n: s });
  if (s < 3600) return t('syncp.ageMinutes', { n: Math.floor(s / 60) });
  if (s < 86400) return t('syncp.ageHours', { n: Math.floor(s / 3600) });
  return t('syncp.ageDays', { n: Math.floor(s / 86400) });
}

/** The platform's order counts beside the ledger's, in words, every difference with its
 *  reason; 刷新 asks the platform now (`stats_reconcile_refresh`). */
function CountsSection({ counts, onFresh }: { counts: ReconcileResponse | undefined; onFresh: (c: ReconcileResponse) => void }) {
  const zh = langStore.get() === 'zh';
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const refresh = async () => {
    setBusy(true);
    setError(null);
    try {
      const c = await call('stats_reconcile_refresh', {});
      onFresh(c);
      toast(t('syncp.refreshed'), 'success');
    } catch (e) {
      setError(errorText(e));
    } finally {
      setBusy(false);
    }
  };
  const total = counts?.figures.find((f) => f.figure === 'total');
  const money = counts?.figures.find((f) => f.figure === 'totalPrice');
  const badge = counts && counts.platform !== null ? countsBadge(counts) : null;
  return (
    <section class="panel" data-testid="sync-counts">
      <div class="panel-head">
        <h2>{t('syncp.counts')}</h2>
        <button type="button" class="btn" data-testid="counts-refresh" disabled={busy} onClick={() => void refresh()}>
          {busy ? t('syncp.refreshing') : t('syncp.refresh')}
        </button>
      </div>
      <p class="help">{t('syncp.countsHelp')}</p>
      {error && (
        <div class="form-error" role="alert" data-testid="counts-error">
          {error}
        </div>
      )}
      {counts && counts.platform === null && <Empty text={t('syncp.countsNone')} />}
      {counts && counts.platform !== null && (
        <Fragment>
          <p class="muted small" data-testid="counts-age">
            {counts.fetched_at ? t('syncp.fetchedAt', { at: dateTimeOf(counts.fetched_at), age: ageText(counts.fetched_at, Date.now()) }) : '—'}
          </p>
          <p class="counts-summary">
            {total && (
              <span class="strong" data-testid="counts-summary">
                {t('syncp.countsSummary', { p: String(total.platform ?? '—'), l: localFor(total) })}
              </span>
            )}
            {money && (
              <span class="muted" data-testid="counts-money">
                {t('syncp.countsMoney', { p: shownValue('totalPrice', money.platform), l: shownValue('totalPrice', localFor(money)) })}
              </span>
            )}
            <span class={`pill ${badge === 'ok' ? 'pill-ok' : 'pill-bad'}`} data-testid="counts-explained" data-state={badge ?? ''}>
              {t(
                badge !== 'ok'
                  ? 'syncp.countsUnexplained'
                  : counts.figures.every((f) => rowState(f) === 'same')
                    ? 'syncp.countsAllSame'
                    : 'syncp.countsExplained',
              )}
            </span>
          </p>
          <table class="table">
            <thead>
              <tr>
                <th>{t('syncp.countsField')}</th>
                <th class="num">{t('syncp.countsPlatform')}</th>
                <th class="num">{t('syncp.countsLocal')}</th>
                <th>{t('syncp.countsWhy')}</th>
              </tr>
            </thead>
            <tbody>
              {counts.figures.map((f) => {
                const state = rowState(f);
                return (
                  <tr key={f.figure} data-field={f.figure} data-state={state}>
                    <td>{figureName(f.figure)}</td>
                    <td class="num">{shownValue(f.figure, f.platform)}</td>
                    <td class="num">{shownValue(f.figure, localFor(f))}</td>
                    <td class="small">
                      {state === 'same' ? (
                        <span class="pill pill-ok">{t('syncp.countsSame')}</span>
                      ) : (
                        f.explanations
                          .filter((x) => state === 'unexplained' || x.kind !== 'field_meaning')
                          .map((x) => (
                            <div key={x.kind} class={x.kind === 'unexplained' ? 'text-bad' : ''} data-kind={x.kind}>
                              {zh ? x.zh : x.en}
                            </div>
                          ))
                      )}
                      {state === 'unexplained' && !f.explanations.some((x) => x.kind === 'unexplained') && (
                        <div class="text-bad" data-kind="unexplained">{t('syncp.noReason')}</div>
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

/** Strays of one sale: the till's sale (number, amount, time) and the platform copies of it. */
type StrayGroup = { client_ref: string; local_number: string | null; total: string | null; at: string | null; strays: Stray[] };

export function groupStrays(strays: Stray[]): StrayGroup[] {
  const groups = new Map<string, StrayGroup>();
  for (const s of strays) {
    const g = groups.get(s.client_ref) ?? { client_ref: s.client_ref, local_number: s.local_number, total: s.total, at: s.sale_created_at, strays: [] };
    g.strays.push(s);
    groups.set(s.client_ref, g);
  }
  return [...groups.values()];
}

function StraysSection({ strays, onVoided }: { strays: Stray[]; onVoided: () => void }) {
  const voided = async (g: StrayGroup, s: Stray) => {
    const sale = g.local_number ?? t('syncp.straySaleUnknown');
    const ok = await confirmDialog(t('syncp.strayConfirm', { no: s.order_number, sale }), true, {
      ok: t('syncp.strayConfirmOk'),
      back: t('common.back'),
    });
    if (!ok) return;
    if ((await tryCall('stray_void', { id: s.id })) !== undefined) {
      toast(t('common.done'), 'success');
      onVoided();
    }
  };
  return (
    <div data-testid="sync-strays">
      <h3>
        {t('syncp.strays')} <span class="pill pill-bad">{strays.length}</span>
      </h3>
      <p class="help">{t('syncp.straysHelp')}</p>
      {groupStrays(strays).map((g) => (
        <div key={g.client_ref} class="conflict" data-testid="stray-group" data-sale={g.local_number ?? ''}>
          <div class="conflict-head">
            <span class="mono strong">{g.local_number ?? t('syncp.straySaleUnknown')}</span>
            {g.total != null && <span class="strong">{formatMoney(g.total)}</span>}
            <span class="muted small">{g.at ? dateTimeOf(g.at) : ''}</span>
          </div>
          <div class="muted small">{t('syncp.strayCopies', { n: g.strays.length })}</div>
          {g.strays.map((s) => (
            <div key={s.id} class="action-row stray-row" data-testid="stray-row">
              <span class="mono grow">{t('syncp.strayNumber', { no: s.order_number })}</span>
              <button type="button" class="btn btn-small" data-testid="stray-void" onClick={() => void voided(g, s)}>
                {t('syncp.strayVoided')}
              </button>
            </div>
          ))}
        </div>
      ))}
    </div>
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
        {strays && strays.length > 0 && <StraysSection strays={strays} onVoided={() => void load()} />}
      </section>
      <CountsSection counts={counts} onFresh={setCounts} />
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
